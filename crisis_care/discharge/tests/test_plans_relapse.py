"""The relapse prevention plan (CORE item 24), written with the person in their own words:
reading it, writing it, changing it (version-checked), who may, and the checklist's item 24."""

# Fixtures are imported from test_plans_fixtures and named as test arguments.
# ruff: noqa: F811

import pytest
from django.core.exceptions import ValidationError

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.discharge.models import RelapsePreventionPlan
from crisis_care.discharge.selectors.checklist import ItemState, aftercare_checklist
from crisis_care.discharge.services import plans as services
from crisis_care.treatment.models import EpisodeStatus

from .test_plans_fixtures import (  # noqa: F401 (fixtures)
    CONTACTS,
    HELPS,
    SIGNS,
    TRIGGERS,
    relapse,
    relapse_edit_url,
    relapse_url,
)

pytestmark = pytest.mark.django_db


def _post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "early_warning_signs": SIGNS,
        "triggers": TRIGGERS,
        "what_helps": HELPS,
        "who_to_contact": CONTACTS,
        "advance_statement": "",
        "written_with_person": "yes",
        "version": "",
    }
    data.update(overrides)
    return data


def _item(episode, code: str):  # type: ignore[no-untyped-def]
    return next(i for i in aftercare_checklist(episode=episode).items if i.code == code)


def test_without_a_plan_the_page_says_so_and_offers_to_write_it(signed_in, practitioner, episode):
    response = signed_in(practitioner).get(relapse_url(episode))

    assert response.status_code == 200
    text = page_text(response)
    assert "No relapse prevention plan has been written yet" in text
    assert "Write the plan" in text
    assert AuditEvent.objects.filter(
        actor=practitioner,
        action=AuditAction.VIEW,
        section="relapse prevention plan",
        person_id=episode.person_id,
    ).exists()


def test_writing_the_plan_with_the_person_meets_checklist_item_24(signed_in, practitioner, episode):
    assert _item(episode, "24").state == ItemState.MISSING
    client = signed_in(practitioner)

    form = client.get(relapse_edit_url(episode))
    response = client.post(
        relapse_edit_url(episode), _post(advance_statement="Ask Jo to look after Biscuit")
    )

    assert form.status_code == 200
    assert "Early warning signs" in page_text(form)
    assert response.status_code == 302
    plan = RelapsePreventionPlan.objects.get(episode=episode)
    assert (plan.early_warning_signs, plan.triggers, plan.what_helps, plan.who_to_contact) == (
        SIGNS,
        TRIGGERS,
        HELPS,
        CONTACTS,
    )
    assert plan.advance_statement == "Ask Jo to look after Biscuit"
    assert plan.written_with_person is True
    assert (plan.written_by, plan.version) == (practitioner, 1)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=plan.pk).exists()
    assert _item(episode, "24").state == ItemState.MET

    text = page_text(client.get(relapse_url(episode)))
    for words in (SIGNS, TRIGGERS, HELPS, CONTACTS, "Ask Jo to look after Biscuit"):
        assert words in text
    assert "Written with the person. Last changed on" in text


def test_a_plan_not_written_with_the_person_leaves_item_24_missing(
    signed_in, practitioner, episode
):
    signed_in(practitioner).post(relapse_edit_url(episode), _post(written_with_person="no"))

    item = _item(episode, "24")
    assert item.state == ItemState.MISSING
    assert "not written with the person" in item.detail


def test_each_part_of_the_plan_is_needed_keeping_what_was_typed(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(
        relapse_edit_url(episode),
        _post(triggers="  ", what_helps="", who_to_contact="", written_with_person=""),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    for message in (
        "Enter what can set things off, in the person's words",
        "Enter what helps, in the person's words",
        "Enter who the person will contact",
        "Select whether the plan was written with the person",
    ):
        assert message in text
    assert SIGNS in text  # kept in the form
    assert not RelapsePreventionPlan.objects.exists()


def test_changing_the_plan_is_audited_with_the_parts_that_changed(
    signed_in, practitioner, episode, relapse
):
    client = signed_in(practitioner)
    form = client.get(relapse_edit_url(episode))
    assert SIGNS in form.content.decode()
    assert 'name="version" value="1"' in form.content.decode()

    response = client.post(
        relapse_edit_url(episode), _post(what_helps="Music on headphones", version="1")
    )

    assert response.status_code == 302
    relapse.refresh_from_db()
    assert (relapse.what_helps, relapse.version) == ("Music on headphones", 2)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=relapse.pk)
    assert event.detail == {"changed": ["what_helps"]}


def test_a_stale_edit_is_refused_keeping_what_was_typed(
    signed_in, practitioner, staff_user, episode, relapse
):
    colleague = staff_user(Role.DOCTOR)
    services.relapse_plan_update(
        plan=relapse,
        early_warning_signs=SIGNS,
        triggers=TRIGGERS,
        what_helps="Someone else's words",
        who_to_contact=CONTACTS,
        written_with_person=True,
        expected_version=1,
        by=colleague,
    )

    response = signed_in(practitioner).post(
        relapse_edit_url(episode), _post(what_helps="My words, typed carefully", version="1")
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "My words, typed carefully" in response.content.decode()
    assert "Your form differs from the saved record in: What helps" in text
    assert 'name="version" value="2"' in response.content.decode()
    relapse.refresh_from_db()
    assert relapse.what_helps == "Someone else's words"


def test_a_plan_written_by_someone_else_while_the_form_was_open_is_not_overwritten(
    signed_in, practitioner, episode, relapse
):
    response = signed_in(practitioner).post(
        relapse_edit_url(episode), _post(what_helps="Typed on a form opened earlier")
    )

    assert response.status_code == 200
    assert "Someone else changed this record" in page_text(response)
    relapse.refresh_from_db()
    assert relapse.what_helps == HELPS
    assert RelapsePreventionPlan.objects.count() == 1


def test_a_support_worker_reads_the_plan_but_cannot_write_it(
    signed_in, staff_user, episode, relapse
):
    client = signed_in(staff_user(Role.SUPPORT_WORKER))

    page = client.get(relapse_url(episode))

    assert page.status_code == 200
    assert "Change the plan" not in page_text(page)
    assert client.get(relapse_edit_url(episode)).status_code == 403
    assert client.post(relapse_edit_url(episode), _post(version="1")).status_code == 403


def test_another_team_is_refused_the_plan_with_audit_rows(
    signed_in, staff_user, other_team, episode, relapse
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    client = signed_in(outsider)

    assert client.get(relapse_url(episode)).status_code == 403
    assert client.get(relapse_edit_url(episode)).status_code == 403
    assert client.post(relapse_edit_url(episode), _post(version="1")).status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
        ).count()
        == 3
    )
    relapse.refresh_from_db()
    assert relapse.version == 1


def test_a_discharged_episodes_plan_is_read_only(signed_in, practitioner, episode, relapse):
    type(episode).objects.filter(pk=episode.pk).update(status=EpisodeStatus.CLOSED)
    episode.refresh_from_db()
    client = signed_in(practitioner)

    page = client.get(relapse_url(episode))

    assert page.status_code == 200
    assert SIGNS in page_text(page)
    assert "Change the plan" not in page_text(page)
    assert client.get(relapse_edit_url(episode)).status_code == 403
    assert client.post(relapse_edit_url(episode), _post(version="1")).status_code == 403
    with pytest.raises(ValidationError):
        services.relapse_plan_update(
            plan=relapse,
            early_warning_signs=SIGNS,
            triggers=TRIGGERS,
            what_helps="Changed after discharge",
            who_to_contact=CONTACTS,
            written_with_person=True,
            expected_version=1,
            by=practitioner,
        )
    relapse.refresh_from_db()
    assert relapse.what_helps == HELPS


def test_the_service_refuses_a_second_plan_for_the_episode(practitioner, episode, relapse):
    from crisis_care.core.concurrency import StaleEdit

    with pytest.raises(StaleEdit):
        services.relapse_plan_create(
            episode=episode,
            early_warning_signs=SIGNS,
            triggers=TRIGGERS,
            what_helps=HELPS,
            who_to_contact=CONTACTS,
            written_with_person=True,
            by=practitioner,
        )

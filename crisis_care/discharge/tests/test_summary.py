"""The discharge summary to the GP and involved services (CORE item 34b: within 3 days):
generated from the record, as a page and a PDF, recorded as sent with exactly what was sent,
and when it is due or overdue."""

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone

from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.presenters import date_long, format_nhs_number
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.treatment.models import Episode, InterventionKind, Medication
from crisis_care.treatment.services import careplans as careplan_services

from ..models import (
    Discharge,
    DischargeSummary,
    InvolvedService,
    OnwardReferral,
    RelapsePreventionPlan,
)
from ..presenters import discharges as presenters
from ..selectors import discharges as selectors
from ..selectors.discharges import SummaryState, summary_state
from .test_discharge_helpers import days_ago_at, discharge, record_contact, started_days_ago, url

pytestmark = pytest.mark.django_db

GOAL = "To sleep through most nights and feel safe at home"
WARNING_SIGNS = "Staying up all night and stopping eating"


@pytest.fixture
def episode(make_episode) -> Episode:  # type: ignore[no-untyped-def]
    return started_days_ago(make_episode(), 10)


@pytest.fixture
def recorded(episode: Episode, practitioner: User) -> Episode:
    """An episode with a care plan, contacts, a referral on, an involved service, medication
    and a relapse prevention plan."""
    plan = careplan_services.care_plan_create(episode=episode, by=practitioner)
    goal = careplan_services.goal_add(
        care_plan=plan, need="I can't sleep", goal=GOAL, by=practitioner
    )
    careplan_services.intervention_add(
        care_plan=plan,
        kind=InterventionKind.DAILY_ROUTINE,
        detail="Sleep diary and a wind-down routine",
        goal_ids=[goal.pk],
        by=practitioner,
    )
    record_contact(episode, practitioner, at=days_ago_at(5), medium="01")
    record_contact(episode, practitioner, at=days_ago_at(4), medium="02")
    record_contact(episode, practitioner, at=days_ago_at(3), medium="01", attendance="not_at_home")
    now = timezone.now()
    OnwardReferral.objects.create(
        episode=episode,
        kind="cmht",
        service_name="City East CMHT",
        reason="Ongoing care coordination",
        sent_on=local_date(now) - dt.timedelta(days=2),
        status="accepted",
        worker_name="Priya Natt",
        worker_phone="0116 295 0000",
        recorded_by=practitioner,
        recorded_at=now,
    )
    InvolvedService.objects.create(
        episode=episode,
        name="Early Intervention in Psychosis",
        secondary_mental_health=True,
        recorded_by=practitioner,
        recorded_at=now,
    )
    Medication.objects.create(
        person=episode.person,
        episode=episode,
        name="Sertraline",
        dose="50mg",
        frequency="Once a day",
        started_on=local_date(now) - dt.timedelta(days=8),
    )
    Medication.objects.create(
        person=episode.person,
        name="Zopiclone",
        dose="3.75mg",
        frequency="At night",
        started_on=local_date(now) - dt.timedelta(days=8),
        stopped_on=local_date(now) - dt.timedelta(days=3),
    )
    RelapsePreventionPlan.objects.create(
        episode=episode,
        early_warning_signs=WARNING_SIGNS,
        triggers="Money worries",
        what_helps="Walking the dog",
        who_to_contact="My sister Jo",
        written_by=practitioner,
        written_at=now,
    )
    return episode


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def sent_form(**extra: object) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "sent_on[day]": str(today.day),
        "sent_on[month]": str(today.month),
        "sent_on[year]": str(today.year),
        "method": "nhs_mail",
        "recipients": ["gp"],
        "other_recipients": "",
    }
    data.update(extra)
    return data


# -- What it says --------------------------------------------------------------------------------


def test_the_summary_is_generated_from_the_record(signed_in, practitioner, recorded):
    discharge(recorded, practitioner, at=days_ago_at(1), outcome="cmht")
    person = recorded.person

    response = signed_in(practitioner).get(url("summary", recorded))

    assert response.status_code == 200
    text = page_text(response)
    for words in (
        "Discharge summary",
        person.full_name,
        format_nhs_number(person.nhs_number),
        f"{date_long(recorded.started_at)} to {date_long(days_ago_at(1))}",
        "Low mood, not eating",  # the reason for referral
        "The team had 2 contacts with the person (1 face to face, 1 by phone).",
        f"{GOAL} (still working on it)",
        "Sleep, activity and daily routine: Sleep diary and a wind-down routine",
        "Crisis resolved: handed to the community mental health team",
        "City East CMHT (Community mental health team): accepted",
        "worker: Priya Natt, 0116 295 0000",
        "Sertraline, 50mg, by mouth, once a day",
        WARNING_SIGNS,
        "Walking the dog",
        "A safety plan was written with the person on",
        recorded.team.name,
    ):
        assert words in text
    # Stopped before the discharge: not on the list of medicines on discharge.
    assert "Zopiclone" not in text
    assert AuditEvent.objects.filter(
        actor=practitioner,
        action=AuditAction.VIEW,
        person_id=person.pk,
        section="discharge summary",
    ).exists()


def test_before_discharge_the_summary_says_so_and_is_not_due(signed_in, practitioner, episode):
    text = page_text(signed_in(practitioner).get(url("summary", episode)))

    assert "The person has not been discharged yet." in text
    assert "No relapse prevention plan is recorded." in text
    assert "Not sent yet" in text


def test_the_summary_pdf_reads_the_same_and_has_no_name_in_its_title(
    signed_in, practitioner, recorded
):
    discharge(recorded, practitioner, at=days_ago_at(1))

    response = signed_in(practitioner).get(url("summary_pdf", recorded))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert recorded.person.family_name not in response["Content-Disposition"]
    text = pdf_text(response.content)
    for words in (
        "Discharge summary from home treatment",
        recorded.person.full_name,
        "City East CMHT",
        "Sertraline",
        WARNING_SIGNS,
        "Crisis resolved: handed back to the GP",
    ):
        assert words in text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == presenters.pdf_title(recorded, timezone.localdate())
    assert recorded.person.family_name not in reader.metadata.title
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="discharge summary", detail__format="pdf"
    ).exists()


# -- Recording it as sent ------------------------------------------------------------------------


def test_the_gp_practice_and_involved_services_are_offered_as_recipients(
    signed_in, practitioner, recorded
):
    response = signed_in(practitioner).get(url("summary_sent", recorded))

    assert response.status_code == 200
    body = response.content.decode()
    text = page_text(response)
    practice = recorded.person.gp_practice
    assert f"{practice.name} (GP practice)" in text
    assert "Early Intervention in Psychosis" in text
    assert "City East CMHT" in text
    # All ticked to start with.
    assert body.count('checked="checked"') + body.count(" checked") >= 3


def test_recording_it_sent_keeps_exactly_what_was_sent(signed_in, practitioner, recorded):
    discharge(recorded, practitioner, at=days_ago_at(1))
    client = signed_in(practitioner)
    practice = recorded.person.gp_practice
    service = InvolvedService.objects.get(episode=recorded)
    choices = ["gp", f"service-{service.pk}"]

    response = client.post(
        url("summary_sent", recorded),
        sent_form(recipients=choices, other_recipients="Housing Options\n"),
    )

    assert response.status_code == 302
    assert response["Location"] == url("summary", recorded)
    sent = DischargeSummary.objects.get(episode=recorded)
    assert sent.sent_on == timezone.localdate()
    assert sent.to_gp is True
    assert sent.sent_by == practitioner
    assert sent.recipients.splitlines() == [
        f"{practice.name} (GP practice)",
        "Early Intervention in Psychosis",
        "Housing Options",
    ]
    assert "Sertraline" in sent.snapshot_html
    assert WARNING_SIGNS in sent.snapshot_html
    # A later change to the record does not rewrite what was sent.
    Medication.objects.create(
        person=recorded.person,
        name="Mirtazapine",
        dose="15mg",
        frequency="At night",
        started_on=timezone.localdate() - dt.timedelta(days=2),
    )
    assert "Mirtazapine" not in DischargeSummary.objects.get(pk=sent.pk).snapshot_html
    text = page_text(client.get(url("summary", recorded)))
    assert f"Sent on {date_long(timezone.localdate())}" in text
    assert "Housing Options" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=sent.pk, section="discharge summary"
    ).exists()


def test_the_date_sent_is_not_in_the_future_and_someone_must_be_named(
    signed_in, practitioner, recorded
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client = signed_in(practitioner)

    future = client.post(
        url("summary_sent", recorded),
        sent_form(
            **{
                "sent_on[day]": str(tomorrow.day),
                "sent_on[month]": str(tomorrow.month),
                "sent_on[year]": str(tomorrow.year),
            }
        ),
    )
    nobody = client.post(url("summary_sent", recorded), sent_form(recipients=[]))

    assert "Date sent must be today or in the past" in page_text(future)
    assert "Select or enter who the summary was sent to" in page_text(nobody)
    assert not DischargeSummary.objects.exists()


def test_a_summary_sent_before_the_discharge_counts(signed_in, practitioner, episode):
    client = signed_in(practitioner)
    assert client.post(url("summary_sent", episode), sent_form()).status_code == 302

    discharge(episode, practitioner, at=days_ago_at(0, hour=0))

    sent = DischargeSummary.objects.get(episode=episode)
    done = Discharge.objects.get(episode=episode)
    state = summary_state(
        due_on=done.summary_due_on,
        first_sent_on=sent.sent_on,
        today=timezone.localdate() + dt.timedelta(days=10),
    )
    assert state == SummaryState.SENT_IN_TIME


def test_the_summary_can_be_recorded_as_sent_after_the_episode_has_ended(
    signed_in, staff_user, practitioner, episode
):
    discharge(episode, practitioner, at=days_ago_at(2))
    administrator = staff_user(Role.ADMINISTRATOR)

    response = signed_in(administrator).post(url("summary_sent", episode), sent_form())

    assert response.status_code == 302
    assert DischargeSummary.objects.get(episode=episode).sent_by == administrator


# -- When it is due ------------------------------------------------------------------------------


def test_the_summary_is_due_by_the_third_day_and_overdue_on_the_fourth():
    discharged_on = dt.date(2026, 3, 2)
    due_on = discharged_on + dt.timedelta(days=3)

    def on(day: int) -> SummaryState:
        return summary_state(
            due_on=due_on, first_sent_on=None, today=discharged_on + dt.timedelta(days=day)
        )

    assert [on(day) for day in range(5)] == [
        SummaryState.DUE,
        SummaryState.DUE,
        SummaryState.DUE,
        SummaryState.DUE,
        SummaryState.OVERDUE,
    ]


def test_a_summary_sent_in_time_is_never_overdue_and_one_sent_late_says_so():
    due_on = dt.date(2026, 3, 5)
    much_later = dt.date(2026, 4, 1)

    assert (
        summary_state(due_on=due_on, first_sent_on=dt.date(2026, 3, 5), today=much_later)
        == SummaryState.SENT_IN_TIME
    )
    assert (
        summary_state(due_on=due_on, first_sent_on=dt.date(2026, 3, 6), today=much_later)
        == SummaryState.SENT_LATE
    )
    assert summary_state(due_on=None, first_sent_on=None, today=much_later) == (
        SummaryState.NOT_DISCHARGED
    )


def test_the_due_date_is_three_calendar_days_from_the_london_date_of_discharge():
    # The London date of the discharge counts: 11:30pm UTC is still 28 March in London before
    # the clocks go forward (29 March 2026), but already 2 June in summer time.
    late_evening = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)  # 11:30pm GMT
    assert selectors.summary_due_on(late_evening) == dt.date(2026, 3, 31)
    after_midnight_bst = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)  # 12:30am BST, 2 June
    assert selectors.summary_due_on(after_midnight_bst) == dt.date(2026, 6, 5)


def test_summary_tags_read_as_a_person_would_say_them():
    due_on = dt.date(2026, 3, 5)
    assert presenters.summary_tag(SummaryState.OVERDUE, due_on=due_on, first_sent_on=None) == {
        "text": "Overdue: was due by 5 March 2026",
        "classes": "nhsuk-tag--red",
    }
    assert presenters.summary_tag(SummaryState.DUE, due_on=due_on, first_sent_on=None)["text"] == (
        "Due by 5 March 2026"
    )
    assert presenters.summary_tag(
        SummaryState.SENT_IN_TIME, due_on=due_on, first_sent_on=dt.date(2026, 3, 4)
    )["text"] == ("Sent on 4 March 2026")


# -- Who may see and send it ---------------------------------------------------------------------


def test_roles_for_the_summary(signed_in, staff_user, practitioner, episode):
    support = signed_in(staff_user(Role.SUPPORT_WORKER))
    assert support.get(url("summary", episode)).status_code == 200
    assert support.get(url("summary_sent", episode)).status_code == 403
    assert support.post(url("summary_sent", episode), sent_form()).status_code == 403

    administrator = signed_in(staff_user(Role.ADMINISTRATOR))
    assert administrator.get(url("summary", episode)).status_code == 200
    assert administrator.get(url("summary_sent", episode)).status_code == 200

    auditor = signed_in(staff_user(Role.IG_AUDITOR))
    assert auditor.get(url("summary", episode)).status_code == 403
    assert auditor.get(url("summary_pdf", episode)).status_code == 403
    assert not DischargeSummary.objects.exists()


def test_another_teams_summary_is_refused_and_the_attempt_audited(
    signed_in, staff_user, other_team, make_episode, practitioner
):
    theirs = make_episode(in_team=other_team, by=staff_user(in_team=other_team))
    client = signed_in(practitioner)

    for name in ("summary", "summary_pdf", "summary_sent"):
        assert client.get(url(name, theirs)).status_code == 403
    assert client.post(url("summary_sent", theirs), sent_form()).status_code == 403

    assert not DischargeSummary.objects.exists()
    assert (
        AuditEvent.objects.filter(
            actor=practitioner,
            action=AuditAction.ACCESS_DENIED,
            object_id=theirs.pk,
            section="discharge summary",
        ).count()
        == 4
    )

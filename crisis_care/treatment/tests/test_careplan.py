"""The care plan (CORE item 20): starting it, strengths and preferences, goals with their
status history and progress, interventions from the catalogue, and who may do what."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.presenters import date_long
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.core.working_days import add_working_days
from crisis_care.nonprod import factories
from crisis_care.people import services as people_services
from crisis_care.people.models import Contact, ShareScope
from crisis_care.treatment.models import (
    CarePlan,
    Episode,
    Goal,
    GoalProgress,
    GoalStatus,
    GoalStatusChange,
    Intervention,
    InterventionKind,
)
from crisis_care.treatment.services import careplans as services

pytestmark = pytest.mark.django_db

NEED = "I can't sleep and I'm frightened to be on my own at night"
GOAL = "To sleep through most nights and feel safe at home"


@pytest.fixture
def plan(episode: Episode, practitioner: User) -> CarePlan:
    return services.care_plan_create(episode=episode, by=practitioner)


@pytest.fixture
def goal(plan: CarePlan, practitioner: User) -> Goal:
    return services.goal_add(care_plan=plan, need=NEED, goal=GOAL, by=practitioner)


@pytest.fixture
def make_contact(practitioner: User) -> Callable[..., Contact]:
    """make_contact(person, scope, name=) -> a contact with that consent decision recorded
    through the people service (scope None: no decision recorded)."""

    def make(person, scope: str | None, name: str = "Jo Ellison") -> Contact:  # type: ignore[no-untyped-def]
        contact = factories.ContactFactory(person=person, name=name, relationship="sibling")
        if scope is not None:
            people_services.consent_record(
                contact=contact,
                scope=scope,
                capacity="has",
                review_on=timezone.localdate() + dt.timedelta(days=90),
                note="",
                by=practitioner,
            )
        return contact

    return make


def plan_url(episode: Episode) -> str:
    return reverse("treatment:care_plan", args=[episode.pk])


def intervention_data(goal: Goal, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": InterventionKind.BENEFITS_DEBT,
        "detail": "Help to apply for a Household Support Fund payment for the gas bill",
        "goals": [str(goal.pk)],
        "lead": "",
        "family_member": "none",
    }
    data.update(overrides)
    return data


# -- Starting the plan ---------------------------------------------------------------------


def test_the_first_visit_offers_to_start_the_care_plan_and_is_audited(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).get(plan_url(episode))

    assert response.status_code == 200
    assert "Start the care plan" in page_text(response)
    assert reverse("treatment:care_plan_create", args=[episode.pk]) in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="care plan", person_id=episode.person_id
    ).exists()


def test_starting_the_care_plan_creates_it_with_an_audit_row(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(
        reverse("treatment:care_plan_create", args=[episode.pk])
    )

    assert response.status_code == 302
    plan = CarePlan.objects.get(episode=episode)
    assert plan.created_by == practitioner
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=plan.pk, section="care plan"
    ).exists()


def test_starting_it_twice_keeps_one_plan(signed_in, practitioner, episode, plan):
    response = signed_in(practitioner).post(
        reverse("treatment:care_plan_create", args=[episode.pk]), follow=True
    )

    assert "already been started" in page_text(response)
    assert CarePlan.objects.filter(episode=episode).count() == 1


def test_a_support_worker_reads_the_plan_but_cannot_start_it(signed_in, staff_user, episode):
    client = signed_in(staff_user(Role.SUPPORT_WORKER))

    page = client.get(plan_url(episode))
    start = client.post(reverse("treatment:care_plan_create", args=[episode.pk]))

    assert page.status_code == 200
    assert "Start the care plan" not in page_text(page)
    assert start.status_code == 403
    assert not CarePlan.objects.filter(episode=episode).exists()


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_staff_who_do_not_write_plans_can_read_it_but_every_change_is_refused(
    signed_in, staff_user, practitioner, episode, plan, goal, role
):
    intervention = services.intervention_add(
        care_plan=plan,
        kind="housing",
        detail="Call the landlord",
        goal_ids=[goal.pk],
        by=practitioner,
    )
    client = signed_in(staff_user(role))

    assert client.get(plan_url(episode)).status_code == 200
    assert client.get(reverse("treatment:written_plan", args=[episode.pk])).status_code == 200
    page = page_text(client.get(plan_url(episode)))
    assert "Add a goal" not in page and "Add an intervention" not in page
    for name, pk in (
        ("care_plan_edit", episode.pk),
        ("goal_add", episode.pk),
        ("intervention_add", episode.pk),
        ("written_plan_given", episode.pk),
        ("goal_edit", goal.pk),
        ("goal_status", goal.pk),
        ("intervention_edit", intervention.pk),
        ("intervention_stop", intervention.pk),
    ):
        url = reverse(f"treatment:{name}", args=[pk])
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"version": "1"}).status_code == 403, name


def test_an_information_governance_auditor_cannot_open_the_plan(signed_in, staff_user, episode):
    response = signed_in(staff_user(Role.IG_AUDITOR)).get(plan_url(episode))
    assert response.status_code == 403


def test_another_team_is_refused_the_plan_with_an_audit_row(
    signed_in, staff_user, other_team, episode, plan
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(plan_url(episode))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
    ).exists()


def test_another_team_is_refused_a_goal_with_an_audit_row(signed_in, staff_user, other_team, goal):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    client = signed_in(outsider)

    for name in ("goal_edit", "goal_status", "goal_progress"):
        assert client.get(reverse(f"treatment:{name}", args=[goal.pk])).status_code == 403
    response = client.post(
        reverse("treatment:goal_progress", args=[goal.pk]),
        {"progress": "good", "note": "Sleeping better"},
    )

    assert response.status_code == 403
    assert not GoalProgress.objects.exists()
    assert (
        AuditEvent.objects.filter(
            actor=outsider,
            action=AuditAction.ACCESS_DENIED,
            object_type="treatment.Goal",
            object_id=goal.pk,
        ).count()
        == 4
    )


def test_another_team_is_refused_an_intervention_with_an_audit_row(
    signed_in, staff_user, other_team, plan, goal, practitioner
):
    intervention = services.intervention_add(
        care_plan=plan,
        kind="housing",
        detail="Call the landlord",
        goal_ids=[goal.pk],
        by=practitioner,
    )
    outsider = staff_user(Role.TEAM_MANAGER, in_team=other_team)

    response = signed_in(outsider).post(
        reverse("treatment:intervention_stop", args=[intervention.pk]), {"version": "1"}
    )

    assert response.status_code == 403
    intervention.refresh_from_db()
    assert intervention.stopped_at is None
    assert AuditEvent.objects.filter(
        actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=intervention.pk
    ).exists()


def test_an_unknown_goal_is_not_found(signed_in, practitioner, db):
    response = signed_in(practitioner).get(
        reverse("treatment:goal_edit", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 404


# -- The plan page -------------------------------------------------------------------------


def test_the_plan_page_shows_goals_progress_interventions_and_the_written_plan_clock(
    signed_in, practitioner, episode, plan, goal, make_contact
):
    jo = make_contact(episode.person, ShareScope.CARE_PLAN)
    services.goal_progress_record(
        goal=goal, progress="some", note="Slept five hours on Tuesday", by=practitioner
    )
    services.goal_progress_record(
        goal=goal, progress="good", note="Three good nights in a row", by=practitioner
    )
    services.intervention_add(
        care_plan=plan,
        kind=InterventionKind.FAMILY_NETWORK,
        detail="Jo stays over on the first three nights",
        goal_ids=[goal.pk],
        lead=practitioner.staff,
        family_member=jo,
        by=practitioner,
    )

    response = signed_in(practitioner).get(plan_url(episode))

    text = page_text(response)
    assert NEED in text and GOAL in text
    assert "Working on it" in text
    assert "Latest progress Good progress Three good nights in a row" in text
    assert "Slept five hours on Tuesday" in text  # the history
    assert "Work with family and social network" in text
    assert "Jo stays over on the first three nights" in text
    assert f"Lead: {practitioner.get_full_name()}" in text
    assert "Family or friend with a role: Jo Ellison (brother or sister)" in text
    due_by = add_working_days(timezone.localdate(), 4)
    assert f"Not yet given: 4 working days left, due by {date_long(due_by)}." in text
    assert "beyond medication and risk" not in text


def test_a_plan_of_only_medication_and_risk_asks_for_another_intervention(
    signed_in, practitioner, episode, plan, goal
):
    for kind in (InterventionKind.PRESCRIBING, InterventionKind.SAFETY_PLANNING):
        services.intervention_add(
            care_plan=plan, kind=kind, detail=f"{kind} detail", goal_ids=[goal.pk], by=practitioner
        )
    client = signed_in(practitioner)

    assert "Add at least one intervention beyond medication and risk" in page_text(
        client.get(plan_url(episode))
    )

    services.intervention_add(
        care_plan=plan,
        kind=InterventionKind.DAILY_ROUTINE,
        detail="A walk with the dog each morning",
        goal_ids=[goal.pk],
        by=practitioner,
    )
    assert "Add at least one intervention beyond medication and risk" not in page_text(
        client.get(plan_url(episode))
    )


def _fill_plan(plan: CarePlan, by: User, goals: int, interventions: int) -> None:
    made = [
        services.goal_add(care_plan=plan, need=f"Need {n}", goal=f"Goal {n}", by=by)
        for n in range(goals)
    ]
    for goal in made:
        services.goal_progress_record(goal=goal, progress="some", note="Better", by=by)
        services.goal_status_change(goal=goal, status=GoalStatus.ACHIEVED, note="", by=by)
        services.goal_status_change(goal=goal, status=GoalStatus.ACTIVE, note="", by=by)
    for n in range(interventions):
        services.intervention_add(
            care_plan=plan,
            kind=list(InterventionKind)[n % len(InterventionKind)],
            detail=f"Intervention {n}",
            goal_ids=[g.pk for g in made[: 1 + n % goals]],
            lead=by.staff,  # type: ignore[attr-defined]
            by=by,
        )


def test_the_plan_page_reads_a_fixed_number_of_queries(
    signed_in, practitioner, staff_user, make_episode, django_assert_num_queries
):
    small = make_episode()
    _fill_plan(services.care_plan_create(episode=small, by=practitioner), practitioner, 1, 1)
    large = make_episode(by=staff_user(Role.REGISTERED_PRACTITIONER))
    _fill_plan(services.care_plan_create(episode=large, by=practitioner), practitioner, 6, 12)
    client = signed_in(practitioner)
    client.get(plan_url(small))  # warm the session

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(plan_url(small)).status_code == 200

    with django_assert_num_queries(len(small_queries.captured_queries)):
        response = client.get(plan_url(large))
    assert "Goal 6" in page_text(response) and "Intervention 11" in page_text(response)


# -- Strengths and preferences -------------------------------------------------------------


def about_url(episode: Episode) -> str:
    return reverse("treatment:care_plan_edit", args=[episode.pk])


def test_strengths_and_preferences_are_saved_and_audited(signed_in, practitioner, episode, plan):
    response = signed_in(practitioner).post(
        about_url(episode),
        {
            "strengths": "Walking the dog; my sister Jo",
            "preferences": "No injections",
            "written_with_person": "yes",
            "version": plan.version,
        },
    )

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.strengths == "Walking the dog; my sister Jo"
    assert plan.version == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=plan.pk)
    assert event.detail == {"changed": ["preferences", "strengths"]}


def test_a_stale_edit_of_strengths_is_refused_keeping_what_was_typed(
    signed_in, practitioner, episode, plan
):
    services.care_plan_update(
        care_plan=plan,
        strengths="Someone else's words",
        preferences="",
        written_with_person=True,
        expected_version=1,
        by=practitioner,
    )

    response = signed_in(practitioner).post(
        about_url(episode),
        {
            "strengths": "My words, typed carefully",
            "preferences": "",
            "written_with_person": "yes",
            "version": "1",
        },
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "My words, typed carefully" in response.content.decode()
    assert "Strengths and what has helped before" in text  # the differing field is named
    assert 'name="version" value="2"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.strengths == "Someone else's words"


# -- Goals ---------------------------------------------------------------------------------


def test_a_goal_needs_both_the_need_and_the_goal_keeping_what_was_typed(
    signed_in, practitioner, episode, plan
):
    response = signed_in(practitioner).post(
        reverse("treatment:goal_add", args=[episode.pk]), {"need": NEED, "goal": "  "}
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter what the person wants to achieve, in their words" in text
    assert NEED in text  # kept in the form
    assert 'href="#id_goal"' in response.content.decode()
    assert not Goal.objects.exists()


def test_adding_a_goal_starts_its_status_history_and_is_audited(
    signed_in, practitioner, episode, plan
):
    signed_in(practitioner).post(
        reverse("treatment:goal_add", args=[episode.pk]), {"need": NEED, "goal": GOAL}
    )

    goal = Goal.objects.get(care_plan=plan)
    assert (goal.need, goal.goal, goal.status) == (NEED, GOAL, GoalStatus.ACTIVE)
    history = list(goal.status_history.all())
    assert [(h.status, h.changed_by) for h in history] == [(GoalStatus.ACTIVE, practitioner)]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=goal.pk).exists()


def test_goals_keep_the_order_they_were_added(plan, practitioner):
    first = services.goal_add(care_plan=plan, need="a", goal="first", by=practitioner)
    second = services.goal_add(care_plan=plan, need="b", goal="second", by=practitioner)
    assert (first.order, second.order) == (0, 1)


def test_a_stale_goal_edit_is_refused_keeping_what_was_typed(signed_in, practitioner, goal):
    services.goal_update(
        goal=goal,
        need=NEED,
        goal_text="Changed by a colleague",
        expected_version=1,
        by=practitioner,
    )

    response = signed_in(practitioner).post(
        reverse("treatment:goal_edit", args=[goal.pk]),
        {"need": NEED, "goal": "My version of the goal", "version": "1"},
    )

    assert response.status_code == 200
    assert "Someone else changed this record" in page_text(response)
    assert "My version of the goal" in response.content.decode()
    assert "What I want to achieve" in page_text(response)
    goal.refresh_from_db()
    assert goal.goal == "Changed by a colleague"


def test_a_goal_edit_at_the_current_version_is_saved_and_audited(signed_in, practitioner, goal):
    response = signed_in(practitioner).post(
        reverse("treatment:goal_edit", args=[goal.pk]),
        {"need": NEED, "goal": "To sleep and get back to work", "version": "1"},
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.goal == "To sleep and get back to work"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=goal.pk)
    assert event.detail == {"changed": ["goal"]}


def test_changing_a_goal_status_writes_an_immutable_history_row(signed_in, practitioner, goal):
    response = signed_in(practitioner).post(
        reverse("treatment:goal_status", args=[goal.pk]),
        {"status": GoalStatus.ACHIEVED, "note": "Sleeping most nights"},
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    latest = GoalStatusChange.objects.filter(goal=goal).last()
    assert latest is not None
    assert (latest.status, latest.note, latest.changed_by) == (
        GoalStatus.ACHIEVED,
        "Sleeping most nights",
        practitioner,
    )
    assert GoalStatusChange.objects.filter(goal=goal).count() == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=goal.pk)
    assert event.detail == {"status": {"from": "active", "to": "achieved"}}


def test_changing_a_goal_to_the_status_it_has_is_refused(signed_in, practitioner, goal):
    response = signed_in(practitioner).post(
        reverse("treatment:goal_status", args=[goal.pk]), {"status": GoalStatus.ACTIVE}
    )

    assert response.status_code == 200
    assert "already marked" in page_text(response)
    assert GoalStatusChange.objects.filter(goal=goal).count() == 1


def test_a_support_worker_records_progress_but_cannot_change_the_goal(signed_in, staff_user, goal):
    support = staff_user(Role.SUPPORT_WORKER)
    client = signed_in(support)

    progress = client.post(
        reverse("treatment:goal_progress", args=[goal.pk]),
        {"progress": "some", "note": "Went to the shop with me"},
    )
    edit = client.post(
        reverse("treatment:goal_edit", args=[goal.pk]),
        {"need": NEED, "goal": "Changed", "version": "1"},
    )
    status = client.post(
        reverse("treatment:goal_status", args=[goal.pk]), {"status": GoalStatus.ACHIEVED}
    )

    assert progress.status_code == 302
    entry = GoalProgress.objects.get(goal=goal)
    assert (entry.progress, entry.recorded_by) == ("some", support)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=entry.pk).exists()
    assert (edit.status_code, status.status_code) == (403, 403)


def test_a_clerical_administrator_cannot_record_progress(signed_in, staff_user, goal):
    response = signed_in(staff_user(Role.ADMINISTRATOR)).post(
        reverse("treatment:goal_progress", args=[goal.pk]), {"progress": "good", "note": "x"}
    )
    assert response.status_code == 403
    assert not GoalProgress.objects.exists()


def test_progress_needs_a_choice_and_a_note(signed_in, practitioner, goal):
    response = signed_in(practitioner).post(
        reverse("treatment:goal_progress", args=[goal.pk]), {"progress": "", "note": ""}
    )

    text = page_text(response)
    assert "Select how things are going with this goal" in text
    assert "Enter a note about the progress" in text
    assert not GoalProgress.objects.exists()


def test_progress_on_an_achieved_goal_is_refused(practitioner, goal):
    services.goal_status_change(goal=goal, status=GoalStatus.ACHIEVED, note="", by=practitioner)

    with pytest.raises(ValidationError, match="Change its status back"):
        services.goal_progress_record(goal=goal, progress="good", note="x", by=practitioner)


# -- Interventions -------------------------------------------------------------------------


def test_the_intervention_form_offers_the_catalogue_grouped_with_what_each_covers(
    signed_in, practitioner, episode, goal
):
    response = signed_in(practitioner).get(reverse("treatment:intervention_add", args=[episode.pk]))

    text = page_text(response)
    for words in (
        "Medication and safety",
        "Practical help",
        "Help with benefits and debt",
        "Essential income, benefit claims and urgent debt",
        "Family, friends and carers",
        GOAL,
        f"What I need help with: {NEED}",
    ):
        assert words in text
    assert 'id="id_kind"' in response.content.decode()  # the first radio, for the error link


def test_an_intervention_needs_a_kind_the_detail_and_a_goal(signed_in, practitioner, episode, goal):
    response = signed_in(practitioner).post(
        reverse("treatment:intervention_add", args=[episode.pk]),
        {"kind": "", "detail": "", "family_member": "none"},
    )

    text = page_text(response)
    assert "Select what the team will do from the list" in text
    assert "Enter what will be done, in plain English" in text
    assert "Select at least one goal this helps with" in text
    assert not Intervention.objects.exists()


def test_adding_an_intervention_saves_its_goals_lead_and_family_member(
    signed_in, practitioner, episode, plan, goal, make_contact
):
    jo = make_contact(episode.person, ShareScope.CARE_PLAN)
    second = services.goal_add(
        care_plan=plan, need="Money", goal="Pay the gas bill", by=practitioner
    )

    response = signed_in(practitioner).post(
        reverse("treatment:intervention_add", args=[episode.pk]),
        intervention_data(
            goal,
            goals=[str(goal.pk), str(second.pk)],
            lead=str(practitioner.staff.pk),
            family_member=str(jo.pk),
        ),
    )

    assert response.status_code == 302
    intervention = Intervention.objects.get()
    assert intervention.kind == InterventionKind.BENEFITS_DEBT
    assert set(intervention.goals.all()) == {goal, second}
    assert (intervention.lead, intervention.family_member) == (practitioner.staff, jo)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=intervention.pk)
    assert event.detail["family_role"] is True


def test_only_contacts_with_care_plan_consent_are_offered_a_family_role(
    signed_in, practitioner, episode, goal, make_contact
):
    jo = make_contact(episode.person, ShareScope.CARE_PLAN, name="Jo Ellison")
    alex = make_contact(episode.person, ShareScope.GENERAL, name="Alex Ellison")
    kim = make_contact(episode.person, None, name="Kim Ellison")
    client = signed_in(practitioner)

    form = client.get(reverse("treatment:intervention_add", args=[episode.pk]))
    body = form.content.decode()
    assert f'value="{jo.pk}"' in body
    assert f'value="{alex.pk}"' not in body and f'value="{kim.pk}"' not in body
    assert "Not listed: Alex Ellison (brother or sister): the person agreed to share general " in (
        page_text(form)
    )

    refused = client.post(
        reverse("treatment:intervention_add", args=[episode.pk]),
        intervention_data(goal, family_member=str(alex.pk)),
    )
    assert "Choose someone the person has agreed may see their care plan" in page_text(refused)
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("scope", [None, ShareScope.NOTHING, ShareScope.GENERAL])
def test_the_service_refuses_a_family_role_without_care_plan_consent(
    practitioner, episode, plan, goal, make_contact, scope
):
    contact = make_contact(episode.person, scope)

    with pytest.raises(ValidationError) as refused:
        services.intervention_add(
            care_plan=plan,
            kind=InterventionKind.FAMILY_NETWORK,
            detail="Jo helps with meals",
            goal_ids=[goal.pk],
            family_member=contact,
            by=practitioner,
        )
    assert (
        "has not agreed to share their care plan" in refused.value.message_dict["family_member"][0]
    )


def test_the_service_refuses_someone_elses_contact_as_a_family_member(
    practitioner, plan, goal, make_contact
):
    stranger = make_contact(factories.PersonFactory(), ShareScope.CARE_PLAN)

    with pytest.raises(ValidationError) as refused:
        services.intervention_add(
            care_plan=plan,
            kind=InterventionKind.FAMILY_NETWORK,
            detail="x",
            goal_ids=[goal.pk],
            family_member=stranger,
            by=practitioner,
        )
    assert "family_member" in refused.value.message_dict


def test_the_service_refuses_a_lead_from_another_team(practitioner, other_team, plan, goal):
    outsider = factories.StaffMemberFactory(team=other_team)

    with pytest.raises(ValidationError) as refused:
        services.intervention_add(
            care_plan=plan,
            kind="housing",
            detail="x",
            goal_ids=[goal.pk],
            lead=outsider,
            by=practitioner,
        )
    assert refused.value.message_dict["lead"] == ["The lead must be a member of the team"]


def test_the_service_refuses_a_goal_from_another_plan(
    practitioner, staff_user, make_episode, plan, goal
):
    other = make_episode(by=staff_user(Role.REGISTERED_PRACTITIONER))
    elsewhere = services.care_plan_create(episode=other, by=practitioner)
    foreign = services.goal_add(care_plan=elsewhere, need="x", goal="y", by=practitioner)

    with pytest.raises(ValidationError) as refused:
        services.intervention_add(
            care_plan=plan, kind="housing", detail="x", goal_ids=[foreign.pk], by=practitioner
        )
    assert refused.value.message_dict["goals"] == ["Select goals from this care plan"]


def test_an_intervention_is_offered_only_once_the_plan_has_a_goal(
    signed_in, practitioner, episode, plan
):
    response = signed_in(practitioner).get(
        reverse("treatment:intervention_add", args=[episode.pk]), follow=True
    )
    assert "Add a goal first" in page_text(response)


def test_a_stale_intervention_edit_is_refused_keeping_what_was_typed(
    signed_in, practitioner, plan, goal
):
    intervention = services.intervention_add(
        care_plan=plan,
        kind="housing",
        detail="Call the landlord",
        goal_ids=[goal.pk],
        by=practitioner,
    )
    services.intervention_update(
        intervention=intervention,
        kind="housing",
        detail="Colleague: call the council instead",
        goal_ids=[goal.pk],
        expected_version=1,
        by=practitioner,
    )

    response = signed_in(practitioner).post(
        reverse("treatment:intervention_edit", args=[intervention.pk]),
        intervention_data(
            goal, kind="housing", detail="My words: write to the landlord", version="1"
        ),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "differs from the saved record in: What exactly will be done" in text
    assert "My words: write to the landlord" in response.content.decode()
    assert 'name="version" value="2"' in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.detail == "Colleague: call the council instead"


def test_an_intervention_edit_is_saved_and_audited(signed_in, practitioner, plan, goal):
    intervention = services.intervention_add(
        care_plan=plan,
        kind="housing",
        detail="Call the landlord",
        goal_ids=[goal.pk],
        by=practitioner,
    )

    response = signed_in(practitioner).post(
        reverse("treatment:intervention_edit", args=[intervention.pk]),
        intervention_data(goal, kind="legal", detail="Call the landlord", version="1"),
    )

    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.kind == "legal"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=intervention.pk)
    assert event.detail == {"changed": ["kind"]}


def test_stopping_an_intervention_keeps_it_as_history(signed_in, practitioner, episode, plan, goal):
    intervention = services.intervention_add(
        care_plan=plan,
        kind="housing",
        detail="Call the landlord",
        goal_ids=[goal.pk],
        by=practitioner,
    )
    client = signed_in(practitioner)

    response = client.post(
        reverse("treatment:intervention_stop", args=[intervention.pk]), {"version": "1"}
    )

    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.stopped_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=intervention.pk, detail__stopped=True
    ).exists()
    text = page_text(client.get(plan_url(episode)))
    assert "Stopped interventions" in text
    assert "No interventions for this goal yet" in text
    edit = client.post(
        reverse("treatment:intervention_edit", args=[intervention.pk]),
        intervention_data(goal, version="2"),
        follow=True,
    )
    assert "can no longer be changed" in page_text(edit)


def test_stopping_an_intervention_someone_has_just_changed_is_refused(
    signed_in, practitioner, plan, goal
):
    intervention = services.intervention_add(
        care_plan=plan,
        kind="housing",
        detail="Call the landlord",
        goal_ids=[goal.pk],
        by=practitioner,
    )
    services.intervention_update(
        intervention=intervention,
        kind="housing",
        detail="Changed",
        goal_ids=[goal.pk],
        expected_version=1,
        by=practitioner,
    )

    response = signed_in(practitioner).post(
        reverse("treatment:intervention_stop", args=[intervention.pk]), {"version": "1"}
    )

    assert response.status_code == 200
    assert "has not been stopped" in page_text(response)
    intervention.refresh_from_db()
    assert intervention.stopped_at is None
    with pytest.raises(StaleEdit):
        services.intervention_stop(intervention=intervention, expected_version=1, by=practitioner)


def test_the_plan_cannot_change_once_home_treatment_has_ended(
    signed_in, practitioner, episode, plan, goal
):
    Episode.objects.filter(pk=episode.pk).update(status="closed", closed_at=timezone.now())

    response = signed_in(practitioner).post(
        reverse("treatment:goal_add", args=[episode.pk]), {"need": "x", "goal": "y"}
    )

    assert "Home treatment has ended" in page_text(response)
    assert Goal.objects.count() == 1
    with pytest.raises(ValidationError, match="Home treatment has ended"):
        services.goal_progress_record(goal=goal, progress="good", note="x", by=practitioner)

"""Reviewing one person at the meeting: the decision, discharge readiness, a change of the
team's rating with its reason, up to three actions, and moving on to the next person."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_date
from crisis_care.core.models import AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment import rules
from crisis_care.treatment.models import (
    Action,
    ActionStatusChange,
    DischargeReadiness,
    MdtMeeting,
    MdtReview,
    Rating,
    RiskRating,
)
from crisis_care.treatment.rules import TreatmentAction
from crisis_care.treatment.services import mdt as services

from .test_mdt_board import build_caseload

pytestmark = pytest.mark.django_db

NAMES = [("Ana", "Adams"), ("Ben", "Brook"), ("Cy", "Cole")]


@pytest.fixture
def manager(staff_user) -> User:
    return staff_user(Role.TEAM_MANAGER)


@pytest.fixture
def colleague(team) -> User:
    return factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER, team=team, user__first_name="Tom", user__last_name="Reyes"
    ).user


@pytest.fixture
def people(team, manager):
    """Adams (not rated), Brook (amber), Cole (green): the board's order."""
    return build_caseload(team=team, by=manager, count=3, names=NAMES)


@pytest.fixture
def meeting(team, manager) -> MdtMeeting:
    return services.mdt_start(team=team, attendees=[], by=manager)


def review_url(meeting, episode):
    return reverse("treatment:mdt_review", args=[meeting.pk, episode.pk])


def form_data(episode=None, **fields):
    """What the review form posts when the rating is left as shown."""
    data = {"decision": "Continue twice-daily visits", "discharge_readiness": "not_yet"}
    current = (
        RiskRating.objects.filter(episode=episode).order_by("-set_at").first() if episode else None
    )
    if current is not None:
        data.update(rating=current.rating, summary=current.summary, seen=str(current.pk))
    data.update(fields)
    return data


def tomorrow_at(hour: int) -> dict[str, str]:
    day = timezone.localdate() + dt.timedelta(days=1)
    return {
        "action1-due_on[day]": str(day.day),
        "action1-due_on[month]": str(day.month),
        "action1-due_on[year]": str(day.year),
        "action1-due_time": f"{hour:02d}:00",
    }


# -- The page ----------------------------------------------------------------------------


def test_the_review_page_says_which_person_of_how_many_and_focuses_the_decision(
    signed_in, manager, meeting, people
):
    response = signed_in(manager).get(review_url(meeting, people[1]))

    assert response.status_code == 200
    text = page_text(response)
    assert "Review 2 of 3: Ben Brook" in text
    assert re.search(r'<textarea[^>]*name="decision"[^>]*autofocus="autofocus"', response.text)
    assert response.text.count("autofocus=") == 1
    # The person's board details come with the form.
    assert "Thoughts of self-harm at night; sister visits daily (1)" in text
    assert "Save and review next person" in text
    assert "Skip to next person" in text
    assert "Previous person" in text


def test_the_first_person_has_no_previous_link(signed_in, manager, meeting, people):
    text = page_text(signed_in(manager).get(review_url(meeting, people[0])))

    assert "Review 1 of 3: Ana Adams" in text
    assert "Previous person" not in text


def test_viewing_the_review_page_is_audited_as_a_view_of_the_persons_record(
    signed_in, manager, meeting, people
):
    signed_in(manager).get(review_url(meeting, people[0]))

    event = AuditEvent.objects.get(section="mdt review", action="view")
    assert event.person_id == people[0].person_id
    assert event.detail == {"meeting": str(meeting.pk)}


# -- Saving and moving on -----------------------------------------------------------------


def test_saving_records_the_review_and_opens_the_next_person_not_yet_reviewed(
    signed_in, manager, meeting, people
):
    client = signed_in(manager)
    # Cole was reviewed first (out of order), so after Adams comes Brook, then back to the board.
    client.post(review_url(meeting, people[2]), form_data(people[2]))

    response = client.post(
        review_url(meeting, people[0]),
        form_data(people[0], decision="Increase to twice daily", discharge_readiness="planning"),
    )

    assert response.status_code == 302
    assert response["Location"] == review_url(meeting, people[1])
    review = MdtReview.objects.get(meeting=meeting, episode=people[0])
    assert review.decision == "Increase to twice daily"
    assert review.discharge_readiness == DischargeReadiness.PLANNING
    assert review.reviewed_by == manager

    last = client.post(review_url(meeting, people[1]), form_data(people[1]))
    assert last["Location"].startswith(reverse("treatment:mdt_board"))
    board = page_text(client.get(last["Location"]))
    assert "Everyone on the board has been reviewed in this meeting." in board
    assert "3 people · 0 not reviewed today" in board


def test_skip_goes_to_the_next_person_not_yet_reviewed_going_round_the_board(
    signed_in, manager, meeting, people
):
    client = signed_in(manager)
    client.post(review_url(meeting, people[0]), form_data(people[0]))

    response = client.get(review_url(meeting, people[2]))

    # After Cole (last) the next not yet reviewed is Brook, going round past Adams (reviewed).
    assert f'href="{review_url(meeting, people[1])}">Skip to next person' in response.text
    assert f'href="{review_url(meeting, people[1])}">Previous person' in response.text


def test_the_decision_is_required(signed_in, manager, meeting, people):
    response = signed_in(manager).post(
        review_url(meeting, people[0]), form_data(people[0], decision="  ")
    )

    assert response.status_code == 200
    assert "Enter the team's decision" in page_text(response)
    assert "autofocus" not in response.text  # the error summary takes focus instead
    assert not MdtReview.objects.filter(meeting=meeting).exists()


def test_the_service_refuses_a_blank_decision(manager, meeting, people):
    with pytest.raises(ValidationError) as error:
        services.mdt_review_record(
            meeting=meeting,
            episode=people[0],
            decision="",
            discharge_readiness="not_yet",
            rating=None,
            actions=[],
            by=manager,
        )
    assert error.value.message_dict == {"decision": ["Enter the team's decision"]}


# -- The rating --------------------------------------------------------------------------


def test_leaving_the_rating_as_shown_keeps_the_current_one(signed_in, manager, meeting, people):
    before = RiskRating.objects.count()

    signed_in(manager).post(review_url(meeting, people[1]), form_data(people[1]))

    assert RiskRating.objects.count() == before


def test_changing_the_rating_needs_a_reason(signed_in, manager, meeting, people):
    response = signed_in(manager).post(
        review_url(meeting, people[1]),
        form_data(people[1], rating="red", reason=""),
    )

    assert response.status_code == 200
    assert "Enter the reason for the rating" in page_text(response)
    assert not MdtReview.objects.filter(meeting=meeting).exists()  # nothing is saved
    assert RiskRating.objects.filter(episode=people[1]).count() == 1


def test_a_first_rating_needs_the_teams_summary_and_a_reason(signed_in, manager, meeting, people):
    response = signed_in(manager).post(
        review_url(meeting, people[0]), form_data(people[0], rating="amber")
    )

    text = page_text(response)
    assert "Enter the team's summary of risk, in its own words" in text
    assert "Enter the reason for the rating" in text
    assert not RiskRating.objects.filter(episode=people[0]).exists()


def test_a_change_of_rating_is_a_new_row_and_the_old_one_is_kept(
    signed_in, manager, meeting, people
):
    old = RiskRating.objects.get(episode=people[1])
    old_values = (old.rating, old.summary, old.reason, old.set_at, old.updated_at)

    signed_in(manager).post(
        review_url(meeting, people[1]),
        form_data(
            people[1],
            rating="red",
            summary="Said she has a plan to overdose tonight",
            reason="New plan disclosed at this morning's visit",
        ),
    )

    ratings = list(RiskRating.objects.filter(episode=people[1]).order_by("set_at"))
    assert len(ratings) == 2
    old.refresh_from_db()
    assert (old.rating, old.summary, old.reason, old.set_at, old.updated_at) == old_values
    new = ratings[1]
    assert (new.rating, new.meeting, new.set_by) == (Rating.RED, meeting, manager)
    assert new.reason == "New plan disclosed at this morning's visit"
    audit = AuditEvent.objects.get(section="risk rating")
    assert audit.detail["rating"] == "red" and audit.detail["from"] == "amber"
    assert audit.person_id == people[1].person_id


def test_changing_only_the_words_is_a_change_too(manager, meeting, people):
    current = RiskRating.objects.get(episode=people[1])
    services.mdt_review_record(
        meeting=meeting,
        episode=people[1],
        decision="Continue",
        discharge_readiness="not_yet",
        rating=services.RatingInput(
            rating=current.rating,
            summary="Calmer; sister staying this week",
            reason="Sister moved in",
            seen=current.pk,
        ),
        actions=[],
        by=manager,
    )

    assert RiskRating.objects.filter(episode=people[1]).count() == 2


def test_a_rating_changed_by_someone_else_meanwhile_is_refused_with_the_input_kept(
    signed_in, manager, staff_user, meeting, people
):
    client = signed_in(manager)
    seen = RiskRating.objects.get(episode=people[1])
    doctor = staff_user(Role.DOCTOR)
    RiskRating.objects.create(
        episode=people[1],
        rating=Rating.GREEN,
        summary="Settled",
        reason="Seen at home",
        set_by=doctor,
        set_at=timezone.now(),
    )

    response = client.post(
        review_url(meeting, people[1]),
        form_data(
            people[1],
            rating="red",
            summary="Plan to overdose",
            reason="Disclosed today",
            seen=str(seen.pk),
            decision="Visit twice today",
        ),
    )

    text = page_text(response)
    assert f"{doctor} changed the rating to green" in text
    assert "Visit twice today" in text and "Disclosed today" in text  # nothing typed is lost
    assert not MdtReview.objects.filter(meeting=meeting).exists()
    # The form now carries the current rating, so saving again changes it knowingly.
    current = RiskRating.objects.filter(episode=people[1]).order_by("-set_at").first()
    assert f'name="seen" value="{current.pk}"' in response.text
    again = client.post(
        review_url(meeting, people[1]),
        form_data(people[1], rating="red", summary="Plan to overdose", reason="Disclosed today"),
    )
    assert again.status_code == 302
    assert RiskRating.objects.filter(episode=people[1]).order_by("-set_at").first().rating == "red"


def test_a_role_that_may_not_set_the_rating_sees_it_but_cannot_change_it(
    signed_in, manager, meeting, people, monkeypatch
):
    without = rules.PERMISSIONS[TreatmentAction.SET_RATING] - {Role.TEAM_MANAGER}
    monkeypatch.setitem(rules.PERMISSIONS, TreatmentAction.SET_RATING, without)
    client = signed_in(manager)

    page = page_text(client.get(review_url(meeting, people[1])))
    client.post(
        review_url(meeting, people[1]),
        form_data(people[1], rating="red", summary="x", reason="y"),
    )

    assert "Your role cannot change it" in page
    assert RiskRating.objects.filter(episode=people[1]).count() == 1
    with pytest.raises(PermissionDenied):
        services.mdt_review_record(
            meeting=meeting,
            episode=people[0],
            decision="Continue",
            discharge_readiness="not_yet",
            rating=services.RatingInput(rating="red", summary="x", reason="y", seen=None),
            actions=[],
            by=manager,
        )


# -- Actions -----------------------------------------------------------------------------


def test_an_action_for_a_colleague_is_created_with_the_review(
    signed_in, manager, colleague, meeting, people
):
    response = signed_in(manager).post(
        review_url(meeting, people[0]),
        form_data(
            people[0],
            **{"action1-description": "Ask the GP for a sleep review"},
            **{"action1-owner": str(colleague.staff.pk)},
            **tomorrow_at(14),
        ),
    )

    assert response.status_code == 302
    action = Action.objects.get(description="Ask the GP for a sleep review")
    review = MdtReview.objects.get(meeting=meeting, episode=people[0])
    assert (action.owner, action.review, action.status) == (colleague.staff, review, "open")
    due = action.due_at.astimezone(LONDON)
    assert (due.date(), due.hour) == (timezone.localdate() + dt.timedelta(days=1), 14)
    assert ActionStatusChange.objects.get(action=action).status == "open"
    assert AuditEvent.objects.filter(section="actions", object_id=action.pk).exists()
    review_audit = AuditEvent.objects.get(section="mdt", object_id=review.pk)
    assert review_audit.detail["actions"] == [str(action.pk)]


def test_an_action_row_is_all_or_nothing(signed_in, manager, meeting, people):
    response = signed_in(manager).post(
        review_url(meeting, people[0]),
        form_data(people[0], **{"action2-description": "Phone the sister"}),
    )

    text = page_text(response)
    assert "Select who will do it" in text
    assert "Enter the date it is due" in text
    assert "Enter the time it is due" in text
    assert 'value="Phone the sister"' in response.text  # kept
    assert (
        not MdtReview.objects.filter(meeting=meeting).exists()
        and not Action.objects.filter(description="Phone the sister").exists()
    )


def test_an_action_cannot_be_due_in_the_past(signed_in, manager, meeting, people, time_machine):
    time_machine.move_to(timezone.now().astimezone(LONDON).replace(hour=15, minute=0), tick=False)
    today = timezone.localdate()
    response = signed_in(manager).post(
        review_url(meeting, people[0]),
        form_data(
            people[0],
            **{
                "action1-description": "Phone the GP",
                "action1-owner": str(manager.staff.pk),
                "action1-due_on[day]": str(today.day),
                "action1-due_on[month]": str(today.month),
                "action1-due_on[year]": str(today.year),
                "action1-due_time": "09:00",
            },
        ),
    )

    assert "The due time must not be in the past" in page_text(response)
    assert not MdtReview.objects.filter(meeting=meeting).exists()


def test_an_action_owner_must_be_in_the_team(manager, meeting, people, other_team):
    outsider = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)

    with pytest.raises(ValidationError) as error:
        services.mdt_review_record(
            meeting=meeting,
            episode=people[0],
            decision="Continue",
            discharge_readiness="not_yet",
            rating=None,
            actions=[
                services.ActionInput(
                    description="Phone the GP",
                    owner=outsider,
                    due_at=timezone.now() + dt.timedelta(hours=2),
                )
            ],
            by=manager,
        )

    assert "is not in" in error.value.message_dict["actions.0.owner"][0]
    assert not MdtReview.objects.filter(meeting=meeting).exists()


def test_the_form_offers_only_the_teams_staff_as_owners(
    signed_in, manager, meeting, people, other_team
):
    outsider = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)
    response = signed_in(manager).post(
        review_url(meeting, people[0]),
        form_data(
            people[0],
            **{"action1-description": "Phone the GP", "action1-owner": str(outsider.pk)},
            **tomorrow_at(10),
        ),
    )

    assert "Select a member of the team from the list" in page_text(response)
    assert str(outsider) not in response.text


# -- Immutability and refusals ---------------------------------------------------------


def test_reviewing_someone_twice_adds_a_review_and_keeps_the_first(
    signed_in, manager, meeting, people
):
    client = signed_in(manager)
    client.post(review_url(meeting, people[0]), form_data(people[0], decision="First view"))
    first = MdtReview.objects.get(meeting=meeting)
    stamp = (first.decision, first.reviewed_at, first.updated_at)

    page = page_text(client.get(review_url(meeting, people[0])))
    client.post(review_url(meeting, people[0]), form_data(people[0], decision="Second view"))

    assert "Already reviewed in this meeting" in page
    assert MdtReview.objects.filter(meeting=meeting).count() == 2
    first.refresh_from_db()
    assert (first.decision, first.reviewed_at, first.updated_at) == stamp


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_roles_that_do_not_run_the_review_are_refused(signed_in, staff_user, meeting, people, role):
    client = signed_in(staff_user(role))

    assert client.get(review_url(meeting, people[0])).status_code == 403
    assert client.post(review_url(meeting, people[0]), form_data(people[0])).status_code == 403
    assert not MdtReview.objects.filter(meeting=meeting).exists()


def test_another_teams_meeting_is_refused_and_the_attempt_audited(
    signed_in, staff_user, meeting, people, other_team
):
    outsider = staff_user(Role.TEAM_MANAGER, in_team=other_team)

    response = signed_in(outsider).get(review_url(meeting, people[0]))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action="access_denied", object_id=meeting.pk, actor=outsider
    ).exists()


def test_another_teams_person_cannot_be_reviewed_at_this_meeting(
    signed_in, manager, meeting, other_team
):
    (elsewhere,) = build_caseload(team=other_team, by=manager, count=1)

    response = signed_in(manager).get(review_url(meeting, elsewhere))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access_denied", object_id=elsewhere.pk).exists()


def test_a_review_needs_a_meeting_that_is_running_today(signed_in, manager, meeting, people):
    services.mdt_end(meeting=meeting, by=manager)

    response = signed_in(manager).post(review_url(meeting, people[0]), form_data(people[0]))

    assert response.status_code == 302
    assert not MdtReview.objects.filter(meeting=meeting).exists()
    with pytest.raises(ValidationError):
        services.mdt_review_record(
            meeting=meeting,
            episode=people[0],
            decision="Continue",
            discharge_readiness="not_yet",
            rating=None,
            actions=[],
            by=manager,
        )


def test_a_meeting_left_open_from_yesterday_cannot_take_todays_reviews(
    manager, team, people, time_machine
):
    time_machine.move_to(timezone.now() - dt.timedelta(days=1), tick=False)
    yesterday = services.mdt_start(team=team, attendees=[], by=manager)
    time_machine.move_to(timezone.now() + dt.timedelta(days=1), tick=False)

    with pytest.raises(ValidationError) as error:
        services.mdt_review_record(
            meeting=yesterday,
            episode=people[0],
            decision="Continue",
            discharge_readiness="not_yet",
            rating=None,
            actions=[],
            by=manager,
        )
    assert "earlier day" in error.value.messages[0]
    assert local_date(yesterday.started_at) != timezone.localdate()


def test_review_of_a_real_episode_from_the_decision_services(signed_in, episode, staff_user):
    """The board and review read an episode opened through the decision page's services."""
    manager = staff_user(Role.TEAM_MANAGER)
    meeting = services.mdt_start(team=episode.team, attendees=[], by=manager)

    response = signed_in(manager).get(review_url(meeting, episode))

    assert "Review 1 of 1: Sam Ellison" in page_text(response)
    assert "Safety plan written" in page_text(response)

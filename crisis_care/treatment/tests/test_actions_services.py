"""Setting, completing and cancelling actions: the rules, the status history and the audit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crisis_care.core.audit import AuditAction
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditEvent
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import ActionStatus, ActionStatusChange, EpisodeStatus
from crisis_care.treatment.selectors.actions import actions_for_episode
from crisis_care.treatment.services.actions import action_cancel, action_complete, action_create
from crisis_care.workforce.models import TeamMembership

pytestmark = pytest.mark.django_db


def _due(hours: float = 4) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


@pytest.fixture
def colleague(team):
    return factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER, team=team, user__first_name="Tom", user__last_name="Reyes"
    )


def test_it_sets_an_action_with_its_open_status_history_and_an_audit_row(
    episode, practitioner, colleague
):
    action = action_create(
        episode=episode,
        description="Phone Sam's sister about the weekend",
        owner=colleague,
        due_at=_due(),
        by=practitioner,
    )

    assert action.status == ActionStatus.OPEN
    assert action.created_by == practitioner
    history = list(ActionStatusChange.objects.filter(action=action))
    assert [h.status for h in history] == [ActionStatus.OPEN]
    event = AuditEvent.objects.get(object_id=action.pk, action=AuditAction.CREATE)
    assert event.person_id == episode.person_id
    assert event.detail["owner"] == str(colleague.pk)


def test_it_refuses_an_owner_who_is_not_in_the_episodes_team(episode, practitioner, other_team):
    outsider = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)

    with pytest.raises(ValidationError) as error:
        action_create(
            episode=episode, description="Visit", owner=outsider, due_at=_due(), by=practitioner
        )

    assert "owner" in error.value.message_dict
    assert not actions_for_episode(episode=episode).exists()


def test_it_refuses_an_owner_whose_membership_of_the_team_has_ended(
    episode, practitioner, colleague
):
    TeamMembership.objects.filter(staff=colleague).update(
        ended_on=timezone.localdate() - dt.timedelta(days=1)
    )

    with pytest.raises(ValidationError) as error:
        action_create(
            episode=episode, description="Visit", owner=colleague, due_at=_due(), by=practitioner
        )

    assert error.value.message_dict["owner"] == [
        "Choose someone in the team that holds this episode"
    ]


def test_it_refuses_a_due_time_in_the_past(episode, practitioner, colleague):
    with pytest.raises(ValidationError) as error:
        action_create(
            episode=episode,
            description="Visit",
            owner=colleague,
            due_at=timezone.now() - dt.timedelta(minutes=5),
            by=practitioner,
        )

    assert error.value.message_dict["due_at"] == ["The due time must not be in the past"]


def test_it_refuses_an_action_with_nothing_to_do(episode, practitioner, colleague):
    with pytest.raises(ValidationError) as error:
        action_create(
            episode=episode, description="   ", owner=colleague, due_at=_due(), by=practitioner
        )

    assert "description" in error.value.message_dict


def test_it_refuses_an_action_on_a_closed_episode(episode, practitioner, colleague):
    episode.status = EpisodeStatus.CLOSED

    with pytest.raises(ValidationError):
        action_create(
            episode=episode, description="Visit", owner=colleague, due_at=_due(), by=practitioner
        )


def test_completing_an_action_records_who_and_the_note(episode, practitioner, colleague):
    action = action_create(
        episode=episode, description="Visit", owner=colleague, due_at=_due(), by=practitioner
    )

    action_complete(
        action=action,
        note="Seen at home, calmer",
        expected_version=action.version,
        by=colleague.user,
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.version == 2
    last = ActionStatusChange.objects.filter(action=action).order_by("-changed_at").first()
    assert (last.status, last.note, last.changed_by) == (
        ActionStatus.DONE,
        "Seen at home, calmer",
        colleague.user,
    )
    update = AuditEvent.objects.get(object_id=action.pk, action=AuditAction.UPDATE)
    assert update.detail["status"] == {"from": "open", "to": "done"}
    assert update.actor == colleague.user


def test_it_refuses_to_cancel_without_a_reason(episode, practitioner, colleague):
    action = action_create(
        episode=episode, description="Visit", owner=colleague, due_at=_due(), by=practitioner
    )

    with pytest.raises(ValidationError) as error:
        action_cancel(action=action, reason="  ", expected_version=action.version, by=practitioner)

    assert error.value.message_dict["reason"] == ["Enter why the action is being cancelled"]
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_cancelling_keeps_the_reason_in_the_history(episode, practitioner, colleague):
    action = action_create(
        episode=episode, description="Visit", owner=colleague, due_at=_due(), by=practitioner
    )

    action_cancel(
        action=action,
        reason="No longer needed after the review",
        expected_version=action.version,
        by=practitioner,
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert action.status_history.last().note == "No longer needed after the review"


def test_a_second_person_completing_the_same_action_is_refused_as_stale(
    episode, practitioner, colleague
):
    action = action_create(
        episode=episode, description="Visit", owner=colleague, due_at=_due(), by=practitioner
    )
    read_version = action.version
    from crisis_care.treatment.models import Action

    mine = Action.objects.get(pk=action.pk)
    theirs = Action.objects.get(pk=action.pk)
    action_complete(action=theirs, note="Done it", expected_version=read_version, by=colleague.user)

    with pytest.raises(StaleEdit):
        action_complete(action=mine, note="Me too", expected_version=read_version, by=practitioner)

    assert ActionStatusChange.objects.filter(action=action, status=ActionStatus.DONE).count() == 1


def test_it_refuses_to_change_an_action_that_is_already_closed(episode, practitioner, colleague):
    action = action_create(
        episode=episode, description="Visit", owner=colleague, due_at=_due(), by=practitioner
    )
    action_complete(action=action, note="", expected_version=action.version, by=practitioner)

    with pytest.raises(ValidationError):
        action_cancel(
            action=action,
            reason="Changed my mind",
            expected_version=action.version,
            by=practitioner,
        )


def test_an_episodes_actions_list_open_ones_first_in_due_order(episode, practitioner, colleague):
    later = action_create(
        episode=episode, description="Later", owner=colleague, due_at=_due(8), by=practitioner
    )
    sooner = action_create(
        episode=episode, description="Sooner", owner=colleague, due_at=_due(2), by=practitioner
    )
    done = action_create(
        episode=episode, description="Done", owner=colleague, due_at=_due(1), by=practitioner
    )
    action_complete(action=done, note="", expected_version=done.version, by=practitioner)

    assert [a.description for a in actions_for_episode(episode=episode)] == [
        sooner.description,
        later.description,
        "Done",
    ]

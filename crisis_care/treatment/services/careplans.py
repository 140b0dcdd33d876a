"""Writes for the care plan (CORE item 20): the plan itself, the person's goals and their
status and progress, the interventions that meet them, and the record that the written
treatment plan was given (item 12b).

Consent decides what family see (DOMAIN.md §6.4; CORE item 13d): a family member or friend
can have a role in an intervention, or be given a copy of the written plan, only while the
person's current consent for them is to share the care plan (`may_see_care_plan`).
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from crisis_care.core.audit import audit_record, changed_fields
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.people.models import Contact, ShareScope
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team

from ..models import (
    CarePlan,
    Episode,
    EpisodeStatus,
    GivenMethod,
    Goal,
    GoalProgress,
    GoalStatus,
    GoalStatusChange,
    Intervention,
    InterventionKind,
    Progress,
    WrittenPlanGiven,
)

SECTION = "care plan"
TEXT_LIMIT = 5000


def may_see_care_plan(contact: Contact) -> bool:
    """The consent rule: a contact may see the person's care plan (have a copy of the written
    plan, or a named role in it) only while the person's current consent decision for them is
    'care plan and progress'. No decision recorded means no."""
    consent = contact.current_consent
    return consent is not None and consent.scope == ShareScope.CARE_PLAN


def _refuse_if_closed(episode: Episode) -> None:
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError("Home treatment has ended, so the care plan can no longer change.")


def _text(value: str, *, field: str, required: str = "", label: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > TEXT_LIMIT:
        raise ValidationError({field: f"{label} must be {TEXT_LIMIT:,} characters or fewer"})
    return value


def _audit(by: User, action: AuditAction, obj: Any, episode: Episode, **detail: Any) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=obj,
        person_id=episode.person_id,
        section=SECTION,
        detail=detail or None,
    )


# -- The plan ----------------------------------------------------------------------------


@transaction.atomic
def care_plan_create(
    *,
    episode: Episode,
    by: User,
    strengths: str = "",
    preferences: str = "",
    written_with_person: bool = True,
) -> CarePlan:
    """Start the care plan for an open episode (one per episode)."""
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    _refuse_if_closed(episode)
    if CarePlan.objects.filter(episode=episode).exists():
        raise ValidationError("The care plan for this episode has already been started.")
    plan = CarePlan.objects.create(
        episode=episode,
        strengths=_text(strengths, field="strengths", label="Strengths"),
        preferences=_text(preferences, field="preferences", label="Preferences"),
        written_with_person=written_with_person,
        created_by=by,
    )
    _audit(by, AuditAction.CREATE, plan, episode)
    return plan


@transaction.atomic
def care_plan_update(
    *,
    care_plan: CarePlan,
    strengths: str,
    preferences: str,
    written_with_person: bool,
    expected_version: int,
    by: User,
) -> CarePlan:
    """Strengths and preferences, version-checked (raises StaleEdit)."""
    episode = care_plan.episode
    _refuse_if_closed(episode)
    fields = {
        "strengths": _text(strengths, field="strengths", label="Strengths"),
        "preferences": _text(preferences, field="preferences", label="Preferences"),
        "written_with_person": written_with_person,
    }
    before = {name: getattr(care_plan, name) for name in fields}
    care_plan = save_if_current(care_plan, expected_version=expected_version, fields=fields)
    _audit(by, AuditAction.UPDATE, care_plan, episode, **changed_fields(before, fields))
    return care_plan


# -- Goals -------------------------------------------------------------------------------


def _goal_text(need: str, goal: str) -> dict[str, str]:
    return {
        "need": _text(
            need,
            field="need",
            required="Enter what the person needs help with, in their words",
            label="What they need help with",
        ),
        "goal": _text(
            goal,
            field="goal",
            required="Enter what the person wants to achieve, in their words",
            label="What they want to achieve",
        ),
    }


@transaction.atomic
def goal_add(*, care_plan: CarePlan, need: str, goal: str, by: User) -> Goal:
    """A need and the goal that answers it, both in the person's words (CORE item 20a)."""
    care_plan = CarePlan.objects.select_for_update(of=("self",)).get(pk=care_plan.pk)
    episode = Episode.objects.get(pk=care_plan.episode_id)
    _refuse_if_closed(episode)
    text = _goal_text(need, goal)
    last = care_plan.goals.aggregate(last=Max("order"))["last"]
    created = Goal.objects.create(
        care_plan=care_plan,
        order=0 if last is None else last + 1,
        status=GoalStatus.ACTIVE,
        created_by=by,
        **text,
    )
    GoalStatusChange.objects.create(
        goal=created, status=GoalStatus.ACTIVE, changed_by=by, changed_at=timezone.now()
    )
    _audit(by, AuditAction.CREATE, created, episode)
    return created


@transaction.atomic
def goal_update(*, goal: Goal, need: str, goal_text: str, expected_version: int, by: User) -> Goal:
    """The goal's words, version-checked (raises StaleEdit)."""
    episode = goal.care_plan.episode
    _refuse_if_closed(episode)
    fields = _goal_text(need, goal_text)
    before = {name: getattr(goal, name) for name in fields}
    goal = save_if_current(goal, expected_version=expected_version, fields=fields)
    _audit(by, AuditAction.UPDATE, goal, episode, **changed_fields(before, fields))
    return goal


@transaction.atomic
def goal_status_change(*, goal: Goal, status: str, note: str, by: User) -> GoalStatusChange:
    """Change a goal's status: an immutable history row, and the goal kept in step."""
    if status not in GoalStatus.values:
        raise ValidationError({"status": "Select where the goal is now"})
    locked = Goal.objects.select_for_update(of=("self",)).get(pk=goal.pk)
    episode = Episode.objects.get(pk=goal.care_plan.episode_id)
    _refuse_if_closed(episode)
    if locked.status == status:
        raise ValidationError(
            {"status": f"The goal is already marked '{GoalStatus(status).label.lower()}'"}
        )
    note = _text(note, field="note", label="The note")
    now = timezone.now()
    change = GoalStatusChange.objects.create(
        goal=locked, status=status, changed_by=by, changed_at=now, note=note
    )
    Goal.objects.filter(pk=locked.pk).update(status=status, updated_at=now)
    goal.status = status
    _audit(by, AuditAction.UPDATE, locked, episode, status={"from": locked.status, "to": status})
    return change


@transaction.atomic
def goal_progress_record(
    *, goal: Goal, progress: str, note: str, by: User, care_contact: Any = None
) -> GoalProgress:
    """A progress entry against a goal (immutable). Only a goal still being worked on takes
    progress: reopen an achieved goal first."""
    episode = Episode.objects.get(pk=goal.care_plan.episode_id)
    _refuse_if_closed(episode)
    errors: dict[str, str] = {}
    if progress not in Progress.values:
        errors["progress"] = "Select how things are going with this goal"
    if not (note or "").strip():
        errors["note"] = "Enter a note about the progress"
    elif len(note.strip()) > TEXT_LIMIT:
        errors["note"] = f"The note must be {TEXT_LIMIT:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    current = Goal.objects.get(pk=goal.pk)
    if current.status != GoalStatus.ACTIVE:
        raise ValidationError(
            f"This goal is marked '{GoalStatus(current.status).label.lower()}'. Change its "
            "status back to 'working on it' to record progress."
        )
    entry = GoalProgress.objects.create(
        goal=current,
        progress=progress,
        note=note.strip(),
        care_contact=care_contact,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _audit(by, AuditAction.CREATE, entry, episode, goal=str(goal.pk), progress=progress)
    return entry


# -- Interventions -----------------------------------------------------------------------


def _intervention_fields(
    *,
    care_plan: CarePlan,
    episode: Episode,
    kind: str,
    detail: str,
    goal_ids: Iterable[uuid.UUID | str],
    lead: StaffMember | None,
    family_member: Contact | None,
) -> tuple[dict[str, Any], list[Goal]]:
    """Check an intervention's answers against the rules; all the problems at once."""
    errors: dict[str, str] = {}
    if kind not in InterventionKind.values:
        errors["kind"] = "Select what the team will do from the list"
    detail = (detail or "").strip()
    if not detail:
        errors["detail"] = "Enter what will be done, in plain English"
    elif len(detail) > TEXT_LIMIT:
        errors["detail"] = f"The detail must be {TEXT_LIMIT:,} characters or fewer"
    wanted = {str(pk) for pk in goal_ids}
    goals = [g for g in care_plan.goals.all() if str(g.pk) in wanted]
    if not wanted:
        errors["goals"] = "Select at least one goal this helps with"
    elif len(goals) != len(wanted):
        errors["goals"] = "Select goals from this care plan"
    if lead is not None and not staff_for_team(team=episode.team).filter(pk=lead.pk).exists():
        errors["lead"] = "The lead must be a member of the team"
    if family_member is not None:
        if family_member.person_id != episode.person_id:
            errors["family_member"] = "Choose one of the person's own family or friends"
        elif not may_see_care_plan(family_member):
            errors["family_member"] = (
                f"{family_member.name} cannot have a role in the plan: the person has not "
                "agreed to share their care plan with them"
            )
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "detail": detail, "lead": lead, "family_member": family_member}, goals


def _family_member_locked(family_member: Contact | None) -> Contact | None:
    """Read the contact's consent inside the transaction, locked, so a consent change made at
    the same moment cannot slip past the rule."""
    if family_member is None:
        return None
    return (
        Contact.objects.select_for_update(of=("self",))
        .select_related("current_consent")
        .get(pk=family_member.pk)
    )


@transaction.atomic
def intervention_add(
    *,
    care_plan: CarePlan,
    kind: str,
    detail: str,
    goal_ids: Iterable[uuid.UUID | str],
    by: User,
    lead: StaffMember | None = None,
    family_member: Contact | None = None,
) -> Intervention:
    episode = Episode.objects.select_related("team").get(pk=care_plan.episode_id)
    _refuse_if_closed(episode)
    fields, goals = _intervention_fields(
        care_plan=care_plan,
        episode=episode,
        kind=kind,
        detail=detail,
        goal_ids=goal_ids,
        lead=lead,
        family_member=_family_member_locked(family_member),
    )
    intervention = Intervention.objects.create(care_plan=care_plan, created_by=by, **fields)
    intervention.goals.set(goals)
    _audit(
        by,
        AuditAction.CREATE,
        intervention,
        episode,
        kind=kind,
        goals=sorted(str(g.pk) for g in goals),
        family_role=family_member is not None,
    )
    return intervention


@transaction.atomic
def intervention_update(
    *,
    intervention: Intervention,
    kind: str,
    detail: str,
    goal_ids: Iterable[uuid.UUID | str],
    expected_version: int,
    by: User,
    lead: StaffMember | None = None,
    family_member: Contact | None = None,
) -> Intervention:
    """Change an intervention, version-checked (raises StaleEdit). A stopped one is history."""
    care_plan = intervention.care_plan
    episode = Episode.objects.select_related("team").get(pk=care_plan.episode_id)
    _refuse_if_closed(episode)
    if intervention.stopped_at is not None:
        raise ValidationError("This intervention has stopped, so it can no longer be changed.")
    fields, goals = _intervention_fields(
        care_plan=care_plan,
        episode=episode,
        kind=kind,
        detail=detail,
        goal_ids=goal_ids,
        lead=lead,
        family_member=_family_member_locked(family_member),
    )
    before = {
        "kind": intervention.kind,
        "detail": intervention.detail,
        "lead": intervention.lead_id,
        "family_member": intervention.family_member_id,
        "goals": sorted(str(pk) for pk in intervention.goals.values_list("pk", flat=True)),
    }
    intervention = save_if_current(intervention, expected_version=expected_version, fields=fields)
    intervention.goals.set(goals)
    after = {
        "kind": kind,
        "detail": fields["detail"],
        "lead": lead.pk if lead else None,
        "family_member": family_member.pk if family_member else None,
        "goals": sorted(str(g.pk) for g in goals),
    }
    _audit(by, AuditAction.UPDATE, intervention, episode, **changed_fields(before, after))
    return intervention


@transaction.atomic
def intervention_stop(
    *, intervention: Intervention, expected_version: int, by: User
) -> Intervention:
    """Stop an intervention (it stays in the plan's history). Version-checked, so an
    intervention someone has just changed is not stopped unseen (raises StaleEdit)."""
    episode = Episode.objects.get(pk=intervention.care_plan.episode_id)
    _refuse_if_closed(episode)
    if intervention.stopped_at is not None:
        raise ValidationError("This intervention has already stopped.")
    intervention = save_if_current(
        intervention, expected_version=expected_version, fields={"stopped_at": timezone.now()}
    )
    _audit(by, AuditAction.UPDATE, intervention, episode, stopped=True, kind=intervention.kind)
    return intervention


# -- The written treatment plan given ----------------------------------------------------


@transaction.atomic
def written_plan_given_record(
    *,
    care_plan: CarePlan,
    given_on: dt.date,
    method: str,
    to_person: bool,
    contact_ids: Iterable[uuid.UUID | str],
    snapshot_html: str,
    by: User,
) -> WrittenPlanGiven:
    """Record that the written treatment plan was given (CORE item 12b), keeping exactly what
    was given. Copies go only to family and friends the person agreed may see their care plan."""
    episode = Episode.objects.get(pk=care_plan.episode_id)
    errors: dict[str, str] = {}
    started_on = local_date(episode.started_at)
    if given_on > timezone.localdate():
        errors["given_on"] = "The date it was given must be today or in the past"
    elif given_on < started_on:
        errors["given_on"] = (
            f"The date it was given must be on or after the day home treatment started, "
            f"{started_on.day} {started_on:%B %Y}"
        )
    if method not in GivenMethod.values:
        errors["method"] = "Select how the plan was given"
    wanted = {str(pk) for pk in contact_ids}
    contacts = list(
        Contact.objects.select_for_update(of=("self",))
        .select_related("current_consent")
        .filter(person_id=episode.person_id, pk__in=wanted)
    )
    if len(contacts) != len(wanted):
        errors["to_contacts"] = "Choose people from the person's own family and friends"
    else:
        refused = [c.name for c in contacts if not may_see_care_plan(c)]
        if refused:
            errors["to_contacts"] = (
                f"{', '.join(refused)} cannot be given a copy: the person has not agreed to "
                "share their care plan with them"
            )
    if not to_person and not wanted and "to_contacts" not in errors:
        errors["to_person"] = "Say who the plan was given to: the person, or family with consent"
    if errors:
        raise ValidationError(errors)
    given = WrittenPlanGiven.objects.create(
        care_plan=care_plan,
        given_on=given_on,
        method=method,
        to_person=to_person,
        snapshot_html=snapshot_html,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    given.to_contacts.set(contacts)
    _audit(
        by,
        AuditAction.CREATE,
        given,
        episode,
        given_on=given_on.isoformat(),
        to_person=to_person,
        copies=len(contacts),
    )
    return given

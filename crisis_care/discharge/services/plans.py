"""Writes for the relapse prevention plan (CORE item 24) and the record that the written
discharge plan was given (CORE 25e) with how to get crisis help (25f).

What goes to family follows consent (DOMAIN.md §6.4): the full plan is personal, so only
family the person agreed may see their care plan get it; the crisis-help card has nothing
personal on it, so family with consent to general information may have it too; anyone else
is refused, by name. Only an open episode changes: a discharged one is a record.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record, changed_fields
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import StaleEdit, save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.people.models import Contact
from crisis_care.treatment.models import Episode, EpisodeStatus

from ..models import DischargePlanGiven, GivenMethod, PlanFormat, RelapsePreventionPlan
from ..presenters import plans as p
from ..selectors import plans as selectors

RELAPSE_SECTION = "relapse prevention plan"
PLAN_SECTION = "written discharge plan"
TEXT_LIMIT = 5000

NO_FOLLOW_ON = (
    "The plan must name who will support the person after discharge. Record a referral on "
    "(sent or accepted) first."
)

# The relapse plan's fields: (name, label, message when empty; "" when optional).
RELAPSE_FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "early_warning_signs",
        "Early warning signs",
        "Enter the early warning signs, in the person's words",
    ),
    ("triggers", "Triggers", "Enter what can set things off, in the person's words"),
    ("what_helps", "What helps", "Enter what helps, in the person's words"),
    ("who_to_contact", "Who to contact", "Enter who the person will contact"),
    ("advance_statement", "Advance statement", ""),
)


def _refuse_if_closed(episode: Episode) -> None:
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError(
            "This episode has ended, so it can no longer be changed. Add an addendum instead."
        )


def _audit(
    by: User, action: AuditAction, obj: Any, episode: Episode, section: str, **detail: Any
) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=obj,
        person_id=episode.person_id,
        section=section,
        detail=detail or None,
    )


def _relapse_text(values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, label, required in RELAPSE_FIELDS:
        value = (values.get(name) or "").strip()
        if required and not value:
            errors[name] = required
        elif len(value) > TEXT_LIMIT:
            errors[name] = f"{label} must be {TEXT_LIMIT:,} characters or fewer"
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


# -- The relapse prevention plan ----------------------------------------------------------


@transaction.atomic
def relapse_plan_create(
    *,
    episode: Episode,
    early_warning_signs: str,
    triggers: str,
    what_helps: str,
    who_to_contact: str,
    advance_statement: str = "",
    written_with_person: bool,
    by: User,
) -> RelapsePreventionPlan:
    """Write the relapse prevention plan for an open episode (one per episode). Raises
    StaleEdit when someone else wrote it a moment before: theirs is the plan, and the view
    shows it beside what this user typed."""
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    _refuse_if_closed(episode)
    text = _relapse_text(
        {
            "early_warning_signs": early_warning_signs,
            "triggers": triggers,
            "what_helps": what_helps,
            "who_to_contact": who_to_contact,
            "advance_statement": advance_statement,
        }
    )
    if RelapsePreventionPlan.objects.filter(episode=episode).exists():
        raise StaleEdit(StaleEdit.message)
    plan = RelapsePreventionPlan.objects.create(
        episode=episode,
        **text,
        written_with_person=written_with_person,
        written_by=by,
        written_at=timezone.now(),
    )
    _audit(by, AuditAction.CREATE, plan, episode, RELAPSE_SECTION)
    return plan


@transaction.atomic
def relapse_plan_update(
    *,
    plan: RelapsePreventionPlan,
    early_warning_signs: str,
    triggers: str,
    what_helps: str,
    who_to_contact: str,
    advance_statement: str = "",
    written_with_person: bool,
    expected_version: int,
    by: User,
) -> RelapsePreventionPlan:
    """Change the relapse prevention plan, version-checked (raises StaleEdit)."""
    episode = Episode.objects.get(pk=plan.episode_id)
    _refuse_if_closed(episode)
    fields: dict[str, Any] = {
        **_relapse_text(
            {
                "early_warning_signs": early_warning_signs,
                "triggers": triggers,
                "what_helps": what_helps,
                "who_to_contact": who_to_contact,
                "advance_statement": advance_statement,
            }
        ),
        "written_with_person": written_with_person,
    }
    before = {name: getattr(plan, name) for name in fields}
    changed = changed_fields(before, fields)
    plan = save_if_current(
        plan,
        expected_version=expected_version,
        fields={**fields, "written_by": by, "written_at": timezone.now()},
    )
    _audit(by, AuditAction.UPDATE, plan, episode, RELAPSE_SECTION, **changed)
    return plan


# -- The written discharge plan given -------------------------------------------------------


def _contacts(episode: Episode, ids: set[str]) -> list[Contact]:
    if not ids:
        return []
    return list(
        Contact.objects.select_for_update(of=("self",))
        .select_related("current_consent")
        .filter(person_id=episode.person_id, pk__in=ids)
        .order_by("name")
    )


@transaction.atomic
def discharge_plan_given_record(
    *,
    episode: Episode,
    given_on: dt.date,
    method: str,
    format: str,
    to_person: bool,
    plan_contact_ids: Iterable[uuid.UUID | str],
    card_contact_ids: Iterable[uuid.UUID | str],
    snapshot_html: str,
    by: User,
) -> DischargePlanGiven:
    """Record that the written discharge plan was given (CORE 25e) with how to get crisis
    help (25f), keeping exactly what was given and who it named as supporting the person.

    Refused when the plan names no one to support the person after discharge; when family
    would get more than their consent allows (each refused by name); and on an ended
    episode."""
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    _refuse_if_closed(episode)
    errors: dict[str, str] = {}
    follow_on = selectors.follow_on_support(episode=episode)
    if not follow_on:
        errors["follow_on"] = NO_FOLLOW_ON
    started_on = local_date(episode.started_at)
    if given_on > timezone.localdate():
        errors["given_on"] = "The date it was given must be today or in the past"
    elif given_on < started_on:
        errors["given_on"] = (
            "The date it was given must be on or after the day home treatment started, "
            f"{started_on.day} {started_on:%B %Y}"
        )
    if method not in GivenMethod.values:
        errors["method"] = "Select how the plan was given"
    if format not in PlanFormat.values:
        errors["format"] = "Select which version of the plan was given"

    plan_ids = {str(pk) for pk in plan_contact_ids}
    card_ids = {str(pk) for pk in card_contact_ids}
    found = {str(c.pk): c for c in _contacts(episode, plan_ids | card_ids)}
    if len(found) != len(plan_ids | card_ids):
        errors["plan_to_contacts"] = "Choose people from the person's own family and friends"
    plan_to = sorted((found[pk] for pk in plan_ids if pk in found), key=lambda c: c.name)
    card_to = sorted((found[pk] for pk in card_ids if pk in found), key=lambda c: c.name)
    refused_plan = [c.name for c in plan_to if not p.may_have_plan(c)]
    if refused_plan:
        errors["plan_to_contacts"] = (
            f"{p.join_names(refused_plan)} cannot be given the full plan: the person has not "
            "agreed to share their care plan with them"
        )
    refused_card = [c.name for c in card_to if not p.may_have_card(c)]
    if refused_card:
        errors["crisis_card_to_contacts"] = (
            f"{p.join_names(refused_card)} cannot be given the crisis-help card: the person "
            "has not agreed to share anything with them"
        )
    if not to_person and not plan_ids and not card_ids:
        errors["to_person"] = "Say who it was given to: the person, or family with consent"
    if errors:
        raise ValidationError(errors)

    given = DischargePlanGiven.objects.create(
        episode=episode,
        given_on=given_on,
        method=method,
        format=format,
        to_person=to_person,
        follow_on_named=p.follow_on_named(follow_on),
        snapshot_html=snapshot_html,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    given.plan_to_contacts.set(plan_to)
    given.crisis_card_to_contacts.set(card_to)
    _audit(
        by,
        AuditAction.CREATE,
        given,
        episode,
        PLAN_SECTION,
        given_on=given_on.isoformat(),
        format=format,
        to_person=to_person,
        plan_copies=len(plan_to),
        crisis_cards=len(card_to),
    )
    return given

"""Writes for the discharge itself. Each runs in one transaction with its audit row.

- The discharge is a state transition of the episode: the Discharge row (with the aftercare
  checklist as it stood and a reason kept for each gap), the episode closed with its
  immutable EpisodeStatusChange, the team's care link from the episode closed, planned
  visits after the discharge cancelled. The episode row is locked and version-checked, so
  two people discharging at once (or someone changing the episode meanwhile) cannot both win.
- The summary to the GP and involved services (CORE item 34b, within 3 days) is recorded as
  sent with a copy of exactly what was sent.
- A discharged episode is read-only: later facts are addendums. Re-referral opens a new
  referral through the referrals service, linked to the episode it follows.
- The 72-hour follow-up after inpatient discharge starts when the person leaves the ward;
  a missed follow-up keeps its reason for review.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import StaleEdit, save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.core.presenters import date_long, datetime_long
from crisis_care.people import services as people_services
from crisis_care.people.models import CareTeamLink
from crisis_care.referrals import services as referral_services
from crisis_care.referrals.models import Channel, PersonAgrees, Priority, Source
from crisis_care.treatment import services as treatment_services
from crisis_care.treatment.models import (
    Admission,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    VisitStatus,
)
from crisis_care.treatment.services import visits as visit_services

from ..models import (
    Addendum,
    Discharge,
    DischargeGap,
    DischargeOutcome,
    DischargeSummary,
    FollowUpMissedReason,
    ReReferral,
    SummaryMethod,
)
from ..selectors import discharges as selectors
from ..selectors.checklist import aftercare_checklist

SECTION = "discharge"
TEXT_MAX_LENGTH = 5000
# Clock skew we tolerate between a user's watch and the server.
FUTURE_TOLERANCE = dt.timedelta(minutes=2)
VISIT_CANCEL_REASON = "Discharged from home treatment"


def _text_problem(text: str, *, required: str, label: str) -> str | None:
    if not text:
        return required
    if len(text) > TEXT_MAX_LENGTH:
        return f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer"
    return None


def gap_field(code: str) -> str:
    """The name a gap's reason goes by in forms and errors: 'gap_25b'."""
    return f"gap_{code}"


# -- The discharge ---------------------------------------------------------------------------


@transaction.atomic
def discharge_episode(
    *,
    episode: Episode,
    outcome: str,
    reason: str,
    discharged_at: dt.datetime,
    gap_reasons: Mapping[str, str],
    expected_version: int,
    by: User,
) -> Discharge:
    """End the episode. Every item missing from the aftercare checklist needs a reason, kept
    as a DischargeGap for review (`gap_reasons` by item code). Refused for an episode already
    discharged, and (StaleEdit) when the episode changed after the form was opened."""
    locked = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    if Discharge.objects.filter(episode=locked).exists():
        raise ValidationError("This episode has already been discharged.")
    if locked.status != EpisodeStatus.OPEN:
        raise ValidationError("This episode has ended, so it cannot be discharged.")
    if locked.version != expected_version:
        raise StaleEdit(StaleEdit.message)

    now = timezone.now()
    errors: dict[str, str] = {}
    if outcome not in DischargeOutcome.values:
        errors["outcome"] = "Select the outcome of the discharge"
    reason = (reason or "").strip()
    if problem := _text_problem(
        reason, required="Enter the reason for the discharge", label="The reason"
    ):
        errors["reason"] = problem
    if discharged_at > now + FUTURE_TOLERANCE:
        errors["discharged_at"] = "The time of discharge must be now or in the past"
    # Times are entered to the minute, so compare with the minute home treatment started in.
    elif discharged_at < locked.started_at.replace(second=0, microsecond=0):
        errors["discharged_at"] = (
            "The time of discharge must be after home treatment started, on "
            f"{datetime_long(locked.started_at)}"
        )
    checklist = aftercare_checklist(episode=locked)
    kept: dict[str, str] = {}
    for item in checklist.gaps:
        why = (gap_reasons.get(item.code) or "").strip()
        if problem := _text_problem(
            why,
            required=f"Enter why this is not done: {item.title.lower()}",
            label="Why this is not done",
        ):
            errors[gap_field(item.code)] = problem
        kept[item.code] = why
    if errors:
        raise ValidationError(errors)

    discharge = Discharge.objects.create(
        episode=locked,
        outcome=outcome,
        reason=reason,
        discharged_at=discharged_at,
        discharged_by=by,
        checklist=checklist.as_record(),
        summary_due_on=selectors.summary_due_on(discharged_at),
    )
    DischargeGap.objects.bulk_create(
        DischargeGap(discharge=discharge, item=code, reason=why) for code, why in kept.items()
    )
    locked = save_if_current(
        locked,
        expected_version=expected_version,
        fields={"status": EpisodeStatus.CLOSED, "closed_at": discharged_at},
    )
    change = EpisodeStatusChange.objects.create(
        episode=locked,
        status=EpisodeStatus.CLOSED,
        changed_by=by,
        changed_at=discharged_at,
        note=f"Discharged: {DischargeOutcome(outcome).label}",
    )
    # The team's legitimate relationship from this episode ends with it.
    for link in CareTeamLink.objects.filter(
        source="episode", source_id=locked.pk, closed_at__isnull=True
    ):
        people_services.care_team_link_close(link=link, by=by, at=discharged_at)
    cancelled = [
        visit_services.visit_cancel(
            visit=visit,
            by_whom=VisitStatus.CANCELLED_BY_TEAM,
            reason=VISIT_CANCEL_REASON,
            by=by,
        )
        for visit in selectors.planned_visits_from(episode=locked, at=discharged_at)
    ]
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=discharge,
        person_id=locked.person_id,
        section=SECTION,
        detail={
            "outcome": outcome,
            "gaps": sorted(kept),
            "visits_cancelled": len(cancelled),
            "history_row": str(change.pk),
        },
    )
    return discharge


# -- The summary to the GP and involved services ------------------------------------------------


@transaction.atomic
def summary_sent_record(
    *,
    episode: Episode,
    sent_on: dt.date,
    method: str,
    recipients: Sequence[str],
    to_gp: bool,
    snapshot_html: str,
    by: User,
) -> DischargeSummary:
    """Record that the summary was sent (before or after the discharge is recorded), keeping
    exactly what was sent."""
    today = local_date(timezone.now())
    errors: dict[str, str] = {}
    if sent_on > today:
        errors["sent_on"] = "The date sent must be today or in the past"
    elif sent_on < local_date(episode.started_at):
        errors["sent_on"] = (
            "The date sent must be on or after the day home treatment started, "
            f"{date_long(episode.started_at)}"
        )
    if method not in SummaryMethod.values:
        errors["method"] = "Select how the summary was sent"
    names = [name.strip() for name in recipients if name and name.strip()]
    if not names:
        errors["recipients"] = "Select or enter who the summary was sent to"
    if not snapshot_html.strip():
        errors["sent_on"] = errors.get("sent_on") or "There is no summary to send"
    if errors:
        raise ValidationError(errors)
    summary = DischargeSummary.objects.create(
        episode=episode,
        sent_on=sent_on,
        method=method,
        to_gp=to_gp,
        recipients="\n".join(dict.fromkeys(names)),
        snapshot_html=snapshot_html,
        sent_by=by,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=summary,
        person_id=episode.person_id,
        section="discharge summary",
        detail={"method": method, "to_gp": to_gp, "recipients": len(names)},
    )
    return summary


# -- After the discharge ------------------------------------------------------------------------


def _refuse_unless_discharged(episode: Episode) -> Discharge:
    discharge = selectors.discharge_for(episode=episode)
    if discharge is None or episode.status != EpisodeStatus.CLOSED:
        raise ValidationError("This episode has not been discharged yet.")
    return discharge


@transaction.atomic
def addendum_add(*, episode: Episode, text: str, by: User) -> Addendum:
    """A later note on a discharged episode. Immutable: a correction is another addendum."""
    _refuse_unless_discharged(episode)
    text = (text or "").strip()
    if problem := _text_problem(text, required="Enter the addendum", label="The addendum"):
        raise ValidationError({"text": problem})
    addendum = Addendum.objects.create(
        episode=episode, text=text, written_by=by, written_at=timezone.now()
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=addendum,
        person_id=episode.person_id,
        section="addendum",
    )
    return addendum


@transaction.atomic
def rerefer(
    *,
    episode: Episode,
    source: str,
    channel: str,
    referrer_name: str,
    referrer_phone: str,
    reason: str,
    person_agrees: str,
    priority: str,
    priority_reason: str,
    by: User,
) -> ReReferral:
    """Open a new referral for the person to the same team, through the referrals service (so
    it reaches the triage queue with its clocks like any other), linked to this episode."""
    # One re-referral at a time per episode: the second waits for the first, then sees it.
    locked = (
        Episode.objects.select_for_update(of=("self",))
        .select_related("person", "team")
        .get(pk=episode.pk)
    )
    discharge = _refuse_unless_discharged(locked)
    existing = selectors.open_referral_for(episode=locked)
    if existing is not None:
        raise ValidationError(
            f"{locked.person.full_name} already has an open referral to {locked.team.name}, "
            f"received {datetime_long(existing.received_at)}. Triage that referral instead."
        )
    errors: dict[str, str] = {}
    if source not in Source.values:
        errors["source"] = "Select who is asking for the referral"
    if channel not in Channel.values:
        errors["channel"] = "Select how the referral came in"
    if person_agrees not in PersonAgrees.values:
        errors["person_agrees"] = "Select whether the person knows about the referral"
    if priority not in Priority.values:
        errors["priority"] = "Select how urgent the referral is"
    reason = (reason or "").strip()
    if problem := _text_problem(
        reason, required="Enter the reason for the referral", label="The reason"
    ):
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    referral = referral_services.referral_create(
        team=locked.team,
        person=locked.person,
        data={
            "channel": channel,
            "source": source,
            "referrer_name": (referrer_name or "").strip()[:200],
            "referrer_organisation": "",
            "referrer_phone": (referrer_phone or "").strip()[:30],
            "reason": reason,
            "person_agrees": person_agrees,
        },
        received_at=now,
        priority=priority,
        priority_reason=(priority_reason or "").strip()
        or f"Re-referral after discharge on {date_long(discharge.discharged_at)}",
        by=by,
    )
    days = (local_date(now) - local_date(discharge.discharged_at)).days
    link = ReReferral.objects.create(
        episode=locked,
        referral=referral,
        days_after_discharge=max(0, days),
        recorded_by=by,
        recorded_at=now,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=link,
        person_id=locked.person_id,
        section="re-referral",
        detail={"referral": str(referral.pk), "days_after_discharge": link.days_after_discharge},
    )
    return link


# -- The 72-hour follow-up after inpatient discharge --------------------------------------------


@transaction.atomic
def ward_discharge_record(*, episode: Episode, discharged_at: dt.datetime, by: User) -> Admission:
    """When the person left the ward into the team's care (early supported discharge): the
    72-hour follow-up runs from here."""
    if episode.early_discharge_from_id is None:
        raise ValidationError(
            "This episode is not an early supported discharge from a ward, so there is no ward "
            "discharge to record."
        )
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError("This episode has ended, so it can no longer be changed.")
    admission = Admission.objects.get(pk=episode.early_discharge_from_id)
    return treatment_services.admission_discharge_record(
        admission=admission, discharged_at=discharged_at, by=by
    )


@transaction.atomic
def follow_up_missed_record(
    *, follow_up: selectors.FollowUp, reason: str, by: User
) -> FollowUpMissedReason:
    """Why the 72-hour follow-up did not happen in time (kept for review)."""
    admission = Admission.objects.select_for_update(of=("self",)).get(pk=follow_up.admission.pk)
    if FollowUpMissedReason.objects.filter(admission=admission).exists():
        raise ValidationError("The reason this follow-up was missed is already recorded.")
    if not follow_up.missed(timezone.now()):
        raise ValidationError(
            "This follow-up is not missed: record a reason only when the person was not "
            "followed up within 72 hours."
        )
    reason = (reason or "").strip()
    if problem := _text_problem(
        reason, required="Enter why the follow-up was missed", label="The reason"
    ):
        raise ValidationError({"reason": problem})
    missed = FollowUpMissedReason.objects.create(
        admission=admission, reason=reason, recorded_by=by, recorded_at=timezone.now()
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=missed,
        person_id=admission.person_id,
        section="72-hour follow-up",
    )
    return missed

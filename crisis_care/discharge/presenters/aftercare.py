"""Display values for aftercare planning: the checklist as a task list with a tag per item and
a link to the page that fixes each missing item, referral statuses, appointments, and the
discharge meeting's notice, invitees and attendance."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from crisis_care.core.presenters import date_long, datetime_long
from crisis_care.treatment.models import Episode

from ..models import (
    DischargeMeeting,
    FollowOnKind,
    InvolvedService,
    MeetingInvitee,
    OnwardReferral,
    OnwardReferralStatus,
)
from ..selectors.checklist import Checklist, ChecklistItem, ItemState
from ..services.aftercare import SHORT_NOTICE_DAYS, invitee_name, notice_days, short_notice

STATE_TAGS: dict[ItemState, dict[str, str]] = {
    ItemState.MET: {"text": "Done", "classes": "nhsuk-tag--green"},
    ItemState.MISSING: {"text": "Missing", "classes": "nhsuk-tag--red"},
    ItemState.NOT_APPLICABLE: {"text": "Not needed", "classes": "nhsuk-tag--grey"},
}

REFERRAL_TAGS: dict[str, str] = {
    OnwardReferralStatus.SENT: "nhsuk-tag--blue",
    OnwardReferralStatus.ACCEPTED: "nhsuk-tag--green",
    OnwardReferralStatus.DECLINED: "nhsuk-tag--red",
    OnwardReferralStatus.WITHDRAWN: "nhsuk-tag--grey",
}

# Items fixed on this page (only people who plan aftercare can fix them).
_PLANNING_ITEMS = frozenset({"25a", "25b", "25c", "25d"})


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    missing: list[str]  # titles

    @property
    def text(self) -> str:
        return f"{self.done} of {self.total} done"


def progress(checklist: Checklist) -> Progress:
    """Done counts items met or not needed; what is missing is listed by title."""
    return Progress(
        done=sum(1 for i in checklist.items if i.met),
        total=len(checklist.items),
        missing=[i.title for i in checklist.gaps],
    )


def fix_href(
    item: ChecklistItem, episode: Episode, *, meeting_arranged: bool = False
) -> str | None:
    """Where to go to fix a missing item."""
    if item.state != ItemState.MISSING:
        return None
    aftercare = reverse("discharge:aftercare", args=[episode.pk])
    if item.code in ("25a", "25d"):
        return f"{aftercare}#involved-services"
    if item.code == "25b":
        return reverse("discharge:onward_referral_add", args=[episode.pk])
    if item.code == "25c":
        # Only one meeting at a time: an arranged one is changed by cancelling it first.
        if meeting_arranged:
            return f"{aftercare}#discharge-meeting"
        return reverse("discharge:meeting_arrange", args=[episode.pk])
    if item.code in ("25e", "25f"):
        return reverse("discharge:discharge_plan", args=[episode.pk])
    return reverse("discharge:relapse_plan", args=[episode.pk])


def checklist_task_items(
    checklist: Checklist,
    episode: Episode,
    *,
    can_plan: bool,
    read_only: bool,
    meeting_arranged: bool = False,
) -> list[dict[str, Any]]:
    """The checklist as NHS.UK task list items: the title (a link to fix it when missing and
    the user can), the detail as the hint, and a tag for its state."""
    items = []
    for item in checklist.items:
        href = None
        if not read_only and (can_plan or item.code not in _PLANNING_ITEMS):
            href = fix_href(item, episode, meeting_arranged=meeting_arranged)
        entry: dict[str, Any] = {
            "title": {"text": f"{item.title} (CORE {item.code})"},
            "hint": {"text": item.detail},
            "status": {"tag": STATE_TAGS[item.state]},
        }
        if href:
            entry["href"] = href
        items.append(entry)
    return items


# -- Other services involved ---------------------------------------------------------------


def involved_kind(involved: InvolvedService) -> str:
    kind = (
        "Secondary mental health service" if involved.secondary_mental_health else "Other service"
    )
    return f"{kind}{', from the directory' if involved.service_id else ''}"


def involved_contact_lines(involved: InvolvedService) -> list[str]:
    return [
        line
        for line in (involved.contact_name, involved.contact_phone, involved.contact_email)
        if line
    ]


def involved_plan_text(involved: InvolvedService) -> str:
    if not involved.plan_agreed:
        return "No plan agreed yet"
    return involved.plan_agreed


def involved_plan_when(involved: InvolvedService) -> str:
    if not involved.plan_agreed:
        return ""
    who = f" with {involved.plan_agreed_with}" if involved.plan_agreed_with else ""
    return f"Agreed{who} on {date_long(involved.plan_agreed_on)}"


# -- Referrals on --------------------------------------------------------------------------


def referral_tag(referral: OnwardReferral) -> dict[str, str]:
    return {
        "text": referral.get_status_display(),
        "classes": REFERRAL_TAGS.get(referral.status, "nhsuk-tag--grey"),
    }


def referral_kind(referral: OnwardReferral) -> str:
    return FollowOnKind(referral.kind).label


def appointment_text(referral: OnwardReferral) -> str:
    if referral.first_appointment_at is None:
        if referral.status == OnwardReferralStatus.ACCEPTED:
            return "Not booked yet"
        return "None"
    place = f", {referral.first_appointment_place}" if referral.first_appointment_place else ""
    return f"{datetime_long(referral.first_appointment_at)}{place}"


def worker_text(referral: OnwardReferral) -> str:
    parts = [p for p in (referral.worker_name, referral.worker_phone) if p]
    return ", ".join(parts)


def latest_note(referral: OnwardReferral) -> str:
    notes = [c.note for c in referral.status_history.all() if c.note]
    return notes[-1] if notes else ""


def may_update_referral(referral: OnwardReferral) -> bool:
    return referral.status in (OnwardReferralStatus.SENT, OnwardReferralStatus.ACCEPTED)


def history_text(referral: OnwardReferral) -> list[str]:
    lines = []
    for change in referral.status_history.all():
        by = change.changed_by.get_full_name() or change.changed_by.username
        note = f": {change.note}" if change.note else ""
        lines.append(
            f"{OnwardReferralStatus(change.status).label} on {date_long(change.changed_at)} "
            f"(recorded by {by}){note}"
        )
    return lines


# -- The discharge meeting -----------------------------------------------------------------


def notice_text(meeting: DischargeMeeting) -> str:
    days = notice_days(meeting)
    text = f"{days} day{'s' if days != 1 else ''}"
    if short_notice(meeting):
        return f"{text}: less than {SHORT_NOTICE_DAYS} days' notice"
    return text


def short_notice_warning(meeting: DischargeMeeting, name: str) -> str | None:
    if not short_notice(meeting):
        return None
    return (
        f"The meeting is less than {SHORT_NOTICE_DAYS} days away. Give {name}, their family and "
        "the other services as much notice as you can, and check they can come."
    )


def attendance_text(attended: bool | None) -> str:
    if attended is None:
        return "Invited"
    return "Came" if attended else "Did not come"


def person_text(meeting: DischargeMeeting, name: str) -> str:
    invited = f"{name} was {'' if meeting.person_invited else 'not '}invited"
    if meeting.person_attended is None:
        return invited
    return f"{invited} and {'came' if meeting.person_attended else 'did not come'}"


def invitee_lines(meeting: DischargeMeeting) -> list[str]:
    lines = []
    for invitee in meeting.invitees.all():
        lines.append(f"{invitee_label(invitee)}: {attendance_text(invitee.attended).lower()}")
    return lines


def invitee_label(invitee: MeetingInvitee) -> str:
    name = invitee_name(invitee)
    if invitee.contact is not None:
        return f"{name} ({invitee.contact.get_relationship_display().lower()})"
    return name


def meeting_heading(meeting: DischargeMeeting) -> str:
    return f"{meeting.get_status_display()}: {datetime_long(meeting.starts_at)}"

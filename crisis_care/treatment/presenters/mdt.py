"""Display values for the daily MDT review board: the rating tag (the team's judgement, never a
score), "Not reviewed today" and when each person was last reviewed, what happened since the
last review, carers, goals, actions, the meeting's professions (CORE item 29), and the review
page's heading.

"Today" is the London date, so a review at 11:30pm is not "today" at half past midnight, and
the nights the clocks change have 23 or 25 hours (core.clock)."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse

from crisis_care.core.clock import local_date
from crisis_care.core.presenters import date_long, datetime_long, time_short
from crisis_care.workforce.models import Profession, StaffMember

from ..models import (
    Action,
    DischargeReadiness,
    MdtAttendance,
    MdtMeeting,
    MdtReview,
    MedicationChange,
    MedicationChangeKind,
    OfferResponse,
    Progress,
    Rating,
    RiskRating,
)
from ..selectors.mdt import BoardRow, CarerLine, GoalLine
from .actions import due_text

RATING_TAG_CLASSES = {
    Rating.RED: "nhsuk-tag--red",
    Rating.AMBER: "nhsuk-tag--orange",
    Rating.GREEN: "nhsuk-tag--green",
}
# CORE item 29 counts professions giving the team dedicated time; clerical staff are not one.
NOT_A_CORE_PROFESSION = frozenset({Profession.ADMINISTRATOR})


def url_or_none(name: str, *args: Any) -> str | None:
    """A link to a page that may not be built yet (issue 5's pages): None if it is not there."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


def staff_name(staff: StaffMember | None) -> str:
    if staff is None:
        return ""
    return staff.user.get_full_name() or staff.user.username


def rating_tag(rating: RiskRating | None) -> dict[str, str]:
    if rating is None:
        return {"text": "Not rated", "classes": "nhsuk-tag--grey"}
    return {
        "text": Rating(rating.rating).label,
        "classes": RATING_TAG_CLASSES[Rating(rating.rating)],
    }


def rating_set_text(rating: RiskRating) -> str:
    """'Set by Dr Amara Shah on 3 March 2026 at 9:15am'."""
    return f"Set by {rating.set_by} on {datetime_long(rating.set_at)}"


def days_text(day: int) -> str:
    """Days since the episode started: 'Started today', '1 day', '12 days'."""
    if day <= 0:
        return "Started today"
    return "1 day" if day == 1 else f"{day} days"


def reviewed_today(review: MdtReview | None, now: dt.datetime) -> bool:
    """Reviewed on today's London date."""
    return review is not None and local_date(review.reviewed_at) == local_date(now)


def last_reviewed_tag(row: BoardRow) -> dict[str, str]:
    if row.reviewed_in_meeting:
        return {"text": "Reviewed in this meeting", "classes": "nhsuk-tag--green"}
    if row.reviewed_today:
        return {"text": "Reviewed today", "classes": "nhsuk-tag--green"}
    return {"text": "Not reviewed today", "classes": "nhsuk-tag--yellow"}


def last_reviewed_text(review: MdtReview | None, now: dt.datetime) -> str:
    """'Today at 9:40am', 'Yesterday at 10am', '3 March 2026 at 9:15am', 'Never reviewed'."""
    if review is None:
        return "Never reviewed"
    day, today = local_date(review.reviewed_at), local_date(now)
    if day == today:
        return f"Today at {time_short(review.reviewed_at)}"
    if day == today - dt.timedelta(days=1):
        return f"Yesterday at {time_short(review.reviewed_at)}"
    return datetime_long(review.reviewed_at)


def since_text(row: BoardRow) -> str:
    if row.last_review is None:
        return f"Since the episode started on {date_long(row.episode.started_at)}"
    return f"Since the last review on {date_long(row.last_review.reviewed_at)}"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def contacts_text(count: int) -> str:
    if count == 0:
        return "Not seen or spoken to"
    return f"Seen or spoken to {_times(count)}"


def missed_text(count: int) -> str:
    if count == 0:
        return "No missed visits"
    return "1 missed visit" if count == 1 else f"{count} missed visits"


def safety_plan_text(written_at: dt.datetime | None) -> str:
    return f"Written {date_long(written_at)}" if written_at else "No safety plan"


def medication_change_text(change: MedicationChange) -> str:
    """'Sertraline: dose changed, 4 March 2026 (now 100mg)'."""
    kind = MedicationChangeKind(change.kind).label.lower()
    text = f"{change.medication.name}: {kind}, {date_long(change.changed_at)}"
    if change.detail:
        text += f" ({change.detail})"
    return text


def medication_summary(changes: list[MedicationChange]) -> str:
    if not changes:
        return "No changes"
    return "1 change" if len(changes) == 1 else f"{len(changes)} changes"


def carer_text(line: CarerLine) -> str:
    """'Jo Ellison (sister): offered a conversation of their own on 4 March 2026, accepted'."""
    carer = line.carer
    who = f"{carer.name} ({carer.get_relationship_display().lower()})"
    offer = line.offer
    if offer is None:
        return f"{who}: not yet offered a conversation of their own"
    response = OfferResponse(offer.response).label.lower()
    return (
        f"{who}: offered a conversation of their own on {date_long(offer.offered_at)}, {response}"
    )


def carer_needs_offer(line: CarerLine) -> bool:
    return line.offer is None


def goal_text(line: GoalLine) -> str:
    """'To sleep through the night: some progress (4 March 2026)'."""
    goal = line.goal.goal
    if line.progress is None:
        return f"{goal}: no progress recorded yet"
    progress = Progress(line.progress).label.lower()
    return f"{goal}: {progress} ({date_long(line.progress_at)})"


def discharge_text(review: MdtReview | None) -> str:
    if review is None:
        return "Not discussed yet"
    return DischargeReadiness(review.discharge_readiness).label


def action_due_text(action: Action, now: dt.datetime) -> str:
    """'due today at 3pm', 'due tomorrow at 9am', 'due 16 March 2026 at 9am'."""
    text = due_text(action.due_at, now)
    first, _, rest = text.partition(" ")
    if first in ("Today", "Tomorrow", "Yesterday"):
        text = f"{first.lower()} {rest}"
    return f"due {text}"


def review_heading(position: int | None, total: int, name: str) -> str:
    """'Review 3 of 27: Sam Ellison' (or just 'Review: Sam Ellison' if not on the board)."""
    if position is None:
        return f"Review: {name}"
    return f"Review {position} of {total}: {name}"


# -- The meeting ------------------------------------------------------------------------


def profession_label(profession: str) -> str:
    try:
        return Profession(profession).label
    except ValueError:
        return profession


def professions(attendance: Iterable[MdtAttendance]) -> list[tuple[str, int]]:
    """(profession, how many) among the attendees, most first, then by name."""
    counts = Counter(profession_label(row.profession) for row in attendance)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def profession_count(attendance: Iterable[MdtAttendance]) -> int:
    """How many professions attended (CORE item 29's groups: clerical staff not counted)."""
    return len({row.profession for row in attendance} - NOT_A_CORE_PROFESSION)


def profession_count_text(attendance: Iterable[MdtAttendance]) -> str:
    count = profession_count(attendance)
    return "1 profession" if count == 1 else f"{count} professions"


def meeting_state_text(meeting: MdtMeeting) -> str:
    """'Started at 9:02am, chaired by Ros Patel' or 'From 9:02am to 10:15am, chaired by ...'."""
    if meeting.ended_at is None:
        return f"Started at {time_short(meeting.started_at)}, chaired by {meeting.chair}"
    return (
        f"From {time_short(meeting.started_at)} to {time_short(meeting.ended_at)}, "
        f"chaired by {meeting.chair}"
    )

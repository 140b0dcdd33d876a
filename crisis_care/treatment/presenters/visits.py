"""Display values for visits and contacts: windows, days, statuses, staffing, needs and the
flags a contact earns (written up late, CORE item 33d; far outside the window, item 12e;
late without a phone call, item 12f). Pure functions over model instances, unit-tested."""

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from crisis_care.core.clock import local_date
from crisis_care.core.presenters import date_long, time_short
from crisis_care.people.models import Person
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_is_registered_practitioner

from ..models import (
    CareContact,
    CheckInStatus,
    LoneWorkingCheck,
    Medium,
    Visit,
    VisitLocation,
    VisitStatus,
)
from ..rules import is_prescriber, is_psychologist
from ..services.visits import NEED_LABELS, VisitDetails

FAR_OUTSIDE_MINUTES = 60

STATUS_TAG_CLASSES = {
    VisitStatus.PLANNED: "nhsuk-tag--blue",
    VisitStatus.ATTENDED: "nhsuk-tag--green",
    VisitStatus.NOT_AT_HOME: "nhsuk-tag--orange",
    VisitStatus.DECLINED: "nhsuk-tag--yellow",
    VisitStatus.CANCELLED_BY_PERSON: "nhsuk-tag--grey",
    VisitStatus.CANCELLED_BY_TEAM: "nhsuk-tag--grey",
}


def window_text(visit: Visit) -> str:
    """'9:30am to 10:30am' (London)."""
    return f"{time_short(visit.window_start)} to {time_short(visit.window_end)}"


def day_heading(day: dt.date, today: dt.date) -> str:
    """'Today, Tuesday 3 March 2026', 'Tomorrow, ...' or 'Friday 6 March 2026'."""
    text = f"{day:%A} {date_long(day)}"
    relative = {
        today: "Today",
        today + dt.timedelta(days=1): "Tomorrow",
        today - dt.timedelta(days=1): "Yesterday",
    }
    return f"{relative[day]}, {text}" if day in relative else text


def by_london_day(visits: Iterable[Visit]) -> list[tuple[dt.date, list[Visit]]]:
    """Visits (already in window order) grouped by the London day their window starts."""
    return [
        (day, list(group))
        for day, group in groupby(visits, key=lambda v: local_date(v.window_start))
    ]


def status_tag(visit: Visit) -> dict[str, str]:
    return {
        "text": visit.get_status_display(),
        "classes": STATUS_TAG_CLASSES.get(VisitStatus(visit.status), ""),
    }


def needs_list(visit: Visit) -> list[str]:
    needs = []
    if visit.needs_registered_practitioner:
        needs.append("a registered practitioner")
    if visit.needs_prescriber:
        needs.append("a prescriber")
    if visit.needs_psychologist:
        needs.append("a psychologist")
    return needs


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def needs_text(visit: Visit) -> str:
    """'Needs a registered practitioner and a prescriber', or '' when it needs no one in
    particular."""
    needs = needs_list(visit)
    return f"Needs {_and(needs)}" if needs else ""


def assigned_staff(visit: Visit) -> list[StaffMember]:
    """The staff on a visit (uses the prefetched links)."""
    return [link.staff for link in visit.staff_links.all()]


def staff_text(visit: Visit) -> str:
    """'Nia Okoro and Tom Reyes', 'Nia Okoro (1 of 2 staff)', or 'No staff assigned yet'."""
    staff = assigned_staff(visit)
    if not staff:
        return f"No staff assigned yet ({visit.staff_needed} needed)"
    names = _and([str(member) for member in staff])
    if len(staff) < visit.staff_needed:
        return f"{names} ({len(staff)} of {visit.staff_needed} staff)"
    return names


def places_left(visit: Visit) -> int:
    return max(visit.staff_needed - len(assigned_staff(visit)), 0)


def location_text(location: str, detail: str = "") -> str:
    if location == VisitLocation.OTHER and detail:
        return detail
    if not location:
        return "Not in person"
    return VisitLocation(location).label


def person_told_text(visit: Visit) -> str:
    """CORE item 12c: whether the person knows the window."""
    if visit.person_told_at is None:
        return "Not yet told the window"
    return f"Told on {date_long(visit.person_told_at)} at {time_short(visit.person_told_at)}"


def visit_rows(visit: Visit) -> list[dict[str, Any]]:
    """The visit's details as summary-list rows."""
    rows = [
        ("Date", f"{local_date(visit.window_start):%A} {date_long(visit.window_start)}"),
        ("Window", window_text(visit)),
        ("Where", location_text(visit.location, visit.location_detail)),
        ("Staff needed", "Two" if visit.staff_needed == 2 else "One"),
        ("Needs", _and(needs_list(visit)).capitalize() or "No particular skills"),
        ("Expected length", duration_words(visit.expected_minutes)),
        ("Purpose", visit.purpose or "Not given"),
        ("Person told", person_told_text(visit)),
        ("Status", visit.get_status_display()),
    ]
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]


# -- Contacts ----------------------------------------------------------------------------


def duration_words(minutes: int) -> str:
    """'45 minutes', '1 hour', '1 hour 5 minutes'."""
    hours, rest = divmod(max(minutes, 0), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours > 1 else ""))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def contact_minutes(contact: CareContact) -> int:
    return int((contact.ended_at - contact.started_at).total_seconds() // 60)


def contact_duration(contact: CareContact) -> str:
    """How long the contact lasted (CORE item 21 asks for at least one 30-minute visit)."""
    return duration_words(contact_minutes(contact))


def arrival_text(minutes: int | None) -> str:
    """Against the visit's window: 'Within the window', '20 minutes after the window'."""
    if minutes is None:
        return "Within the window"
    if minutes > 0:
        return f"{duration_words(minutes)} after the window"
    return f"{duration_words(-minutes)} before the window"


def written_up_late(contact: CareContact) -> bool:
    """CORE item 33d: the note was written up on a later London day than the contact (or
    has still not been written up, and the contact's day has passed)."""
    contact_day = local_date(contact.started_at)
    if contact.note_written_at is None:
        return False
    return local_date(contact.note_written_at) > contact_day


def note_overdue(contact: CareContact, today: dt.date) -> bool:
    """Not written up, and the contact's London day is over: it will be written up late."""
    return contact.note_written_at is None and local_date(contact.started_at) < today


def contact_flags(contact: CareContact, today: dt.date) -> list[dict[str, str]]:
    """Tags for what a contact needs someone to notice."""
    flags = []
    if written_up_late(contact):
        flags.append({"text": "Written up late", "classes": "nhsuk-tag--orange"})
    elif note_overdue(contact, today):
        flags.append({"text": "Not written up", "classes": "nhsuk-tag--red"})
    elif contact.note_written_at is None:
        flags.append({"text": "Note to write up", "classes": "nhsuk-tag--yellow"})
    minutes = contact.minutes_outside_window
    if minutes is not None and abs(minutes) > FAR_OUTSIDE_MINUTES:
        text = "More than an hour late" if minutes > 0 else "More than an hour early"
        flags.append({"text": text, "classes": "nhsuk-tag--red"})
    if contact.phoned_about_lateness is False:
        flags.append({"text": "Late: person not phoned", "classes": "nhsuk-tag--red"})
    return flags


def contact_summary(contact: CareContact) -> str:
    """'Seen, face to face at home, 10:05am to 10:50am (45 minutes)'."""
    how = Medium(contact.medium).label.lower()
    if contact.medium == Medium.FACE_TO_FACE and contact.location:
        if contact.location == VisitLocation.OTHER and contact.location_detail:
            how += f" at {contact.location_detail}"
        else:
            how += f" {VisitLocation(contact.location).label.lower()}"
    return (
        f"{contact.get_attendance_display()}, {how}, {time_short(contact.started_at)} "
        f"to {time_short(contact.ended_at)} ({contact_duration(contact)})"
    )


# -- My visits today ---------------------------------------------------------------------


def address_text(person: Person) -> str:
    parts = [person.address_line_1, person.address_line_2, person.town, person.postcode]
    return ", ".join(part for part in parts if part) or "No address recorded"


def tel_href(phone: str) -> str:
    """A tap-to-call link: 'tel:07700900123'."""
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def visiting_with(visit: Visit, me: StaffMember | None) -> str:
    """Who else is on the visit: 'Tom Reyes', or 'On your own'."""
    others = [str(m) for m in assigned_staff(visit) if me is None or m.pk != me.pk]
    if others:
        return _and(others)
    return "On your own"


def paired_warning(visit: Visit) -> str:
    """CORE item 32b: this person must be visited by two staff (shown under a "Paired
    visit" heading)."""
    if not visit.episode.paired_visits_required:
        return ""
    text = "Two staff must go"
    if visit.episode.paired_visits_reason:
        text += f" ({visit.episode.paired_visits_reason})"
    if len(assigned_staff(visit)) < 2:
        text += ". Only one member of staff is assigned: do not go alone"
    return text + "."


def open_check(visit: Visit) -> LoneWorkingCheck | None:
    """The user's open lone-working check-in for this visit (from the prefetched
    `my_checks`), if they are checked in."""
    checks: list[LoneWorkingCheck] = getattr(visit, "my_checks", [])
    return next((c for c in checks if c.status == CheckInStatus.CHECKED_IN), None)


def checked_out(visit: Visit) -> LoneWorkingCheck | None:
    checks: list[LoneWorkingCheck] = getattr(visit, "my_checks", [])
    return next((c for c in checks if c.status == CheckInStatus.CHECKED_OUT), None)


def lone_working_text(visit: Visit) -> str:
    check = open_check(visit)
    if check is not None:
        return (
            f"You checked in at {time_short(check.checked_in_at)}. Expected to finish by "
            f"{time_short(check.expected_end_at)}"
        )
    done = checked_out(visit)
    if done is not None and done.checked_out_at is not None:
        return f"You checked out at {time_short(done.checked_out_at)}"
    return "Not checked in"


# -- Planning ----------------------------------------------------------------------------


def staff_choice_label(member: StaffMember, *, on: dt.date) -> str:
    """'Nia Okoro, Mental health nurse (registered practitioner)': what the coordinator needs
    to meet a visit's needs."""
    extras = []
    if staff_is_registered_practitioner(member, on=on):
        extras.append("registered practitioner")
    if is_prescriber(member.profession):
        extras.append("prescriber")
    if is_psychologist(member.profession):
        extras.append("psychologist")
    label = f"{member}, {member.job_title}"
    return f"{label} ({', '.join(extras)})" if extras else label


def windows_by_day(
    windows: Sequence[tuple[dt.datetime, dt.datetime]], today: dt.date
) -> list[tuple[str, list[str]]]:
    """A pattern's windows as London days and times, for the preview."""
    return [
        (
            day_heading(day, today),
            [f"{time_short(start)} to {time_short(end)}" for start, end in group],
        )
        for day, group in groupby(windows, key=lambda w: local_date(w[0]))
    ]


def pattern_summary(count: int, windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> str:
    """'14 visits from 3 March 2026 to 9 March 2026'."""
    if not windows:
        return "No visits"
    first, last = windows[0][0], windows[-1][0]
    visits = f"{count} visit" + ("s" if count != 1 else "")
    if local_date(first) == local_date(last):
        return f"{visits} on {date_long(first)}"
    return f"{visits} from {date_long(first)} to {date_long(last)}"


def details_rows(details: VisitDetails) -> list[dict[str, Any]]:
    """What each visit of a pattern will carry, as summary-list rows for the preview."""
    needs = [NEED_LABELS[n] for n in sorted(details.needs)]
    rows = [
        ("Where", location_text(details.location, details.location_detail)),
        ("Staff on each visit", "Two" if details.staff_needed == 2 else "One"),
        ("Needs", _and(needs).capitalize() or "No particular skills"),
        ("Expected length", duration_words(details.expected_minutes)),
        ("Purpose", details.purpose or "Not given"),
    ]
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]

"""Display values for the workforce pages: greetings, shift times and lengths, tags, task links.

Pure functions of their arguments (no queries), unit-tested in tests/test_presenters.py.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from crisis_care.core.clock import LONDON
from crisis_care.core.navigation import NAVIGATION
from crisis_care.core.presenters import date_long, time_short
from crisis_care.core.roles import Role

from .models import Registration
from .rules import can_edit_rota
from .selectors import OnShiftRow


def greeting(at: dt.datetime) -> str:
    hour = at.astimezone(LONDON).hour
    if 5 <= hour < 12:
        return "Good morning"
    if 12 <= hour < 18:
        return "Good afternoon"
    if hour >= 18:
        return "Good evening"
    return "Hello"


def day_long(day: dt.date) -> str:
    """'Saturday 24 October 2026'."""
    return f"{day:%A} {date_long(day)}"


def shift_times(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """'9pm to 7:30am' in London time."""
    return f"{time_short(starts_at)} to {time_short(ends_at)}"


def duration_text(length: dt.timedelta) -> str:
    """'8 hours 30 minutes', '1 hour', '45 minutes'."""
    minutes = int(length.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def shift_length(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """Real time between two instants, whatever zone they carry ('11 hours 30 minutes')."""
    return duration_text(ends_at.astimezone(dt.UTC) - starts_at.astimezone(dt.UTC))


def clock_change_note(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """Say so when the clocks change during a shift (it is an hour longer or shorter)."""
    before = starts_at.astimezone(LONDON).utcoffset()
    after = ends_at.astimezone(LONDON).utcoffset()
    if before is None or after is None or before == after:
        return ""
    if after < before:
        return "The clocks go back 1 hour during this shift, so it is 1 hour longer."
    return "The clocks go forward 1 hour during this shift, so it is 1 hour shorter."


def shift_name(name: str) -> str:
    """'Night shift' (and 'Night shift', not 'Night shift shift')."""
    return name if name.lower().endswith("shift") else f"{name} shift"


def registration_text(registration: Registration) -> str:
    return f"{registration.body} {registration.number}"


def registration_is_current(registration: Registration, on: dt.date) -> bool:
    return registration.expires_on is None or registration.expires_on >= on


@dataclass(frozen=True)
class TeamSummary:
    count: int
    coordinators: list[str]
    registered_count: int

    @property
    def text(self) -> str:
        people = f"{self.count} {'person' if self.count == 1 else 'people'} on shift now"
        registered = f"{self.registered_count} registered practitioner" + (
            "" if self.registered_count == 1 else "s"
        )
        return f"{people}, {registered}"

    @property
    def coordinator_text(self) -> str:
        return " and ".join(self.coordinators) if self.coordinators else "No coordinator on shift"


def team_summary(rows: Sequence[OnShiftRow]) -> TeamSummary:
    return TeamSummary(
        count=len(rows),
        coordinators=[str(r.staff) for r in rows if r.is_coordinator],
        registered_count=sum(1 for r in rows if r.registered_practitioner),
    )


@dataclass(frozen=True)
class TaskLink:
    text: str
    url_name: str
    description: str


_TASK_DESCRIPTIONS = {
    "referrals:queue": "New referrals, most urgent first, with the time left on each clock.",
    "people:search": "Find someone by NHS number, or by name and date of birth.",
    "workforce:on_now": "Who is on shift now, who is coordinating and who comes on next.",
    "workforce:rota": "The shifts for each day and who is on them.",
    "workforce:staff_list": "Your team's staff, professions and registrations.",
    "directory:list": "Services and support groups to signpost or refer people to.",
    "people:access_reviews": "Check flagged and break-glass access to people's records.",
    "treatment:my_visits": "Today's visits: who, where, when, with whom; check in and record.",
    "treatment:my_tasks": "Actions you own from reviews and colleagues, overdue first.",
    "treatment:caseload": "Everyone in home treatment, with visits, plans and reviews due.",
    "treatment:mdt_board": "The daily review: each person's rating, visits, goals and actions.",
    "treatment:handover": "What the next shift needs to know, and the record it was given.",
    "treatment:lone_working": "Who is out on visits, who is overdue, and what was done.",
    "discharge:discharges": "Recent discharges: summaries to GPs due or overdue, and follow-ups.",
    "reporting:dashboard": "Response times, CORE fidelity figures, charts and the data set export.",
}
_ROTA_EDITOR_DESCRIPTION = "The shifts for each day: put staff on shifts or take them off."


def task_links(role: str) -> list[TaskLink]:
    """The tasks on the home page: the header navigation's destinations for this role."""
    links = []
    for text, url_name, roles in NAVIGATION:
        if url_name == "workforce:home" or Role(role) not in roles:
            continue
        description = _TASK_DESCRIPTIONS.get(url_name, "")
        if url_name == "workforce:rota" and can_edit_rota(role):
            description = _ROTA_EDITOR_DESCRIPTION
        links.append(TaskLink(text=text, url_name=url_name, description=description))
    return links

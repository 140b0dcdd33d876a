"""Display values for actions: when each is due in words, how long overdue, and the task list
split into overdue, due today and later.

"Overdue by" is worked out on real instants (UTC), so across midnight and on the nights the
clocks change it is the real time that has passed; "today" and "tomorrow" are London days.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crisis_care.core.clock import local_date
from crisis_care.core.presenters import date_long, time_short

from ..models import Action, ActionStatus


def overdue_by(due_at: dt.datetime, now: dt.datetime) -> dt.timedelta | None:
    """How long past its due time an action is (None if not yet due)."""
    late = now.astimezone(dt.UTC) - due_at.astimezone(dt.UTC)
    return late if late > dt.timedelta(0) else None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def duration_text(delta: dt.timedelta) -> str:
    """'5 minutes', '2 hours 10 minutes', '1 day 3 hours', '4 days'. Under a minute: 'less than
    a minute'."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")
    if hours:
        return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if minutes else "")
    return _plural(minutes, "minute")


def due_text(due_at: dt.datetime, now: dt.datetime) -> str:
    """'Today at 3pm', 'Tomorrow at 9am', 'Yesterday at 5:30pm', else '16 March 2026 at 9am'."""
    day, today = local_date(due_at), local_date(now)
    at = time_short(due_at)
    if day == today:
        return f"Today at {at}"
    if day == today + dt.timedelta(days=1):
        return f"Tomorrow at {at}"
    if day == today - dt.timedelta(days=1):
        return f"Yesterday at {at}"
    return f"{date_long(day)} at {at}"


def overdue_tag(action: Action, now: dt.datetime) -> dict[str, Any] | None:
    """The red 'Overdue' tag with how long, for an open action past its due time."""
    if action.status != ActionStatus.OPEN:
        return None
    late = overdue_by(action.due_at, now)
    if late is None:
        return None
    return {"text": f"Overdue by {duration_text(late)}", "classes": "nhsuk-tag--red"}


_STATUS_TAG_CLASSES = {
    ActionStatus.OPEN: "nhsuk-tag--blue",
    ActionStatus.DONE: "nhsuk-tag--green",
    ActionStatus.CANCELLED: "nhsuk-tag--grey",
}


def status_tag(action: Action, now: dt.datetime) -> dict[str, Any]:
    """Overdue (red) for a late open action, else its status."""
    overdue = overdue_tag(action, now)
    if overdue is not None:
        return overdue
    status = ActionStatus(action.status)
    return {"text": status.label, "classes": _STATUS_TAG_CLASSES[status]}


def set_by_text(action: Action) -> str:
    """Who set the action, and at which review if it came from one."""
    who = str(action.created_by)
    if action.review is not None:
        return f"{who}, at the team review on {date_long(action.review.meeting.started_at)}"
    return f"{who} on {date_long(action.created_at)}"


@dataclass
class TaskGroups:
    """A task list in the order a member of staff works through it."""

    overdue: list[Action] = field(default_factory=list)
    today: list[Action] = field(default_factory=list)
    later: list[Action] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.later)

    @property
    def sections(self) -> list[tuple[str, str, list[Action]]]:
        """(id, heading, actions) for each group that has something in it."""
        named = [
            ("overdue", "Overdue", self.overdue),
            ("today", "Due today", self.today),
            ("later", "Due later", self.later),
        ]
        return [(key, heading, actions) for key, heading, actions in named if actions]


def group_tasks(actions: Iterable[Action], now: dt.datetime) -> TaskGroups:
    """Overdue first (the longest overdue at the top), then the rest of today, then later;
    each in due order."""
    groups = TaskGroups()
    today = local_date(now)
    for action in sorted(actions, key=lambda a: (a.due_at, a.created_at)):
        if overdue_by(action.due_at, now) is not None:
            groups.overdue.append(action)
        elif local_date(action.due_at) == today:
            groups.today.append(action)
        else:
            groups.later.append(action)
    return groups


def person_ids(actions: Iterable[Action]) -> list[str]:
    """The people a task list shows, for its audit row (each once, in the order shown)."""
    seen: dict[str, None] = {}
    for action in actions:
        seen.setdefault(str(action.episode.person_id), None)
    return list(seen)

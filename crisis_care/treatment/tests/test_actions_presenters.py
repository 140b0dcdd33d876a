"""Display values for actions: due times in words, how long overdue, and the task groups."""

import datetime as dt
from types import SimpleNamespace

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.treatment.presenters import actions as p


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return local_instant(dt.date(year, month, day), dt.time(hour, minute))


def _action(due_at: dt.datetime, status: str = "open", person_id: str = "a") -> SimpleNamespace:
    return SimpleNamespace(
        due_at=due_at,
        created_at=due_at,
        status=status,
        episode=SimpleNamespace(person_id=person_id),
    )


def test_duration_text_reads_naturally():
    assert p.duration_text(dt.timedelta(seconds=20)) == "less than a minute"
    assert p.duration_text(dt.timedelta(minutes=1)) == "1 minute"
    assert p.duration_text(dt.timedelta(minutes=45)) == "45 minutes"
    assert p.duration_text(dt.timedelta(hours=2)) == "2 hours"
    assert p.duration_text(dt.timedelta(hours=1, minutes=5)) == "1 hour 5 minutes"
    assert p.duration_text(dt.timedelta(days=1, hours=3, minutes=10)) == "1 day 3 hours"
    assert p.duration_text(dt.timedelta(days=4)) == "4 days"


def test_due_text_names_today_tomorrow_and_yesterday_by_the_london_day():
    now = _at(2026, 11, 23, 12)
    assert p.due_text(_at(2026, 11, 23, 15), now) == "Today at 3pm"
    assert p.due_text(_at(2026, 11, 24, 9, 30), now) == "Tomorrow at 9:30am"
    assert p.due_text(_at(2026, 11, 22, 23, 30), now) == "Yesterday at 11:30pm"
    assert p.due_text(_at(2026, 11, 30, 12), now) == "30 November 2026 at midday"


def test_an_action_due_just_before_midnight_is_yesterdays_once_midnight_passes():
    due = _at(2026, 7, 1, 23, 50)  # BST: 22:50 UTC
    now = _at(2026, 7, 2, 0, 5)
    assert p.due_text(due, now) == "Yesterday at 11:50pm"
    assert p.overdue_by(due, now) == dt.timedelta(minutes=15)


def test_overdue_by_is_real_time_across_the_spring_clock_change():
    due = dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)  # 00:30 GMT
    now = dt.datetime(2027, 3, 28, 3, 30, tzinfo=LONDON)  # 03:30 BST = 02:30 UTC
    assert p.overdue_by(due, now) == dt.timedelta(hours=2)


def test_overdue_by_is_real_time_across_the_autumn_clock_change():
    due = dt.datetime(2027, 10, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 BST
    now = dt.datetime(2027, 10, 31, 2, 30, tzinfo=dt.UTC)  # 02:30 GMT
    assert p.overdue_by(due, now) == dt.timedelta(hours=3)


def test_an_action_not_yet_due_is_not_overdue():
    now = _at(2026, 11, 23, 12)
    assert p.overdue_by(_at(2026, 11, 23, 12, 1), now) is None
    assert p.overdue_tag(_action(_at(2026, 11, 23, 13)), now) is None


def test_the_overdue_tag_is_red_and_says_how_long():
    now = _at(2026, 11, 23, 12)
    tag = p.overdue_tag(_action(_at(2026, 11, 23, 9, 45)), now)
    assert tag == {"text": "Overdue by 2 hours 15 minutes", "classes": "nhsuk-tag--red"}


def test_a_done_action_is_never_overdue():
    now = _at(2026, 11, 23, 12)
    assert p.overdue_tag(_action(_at(2026, 11, 22, 9), status="done"), now) is None
    assert p.status_tag(_action(_at(2026, 11, 22, 9), status="done"), now)["text"] == "Done"


def test_tasks_group_into_overdue_today_and_later():
    now = _at(2026, 11, 23, 12)
    overdue_long = _action(_at(2026, 11, 22, 9))
    overdue_short = _action(_at(2026, 11, 23, 11))
    today = _action(_at(2026, 11, 23, 23, 59))
    tomorrow = _action(_at(2026, 11, 24, 0, 1))

    groups = p.group_tasks([tomorrow, today, overdue_short, overdue_long], now)

    assert groups.overdue == [overdue_long, overdue_short]
    assert groups.today == [today]
    assert groups.later == [tomorrow]
    assert [key for key, _, _ in groups.sections] == ["overdue", "today", "later"]
    assert len(groups) == 4


def test_the_audit_names_each_person_once():
    actions = [_action(_at(2026, 11, 23, 9), person_id=x) for x in ("a", "b", "a")]
    assert p.person_ids(actions) == ["a", "b"]

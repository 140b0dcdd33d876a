import datetime as dt

import pytest

from crisis_care.core.clock import LONDON
from crisis_care.core.roles import Role
from crisis_care.workforce import presenters


@pytest.mark.parametrize(
    ("hour", "expected"),
    [(4, "Hello"), (5, "Good morning"), (11, "Good morning"), (12, "Good afternoon"),
     (17, "Good afternoon"), (18, "Good evening"), (23, "Good evening")],
)  # fmt: skip
def test_it_greets_by_the_time_of_day_in_london(hour: int, expected: str) -> None:
    assert presenters.greeting(dt.datetime(2026, 7, 1, hour, 30, tzinfo=LONDON)) == expected


def test_it_greets_by_london_time_not_utc() -> None:
    # 11:30 UTC is 12:30 BST.
    assert presenters.greeting(dt.datetime(2026, 7, 1, 11, 30, tzinfo=dt.UTC)) == "Good afternoon"


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (dt.timedelta(hours=8, minutes=30), "8 hours 30 minutes"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(hours=12), "12 hours"),
        (dt.timedelta(minutes=45), "45 minutes"),
        (dt.timedelta(hours=1, minutes=1), "1 hour 1 minute"),
        (dt.timedelta(0), "0 minutes"),
    ],
)
def test_it_writes_lengths_of_time_in_words(length: dt.timedelta, expected: str) -> None:
    assert presenters.duration_text(length) == expected


def test_it_measures_real_time_even_for_london_aware_times() -> None:
    starts = dt.datetime(2026, 10, 24, 21, 0, tzinfo=LONDON)
    ends = dt.datetime(2026, 10, 25, 7, 30, tzinfo=LONDON)
    assert presenters.shift_length(starts, ends) == "11 hours 30 minutes"


def test_it_writes_shift_times_in_london_time() -> None:
    starts = dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC)  # 7am BST
    ends = dt.datetime(2026, 7, 1, 14, 30, tzinfo=dt.UTC)  # 3:30pm BST
    assert presenters.shift_times(starts, ends) == "7am to 3:30pm"


def test_it_notes_when_the_clocks_go_back_during_a_shift() -> None:
    starts = dt.datetime(2026, 10, 24, 20, 0, tzinfo=dt.UTC)
    ends = dt.datetime(2026, 10, 25, 7, 30, tzinfo=dt.UTC)
    assert "go back 1 hour" in presenters.clock_change_note(starts, ends)


def test_it_notes_when_the_clocks_go_forward_during_a_shift() -> None:
    starts = dt.datetime(2026, 3, 28, 21, 0, tzinfo=dt.UTC)
    ends = dt.datetime(2026, 3, 29, 6, 30, tzinfo=dt.UTC)
    assert "go forward 1 hour" in presenters.clock_change_note(starts, ends)


def test_it_says_nothing_on_an_ordinary_night() -> None:
    starts = dt.datetime(2026, 3, 3, 21, 0, tzinfo=dt.UTC)
    assert presenters.clock_change_note(starts, starts + dt.timedelta(hours=10, minutes=30)) == ""


def test_it_names_shifts_without_saying_shift_twice() -> None:
    assert presenters.shift_name("Night") == "Night shift"
    assert presenters.shift_name("Twilight shift") == "Twilight shift"


def test_it_writes_the_day_in_full() -> None:
    assert presenters.day_long(dt.date(2026, 10, 24)) == "Saturday 24 October 2026"


def test_it_summarises_a_team_on_shift() -> None:
    summary = presenters.TeamSummary(count=1, coordinators=[], registered_count=1)
    assert summary.text == "1 person on shift now, 1 registered practitioner"
    assert summary.coordinator_text == "No coordinator on shift"
    summary = presenters.TeamSummary(count=4, coordinators=["Ada Lovelace"], registered_count=0)
    assert summary.text == "4 people on shift now, 0 registered practitioners"
    assert summary.coordinator_text == "Ada Lovelace"


def names(role: Role) -> list[str]:
    return [link.text for link in presenters.task_links(role)]


def test_a_registered_practitioner_can_find_people_but_not_review_access() -> None:
    tasks = names(Role.REGISTERED_PRACTITIONER)
    assert {"Find a person", "Who is on now", "Rota", "Staff"} <= set(tasks)
    assert "Access reviews" not in tasks


def test_a_team_manager_gets_the_workforce_tasks_and_access_reviews() -> None:
    tasks = names(Role.TEAM_MANAGER)
    assert {"Find a person", "Who is on now", "Rota", "Staff", "Access reviews"} <= set(tasks)


def test_the_tasks_follow_the_header_navigation_without_home() -> None:
    tasks = names(Role.TEAM_MANAGER)
    assert "Home" not in tasks
    assert tasks.index("Who is on now") < tasks.index("Rota") < tasks.index("Staff")


def test_an_auditor_reviews_access_and_sees_performance_figures() -> None:
    assert names(Role.IG_AUDITOR) == ["Access reviews", "Performance"]


def test_a_system_administrator_cannot_find_people() -> None:
    tasks = names(Role.SYSTEM_ADMINISTRATOR)
    assert {"Who is on now", "Rota", "Staff"} <= set(tasks)
    assert "Find a person" not in tasks
    assert "Access reviews" not in tasks


def test_every_task_has_a_description() -> None:
    for role in Role:
        assert all(link.description for link in presenters.task_links(role)), role


def test_the_rota_task_says_editors_can_change_it() -> None:
    rota = {link.text: link for link in presenters.task_links(Role.ADMINISTRATOR)}["Rota"]
    assert "put staff on shifts" in rota.description
    rota = {link.text: link for link in presenters.task_links(Role.DOCTOR)}["Rota"]
    assert "put staff on shifts" not in rota.description

"""Display values for the handover: rating changes in words, the period covered, visit
staffing and which shift is taking over."""

import datetime as dt
from types import SimpleNamespace

from crisis_care.core.clock import local_instant
from crisis_care.treatment.presenters import handover as p
from crisis_care.treatment.selectors.handover import RiskRow


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return local_instant(dt.date(2026, 11, day), dt.time(hour, minute))


def _row(rating: str, before: str | None) -> RiskRow:
    return RiskRow(
        episode=None,  # type: ignore[arg-type]
        rating=rating,
        summary="",
        reason="",
        set_at=_at(23, 9),
        before=before,
    )


def test_a_change_of_rating_reads_from_and_to():
    assert p.change_text(_row("red", "amber")) == "Changed from amber to red"
    assert p.change_text(_row("green", None)) == "First rated green since the last handover"
    assert p.change_text(_row("red", "red")) == ""


def test_rating_tags_use_the_teams_colours():
    assert p.rating_tag("red") == {"text": "Red", "classes": "nhsuk-tag--red"}
    assert p.rating_tag("amber")["classes"] == "nhsuk-tag--orange"
    assert p.rating_tag(None)["text"] == "Not rated"


def test_times_are_said_relative_to_today_in_london():
    now = _at(23, 8)
    assert p.when_text(_at(23, 7, 30), now) == "7:30am"
    assert p.when_text(_at(22, 21), now) == "yesterday at 9pm"
    assert p.when_text(_at(24, 7), now) == "tomorrow at 7am"
    assert p.when_text(_at(20, 7), now) == "20 November 2026 at 7am"


def test_the_period_names_the_last_handover_or_says_there_was_none_recently():
    now = _at(23, 8)
    last = SimpleNamespace(given_at=_at(22, 21, 30), given_by="Nia Okoro")
    recent = SimpleNamespace(last_handover=last, since=last.given_at, now=now)
    stale = SimpleNamespace(last_handover=None, since=now - dt.timedelta(hours=24), now=now)
    assert p.since_text(recent) == (  # type: ignore[arg-type]
        "Since the last handover, given by Nia Okoro yesterday at 9:30pm"
    )
    assert p.since_text(stale) == (  # type: ignore[arg-type]
        "In the last 24 hours (no handover has been recorded since yesterday at 8am)"
    )


def test_a_time_after_a_verb_reads_naturally():
    now = _at(23, 8)
    assert p.when_phrase(_at(23, 7, 30), now) == "at 7:30am"
    assert p.when_phrase(_at(22, 21), now) == "yesterday at 9pm"
    assert p.when_phrase(_at(20, 7), now) == "on 20 November 2026 at 7am"


def test_a_visit_short_of_staff_shows_the_gap():
    links = [SimpleNamespace(staff="Tom Reyes")]
    visit = SimpleNamespace(
        staff_needed=2,
        assigned=1,
        staff_links=SimpleNamespace(all=lambda: links),
        window_end=_at(23, 11),
    )
    assert p.staffing_gap(visit) == 1  # type: ignore[arg-type]
    assert p.staffing_text(visit) == "Tom Reyes (needs 2)"  # type: ignore[arg-type]
    tags = p.visit_tags(visit, now=_at(23, 12))  # type: ignore[arg-type]
    assert [t["text"] for t in tags] == ["Staffing gap", "Window passed: no contact recorded"]


def test_names_are_joined_as_a_sentence():
    assert p.names_text([]) == ""
    assert p.names_text(["Jo Patel"]) == "Jo Patel"
    assert p.names_text(["Ali Khan", "Jo Patel"]) == "Ali Khan and Jo Patel"
    assert p.names_text(["A", "B", "C"]) == "A, B and C"


def test_the_shift_taking_over_is_the_one_starting_nearest_now():
    now = _at(23, 7, 35)
    night = SimpleNamespace(starts_at=_at(22, 21, 30))
    day = SimpleNamespace(starts_at=_at(23, 7, 30))
    late = SimpleNamespace(starts_at=_at(23, 14))
    shifts = [(late, True), (night, False), (day, False)]
    assert p.taking_over(shifts, now) is day  # type: ignore[arg-type]
    assert p.taking_over([], now) is None


def test_the_period_to_come_ends_at_midnight_or_the_end_of_the_next_shift():
    now = _at(23, 15)
    assert p.until_text(SimpleNamespace(until=_at(24, 0), now=now)) == "Until midnight tonight"  # type: ignore[arg-type]
    assert p.until_text(SimpleNamespace(until=_at(24, 7, 30), now=now)) == (  # type: ignore[arg-type]
        "Until tomorrow at 7:30am"
    )

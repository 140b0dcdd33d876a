"""Display values for visits and contacts (no database: unsaved instances)."""

import datetime as dt

import pytest

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.treatment.models import CareContact, Episode, Visit
from crisis_care.treatment.presenters import visits as p
from crisis_care.treatment.services.visits import VisitDetails

DAY = dt.date(2026, 3, 3)


def visit(start=(9, 30), end=(10, 30), day=DAY, **fields) -> Visit:
    return Visit(
        window_start=local_instant(day, dt.time(*start)),
        window_end=local_instant(day, dt.time(*end)),
        **fields,
    )


def contact(started, ended, written=None, **fields) -> CareContact:
    return CareContact(
        started_at=started,
        ended_at=ended,
        note_written_at=written,
        medium=fields.pop("medium", "01"),
        location=fields.pop("location", "home"),
        attendance=fields.pop("attendance", "attended"),
        **fields,
    )


def test_a_window_reads_in_london_time_in_the_nhs_style():
    assert p.window_text(visit((9, 30), (10, 30))) == "9:30am to 10:30am"
    assert p.window_text(visit((11, 30), (12, 0))) == "11:30am to midday"
    summer = visit((9, 0), (10, 0), day=dt.date(2026, 7, 1))
    assert summer.window_start.hour == 8  # 9am BST is 8am UTC
    assert p.window_text(summer) == "9am to 10am"


def test_days_are_named_relative_to_today():
    assert p.day_heading(DAY, DAY) == "Today, Tuesday 3 March 2026"
    assert p.day_heading(DAY + dt.timedelta(days=1), DAY) == "Tomorrow, Wednesday 4 March 2026"
    assert p.day_heading(DAY - dt.timedelta(days=1), DAY) == "Yesterday, Monday 2 March 2026"
    assert p.day_heading(DAY + dt.timedelta(days=3), DAY) == "Friday 6 March 2026"


def test_visits_group_by_the_london_day_not_the_utc_one():
    # 11:30pm BST on 1 July is 10:30pm UTC; 12:30am BST on 2 July is 11:30pm UTC on 1 July.
    late = visit((23, 0), (23, 30), day=dt.date(2026, 7, 1))
    after_midnight = visit((0, 30), (1, 0), day=dt.date(2026, 7, 2))
    assert after_midnight.window_start.astimezone(dt.UTC).day == 1

    groups = p.by_london_day([late, after_midnight])

    assert [day for day, _ in groups] == [dt.date(2026, 7, 1), dt.date(2026, 7, 2)]


def test_needs_read_as_a_sentence():
    assert p.needs_text(visit()) == ""
    assert p.needs_text(visit(needs_registered_practitioner=True)) == (
        "Needs a registered practitioner"
    )
    assert (
        p.needs_text(
            visit(
                needs_registered_practitioner=True, needs_prescriber=True, needs_psychologist=True
            )
        )
        == "Needs a registered practitioner, a prescriber and a psychologist"
    )


def test_a_status_has_a_coloured_tag():
    assert p.status_tag(visit(status="planned")) == {
        "text": "Planned",
        "classes": "nhsuk-tag--blue",
    }
    assert p.status_tag(visit(status="not_at_home"))["text"] == "Not at home"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, "Within the window"),
        (20, "20 minutes after the window"),
        (-5, "5 minutes before the window"),
        (75, "1 hour 15 minutes after the window"),
        (1, "1 minute after the window"),
    ],
)
def test_the_arrival_is_described_against_the_window(minutes, text):
    assert p.arrival_text(minutes) == text


def test_durations_read_in_hours_and_minutes():
    assert p.duration_words(45) == "45 minutes"
    assert p.duration_words(60) == "1 hour"
    assert p.duration_words(125) == "2 hours 5 minutes"


def test_a_note_written_up_after_midnight_london_is_late_even_on_the_same_utc_day():
    # 11:30pm BST on 1 July (10:30pm UTC); written up at 12:10am BST on 2 July (11:10pm UTC, 1 July).
    started = dt.datetime(2026, 7, 1, 23, 30, tzinfo=LONDON)
    written = dt.datetime(2026, 7, 2, 0, 10, tzinfo=LONDON)
    assert started.astimezone(dt.UTC).date() == written.astimezone(dt.UTC).date()

    late = contact(started, started + dt.timedelta(minutes=20), written)

    assert p.written_up_late(late)
    assert p.contact_flags(late, dt.date(2026, 7, 2))[0] == {
        "text": "Written up late",
        "classes": "nhsuk-tag--orange",
    }


def test_a_note_written_the_same_london_day_is_not_late():
    started = dt.datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)
    on_time = contact(started, started, dt.datetime(2026, 3, 3, 23, 59, tzinfo=LONDON))
    assert not p.written_up_late(on_time)
    assert p.contact_flags(on_time, DAY) == []


def test_a_missing_note_is_to_write_up_today_and_overdue_after():
    started = dt.datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)
    pending = contact(started, started)
    assert [f["text"] for f in p.contact_flags(pending, DAY)] == ["Note to write up"]
    assert [f["text"] for f in p.contact_flags(pending, DAY + dt.timedelta(days=1))] == [
        "Not written up"
    ]


def test_an_arrival_more_than_an_hour_outside_the_window_is_flagged():
    started = dt.datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)
    written = started

    def flags(minutes):
        return [
            f["text"]
            for f in p.contact_flags(
                contact(started, started, written, minutes_outside_window=minutes), DAY
            )
        ]

    assert flags(60) == []
    assert flags(61) == ["More than an hour late"]
    assert flags(-61) == ["More than an hour early"]


def test_a_contact_summary_says_what_how_where_and_how_long():
    started = dt.datetime(2026, 3, 3, 10, 5, tzinfo=LONDON)
    seen = contact(started, started + dt.timedelta(minutes=45))
    assert p.contact_summary(seen) == "Seen, face to face at home, 10:05am to 10:50am (45 minutes)"
    call = contact(started, started + dt.timedelta(minutes=10), medium="02", location="")
    assert p.contact_summary(call) == "Seen, phone, 10:05am to 10:15am (10 minutes)"


def test_a_phone_number_becomes_a_tap_to_call_link():
    assert p.tel_href("07700 900 123") == "tel:07700900123"
    assert p.tel_href("+44 116 496 0000") == "tel:+441164960000"


def test_a_paired_visit_warns_when_only_one_is_going():
    episode = Episode(paired_visits_required=True, paired_visits_reason="Dog bit a nurse")
    planned = visit(episode=episode)
    planned._prefetched_objects_cache = {"staff_links": []}

    assert p.paired_warning(planned) == (
        "Two staff must go (Dog bit a nurse). Only one member of staff is "
        "assigned: do not go alone."
    )
    assert p.paired_warning(visit(episode=Episode())) == ""


def test_a_patterns_preview_lists_london_days_and_times():
    windows = [
        (
            local_instant(dt.date(2026, 3, 28), dt.time(9, 30)),
            local_instant(dt.date(2026, 3, 28), dt.time(10, 30)),
        ),
        (
            local_instant(dt.date(2026, 3, 29), dt.time(9, 30)),
            local_instant(dt.date(2026, 3, 29), dt.time(10, 30)),
        ),
    ]

    assert p.windows_by_day(windows, dt.date(2026, 3, 27)) == [
        ("Tomorrow, Saturday 28 March 2026", ["9:30am to 10:30am"]),
        ("Sunday 29 March 2026", ["9:30am to 10:30am"]),
    ]
    assert p.pattern_summary(2, windows) == "2 visits from 28 March 2026 to 29 March 2026"


def test_the_details_of_a_pattern_read_as_rows():
    rows = p.details_rows(
        VisitDetails(staff_needed=2, needs=frozenset({"prescriber"}), expected_minutes=60)
    )
    assert [(r["key"]["text"], r["value"]["text"]) for r in rows] == [
        ("Where", "At home"),
        ("Staff on each visit", "Two"),
        ("Needs", "A prescriber"),
        ("Expected length", "1 hour"),
        ("Purpose", "Not given"),
    ]

"""Each figure against hand-built records whose right answer is known, including the issue's
edge cases: a referral received before the period and contacted in it, a breach across
midnight, the clock changes (25 October and 29 March 2026 in London), working days over a bank
holiday, the 72-hour follow-up and re-referral within 28 days. And values() reads a fixed
number of queries however many periods or records."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.referrals.models import Pathway, Priority, Status
from crisis_care.reporting.measures import MEASURES
from crisis_care.reporting.period import Period, months, weeks
from crisis_care.reporting.selectors.figures import Value, records, referral_breakdown, values
from crisis_care.treatment.models import Attendance, Medium, VisitLocation
from crisis_care.workforce.models import Team

from .test_figures_data import Build, london, utc

pytestmark = pytest.mark.django_db

SEPTEMBER = Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
NOW = utc(2026, 12, 15, 12)


@pytest.fixture
def build(team: Team, practitioner: User) -> Build:
    return Build(team, practitioner)


def one(key: str, team: Team, period: Period = OCTOBER, now: dt.datetime = NOW) -> Value:
    return values(team=team, periods=[period], keys=[key], now=now)[key][0]


# -- Referrals ---------------------------------------------------------------------------------


def test_referrals_are_counted_in_the_london_day_they_were_received(
    build: Build, team: Team
) -> None:
    build.referral(london(dt.date(2026, 9, 30), 23, 0))  # 22:00 UTC: September
    build.referral(utc(2026, 9, 30, 23, 30))  # 00:30 on 1 October in London (BST)
    build.referral(utc(2026, 10, 31, 23, 30))  # 23:30 on 31 October (GMT again)
    build.referral(utc(2026, 11, 1, 0, 0))  # midnight: November
    got = values(team=team, periods=[SEPTEMBER, OCTOBER, NOVEMBER], keys=["referrals"], now=NOW)
    assert [v.numerator for v in got["referrals"]] == [1, 2, 1]
    assert [v.value for v in got["referrals"]] == [1.0, 2.0, 1.0]
    assert got["referrals"][0].denominator is None


def test_a_referral_received_before_the_period_and_contacted_in_it_is_not_in_its_figures(
    build: Build, team: Team
) -> None:
    received = london(dt.date(2026, 9, 30), 17, 0)
    build.referral(
        received,
        referrer_responded_at=received + dt.timedelta(minutes=10),
        first_contact_at=london(dt.date(2026, 10, 1), 9, 0),  # the next day: a breach
    )
    for key in ("referrals", "referrer_response_30m", "first_contact_same_day"):
        october = one(key, team)
        assert october.numerator == 0 and october.denominator in (None, 0)
    september = one("first_contact_same_day", team, SEPTEMBER)
    assert (september.numerator, september.denominator) == (0, 1)
    assert one("referrer_response_30m", team, SEPTEMBER).value == 100.0


def test_referrer_response_breached_across_midnight(build: Build, team: Team) -> None:
    late = london(dt.date(2026, 10, 6), 23, 50)
    build.referral(late, referrer_responded_at=late + dt.timedelta(minutes=35))  # 00:25: breach
    early = london(dt.date(2026, 10, 6), 23, 40)
    build.referral(early, referrer_responded_at=early + dt.timedelta(minutes=25))  # 00:05: met
    no_answer = london(dt.date(2026, 10, 7), 10, 0)
    build.referral(no_answer)  # still open, never responded to: breached long ago
    declined = london(dt.date(2026, 10, 8), 10, 0)
    build.referral(  # declined within 10 minutes with no response: the clock stopped
        declined, status=Status.DECLINED, closed_at=declined + dt.timedelta(minutes=10)
    )
    build.referral(  # the council pathway has its own clock
        london(dt.date(2026, 10, 9), 10, 0), pathway=Pathway.COUNCIL_CRS
    )
    got = one("referrer_response_30m", team)
    assert (got.numerator, got.denominator) == (1, 3)
    assert got.value == pytest.approx(33.333, abs=0.01)

    rows = records(key="referrer_response_30m", team=team, period=OCTOBER, now=NOW)
    assert [r.met for r in rows] == [False, False, True]  # breaches first, oldest first
    assert rows[0].at == late
    assert dict(rows[0].facts)["Referrer responded to"] == late + dt.timedelta(minutes=35)


def test_a_clock_still_running_is_not_counted_yet(build: Build, team: Team) -> None:
    received = london(dt.date(2026, 10, 31), 23, 50)
    build.referral(received)
    now = received + dt.timedelta(minutes=10)
    got = one("referrer_response_30m", team, now=now)
    assert (got.numerator, got.denominator) == (0, 0)
    assert got.value is None
    assert one("referrer_response_30m", team).denominator == 1  # by December it has breached


def test_first_contact_same_day_across_the_october_clock_change(build: Build, team: Team) -> None:
    # After 18:00 on Saturday 24 October (BST) the target is noon on Sunday 25 October, which
    # is GMT: 12:00 UTC, 25 real hours after 19:00 BST on the 24th less 1 hour... so an
    # instant-based "18 hours later" rule would be wrong here.
    evening = london(dt.date(2026, 10, 24), 19, 0)
    build.referral(evening, first_contact_at=utc(2026, 10, 25, 11, 30))  # 11:30 GMT: met
    build.referral(evening, first_contact_at=utc(2026, 10, 25, 12, 30))  # 12:30 GMT: breach
    # Received at 00:30 BST on the 25th (23:30 UTC on the 24th): same London day is the 25th.
    small_hours = utc(2026, 10, 24, 23, 30)
    build.referral(small_hours, first_contact_at=utc(2026, 10, 25, 23, 30))  # 23:30 GMT: met
    daytime = london(dt.date(2026, 10, 8), 10, 0)
    build.referral(daytime, first_contact_at=london(dt.date(2026, 10, 9), 9, 0))  # next day
    got = one("first_contact_same_day", team)
    assert (got.numerator, got.denominator) == (2, 4)
    rows = records(key="first_contact_same_day", team=team, period=OCTOBER, now=NOW)
    due = {r.at: dict(r.facts)["First contact due by"] for r in rows}
    assert due[evening] == utc(2026, 10, 25, 12, 0)
    assert due[small_hours] == utc(2026, 10, 26, 0, 0)


def test_first_contact_across_the_march_clock_change(build: Build, team: Team) -> None:
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # 23:30 GMT on Saturday 28 March: the target is noon BST on the 29th, 11:00 UTC.
    evening = london(dt.date(2026, 3, 28), 23, 30)
    build.referral(evening, first_contact_at=utc(2026, 3, 29, 10, 59))  # 11:59 BST: met
    build.referral(evening, first_contact_at=utc(2026, 3, 29, 11, 30))  # 12:30 BST: breach
    got = one("first_contact_same_day", team, march)
    assert (got.numerator, got.denominator) == (1, 2)


def test_face_to_face_within_4_and_24_hours(build: Build, team: Team) -> None:
    at = london(dt.date(2026, 10, 10), 22, 0)
    build.referral(
        at, priority=Priority.VERY_URGENT, face_to_face_at=at + dt.timedelta(hours=3, minutes=59)
    )
    build.referral(  # 4 hours 1 minute, across midnight: a breach
        at, priority=Priority.VERY_URGENT, face_to_face_at=at + dt.timedelta(hours=4, minutes=1)
    )
    build.referral(at, priority=Priority.URGENT, face_to_face_at=at + dt.timedelta(hours=23))
    build.referral(at, priority=Priority.ROUTINE, face_to_face_at=at + dt.timedelta(days=3))
    running = london(dt.date(2026, 10, 31), 12, 0)
    build.referral(running, priority=Priority.URGENT)  # seen tomorrow, perhaps
    got = values(
        team=team,
        periods=[OCTOBER],
        keys=["f2f_4h_very_urgent", "f2f_24h_urgent"],
        now=running + dt.timedelta(hours=2),
    )
    assert (got["f2f_4h_very_urgent"][0].numerator, got["f2f_4h_very_urgent"][0].denominator) == (
        1,
        2,
    )
    assert (got["f2f_24h_urgent"][0].numerator, got["f2f_24h_urgent"][0].denominator) == (1, 1)


def test_council_crisis_response_within_2_hours(build: Build, team: Team) -> None:
    at = london(dt.date(2026, 10, 13), 9, 0)
    crs = Pathway.COUNCIL_CRS
    build.referral(at, pathway=crs, face_to_face_at=at + dt.timedelta(minutes=90))
    build.referral(at, pathway=crs, face_to_face_at=at + dt.timedelta(minutes=150))
    build.referral(at, face_to_face_at=at + dt.timedelta(minutes=90))  # mental health: not CRS
    got = one("crs_2h_response", team)
    assert (got.numerator, got.denominator, got.value) == (1, 2, 50.0)


def test_referrals_by_source_and_priority(build: Build, team: Team) -> None:
    at = london(dt.date(2026, 10, 13), 9, 0)
    build.referral(at, source="gp", priority=Priority.URGENT)
    build.referral(at, source="gp", priority=Priority.VERY_URGENT)
    build.referral(at, source="self", priority=Priority.URGENT)
    build.referral(london(dt.date(2026, 11, 1), 9, 0), source="self")  # November
    got = referral_breakdown(team=team, period=OCTOBER)
    assert got.total == 3
    assert dict(got.by_source)["GP"] == 2
    assert dict(got.by_source)["Self-referral"] == 1
    assert dict(got.by_source)["Crisis café"] == 0
    assert dict(got.by_priority) == {"Emergency": 0, "Very urgent": 1, "Urgent": 2, "Routine": 0}


# -- Admissions, episodes, contacts ------------------------------------------------------------


def test_gatekept_admissions(build: Build, team: Team, other_team: Team) -> None:
    build.admission(london(dt.date(2026, 10, 3), 15, 0), gatekept=True)
    build.admission(london(dt.date(2026, 10, 4), 15, 0), gatekept=False)
    build.admission(london(dt.date(2026, 9, 4), 15, 0), gatekept=False)  # September
    Build(other_team, build.by).admission(london(dt.date(2026, 10, 4), 15, 0), gatekept=False)
    got = one("gatekept_admissions", team)
    assert (got.numerator, got.denominator, got.value) == (1, 2, 50.0)


def test_episodes_under_6_weeks_and_carers_offered_support(build: Build, team: Team) -> None:
    start = london(dt.date(2026, 9, 1), 10, 0)
    short = build.episode(start, closed_at=start + dt.timedelta(days=41))  # 12 October
    long = build.episode(start, closed_at=start + dt.timedelta(days=43))  # 14 October
    build.episode(start, closed_at=start + dt.timedelta(days=20))  # September
    build.episode(start)  # still open
    build.carer_offer(short, offered=True)
    build.carer_offer(long, offered=False)
    under = one("episodes_under_6_weeks", team)
    assert (under.numerator, under.denominator) == (1, 2)
    carers = one("carers_offered_support", team)
    assert (carers.numerator, carers.denominator) == (1, 2)


def test_seen_at_least_7_times_in_the_first_week(build: Build, team: Team) -> None:
    start = london(dt.date(2026, 10, 1), 9, 0)
    seven = build.episode(start)
    for n in range(7):
        build.contact(seven, start + dt.timedelta(hours=20 * n + 1))
    six = build.episode(start)
    for n in range(6):
        build.contact(six, start + dt.timedelta(hours=20 * n + 1))
    build.contact(six, start + dt.timedelta(days=2), attendance=Attendance.NOT_AT_HOME)
    build.contact(six, start + dt.timedelta(days=3), medium=Medium.TELEPHONE)
    build.contact(six, start + dt.timedelta(days=7, minutes=1))  # day 8
    build.episode(london(dt.date(2026, 10, 30), 9, 0))  # not a week old yet
    got = one("seen_7_times_week_1", team, now=london(dt.date(2026, 11, 2), 9, 0))
    assert (got.numerator, got.denominator) == (1, 2)
    rows = records(
        key="seen_7_times_week_1", team=team, period=OCTOBER, now=london(dt.date(2026, 11, 2), 9)
    )
    assert [dict(r.facts)["Seen face to face in the first 7 days"] for r in rows] == [6, 7]


def test_contacts_at_home_and_days_with_a_30_minute_visit(build: Build, team: Team) -> None:
    episode = build.episode(london(dt.date(2026, 10, 1), 9, 0))
    day1, day2 = dt.date(2026, 10, 2), dt.date(2026, 10, 3)
    build.contact(episode, london(day1, 10), minutes=35)
    build.contact(episode, london(day1, 17), minutes=20, location=VisitLocation.TEAM_BASE)
    build.contact(episode, london(day2, 10), minutes=20)
    build.contact(episode, london(day2, 23, 50), minutes=40)  # ends after midnight: still day 2
    build.contact(episode, london(day2, 12), minutes=60, medium=Medium.TELEPHONE)  # not seen
    build.contact(episode, london(day2, 14), minutes=60, attendance=Attendance.NOT_AT_HOME)
    other = build.episode(london(dt.date(2026, 10, 1), 9, 0))
    build.contact(other, london(day2, 11), minutes=29, location=VisitLocation.OTHER)
    home = one("contacts_at_home", team)
    assert (home.numerator, home.denominator) == (3, 5)
    days = one("visits_30_minutes", team)
    assert (days.numerator, days.denominator) == (2, 3)
    rows = records(key="visits_30_minutes", team=team, period=OCTOBER, now=NOW)
    assert (rows[0].at, rows[0].met) == (day2, False)
    assert sorted((r.at, r.met) for r in rows) == [(day1, True), (day2, False), (day2, True)]


def test_written_plan_within_4_working_days_over_a_bank_holiday(build: Build, team: Team) -> None:
    august = Period(dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    # Thursday 27 August: Friday 28 (1), Monday 31 is the summer bank holiday, Tuesday 1
    # September (2), Wednesday 2 (3), Thursday 3 (4).
    start = london(dt.date(2026, 8, 27), 16, 0)
    build.plan_given(build.episode(start), dt.date(2026, 9, 3))  # met
    build.plan_given(build.episode(start), dt.date(2026, 9, 4))  # a day late
    build.episode(start)  # never given
    late_start = london(dt.date(2026, 8, 31), 10, 0)  # bank holiday start: due Fri 4 Sept
    build.plan_given(build.episode(late_start), dt.date(2026, 9, 4))  # met
    build.episode(late_start)  # not given, but not due until 4 September
    now = london(dt.date(2026, 9, 4), 9, 0)
    got = one("written_plan_4_days", team, august, now=now)
    assert (got.numerator, got.denominator) == (2, 4)
    rows = records(key="written_plan_4_days", team=team, period=august, now=now)
    assert {dict(r.facts)["Plan due by"] for r in rows} == {
        dt.date(2026, 9, 3),
        dt.date(2026, 9, 4),
    }


# -- Discharges --------------------------------------------------------------------------------


def test_discharge_summary_within_3_days(build: Build, team: Team) -> None:
    at = london(dt.date(2026, 10, 10), 15, 0)
    due = dt.date(2026, 10, 13)
    in_time = build.episode(london(dt.date(2026, 9, 20), 10, 0))
    build.discharge(in_time, at, due_on=due)
    build.summary_sent(in_time, due)
    late = build.episode(london(dt.date(2026, 9, 20), 10, 0))
    build.discharge(late, at, due_on=due)
    build.summary_sent(late, due + dt.timedelta(days=1))
    never = build.episode(london(dt.date(2026, 9, 20), 10, 0))
    build.discharge(never, at, due_on=due)
    recent = build.episode(london(dt.date(2026, 10, 1), 10, 0))
    build.discharge(recent, london(dt.date(2026, 10, 30), 10), due_on=dt.date(2026, 11, 2))
    got = one("summary_3_days", team, now=london(dt.date(2026, 11, 1), 10, 0))
    assert (got.numerator, got.denominator) == (1, 3)


def test_follow_up_within_72_hours_of_leaving_a_ward(build: Build, team: Team) -> None:
    left = london(dt.date(2026, 10, 24), 10, 0)  # 72 hours span the clock change on the 25th
    for hours in (71.9, 72.1, None):
        admission = build.admission(left - dt.timedelta(days=10), gatekept=True)
        admission.discharged_at = left
        admission.save(update_fields=["discharged_at"])
        episode = build.episode(
            left - dt.timedelta(hours=1), person=admission.person, early_discharge_from=admission
        )
        if hours is not None:
            build.contact(episode, left + dt.timedelta(hours=hours), medium=Medium.TELEPHONE)
    got = one("follow_up_72h", team, now=left + dt.timedelta(hours=50))
    # Only the one followed up counts while the others' 72 hours are running.
    assert (got.numerator, got.denominator) == (1, 2)
    got = one("follow_up_72h", team)
    assert (got.numerator, got.denominator) == (1, 3)
    rows = records(key="follow_up_72h", team=team, period=OCTOBER, now=NOW)
    assert [r.met for r in rows] == [False, False, True]
    assert sorted(dict(r.facts)["Followed up"] is None for r in rows[:2]) == [False, True]


def test_re_referred_or_admitted_within_28_days_of_discharge(build: Build, team: Team) -> None:
    at = london(dt.date(2026, 10, 5), 15, 0)
    started = london(dt.date(2026, 9, 20), 10, 0)
    due = dt.date(2026, 10, 8)
    rereferred = build.episode(started)
    build.discharge(rereferred, at, due_on=due)
    build.re_referral(rereferred, at + dt.timedelta(days=10), days=10)
    admitted = build.episode(started)
    build.discharge(admitted, at, due_on=due)
    build.admission(at + dt.timedelta(days=20), gatekept=True, person=admitted.person)
    later = build.episode(started)
    build.discharge(later, at, due_on=due)
    build.re_referral(later, at + dt.timedelta(days=40), days=40)  # after 28 days
    to_ward = build.episode(started)
    build.discharge(to_ward, at, outcome="admitted", due_on=due)  # left out
    got = one("rereferral_28_days", team)
    assert (got.numerator, got.denominator) == (2, 3)


# -- Caseload ----------------------------------------------------------------------------------


def test_caseload_per_14_clinical_staff(
    build: Build, team: Team, staff_user: Callable[..., User]
) -> None:
    for _ in range(6):  # the practitioner makes 7 clinical staff
        staff_user(Role.SUPPORT_WORKER)
    staff_user(Role.ADMINISTRATOR)  # not clinical
    staff_user(Role.DOCTOR)  # medical staff are not in the 14
    start = london(dt.date(2026, 9, 1), 10, 0)
    for _ in range(3):
        build.episode(start)  # open all month
    build.episode(start, closed_at=london(dt.date(2026, 10, 20), 10, 0))  # open 19 nights
    build.episode(london(dt.date(2026, 10, 25), 10, 0))  # open 7 nights
    got = one("caseload_per_14_fte", team)
    # Open at the end of each day: 4 (1-19 Oct), 3 (20-24), 4 (25-31): median 4.
    assert (got.numerator, got.denominator) == (4, 7)
    assert got.value == pytest.approx(8.0)
    assert len(records(key="caseload_per_14_fte", team=team, period=OCTOBER, now=NOW)) == 5


# -- The fixed number of queries ---------------------------------------------------------------


def _queries(team: Team, periods: list[Period]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        values(team=team, periods=periods, now=NOW)
    return len(ctx.captured_queries)


def test_values_reads_a_fixed_number_of_queries(build: Build, team: Team) -> None:
    year = months(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert len(year) == 12
    few = _queries(team, [OCTOBER])
    assert _queries(team, year) == few
    assert _queries(team, weeks(dt.date(2026, 1, 1), dt.date(2026, 12, 31))) == few
    for n in range(4):
        at = london(dt.date(2026, 10, 2 + n), 10, 0)
        episode = build.episode(at)
        build.contact(episode, at + dt.timedelta(hours=2))
        build.discharge(episode, at + dt.timedelta(days=5), due_on=dt.date(2026, 10, 12 + n))
        build.referral(at, first_contact_at=at + dt.timedelta(hours=1))
    assert _queries(team, [OCTOBER]) == few
    assert _queries(team, year) == few
    all_values = values(team=team, periods=year, now=NOW)
    assert set(all_values) == {m.key for m in MEASURES}
    assert all(len(series) == 12 for series in all_values.values())
    assert all_values["referrals"][9].numerator == 8  # 4 referrals and 4 behind the episodes


def test_records_read_a_fixed_number_of_queries(build: Build, team: Team) -> None:
    def count(key: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            records(key=key, team=team, period=OCTOBER, now=NOW)
        return len(ctx.captured_queries)

    before = {m.key: count(m.key) for m in MEASURES}
    for n in range(3):
        at = london(dt.date(2026, 10, 2 + n), 10, 0)
        episode = build.episode(at, closed_at=at + dt.timedelta(days=3))
        build.contact(episode, at + dt.timedelta(hours=2))
        build.referral(at, first_contact_at=at + dt.timedelta(hours=1))
    assert {m.key: count(m.key) for m in MEASURES} == before
    assert max(before.values()) <= 1


def test_first_contact_over_a_year_of_months_spanning_both_clock_changes(
    build: Build, team: Team
) -> None:
    spring = london(dt.date(2026, 3, 28), 23, 30)
    build.referral(spring, first_contact_at=utc(2026, 3, 29, 10, 59))  # 11:59 BST: met
    build.referral(spring, first_contact_at=utc(2026, 3, 29, 11, 30))  # 12:30 BST: breach
    autumn = london(dt.date(2026, 10, 24), 19, 0)
    build.referral(autumn, first_contact_at=utc(2026, 10, 25, 11, 30))  # 11:30 GMT: met
    build.referral(autumn, first_contact_at=utc(2026, 10, 25, 12, 30))  # 12:30 GMT: breach
    summer = london(dt.date(2026, 7, 1), 17, 59)  # before the cut-off: by midnight
    build.referral(summer, first_contact_at=london(dt.date(2026, 7, 1), 23, 59))  # met
    build.referral(summer, first_contact_at=london(dt.date(2026, 7, 2), 0, 1))  # breach
    year = months(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    got = values(team=team, periods=year, keys=["first_contact_same_day"], now=NOW)
    pairs = [(v.numerator, v.denominator) for v in got["first_contact_same_day"]]
    assert pairs[2] == (1, 2) and pairs[6] == (1, 2) and pairs[9] == (1, 2)
    assert sum(d or 0 for _n, d in pairs) == 6

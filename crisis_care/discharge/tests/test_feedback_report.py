"""The managers' feedback report: counts per answer and per month against answers built by
hand (the share positive leaves out "don't know", as the Friends and Family Test does), the
period in London dates, the comments newest first fifty at a time, the CSV, who may see it,
its audit, and a fixed number of queries however many answers there are."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.discharge.models import Experience, FeedbackResponse, Respondent
from crisis_care.discharge.selectors.feedback import (
    Period,
    feedback_summary,
    months_before,
    share_positive,
)
from crisis_care.workforce.models import TeamMembership

pytestmark = pytest.mark.django_db

REPORT = "/discharge/feedback/"
CSV = "/discharge/feedback.csv"
VG, G, N, P, VP, DK = (e.value for e in Experience)


def respond(
    team,  # type: ignore[no-untyped-def]
    experience: str,
    at: dt.datetime,
    *,
    by: str = Respondent.PERSON,
    went_well: str = "",
    better: str = "",
) -> FeedbackResponse:
    return FeedbackResponse.objects.create(
        team=team,
        experience=experience,
        respondent=by,
        what_went_well=went_well,
        what_could_be_better=better,
        submitted_at=at,
    )


def days_ago(n: int, hour: int = 12) -> dt.datetime:
    return local_instant(timezone.localdate() - dt.timedelta(days=n), dt.time(hour, 0))


def dates(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}[day]": str(day.day),
        f"{prefix}[month]": str(day.month),
        f"{prefix}[year]": str(day.year),
    }


def period_query(start: dt.date, end: dt.date, **extra: str) -> dict[str, str]:
    return {**dates("start", start), **dates("end", end), **extra}


@pytest.fixture
def manager(staff_user):  # type: ignore[no-untyped-def]
    return staff_user(Role.TEAM_MANAGER)


@pytest.fixture
def known_answers(team, other_team):  # type: ignore[no-untyped-def]
    """In the last three months: 4 very good, 2 good, 1 neither, 0 poor, 1 very poor and 2
    don't know; 6 positive out of 8 that count (75%; 60% if "don't know" counted)."""
    for n, experience in enumerate([VG, VG, VG, VG, G, G, N, VP, DK, DK]):
        by = Respondent.CARER if n % 3 == 0 else Respondent.PERSON
        respond(team, experience, days_ago(n * 3 + 1), by=by)
    # Not counted: before the period, and another team's.
    respond(team, VP, days_ago(130))
    respond(other_team, VP, days_ago(2))


# --- The figures -------------------------------------------------------------------------


def test_share_positive_counts_very_good_and_good_over_every_answer_but_dont_know():
    counts = {VG: 4, G: 2, N: 1, P: 0, VP: 1, DK: 2}

    assert share_positive(counts) == 0.75
    assert share_positive({DK: 3}) is None
    assert share_positive({}) is None


def test_the_report_shows_counts_per_answer_and_the_share_positive(
    signed_in, manager, known_answers
):
    response = signed_in(manager).get(REPORT)

    assert response.status_code == 200
    text = page_text(response)
    share = re.search(r'<p[^>]*id="share-positive">.*?</p>', response.content.decode(), re.S)
    assert share is not None
    assert page_text(type(response)(share.group(0))).startswith("75% positive")
    assert "60%" not in share.group(0)
    assert "out of 8 answers" in text
    assert "10 answers in this period" in text
    table = page_text_of(response, "by-experience")
    assert "Very good 4 40%" in table
    assert "Good 2 20%" in table
    assert "Neither good nor poor 1 10%" in table
    assert "Poor 0 0%" in table
    assert "Very poor 1 10%" in table
    assert "Don't know 2 20%" in table
    respondents = page_text_of(response, "by-respondent")
    assert "Person who had care 6 60%" in respondents
    assert "Carer, family member or friend 4 40%" in respondents


def page_text_of(response, element_id: str) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    match = re.search(rf'<table[^>]*id="{element_id}".*?</table>', body, flags=re.S)
    assert match is not None, element_id
    return page_text(type(response)(match.group(0)))


def test_the_default_period_is_the_last_three_months(signed_in, manager, known_answers):
    today = timezone.localdate()

    text = page_text(signed_in(manager).get(REPORT))

    start = months_before(today, 3)
    assert f"{start.day} {start:%B %Y} to {today.day} {today:%B %Y}" in text


def test_a_chosen_period_counts_only_its_days_in_london_time(signed_in, manager, team):
    # 23:30 UTC on 30 April is 00:30 on 1 May in London (summer time): May, not April.
    respond(team, VG, dt.datetime(2025, 4, 30, 23, 30, tzinfo=dt.UTC))
    respond(team, VP, dt.datetime(2025, 4, 30, 22, 30, tzinfo=dt.UTC))  # 23:30 in April
    respond(team, G, dt.datetime(2025, 5, 31, 22, 59, tzinfo=dt.UTC))  # 23:59 on 31 May

    query = period_query(dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    text = page_text(signed_in(manager).get(REPORT, query))

    assert "1 May 2025 to 31 May 2025" in text
    assert "2 answers in this period" in text
    assert "100% positive" in text


def test_the_month_table_counts_each_month_newest_first_with_empty_months_shown(team):
    respond(team, VG, dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC))
    respond(team, DK, dt.datetime(2025, 1, 11, 12, tzinfo=dt.UTC))
    respond(team, P, dt.datetime(2025, 1, 31, 23, 30, tzinfo=dt.UTC))  # 31 Jan in London (GMT)
    respond(team, G, dt.datetime(2025, 3, 2, 12, tzinfo=dt.UTC))

    summary = feedback_summary(team=team, period=Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))

    assert [m.month for m in summary.months] == [
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
        dt.date(2025, 3, 1),
    ]
    january, february, march = summary.months
    assert (january.counts[VG], january.counts[P], january.counts[DK], january.total) == (
        1,
        1,
        1,
        3,
    )
    assert january.share_positive == 0.5
    assert february.total == 0
    assert february.share_positive is None
    assert march.counts[G] == 1


def test_the_month_table_on_the_page(signed_in, manager, team):
    respond(team, VG, dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC))
    respond(team, VP, dt.datetime(2025, 1, 12, 12, tzinfo=dt.UTC))
    respond(team, G, dt.datetime(2025, 3, 2, 12, tzinfo=dt.UTC))

    response = signed_in(manager).get(
        REPORT, period_query(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    )

    table = page_text_of(response, "by-month")
    rows = re.findall(r"(January|February|March) 2025 ([^A-Z]*)", table)
    assert [month for month, _ in rows] == ["March", "February", "January"]
    assert "March 2025 Very good 0 Good 1" in table
    assert "February 2025 Very good 0 Good 0 Neither good nor poor 0 Poor 0 Very poor 0 " in table
    assert "All answers 0 Positive No answers" in table
    assert "January 2025 Very good 1 Good 0" in table
    assert "All answers 2 Positive 50%" in table


def test_a_period_with_no_answers_says_so(signed_in, manager, team):
    text = page_text(signed_in(manager).get(REPORT))

    assert f"No feedback was given for {team.name} in this period" in text


def test_a_period_that_ends_before_it_starts_is_explained(signed_in, manager, known_answers):
    response = signed_in(manager).get(
        REPORT, period_query(dt.date(2025, 5, 1), dt.date(2025, 4, 1))
    )

    text = page_text(response)
    assert "There is a problem" in text
    assert "The date the period ends must be on or after its start" in text
    assert "positive" not in text


def test_a_date_that_is_not_real_is_explained(signed_in, manager):
    query = {**dates("start", dt.date(2025, 1, 1)), "end[day]": "31", "end[month]": "2"}
    query["end[year]"] = "2025"

    text = page_text(signed_in(manager).get(REPORT, query))

    assert "To must be a real date" in text


def test_a_period_of_more_than_five_years_is_refused(signed_in, manager):
    text = page_text(
        signed_in(manager).get(REPORT, period_query(dt.date(2019, 1, 1), dt.date(2025, 1, 1)))
    )

    assert "The period must be 5 years or shorter" in text


# --- Comments --------------------------------------------------------------------------------


def test_comments_are_shown_newest_first_and_escaped(signed_in, manager, team):
    respond(team, G, days_ago(9), went_well="The first visit was on time.")
    respond(team, VP, days_ago(2), better="<script>alert('x')</script> nobody called back")
    respond(team, VG, days_ago(5))  # no comment: not listed

    response = signed_in(manager).get(REPORT)

    body = response.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
    text = page_text(response)
    assert "2 answers with a comment" in text
    assert text.index("nobody called back") < text.index("The first visit was on time.")
    assert "What could be better: <script>alert('x')</script> nobody called back" in text
    assert "Very poor (person who had care)" in text


def test_comments_come_fifty_to_a_page(signed_in, manager, team):
    for n in range(51):
        respond(team, G, days_ago(1) - dt.timedelta(minutes=n), went_well=f"Comment number {n}.")
    client = signed_in(manager)

    first = client.get(REPORT)
    text = page_text(first)
    assert "Comment number 0." in text
    assert "Comment number 49." in text
    assert "Comment number 50." not in text
    assert "Older comments" in text
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', first.content.decode())
    assert next_link is not None

    second = page_text(client.get(REPORT + next_link.group(1).replace("&amp;", "&")))
    assert "Comment number 50." in second
    assert "Comment number 49." not in second
    assert "Newer comments" in second


# --- The CSV ----------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def test_the_csv_has_every_answer_of_the_period_oldest_first(signed_in, manager, team, other_team):
    respond(team, G, days_ago(10), by=Respondent.CARER, went_well="Kind staff, every visit.")
    respond(team, DK, days_ago(3), better="More notice, please")
    respond(team, VP, days_ago(200), better="Too old to be in it")
    respond(other_team, VG, days_ago(3), went_well="Another team's")
    today = timezone.localdate()

    response = signed_in(manager).get(CSV)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    start = months_before(today, 3)
    assert response["Content-Disposition"] == (
        f'attachment; filename="feedback-{team.code}-{start.isoformat()}-to-{today.isoformat()}.csv"'
    )
    rows = rows_of(response)
    assert rows == [
        ["Date", "Overall experience", "Answered by", "What went well", "What could be better"],
        [
            (today - dt.timedelta(days=10)).isoformat(),
            "Good",
            "Carer, family member or friend",
            "Kind staff, every visit.",
            "",
        ],
        [
            (today - dt.timedelta(days=3)).isoformat(),
            "Don't know",
            "Person who had care",
            "",
            "More notice, please",
        ],
    ]


def test_the_csv_follows_the_chosen_period(signed_in, manager, team):
    respond(team, G, dt.datetime(2025, 2, 14, 12, tzinfo=dt.UTC))
    respond(team, VG, dt.datetime(2025, 3, 14, 12, tzinfo=dt.UTC))

    response = signed_in(manager).get(
        CSV, period_query(dt.date(2025, 3, 1), dt.date(2025, 3, 31), team=str(team.pk))
    )

    assert [row[0] for row in rows_of(response)[1:]] == ["2025-03-14"]


def test_a_comment_that_looks_like_a_formula_opens_as_text(signed_in, manager, team):
    respond(team, VP, days_ago(1), went_well='=HYPERLINK("http://x.example")', better="-1+2")

    rows = rows_of(signed_in(manager).get(CSV))

    assert rows[1][3] == '\'=HYPERLINK("http://x.example")'
    assert rows[1][4] == "'-1+2"


def test_the_report_links_to_the_csv_of_the_same_period(signed_in, manager, team, known_answers):
    query = period_query(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    respond(team, G, dt.datetime(2025, 3, 14, 12, tzinfo=dt.UTC))

    body = signed_in(manager).get(REPORT, query).content.decode()

    link = re.search(r'href="(/discharge/feedback\.csv\?[^"]+)"', body)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert "start%5Bday%5D=1&start%5Bmonth%5D=3&start%5Byear%5D=2025" in href
    assert "end%5Bday%5D=31" in href


def test_the_csv_of_a_period_that_is_not_valid_goes_back_to_the_report(signed_in, manager):
    response = signed_in(manager).get(CSV, period_query(dt.date(2025, 5, 1), dt.date(2025, 4, 1)))

    assert response.status_code == 302
    assert response["Location"].startswith(REPORT + "?")


# --- Who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        Role.REGISTERED_PRACTITIONER,
        Role.SUPPORT_WORKER,
        Role.DOCTOR,
        Role.PSYCHOLOGIST,
        Role.ADMINISTRATOR,
    ],
)
def test_only_team_managers_see_the_report(signed_in, staff_user, known_answers, role):
    client = signed_in(staff_user(role))

    assert client.get(REPORT).status_code == 403
    assert client.get(CSV).status_code == 403


def test_signing_in_is_needed(client, known_answers):
    for url in (REPORT, CSV):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_another_teams_feedback_is_refused_and_the_attempt_audited(
    signed_in, manager, other_team, known_answers
):
    client = signed_in(manager)

    assert client.get(REPORT, {"team": str(other_team.pk)}).status_code == 403
    assert client.get(CSV, {"team": str(other_team.pk)}).status_code == 403

    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, object_id=other_team.pk)
    assert refused.count() == 2
    assert {e.actor_id for e in refused} == {manager.pk}


def test_a_manager_of_two_teams_can_see_each(signed_in, staff_user, team, other_team):
    manager = staff_user(Role.TEAM_MANAGER)
    TeamMembership.objects.create(
        staff=manager.staff, team=other_team, started_on=timezone.localdate()
    )
    respond(other_team, VG, days_ago(1), went_well="Other team's comment")
    client = signed_in(manager)

    mine = page_text(client.get(REPORT, {"team": str(team.pk)}))
    theirs = page_text(client.get(REPORT, {"team": str(other_team.pk)}))

    assert "Other team's comment" not in mine
    assert "Other team's comment" in theirs
    assert other_team.name in mine  # the link to the other team's report


def test_a_manager_in_no_team_is_refused(signed_in, staff_user):
    assert signed_in(staff_user(Role.TEAM_MANAGER, in_team=None)).get(REPORT).status_code == 403


def test_each_view_and_download_is_audited_without_a_person(signed_in, manager, team):
    client = signed_in(manager)
    client.get(REPORT)
    client.get(CSV)

    events = list(
        AuditEvent.objects.filter(
            object_type="discharge.feedback_report", action=AuditAction.VIEW
        ).order_by("occurred_at")
    )
    assert len(events) == 2
    assert all(e.person_id is None and e.object_id == team.pk for e in events)
    assert all(e.actor_id == manager.pk for e in events)
    assert events[1].detail["format"] == "csv"
    assert events[0].detail["from"] == months_before(timezone.localdate(), 3).isoformat()


def test_the_report_shows_the_address_of_the_teams_public_form(signed_in, manager, team):
    text = page_text(signed_in(manager).get(REPORT))

    assert reverse("feedback:form", args=[team.pk]) in text


# --- Queries -----------------------------------------------------------------------------------


def test_the_report_takes_the_same_number_of_queries_however_many_answers(signed_in, manager, team):
    client = signed_in(manager)
    respond(team, VG, days_ago(1), went_well="One comment")
    client.get(REPORT)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(REPORT).status_code == 200
    FeedbackResponse.objects.bulk_create(
        FeedbackResponse(
            team=team,
            experience=Experience.values[n % 6],
            respondent=Respondent.values[n % 2],
            what_went_well=f"Comment {n}" if n % 2 else "",
            submitted_at=days_ago(n % 80 + 1),
        )
        for n in range(300)
    )
    with CaptureQueriesContext(connection) as many:
        assert client.get(REPORT).status_code == 200
    with CaptureQueriesContext(connection) as csv_many:
        response = client.get(CSV)
        assert len(rows_of(response)) == 302

    assert len(many) == len(few)
    # Session, user, teams, the grouped counts, the comments' count and page, the audit row,
    # the layout's alerts and the session save.
    assert len(few) <= 11
    assert len(csv_many) <= 8

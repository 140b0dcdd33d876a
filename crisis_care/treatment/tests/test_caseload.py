"""The caseload: every open episode of the team, one row per person, with the named worker,
the next planned visit, visits in the last 24 hours and the flags (no visit today, plan not
given, six-week review due), filters, and a fixed number of queries however many people."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis_care.core.clock import local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text, people_audited_on
from crisis_care.nonprod import factories
from crisis_care.treatment.models import (
    Attendance,
    CareContact,
    CarePlan,
    Episode,
    EpisodeReview,
    EpisodeStatus,
    Medium,
    ReviewOutcome,
    Visit,
    VisitStatus,
    WrittenPlanGiven,
)
from crisis_care.treatment.presenters import episodes as presenters
from crisis_care.treatment.selectors.caseload import Flag, caseload, caseload_filtered
from crisis_care.treatment.tests.caseload_data import bulk_activity, bulk_episodes
from crisis_care.workforce.models import TeamMembership

pytestmark = pytest.mark.django_db

# A Monday in British Summer Time: London is an hour ahead of UTC.
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 15)
URL = "/treatment/caseload/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def worker(team):
    return factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        team=team,
        user__first_name="Nia",
        user__last_name="Okoro",
    )


@pytest.fixture
def open_episode(team, practitioner, worker):
    """open_episode(given, family, started_days_ago=, locality=, worker=) -> an open episode."""

    def make(
        given="Sam",
        family="Ellison",
        *,
        started_days_ago=3,
        locality="Leicester City",
        named=worker,
        in_team=team,
    ):
        (episode,) = bulk_episodes(
            team=in_team,
            by=practitioner,
            workers=[named] if named else [],
            count=1,
            now=NOW,
            names=[(given, family)],
        )
        Episode.objects.filter(pk=episode.pk).update(
            started_at=NOW - dt.timedelta(days=started_days_ago), locality=locality
        )
        return Episode.objects.get(pk=episode.pk)

    return make


def plan_visit(episode, by, start, *, status=VisitStatus.PLANNED, minutes=60):
    return Visit.objects.create(
        episode=episode,
        window_start=start,
        window_end=start + dt.timedelta(minutes=minutes),
        status=status,
        planned_by=by,
    )


def record_contact(
    episode, by, started_at, *, medium=Medium.FACE_TO_FACE, attendance=Attendance.ATTENDED
):
    return CareContact.objects.create(
        episode=episode,
        started_at=started_at,
        ended_at=started_at + dt.timedelta(minutes=40),
        medium=medium,
        attendance=attendance,
        recorded_by=by,
        recorded_at=started_at + dt.timedelta(minutes=50),
    )


def give_plan(episode, by):
    plan, _ = CarePlan.objects.get_or_create(episode=episode, defaults={"created_by": by})
    WrittenPlanGiven.objects.create(
        care_plan=plan, given_on=TODAY, method="in_person", recorded_by=by, recorded_at=NOW
    )


def row_for(episode, team):
    return next(row for row in caseload(team=team).rows if row.episode.pk == episode.pk)


# -- Who is on it ------------------------------------------------------------------------


def test_it_lists_every_open_episode_of_the_team_and_no_other(
    signed_in, practitioner, team, other_team, open_episode
):
    ours = open_episode("Sam", "Ellison")
    theirs = open_episode("Kit", "Marsh", in_team=other_team)
    ended = open_episode("Lou", "Baines")
    Episode.objects.filter(pk=ended.pk).update(status=EpisodeStatus.CLOSED)

    response = signed_in(practitioner).get(URL)

    assert response.status_code == 200
    text = page_text(response)
    assert "Sam Ellison" in text
    assert "Kit Marsh" not in text
    assert "Lou Baines" not in text
    body = response.content.decode()
    assert reverse("treatment:episode", args=[ours.pk]) in body
    assert reverse("treatment:episode", args=[theirs.pk]) not in body
    assert "Showing 1 person" in text


def test_a_row_shows_the_named_worker_locality_and_days_since_start(
    signed_in, practitioner, open_episode
):
    open_episode("Sam", "Ellison", started_days_ago=12, locality="Charnwood")

    text = page_text(signed_in(practitioner).get(URL))

    assert "Nia Okoro" in text
    assert "Charnwood" in text
    assert "12 days" in text


def test_viewing_the_caseload_is_audited(signed_in, practitioner, team, open_episode):
    open_episode()

    signed_in(practitioner).get(URL)

    event = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type="treatment.caseload", person_id__isnull=True
    )
    assert event.object_id == team.pk
    assert event.actor == practitioner
    assert event.detail["rows"] == 1
    # ...and a row per person on the list, so each person's access log shows it.
    assert len(people_audited_on("treatment.caseload")) == 1


@pytest.mark.parametrize("role", [Role.IG_AUDITOR, Role.SYSTEM_ADMINISTRATOR])
def test_it_refuses_roles_that_do_not_see_the_caseload(signed_in, staff_user, role):
    assert signed_in(staff_user(role)).get(URL).status_code == 403


def test_the_team_administrator_sees_the_caseload(signed_in, staff_user, open_episode):
    open_episode()

    response = signed_in(staff_user(Role.ADMINISTRATOR)).get(URL)

    assert response.status_code == 200
    assert "Sam Ellison" in page_text(response)


def test_it_refuses_someone_in_no_team(signed_in, staff_user):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=None)

    assert signed_in(outsider).get(URL).status_code == 403


def test_someone_in_two_teams_chooses_the_team(signed_in, practitioner, other_team, open_episode):
    TeamMembership.objects.create(
        team=other_team, staff=practitioner.staff, started_on=TODAY - dt.timedelta(days=30)
    )
    open_episode("Sam", "Ellison")
    open_episode("Kit", "Marsh", in_team=other_team)
    client = signed_in(practitioner)

    first = page_text(client.get(URL))
    chosen = client.get(URL, {"team": str(other_team.pk)})

    assert "Team" in first
    assert other_team.name in page_text(chosen)
    assert "Kit Marsh" in page_text(chosen)
    assert "Sam Ellison" not in page_text(chosen)


def test_asking_for_a_team_you_are_not_in_shows_your_own(
    signed_in, practitioner, team, other_team, open_episode
):
    open_episode("Kit", "Marsh", in_team=other_team)

    text = page_text(signed_in(practitioner).get(URL, {"team": str(other_team.pk)}))

    assert "Kit Marsh" not in text
    assert team.name in text


# -- Next visit and visits in the last 24 hours ------------------------------------------------


def test_the_next_visit_is_the_earliest_planned_one_whose_window_has_not_closed(
    team, practitioner, open_episode
):
    episode = open_episode()
    plan_visit(episode, practitioner, NOW - dt.timedelta(hours=3))  # closed two hours ago
    plan_visit(
        episode, practitioner, NOW + dt.timedelta(hours=6), status=VisitStatus.CANCELLED_BY_TEAM
    )
    now_on = plan_visit(episode, practitioner, NOW - dt.timedelta(minutes=30))  # open until 10:30
    plan_visit(episode, practitioner, NOW + dt.timedelta(hours=5))

    row = row_for(episode, team)

    assert row.next_visit_start == now_on.window_start
    assert row.next_visit_end == now_on.window_end
    assert (
        presenters.visit_window_text(row.next_visit_start, row.next_visit_end, today=TODAY)
        == "Today, 10:30am to 11:30am"
    )


def test_no_planned_visit_says_so(team, open_episode):
    row = row_for(open_episode(), team)

    assert row.next_visit_start is None
    assert presenters.visit_window_text(None, None, today=TODAY) == "None planned"


def test_visits_in_the_last_24_hours_count_face_to_face_contacts_where_the_person_was_seen(
    team, practitioner, open_episode
):
    episode = open_episode()
    record_contact(episode, practitioner, NOW - dt.timedelta(hours=2))
    record_contact(episode, practitioner, NOW - dt.timedelta(hours=23, minutes=59))
    record_contact(episode, practitioner, NOW - dt.timedelta(hours=24, minutes=1))  # too long ago
    record_contact(episode, practitioner, NOW - dt.timedelta(hours=3), medium=Medium.TELEPHONE)
    record_contact(
        episode, practitioner, NOW - dt.timedelta(hours=5), attendance=Attendance.NOT_AT_HOME
    )

    row = row_for(episode, team)

    assert row.seen_last_24h == 2
    assert presenters.seen_text(row.seen_last_24h) == "Seen 2 times"


def test_the_page_explains_what_visits_in_the_last_24_hours_counts(
    signed_in, practitioner, open_episode
):
    open_episode()

    text = page_text(signed_in(practitioner).get(URL))

    assert "counts face-to-face contacts where the person was seen" in text


# -- Flags -------------------------------------------------------------------------------


def test_no_visit_today_is_flagged_without_a_planned_visit_or_a_contact_today(
    team, practitioner, open_episode
):
    open_episode("Ann", "Able")
    tomorrow_only = open_episode("Ben", "Bold")
    plan_visit(tomorrow_only, practitioner, local_instant(TODAY + dt.timedelta(days=1), dt.time(9)))
    phoned = open_episode("Cat", "Cole")
    record_contact(phoned, practitioner, NOW - dt.timedelta(hours=1), medium=Medium.TELEPHONE)
    planned = open_episode("Dan", "Dale")
    plan_visit(planned, practitioner, local_instant(TODAY, dt.time(16)))
    seen = open_episode("Eve", "Earl")
    record_contact(seen, practitioner, NOW - dt.timedelta(hours=1))

    flagged = {
        row.episode.person.given_name
        for row in caseload(team=team).rows
        if Flag.NO_VISIT_TODAY in row.flags
    }

    assert flagged == {"Ann", "Ben", "Cat"}


def test_today_is_the_london_date(team, practitioner, open_episode):
    """00:30 in London on 15 June is 23:30 UTC on 14 June (British Summer Time)."""
    after_midnight = open_episode("Ann", "Able")
    record_contact(after_midnight, practitioner, dt.datetime(2026, 6, 14, 23, 30, tzinfo=dt.UTC))
    before_midnight = open_episode("Ben", "Bold")
    record_contact(before_midnight, practitioner, dt.datetime(2026, 6, 14, 22, 30, tzinfo=dt.UTC))

    assert Flag.NO_VISIT_TODAY not in row_for(after_midnight, team).flags
    assert Flag.NO_VISIT_TODAY in row_for(before_midnight, team).flags


def test_plan_not_given_is_flagged_until_the_written_plan_is_given(
    team, practitioner, open_episode
):
    episode = open_episode()
    assert Flag.PLAN_NOT_GIVEN in row_for(episode, team).flags
    CarePlan.objects.create(episode=episode, created_by=practitioner)
    assert Flag.PLAN_NOT_GIVEN in row_for(episode, team).flags

    give_plan(Episode.objects.get(pk=episode.pk), practitioner)

    assert Flag.PLAN_NOT_GIVEN not in row_for(episode, team).flags


@pytest.mark.parametrize(
    ("days_ago", "due"),
    [(34, False), (35, True), (42, True), (60, True)],
)
def test_the_six_week_review_is_flagged_from_a_week_before_day_42(
    team, open_episode, days_ago, due
):
    row = row_for(open_episode(started_days_ago=days_ago), team)

    assert (Flag.REVIEW_DUE in row.flags) is due


def test_a_review_holds_until_its_next_review_date(team, practitioner, open_episode):
    episode = open_episode(started_days_ago=44)
    review = EpisodeReview.objects.create(
        episode=episode,
        reviewed_at=NOW - dt.timedelta(days=2),
        reviewed_by=practitioner,
        outcome=ReviewOutcome.CONTINUE,
        reason="Still needs daily visits.",
        next_review_on=TODAY + dt.timedelta(days=1),
    )
    assert Flag.REVIEW_DUE not in row_for(episode, team).flags

    EpisodeReview.objects.filter(pk=review.pk).update(next_review_on=TODAY)

    assert Flag.REVIEW_DUE in row_for(episode, team).flags


def test_a_decision_to_plan_discharge_holds_for_two_weeks(team, practitioner, open_episode):
    episode = open_episode(started_days_ago=50)
    review = EpisodeReview.objects.create(
        episode=episode,
        reviewed_at=NOW - dt.timedelta(days=13),
        reviewed_by=practitioner,
        outcome=ReviewOutcome.PLAN_DISCHARGE,
        reason="Crisis resolved; back to the GP.",
    )
    assert Flag.REVIEW_DUE not in row_for(episode, team).flags

    EpisodeReview.objects.filter(pk=review.pk).update(reviewed_at=NOW - dt.timedelta(days=15))

    assert Flag.REVIEW_DUE in row_for(episode, team).flags


def test_the_flags_show_as_tags_on_the_page(signed_in, practitioner, open_episode):
    open_episode(started_days_ago=40)

    response = signed_in(practitioner).get(URL)

    body = response.content.decode()
    for label in ("No visit today", "Plan not given", "Six-week review due"):
        assert re.search(rf'<strong class="nhsuk-tag[^"]*">\s*{label}\s*</strong>', body)


# -- Order and filters -------------------------------------------------------------------


def test_it_sorts_by_the_most_severe_flag_then_by_name(team, practitioner, open_episode):
    calm = open_episode("Zoe", "Adams")  # no flags
    plan_visit(calm, practitioner, local_instant(TODAY, dt.time(16)))
    give_plan(calm, practitioner)
    review_only = open_episode("Yan", "Brook", started_days_ago=40)
    plan_visit(review_only, practitioner, local_instant(TODAY, dt.time(16)))
    give_plan(review_only, practitioner)
    unplanned_b = open_episode("Ali", "Young")
    unplanned_a = open_episode("Bea", "Xavier")
    plan_only = open_episode("Cal", "Zeal")
    plan_visit(plan_only, practitioner, local_instant(TODAY, dt.time(18)))

    order = [row.episode.pk for row in caseload(team=team).rows]

    assert order == [unplanned_a.pk, unplanned_b.pk, plan_only.pk, review_only.pk, calm.pk]


def test_it_filters_by_named_worker_locality_and_flag_and_shows_the_count(
    signed_in, practitioner, team, worker, open_episode
):
    other_worker = factories.StaffMemberFactory(
        team=team, user__first_name="Tom", user__last_name="Reyes"
    )
    open_episode("Ann", "Able", named=worker, locality="Charnwood")
    bold = open_episode("Ben", "Bold", named=other_worker, locality="Charnwood")
    plan_visit(bold, practitioner, local_instant(TODAY, dt.time(16)))
    open_episode("Cat", "Cole", named=other_worker, locality="Blaby")
    client = signed_in(practitioner)

    by_worker = page_text(client.get(URL, {"worker": str(other_worker.pk)}))
    by_place = page_text(client.get(URL, {"locality": "Charnwood"}))
    by_flag = page_text(client.get(URL, {"flag": Flag.NO_VISIT_TODAY.value}))
    combined = page_text(client.get(URL, {"worker": str(other_worker.pk), "locality": "Charnwood"}))

    assert "Ann Able" not in by_worker and "Ben Bold" in by_worker and "Cat Cole" in by_worker
    assert "Showing 2 of 3 people" in by_worker
    assert "Cat Cole" not in by_place and "Ann Able" in by_place
    assert "Ben Bold" not in by_flag and "Ann Able" in by_flag and "Cat Cole" in by_flag
    assert "Showing 1 of 3 people" in combined and "Ben Bold" in combined


def test_people_without_a_named_worker_can_be_found(team, practitioner, open_episode):
    open_episode("Ann", "Able", named=None)
    open_episode("Ben", "Bold")
    rows = caseload(team=team).rows

    names = [row.episode.person.given_name for row in caseload_filtered(rows, worker="none")]

    assert names == ["Ann"]


def test_a_filter_value_not_on_the_caseload_is_ignored(signed_in, practitioner, open_episode):
    open_episode("Ann", "Able")

    response = signed_in(practitioner).get(URL, {"worker": "nobody", "flag": "made-up"})

    assert response.status_code == 200
    assert "Ann Able" in page_text(response)


def test_the_filters_work_as_a_plain_get_form(signed_in, practitioner, open_episode):
    open_episode()

    body = signed_in(practitioner).get(URL).content.decode()

    assert re.search(r'<form method="get" action="/treatment/caseload/"', body)
    for name in ("worker", "locality", "flag"):
        assert f'name="{name}"' in body


# -- A fixed number of queries -----------------------------------------------------------


def _caseload_of(count, *, team, by):
    """A team's caseload of `count` people with their visits, contacts, plans and reviews,
    and a client signed in as a member of that team."""
    workers = [
        factories.StaffMemberFactory(team=team, user__last_name=f"Worker{n}") for n in range(3)
    ]
    episodes = bulk_episodes(team=team, by=by, workers=workers, count=count, now=NOW)
    bulk_activity(episodes=episodes, by=by, now=NOW)


def test_the_caseload_runs_the_same_number_of_queries_for_3_and_for_30_people(
    client, practitioner, team, other_team, django_assert_num_queries
):
    manager = factories.StaffMemberFactory(role=Role.TEAM_MANAGER, team=other_team).user
    _caseload_of(3, team=team, by=practitioner)
    _caseload_of(30, team=other_team, by=manager)
    client.force_login(practitioner)
    client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        small = client.get(URL)
    # Read now: the next request empties the connection's query log.
    few = [query["sql"] for query in captured.captured_queries]
    client.force_login(manager)
    client.get(URL)

    with django_assert_num_queries(len(few)):
        large = client.get(URL)

    assert "Showing all 3 people" in page_text(small)
    assert "Showing all 30 people" in page_text(large)
    # The caseload itself is one query: contacts, plans and reviews are its subqueries.
    reads = [q for q in few if "treatment_carecontact" in q or "treatment_writtenplangiven" in q]
    assert len(reads) == 1
    assert 'FROM "treatment_episode"' in reads[0]

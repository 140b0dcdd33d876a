"""The daily MDT review board: what it shows for each person, its order, "not reviewed today",
who may see it, its audit row and its fixed query count.

`build_caseload` builds a team's open episodes with everything the board reads, with
bulk_create (the benchmark, scripts/bench_mdt.py, and the browser journey use it too)."""

import datetime as dt
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.assessments.models import Assessment, AssessmentStatus, Decision, SafetyPlan
from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text, people_audited_on
from crisis_care.nonprod import factories
from crisis_care.people.models import Contact, Person
from crisis_care.referrals.models import Referral
from crisis_care.treatment.models import (
    Action,
    ActionStatusChange,
    Attendance,
    CareContact,
    CarePlan,
    CarerConversationOffer,
    DischargeReadiness,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Goal,
    GoalProgress,
    MdtAttendance,
    MdtMeeting,
    MdtReview,
    Medication,
    MedicationChange,
    Medium,
    Rating,
    RiskRating,
    Visit,
    VisitStatus,
)
from crisis_care.treatment.selectors import mdt as selectors
from crisis_care.workforce.models import StaffMember, Team, TeamMembership

pytestmark = pytest.mark.django_db

_unique = itertools.count()


def build_caseload(
    *,
    team: Team,
    by: User,
    count: int,
    now: dt.datetime | None = None,
    named_worker: StaffMember | None = None,
    names: list[tuple[str, str]] | None = None,
    rich: bool = True,
) -> list[Episode]:
    """`count` open episodes in `team`, built with bulk_create. With `rich`, each person has what
    the board reads, varied by position: a safety plan, a rating, yesterday's review, an
    attended contact, a missed visit and a planned visit with no contact since, a medication
    change, a carer (some offered a conversation), goals with progress and open actions (some
    overdue)."""
    now = now or timezone.now()
    batch = next(_unique)
    practice = factories.GPPracticeFactory()
    people, referrals, assessments, decisions, episodes = [], [], [], [], []
    for i in range(count):
        given, family = names[i] if names else (f"Person{i:03d}", f"Board{batch}x{i:03d}")
        person = Person(
            nhs_number=factories.next_nhs_number(),
            given_name=given,
            family_name=family,
            family_name_search=family.casefold(),
            date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=i * 37),
            postcode="LE1 1AA",
            gp_practice=practice,
        )
        started = now - dt.timedelta(days=2 + i % 20, hours=3)
        referral = Referral(
            team=team,
            person=person,
            received_at=started - dt.timedelta(hours=6),
            channel="phone",
            source="gp",
            reason="Low mood and not sleeping",
            person_agrees="agrees",
            priority="2",
            status="accepted",
            created_by=by,
        )
        assessment = Assessment(
            referral=referral,
            person=person,
            starts_at=started - dt.timedelta(hours=2),
            ends_at=started - dt.timedelta(hours=1),
            venue="home",
            status=AssessmentStatus.DECIDED,
            booked_by=by,
        )
        decision = Decision(
            assessment=assessment,
            outcome="home_treatment",
            reasons="Can be kept safe at home with daily visits.",
            decided_by=by,
            decided_at=started,
        )
        episode = Episode(
            referral=referral,
            person=person,
            team=team,
            decision=decision,
            started_at=started,
            opened_by=by,
            named_worker=named_worker,
        )
        people.append(person)
        referrals.append(referral)
        assessments.append(assessment)
        decisions.append(decision)
        episodes.append(episode)
    Person.objects.bulk_create(people)
    Referral.objects.bulk_create(referrals)
    Assessment.objects.bulk_create(assessments)
    Decision.objects.bulk_create(decisions)
    Episode.objects.bulk_create(episodes)
    EpisodeStatusChange.objects.bulk_create(
        [
            EpisodeStatusChange(
                episode=e, status=EpisodeStatus.OPEN, changed_by=by, changed_at=e.started_at
            )
            for e in episodes
        ]
    )
    if rich:
        _enrich(episodes, team=team, by=by, now=now, owner=named_worker or by.staff)
    return episodes


def _enrich(
    episodes: list[Episode], *, team: Team, by: User, now: dt.datetime, owner: StaffMember
) -> None:
    # Yesterday's meeting at 10am London, so "reviewed today" does not depend on the hour.
    reviewed_at = local_instant(local_date(now) - dt.timedelta(days=1), dt.time(10, 0))
    meeting = MdtMeeting.objects.create(
        team=team,
        started_at=reviewed_at - dt.timedelta(minutes=30),
        ended_at=reviewed_at + dt.timedelta(hours=1),
        chair=owner,
        started_by=by,
    )
    MdtAttendance.objects.create(meeting=meeting, staff=owner, profession=owner.profession)
    plans, ratings, reviews, visits, contacts = [], [], [], [], []
    medications, changes, carers, offers = [], [], [], []
    care_plans, goals, progress, actions, action_changes = [], [], [], [], []
    colours = [Rating.RED, Rating.AMBER, Rating.GREEN]
    for i, episode in enumerate(episodes):
        person = episode.person
        if i % 4:
            plans.append(
                SafetyPlan(
                    person=person,
                    warning_signs="Not sleeping",
                    coping_steps="Walk the dog",
                    people_and_places="Sister",
                    professional_contacts="Crisis team",
                    environment_safer="Sister keeps the tablets",
                    written_by=by,
                    written_at=episode.started_at,
                )
            )
        if i % 5:
            ratings.append(
                RiskRating(
                    episode=episode,
                    rating=colours[i % 3],
                    summary=f"Thoughts of self-harm at night; sister visits daily ({i})",
                    reason="At the assessment",
                    set_by=by,
                    set_at=episode.started_at + dt.timedelta(hours=1),
                )
            )
        if i % 2 == 0:
            reviews.append(
                MdtReview(
                    meeting=meeting,
                    episode=episode,
                    decision="Continue twice-daily visits",
                    discharge_readiness=DischargeReadiness.NOT_YET,
                    reviewed_by=by,
                    reviewed_at=reviewed_at,
                )
            )
        seen = Visit(
            episode=episode,
            window_start=now - dt.timedelta(hours=10),
            window_end=now - dt.timedelta(hours=9),
            status=VisitStatus.ATTENDED,
            planned_by=by,
        )
        out = Visit(
            episode=episode,
            window_start=now - dt.timedelta(hours=8),
            window_end=now - dt.timedelta(hours=7),
            status=VisitStatus.NOT_AT_HOME,
            planned_by=by,
        )
        unrecorded = Visit(
            episode=episode,
            window_start=now - dt.timedelta(hours=6),
            window_end=now - dt.timedelta(hours=5),
            status=VisitStatus.PLANNED,
            planned_by=by,
        )
        visits += [seen, out, unrecorded]
        contacts.append(
            CareContact(
                episode=episode,
                visit=seen,
                started_at=seen.window_start + dt.timedelta(minutes=10),
                ended_at=seen.window_start + dt.timedelta(minutes=50),
                medium=Medium.FACE_TO_FACE,
                attendance=Attendance.ATTENDED,
                recorded_by=by,
                recorded_at=seen.window_end,
            )
        )
        if i % 3 == 0:
            medication = Medication(
                person=person,
                episode=episode,
                name="Sertraline",
                dose="100mg",
                frequency="Once a day",
                started_on=episode.started_at.date(),
            )
            medications.append(medication)
            changes.append(
                MedicationChange(
                    medication=medication,
                    kind="dose_changed",
                    detail="now 100mg",
                    changed_by=by,
                    changed_at=now - dt.timedelta(hours=5),
                )
            )
        if i % 2:
            carer = Contact(
                person=person, name=f"Jo Carer {i}", relationship="sibling", is_carer=True
            )
            carers.append(carer)
            if i % 4 == 1:
                offers.append(
                    CarerConversationOffer(
                        episode=episode,
                        carer=carer,
                        offered_at=now - dt.timedelta(days=1),
                        response="accepted",
                        offered_by=by,
                    )
                )
        plan = CarePlan(episode=episode, created_by=by)
        care_plans.append(plan)
        goal = Goal(care_plan=plan, need="Sleep", goal="To sleep through the night", created_by=by)
        goals += [
            goal,
            Goal(care_plan=plan, need="Work", goal="Back to work", order=1, created_by=by),
        ]
        progress.append(
            GoalProgress(
                goal=goal,
                progress="some",
                note="Slept five hours",
                recorded_by=by,
                recorded_at=now - dt.timedelta(hours=9),
            )
        )
        due = [now + dt.timedelta(days=1)] + ([now - dt.timedelta(hours=3)] if i % 3 == 0 else [])
        for due_at in due:
            action = Action(
                episode=episode,
                description="Phone the GP about sleep",
                owner=owner,
                due_at=due_at,
                created_by=by,
            )
            actions.append(action)
            action_changes.append(
                ActionStatusChange(action=action, status="open", changed_by=by, changed_at=now)
            )
    SafetyPlan.objects.bulk_create(plans)
    RiskRating.objects.bulk_create(ratings)
    MdtReview.objects.bulk_create(reviews)
    Visit.objects.bulk_create(visits)
    CareContact.objects.bulk_create(contacts)
    Medication.objects.bulk_create(medications)
    MedicationChange.objects.bulk_create(changes)
    Contact.objects.bulk_create(carers)
    CarerConversationOffer.objects.bulk_create(offers)
    CarePlan.objects.bulk_create(care_plans)
    Goal.objects.bulk_create(goals)
    GoalProgress.objects.bulk_create(progress)
    Action.objects.bulk_create(actions)
    ActionStatusChange.objects.bulk_create(action_changes)


@pytest.fixture
def manager(staff_user) -> User:
    return staff_user(Role.TEAM_MANAGER)


def _board(client, **params):
    return client.get(reverse("treatment:mdt_board"), params)


# -- What the board shows ------------------------------------------------------------------


def test_the_board_shows_what_the_team_needs_to_decide_for_each_person(signed_in, manager, team):
    now = timezone.now()
    build_caseload(
        team=team,
        by=manager,
        count=4,
        now=now,
        names=[
            ("Ana", "Adams"),
            ("Ben", "Brook"),
            ("Cy", "Cole"),
            ("Di", "Dean"),
        ],
    )

    text = page_text(_board(signed_in(manager)))

    # Person 0 (Ana Adams): no rating, no safety plan, reviewed yesterday, a medication change.
    assert "Ana Adams" in text
    assert "Not rated" in text
    assert "No safety plan" in text
    assert "Seen or spoken to once" in text
    # The not-at-home visit and the planned visit with no contact since the review.
    assert "2 missed visits" in text
    assert "Sertraline: dose changed" in text
    assert "To sleep through the night: some progress" in text
    assert "Back to work: no progress recorded yet" in text
    # Ben Brook has a carer not yet offered a conversation; Di Dean's was offered.
    assert "Jo Carer 1 (brother or sister): offered a conversation of their own" in text
    assert "Jo Carer 3 (brother or sister): not yet offered a conversation of their own" in text
    assert "Phone the GP about sleep" in text
    assert "Overdue by 3 hours" in text
    assert "Thoughts of self-harm at night; sister visits daily (1)" in text
    assert f"Set by {manager}" in text
    assert "Start planning discharge" not in text
    assert "Not yet" in text  # discharge readiness from yesterday's review
    assert "Yesterday at 10am" in text
    assert "Never reviewed" in text


def test_missed_visits_and_contacts_count_only_since_the_last_review(manager, team):
    now = timezone.now()
    reviewed, never = build_caseload(team=team, by=manager, count=2, now=now)
    # A missed visit before yesterday's review does not count for the reviewed person, but
    # counts for the person never reviewed (since the start of their episode).
    for episode in (reviewed, never):
        Visit.objects.create(
            episode=episode,
            window_start=now - dt.timedelta(hours=30),
            window_end=now - dt.timedelta(hours=29),
            status=VisitStatus.DECLINED,
            planned_by=manager,
        )
    # A planned visit whose window has not ended is not missed.
    Visit.objects.create(
        episode=reviewed,
        window_start=now - dt.timedelta(minutes=30),
        window_end=now + dt.timedelta(minutes=30),
        planned_by=manager,
    )

    rows = {r.episode.pk: r for r in selectors.board_rows(team=team, now=now)}

    assert rows[reviewed.pk].visits_missed == 2
    assert rows[never.pk].visits_missed == 3
    assert rows[reviewed.pk].contacts_attended == 1


def test_the_board_puts_people_not_yet_rated_first_then_red_amber_green_then_by_name(manager, team):
    now = timezone.now()
    names = [("A", "Zed"), ("B", "Young"), ("C", "Xu"), ("D", "Webb"), ("E", "Vale"), ("F", "Ung")]
    episodes = build_caseload(team=team, by=manager, count=6, now=now, names=names)
    # Ratings by position: 0 none, 1 amber, 2 green, 3 red, 4 amber, 5 none.
    RiskRating.objects.filter(episode=episodes[5]).delete()

    order = [r.episode.person.family_name for r in selectors.board_rows(team=team, now=now)]

    assert order == ["Ung", "Zed", "Webb", "Vale", "Young", "Xu"]
    sequence = selectors.review_sequence(team=team, meeting=None)
    assert [e for e in sequence.order] == [
        r.episode.pk for r in selectors.board_rows(team=team, now=now)
    ]


def test_a_rating_changed_since_the_last_review_comes_first_in_its_colour(manager, team):
    now = timezone.now()
    names = [("A", "Able"), ("B", "Baker"), ("C", "Cross"), ("D", "Drew")]
    episodes = build_caseload(team=team, by=manager, count=4, now=now, names=names)
    # Able is not rated, Baker amber, Cross green (reviewed yesterday), Drew red. The team
    # makes Cross amber today, after yesterday's review.
    RiskRating.objects.create(
        episode=episodes[2],
        rating=Rating.AMBER,
        summary="Argument with partner last night",
        reason="Police called overnight",
        set_by=manager,
        set_at=now - dt.timedelta(hours=1),
    )

    rows = selectors.board_rows(team=team, now=now)

    assert [r.episode.person.family_name for r in rows] == ["Able", "Drew", "Cross", "Baker"]
    assert rows[2].rating_changed is True
    assert rows[3].rating_changed is False


# -- Not reviewed today --------------------------------------------------------------------


def test_people_not_reviewed_today_are_counted_and_can_be_shown_alone(signed_in, manager, team):
    now = timezone.now()
    names = [("Ana", "Adams"), ("Ben", "Brook")]
    _, brook = build_caseload(team=team, by=manager, count=2, now=now, names=names)
    meeting = MdtMeeting.objects.create(
        team=team, started_at=now, chair=manager.staff, started_by=manager
    )
    MdtReview.objects.create(
        meeting=meeting,
        episode=brook,
        decision="Reduce to daily visits",
        reviewed_by=manager,
        reviewed_at=now,
    )
    client = signed_in(manager)

    everyone = page_text(_board(client))
    waiting = page_text(_board(client, show="not-reviewed"))

    assert "2 people · 1 not reviewed today" in everyone
    assert "Reviewed in this meeting" in everyone
    assert "Not reviewed today" in everyone
    assert "Ana Adams" in waiting
    assert "Ben Brook" not in waiting


# -- Who may see it ----------------------------------------------------------------------


def test_the_board_shows_only_the_users_own_team(signed_in, staff_user, manager, team, other_team):
    build_caseload(team=team, by=manager, count=1, names=[("Ana", "Adams")])
    build_caseload(team=other_team, by=manager, count=1, names=[("Oli", "Other")])

    text = page_text(_board(signed_in(manager)))

    assert "Ana Adams" in text
    assert "Oli Other" not in text


def test_a_user_in_two_teams_chooses_which_board(signed_in, staff_user, manager, team, other_team):
    build_caseload(team=other_team, by=manager, count=1, names=[("Oli", "Other")])
    TeamMembership.objects.create(
        team=other_team, staff=manager.staff, started_on=timezone.localdate()
    )
    client = signed_in(manager)

    assert "Oli Other" in page_text(_board(client, team=str(other_team.pk)))


@pytest.mark.parametrize("role", [Role.IG_AUDITOR, Role.SYSTEM_ADMINISTRATOR])
def test_roles_without_the_caseload_cannot_see_the_board(signed_in, staff_user, role):
    assert _board(signed_in(staff_user(role))).status_code == 403


def test_clerical_staff_see_the_board_but_cannot_run_the_meeting(
    signed_in, staff_user, manager, team
):
    build_caseload(team=team, by=manager, count=1, names=[("Ana", "Adams")])
    clerk = staff_user(Role.ADMINISTRATOR)

    response = _board(signed_in(clerk))

    assert response.status_code == 200
    assert "Ana Adams" in page_text(response)
    assert "Start today's meeting" not in page_text(response)
    assert "Change rating" not in page_text(response)


def test_someone_in_no_team_is_refused(signed_in, staff_user):
    assert (
        _board(signed_in(staff_user(Role.REGISTERED_PRACTITIONER, in_team=None))).status_code == 403
    )


# -- Audit -------------------------------------------------------------------------------


def test_each_view_of_the_board_writes_a_row_and_one_per_person_shown(signed_in, manager, team):
    episodes = build_caseload(team=team, by=manager, count=3)
    before = AuditEvent.objects.count()

    _board(signed_in(manager))

    assert AuditEvent.objects.count() == before + 1 + 3
    event = AuditEvent.objects.get(section="mdt board", person_id__isnull=True)
    assert event.action == "view"
    assert event.object_id == team.pk
    assert people_audited_on("treatment.mdt_board") == sorted(str(e.person_id) for e in episodes)


def test_the_filtered_board_audits_only_the_people_it_shows(signed_in, manager, team):
    now = timezone.now()
    shown, hidden = build_caseload(team=team, by=manager, count=2, now=now)
    meeting = MdtMeeting.objects.create(
        team=team, started_at=now, chair=manager.staff, started_by=manager
    )
    MdtReview.objects.create(
        meeting=meeting, episode=hidden, decision="Continue", reviewed_by=manager, reviewed_at=now
    )

    _board(signed_in(manager), show="not-reviewed")

    event = AuditEvent.objects.filter(section="mdt board", person_id__isnull=True).get()
    assert people_audited_on("treatment.mdt_board") == [str(shown.person_id)]
    assert event.detail["filter"] == "not-reviewed"


# -- Query count ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_takes_the_same_number_of_queries_for_3_or_30_people(
    signed_in, manager, team, django_assert_num_queries, count
):
    now = timezone.now()
    build_caseload(team=team, by=manager, count=count, now=now)
    meeting = MdtMeeting.objects.create(
        team=team, started_at=now, chair=manager.staff, started_by=manager
    )
    MdtAttendance.objects.create(meeting=meeting, staff=manager.staff, profession="nurse")
    client = signed_in(manager)

    # session, user, teams, today's meetings, their attendance, episodes (with their counts),
    # ratings, last reviews, medication changes, carers, carers' offers, goals, open actions,
    # the audit insert, the layout's lone working banner, the session update (in a savepoint).
    with django_assert_num_queries(18):
        response = _board(client)

    assert re.search(rf"{count} people · {count} not reviewed today", page_text(response))

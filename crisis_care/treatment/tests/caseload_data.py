"""Open episodes in bulk, for the caseload's query-count test and its benchmark
(scripts/bench_caseload.py). Each episode has what the decision services would have written
before it (a referral, a finalised home assessment, a home treatment decision) and its first
status and named worker rows; rows are built in memory and saved with bulk_create, as the
demo data is. Visits, contacts, written plans and reviews are added in bulk the same way."""

import datetime as dt
import random
from collections.abc import Sequence

from crisis_care.assessments.models import Assessment, Decision, Outcome, Venue
from crisis_care.core.models import User
from crisis_care.nonprod import factories
from crisis_care.people.models import Person
from crisis_care.referrals.models import Referral
from crisis_care.workforce.models import StaffMember, Team

from ..models import (
    Attendance,
    CareContact,
    CarePlan,
    Episode,
    EpisodeReview,
    EpisodeStatus,
    EpisodeStatusChange,
    Medium,
    NamedWorkerChange,
    ReviewOutcome,
    Visit,
    VisitLocation,
    VisitStatus,
    WrittenPlanGiven,
)

LOCALITIES = ("Leicester City", "Charnwood", "Blaby", "Hinckley and Bosworth", "Melton")


def bulk_episodes(
    *,
    team: Team,
    by: User,
    workers: Sequence[StaffMember],
    count: int,
    now: dt.datetime,
    seed: int = 5,
    max_days: int = 45,
    names: Sequence[tuple[str, str]] = (),
) -> list[Episode]:
    """`count` open episodes in `team`, started up to `max_days` ago, named workers and
    localities spread across those given. `names` (given, family) name the first people."""
    rng = random.Random(seed)
    people = [factories.PersonFactory.build(gp_practice=None) for _ in range(count)]
    for person, (given, family) in zip(people, names, strict=False):
        person.given_name, person.family_name = given, family
        person.family_name_search = family.casefold()
    Person.objects.bulk_create(people)
    referrals, assessments, decisions, episodes = [], [], [], []
    statuses, named = [], []
    for n, person in enumerate(people):
        started = now - dt.timedelta(days=rng.uniform(0, max_days), minutes=rng.randint(1, 600))
        started = started.replace(microsecond=0)
        referral = Referral(
            team=team,
            person=person,
            received_at=started - dt.timedelta(hours=6),
            channel="phone",
            source="gp",
            referrer_name="Dr Amara Shah",
            reason="Low mood, not sleeping, thoughts of ending life",
            person_agrees="agrees",
            priority="2",
            status="closed",
            closed_at=started,
            created_by=by,
        )
        assessment = Assessment(
            referral=referral,
            person=person,
            starts_at=started - dt.timedelta(hours=2),
            ends_at=started - dt.timedelta(minutes=30),
            venue=Venue.HOME,
            started_at=started - dt.timedelta(hours=2),
            booked_by=by,
            finalised_at=started - dt.timedelta(minutes=10),
            finalised_by=by,
        )
        decision = Decision(
            assessment=assessment,
            outcome=Outcome.HOME_TREATMENT,
            reasons="Can be kept safe at home with twice-daily visits.",
            decided_by=by,
            decided_at=started,
        )
        worker = workers[n % len(workers)] if workers else None
        episode = Episode(
            referral=referral,
            person=person,
            team=team,
            decision=decision,
            started_at=started,
            opened_by=by,
            named_worker=worker,
            locality=LOCALITIES[n % len(LOCALITIES)],
        )
        referrals.append(referral)
        assessments.append(assessment)
        decisions.append(decision)
        episodes.append(episode)
        statuses.append(
            EpisodeStatusChange(
                episode=episode, status=EpisodeStatus.OPEN, changed_by=by, changed_at=started
            )
        )
        if worker is not None:
            named.append(
                NamedWorkerChange(
                    episode=episode,
                    staff=worker,
                    reason="Named when home treatment began",
                    changed_by=by,
                    changed_at=started,
                )
            )
    Referral.objects.bulk_create(referrals)
    Assessment.objects.bulk_create(assessments)
    Decision.objects.bulk_create(decisions)
    Episode.objects.bulk_create(episodes)
    EpisodeStatusChange.objects.bulk_create(statuses)
    NamedWorkerChange.objects.bulk_create(named)
    return episodes


def bulk_activity(
    *, episodes: Sequence[Episode], by: User, now: dt.datetime, seed: int = 5
) -> dict[str, int]:
    """For each episode: a visit or two each day since it started (each seen, or now and
    then not at home), the planned visits of the next two days, a care plan (given as a
    written plan for most), and a continuing review for some of the longer episodes."""
    rng = random.Random(seed)
    visits: list[Visit] = []
    contacts: list[CareContact] = []
    plans: list[CarePlan] = []
    given: list[WrittenPlanGiven] = []
    reviews: list[EpisodeReview] = []
    for episode in episodes:
        days = max(0, (now - episode.started_at).days)
        for day in range(days + 3):
            for hour in (10, 17) if day < 3 or rng.random() < 0.3 else (11,):
                start = episode.started_at.replace(hour=hour, minute=0, second=0)
                start += dt.timedelta(days=day)
                if start <= episode.started_at:
                    continue
                end = start + dt.timedelta(hours=1)
                past = end < now
                seen = rng.random() > 0.08
                visit = Visit(
                    episode=episode,
                    window_start=start,
                    window_end=end,
                    location=VisitLocation.HOME,
                    status=(VisitStatus.ATTENDED if seen else VisitStatus.NOT_AT_HOME)
                    if past
                    else VisitStatus.PLANNED,
                    purpose="Review mood and medication",
                    planned_by=by,
                )
                visits.append(visit)
                if past:
                    arrived = start + dt.timedelta(minutes=rng.randint(0, 50))
                    contacts.append(
                        CareContact(
                            episode=episode,
                            visit=visit,
                            started_at=arrived,
                            ended_at=arrived + dt.timedelta(minutes=rng.randint(5, 60)),
                            medium=Medium.FACE_TO_FACE,
                            location=VisitLocation.HOME,
                            attendance=Attendance.ATTENDED if seen else Attendance.NOT_AT_HOME,
                            note="Talked through the week; sleeping better.",
                            note_written_at=arrived + dt.timedelta(hours=1),
                            recorded_by=by,
                            recorded_at=arrived + dt.timedelta(hours=1),
                        )
                    )
        plan = CarePlan(episode=episode, created_by=by, strengths="Walks the dog every day")
        plans.append(plan)
        if days >= 4 and rng.random() < 0.85:
            given.append(
                WrittenPlanGiven(
                    care_plan=plan,
                    given_on=(episode.started_at + dt.timedelta(days=3)).date(),
                    method="in_person",
                    recorded_by=by,
                    recorded_at=episode.started_at + dt.timedelta(days=3),
                )
            )
        if days >= 38 and rng.random() < 0.5:
            reviews.append(
                EpisodeReview(
                    episode=episode,
                    reviewed_at=now - dt.timedelta(days=1),
                    reviewed_by=by,
                    outcome=ReviewOutcome.CONTINUE,
                    reason="Still needs daily visits while the new medication settles.",
                    next_review_on=(now + dt.timedelta(days=10)).date(),
                )
            )
    Visit.objects.bulk_create(visits, batch_size=2000)
    CareContact.objects.bulk_create(contacts, batch_size=2000)
    CarePlan.objects.bulk_create(plans)
    WrittenPlanGiven.objects.bulk_create(given)
    EpisodeReview.objects.bulk_create(reviews)
    return {
        "visits": len(visits),
        "contacts": len(contacts),
        "plans given": len(given),
        "reviews": len(reviews),
    }

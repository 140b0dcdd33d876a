"""Hand-built records for the figures' tests (no tests here). Rows are created directly, as
the demo data and treatment's caseload_data build them, so each test states exactly the facts
a figure is worked out from."""

import datetime as dt
from typing import Any

from crisis_care.assessments.models import Assessment, Decision, LegalStatus, Outcome, Venue
from crisis_care.core.clock import local_instant
from crisis_care.core.models import User
from crisis_care.discharge.models import Discharge, DischargeSummary, ReReferral
from crisis_care.nonprod import factories
from crisis_care.people.models import Person
from crisis_care.referrals.models import Pathway, Priority, Referral, Status
from crisis_care.treatment.models import (
    Admission,
    Attendance,
    CareContact,
    CarePlan,
    CarerConversationOffer,
    Episode,
    EpisodeStatus,
    Medium,
    VisitLocation,
    WrittenPlanGiven,
)
from crisis_care.workforce.models import Team


def london(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """The UTC instant a London clock shows hour:minute on day."""
    return local_instant(day, dt.time(hour, minute))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


class Build:
    """Records for one team, made by one user."""

    def __init__(self, team: Team, by: User) -> None:
        self.team = team
        self.by = by

    def person(self, **fields: Any) -> Person:
        return factories.PersonFactory(**fields)  # type: ignore[no-any-return]

    def referral(
        self,
        received_at: dt.datetime,
        *,
        person: Person | None = None,
        priority: str = Priority.URGENT,
        pathway: str = Pathway.MENTAL_HEALTH,
        source: str = "gp",
        status: str = Status.ACCEPTED,
        closed_at: dt.datetime | None = None,
        **stops: dt.datetime | None,
    ) -> Referral:
        return Referral.objects.create(
            team=self.team,
            person=person or self.person(),
            received_at=received_at,
            channel="phone",
            source=source,
            reason="Low mood, not sleeping",
            person_agrees="agrees",
            priority=priority,
            pathway=pathway,
            status=status,
            closed_at=closed_at,
            created_by=self.by,
            **stops,
        )

    def decision(
        self,
        at: dt.datetime,
        *,
        person: Person | None = None,
        outcome: str = Outcome.HOME_TREATMENT,
        **fields: Any,
    ) -> Decision:
        person = person or self.person()
        referral = self.referral(at - dt.timedelta(hours=3), person=person, status=Status.CLOSED)
        assessment = Assessment.objects.create(
            referral=referral,
            person=person,
            starts_at=at - dt.timedelta(hours=1),
            ends_at=at,
            venue=Venue.HOME,
            booked_by=self.by,
        )
        return Decision.objects.create(
            assessment=assessment,
            outcome=outcome,
            reasons="Agreed with the person",
            decided_by=self.by,
            decided_at=at,
            **fields,
        )

    def admission(
        self, at: dt.datetime, *, gatekept: bool | None, person: Person | None = None
    ) -> Admission:
        decision = self.decision(
            at,
            person=person,
            outcome=Outcome.ADMISSION,
            legal_status=LegalStatus.VOLUNTARY,
            ward="Ward 3, Bradgate Unit",
            gatekept_in_person=gatekept,
        )
        return Admission.objects.create(
            person=decision.assessment.person,
            decision=decision,
            ward="Ward 3, Bradgate Unit",
            legal_status=LegalStatus.VOLUNTARY,
            admitted_at=at,
        )

    def episode(
        self,
        started_at: dt.datetime,
        *,
        closed_at: dt.datetime | None = None,
        person: Person | None = None,
        early_discharge_from: Admission | None = None,
    ) -> Episode:
        decision = self.decision(started_at, person=person)
        return Episode.objects.create(
            referral=decision.assessment.referral,
            person=decision.assessment.person,
            team=self.team,
            decision=decision,
            started_at=started_at,
            status=EpisodeStatus.CLOSED if closed_at else EpisodeStatus.OPEN,
            closed_at=closed_at,
            opened_by=self.by,
            early_discharge_from=early_discharge_from,
        )

    def contact(
        self,
        episode: Episode,
        started_at: dt.datetime,
        *,
        minutes: int = 45,
        medium: str = Medium.FACE_TO_FACE,
        location: str = VisitLocation.HOME,
        attendance: str = Attendance.ATTENDED,
    ) -> CareContact:
        return CareContact.objects.create(
            episode=episode,
            started_at=started_at,
            ended_at=started_at + dt.timedelta(minutes=minutes),
            medium=medium,
            location=location,
            attendance=attendance,
            recorded_by=self.by,
            recorded_at=started_at + dt.timedelta(hours=1),
        )

    def plan_given(self, episode: Episode, on: dt.date) -> WrittenPlanGiven:
        plan, _ = CarePlan.objects.get_or_create(episode=episode, defaults={"created_by": self.by})
        return WrittenPlanGiven.objects.create(
            care_plan=plan,
            given_on=on,
            method="in_person",
            recorded_by=self.by,
            recorded_at=london(on, 12),
        )

    def discharge(
        self, episode: Episode, at: dt.datetime, *, outcome: str = "cmht", due_on: dt.date
    ) -> Discharge:
        episode.status = EpisodeStatus.CLOSED
        episode.closed_at = at
        episode.save(update_fields=["status", "closed_at"])
        return Discharge.objects.create(
            episode=episode,
            outcome=outcome,
            reason="Crisis resolved",
            discharged_at=at,
            discharged_by=self.by,
            summary_due_on=due_on,
        )

    def summary_sent(self, episode: Episode, on: dt.date) -> DischargeSummary:
        return DischargeSummary.objects.create(
            episode=episode,
            sent_on=on,
            method="nhs_mail",
            recipients="Dr Amara Shah",
            snapshot_html="<p>Summary</p>",
            sent_by=self.by,
            recorded_at=london(on, 12),
        )

    def re_referral(self, episode: Episode, at: dt.datetime, days: int) -> ReReferral:
        referral = self.referral(at, person=episode.person)
        return ReReferral.objects.create(
            episode=episode,
            referral=referral,
            days_after_discharge=days,
            recorded_by=self.by,
            recorded_at=at,
        )

    def carer_offer(self, episode: Episode, *, offered: bool) -> None:
        carer = factories.ContactFactory(person=episode.person, is_carer=True)
        if offered:
            CarerConversationOffer.objects.create(
                episode=episode,
                carer=carer,
                offered_at=episode.started_at + dt.timedelta(days=1),
                response="accepted",
                offered_by=self.by,
            )

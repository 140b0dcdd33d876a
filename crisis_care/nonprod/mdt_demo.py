"""Demo daily review, actions, handover and carers, on top of the home treatment demo.

For the main team this writes what treatment.services would have written:

- a review meeting each morning (about 09:30 London time) for the last `MEETING_DAYS` days,
  chaired by the team manager or a senior practitioner, with five to nine of the team attending
  (their profession as recorded), ending about 11:00. Today has no meeting, so the demo user can
  start one; yesterday's is there, so the board shows when each person was last reviewed.
- at each meeting a review of most of the people in home treatment that day, with a short
  decision and discharge readiness (mostly "not yet", planning near the end of an episode).
- the team's red/amber/green rating for every episode open now or during those days, set when
  the episode began, and now and then changed at a meeting with the team's reason. NICE NG225:
  nothing is computed from the record; the seeded random picks the rating and the words.
- actions from about one review in four, with an owner in the team, due in one to three days:
  most older ones done, a few overdue. The demo registered practitioner and support worker
  each have two to four open actions, one of them overdue.
- two shift handovers a day (morning and evening) for the last week, from someone on the
  outgoing shift to two or three on the incoming one. The stored summary says plainly that it
  is demo data, and names nobody.
- for people in home treatment now: conversations offered to their carers and held, a few
  carers' support plans with services from the directory, referrals for a carer's assessment,
  attempts to contact family, and invitations to review meetings for contacts the person has
  agreed may see their care plan.

Rows are built in memory and saved with bulk_create; nothing is audited. Their created and
updated stamps are the times the things happened. The same seed and moment give the same data.
"""

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

from crisis_care.core.clock import LONDON, local_date, local_instant
from crisis_care.core.models import User
from crisis_care.core.roles import CLINICAL_ROLES, Role
from crisis_care.directory.models import Category, Service, ServiceStatus, ServiceTaxonomy
from crisis_care.nonprod.treatment_demo import _historic_stamps, _stamp
from crisis_care.people.models import Contact, Involvement, ShareScope
from crisis_care.treatment.forms.carers import COUNCILS
from crisis_care.treatment.models import (
    Action,
    ActionStatus,
    ActionStatusChange,
    AttemptMethod,
    AttemptOutcome,
    CarerAssessmentReferral,
    CarerAssessmentStatus,
    CarerConversation,
    CarerConversationOffer,
    CarerSupportPlan,
    DischargeReadiness,
    Episode,
    EpisodeStatus,
    FamilyContactAttempt,
    Handover,
    MdtAttendance,
    MdtMeeting,
    MdtReview,
    OfferResponse,
    Rating,
    ReviewInvitation,
    RiskRating,
)
from crisis_care.treatment.rules import TreatmentAction, role_may
from crisis_care.workforce.models import Shift, ShiftAssignment, Team, TeamMembership

MEETING_DAYS = 14
HANDOVER_DAYS = 7
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# Shares (made up to look right; none is sourced).
REVIEWED_AT_MEETING = 0.85
RATING_CHANGED_AT_REVIEW = 0.07
REVIEW_WITH_ACTION = 0.25
OVERDUE_LEFT_OPEN = 0.05
CARER_OFFERED = 0.7
CARER_CONVERSATION_IF_ACCEPTED = 0.5
SUPPORT_PLAN_IF_CONVERSATION = 0.6
SUPPORT_PLAN_GIVEN = 0.8
ASSESSMENT_REFERRAL_IF_CONVERSATION = 0.3
FAMILY_CONTACTED = 0.6
INVITED_IF_CARE_PLAN_SHARED = 0.5

INITIAL_RATING = ((Rating.AMBER, 60), (Rating.RED, 15), (Rating.GREEN, 25))
ORDER = (Rating.GREEN, Rating.AMBER, Rating.RED)

SUMMARIES: dict[str, tuple[str, ...]] = {
    Rating.RED: (
        "Thoughts of ending their life most days and a plan they have spoken about. Agreed to "
        "stay with family; visits twice a day until this settles.",
        "Not sleeping, very agitated and using more alcohol to cope. Has said they do not feel "
        "safe on their own in the evenings.",
        "Hearing voices telling them to hurt themselves; finding it hard to keep themselves "
        "safe. Medicines not yet taken as agreed.",
        "Recent self-harm needing treatment in A&E. Still feels hopeless and is not answering "
        "the phone reliably.",
    ),
    Rating.AMBER: (
        "Low mood and passing thoughts of not wanting to be here, with no plan. Talks openly "
        "with the team and their partner.",
        "Distress rises in the evenings after arguments at home. Knows the crisis line number "
        "and has used it when things got bad.",
        "Paranoid thoughts about neighbours, less intense than at assessment. Sleeping better "
        "since the medicines changed.",
        "Struggling to eat and drink while very low. Their sister is staying and checks in with "
        "the team each day.",
        "Money worries and a court date coming up are the main pressures. Has stopped drinking "
        "and wants to keep it that way.",
    ),
    Rating.GREEN: (
        "Mood lifting and back in their routine. Says they would call the team or the crisis "
        "line if things changed.",
        "No thoughts of harming themselves for several days. Going out with a friend and "
        "looking forward to going back to work.",
        "Settled on their medicines and using their safety plan well. Family feel confident "
        "about the plan for discharge.",
    ),
}
RAISED = (
    "Team raised the rating: things have got harder at home this week.",
    "Raised after a difficult visit yesterday; visits increased to twice a day.",
    "Missed two visits and not answering the phone; raised until we have seen them.",
    "Told the support worker about new thoughts of harming themselves.",
)
LOWERED = (
    "Lowered: much calmer over the last few days and engaging with every visit.",
    "Lowered after a good week; their partner agrees things are more settled.",
    "Sleeping and eating again; safety plan in place and used.",
    "Team agreed the crisis has eased; stepping down the number of visits.",
)
DECISIONS = (
    "Continue daily visits. Review again tomorrow.",
    "No change to the plan. Keep visits at twice a day for now.",
    "Doctor to review medicines at a home visit this week.",
    "Reduce visits to once a day from tomorrow; they agree.",
    "Psychology to offer a session on managing distress.",
    "Named worker to update the safety plan with them and their family.",
    "Continue as planned. Support worker to help with benefits forms.",
    "Carer finding it hard: offer them a conversation of their own.",
    "Still very low. Keep the current plan and ask the doctor to see them.",
    "Going well. Start talking about what support is needed after home treatment.",
    "Missed yesterday's visit: try again this morning and phone their sister if no answer.",
    "Housing worry is the main pressure: signpost to the council's housing options team.",
    "Agreed to try a walk with the peer support worker later this week.",
    "GP to be updated about the medicine change by letter.",
    "No new concerns from the team. Carry on with the care plan.",
)
PLANNING_DECISIONS = (
    "Start planning discharge: ask the GP and community team about follow-up.",
    "Discharge planning: agree a date with them at the next visit.",
    "Nearly ready for discharge. Book a joint visit with the community team.",
)
READY_DECISIONS = (
    "Ready for discharge: discharge visit booked, letter to the GP.",
    "Agreed to discharge this week with follow-up from the recovery college.",
)
ACTIONS = (
    "Phone the GP about the change in medicines.",
    "Book a medical review at home this week.",
    "Update the safety plan with them at the next visit.",
    "Refer to the recovery college.",
    "Ring their sister to check how the weekend went.",
    "Send the written care plan again by post.",
    "Find out what support the housing team can offer.",
    "Arrange a joint visit with the community mental health team.",
    "Check whether the pharmacy has the new prescription ready.",
    "Offer the carer a conversation of their own.",
    "Write to the GP with the discharge plan.",
    "Ask psychology for an appointment to talk about coping with distress.",
)
DONE_NOTES = ("", "", "Done.", "Spoke to them; all sorted.", "Done at today's visit.")
CANCELLED_NOTES = (
    "No longer needed: the plan changed at the review.",
    "They went into hospital, so this is no longer needed.",
)
HANDOVER_NOTES = (
    "",
    "",
    "",
    "Two visits moved to the next shift because of traffic.",
    "Pharmacy delivery for tomorrow morning still to be confirmed.",
    "One person not answering the phone: please try again early.",
    "Car 3 is in for a service; use the pool car.",
)
CARER_NEEDS = (
    "Exhausted from staying up at night; wants to know who to call if they are worried.",
    "Juggling work and caring; would like help to talk to their employer about time off.",
    "Feels they are walking on eggshells at home and has nobody to talk to about it.",
    "Worried about money since giving up shifts to be at home more.",
    "Wants to understand the medicines and what side effects to look out for.",
    "Caring for their own parent as well; needs a break and some practical help.",
    "Frightened after the last crisis; wants to know what to do if it happens again.",
    "Has a long-term health condition of their own and is struggling to look after it.",
)
PLAN_SUPPORT = (
    "Carers' support service to call them this week; named worker to ring them every few days.",
    "Join the local carers' group on Thursday evenings; the team will check in after visits.",
    "A carer's assessment from the council, and time with the support worker to talk.",
)
PLAN_IF_WORSE = (
    "Ring the crisis team day or night, or NHS 111 and choose the mental health option. Call "
    "999 if anyone is in immediate danger.",
    "Ring the crisis team on the number in this plan; if nobody answers, NHS 111 and choose "
    "the mental health option.",
)
ATTEMPT_NOTES = (
    "",
    "Introduced the team and how to reach us.",
    "Asked how things are at home and whether they want to come to a review.",
)
INVITATION_PURPOSES = (
    "Care plan review",
    "Review of home treatment",
    "Planning for discharge",
)
REFERRAL_NOTES = ("", "Prefers phone calls after 5pm.", "Cares for a parent as well.")


@dataclass
class MdtDemoInput:
    now: dt.datetime
    main: Team


def build_mdt(data: MdtDemoInput, *, seed: int) -> dict[str, int]:
    """Write the reviews, ratings, actions, handovers and carers' records; return counts."""
    return _MdtBuilder(data, seed=seed).build()


@dataclass(eq=False)
class _Member:
    staff_id: uuid.UUID
    user: User
    profession: str
    job_title: str
    joined: dt.date

    @property
    def qualified(self) -> bool:
        return role_may(self.user.role, TreatmentAction.SET_RATING)


@dataclass(eq=False)
class _Ep:
    episode: Episode
    ratings: list[tuple[dt.datetime, str]] = field(default_factory=list)
    readiness: str = DischargeReadiness.NOT_YET
    reviews: list[MdtReview] = field(default_factory=list)

    def open_at(self, at: dt.datetime) -> bool:
        e = self.episode
        return e.started_at <= at and (e.closed_at is None or e.closed_at > at)

    def rating_at(self, at: dt.datetime) -> str | None:
        current = None
        for since, rating in self.ratings:
            if since <= at:
                current = rating
        return current


class _MdtBuilder:
    def __init__(self, data: MdtDemoInput, *, seed: int) -> None:
        self.now, self.main = data.now, data.main
        self.today = local_date(self.now)
        self.rng = random.Random(f"mdt-{seed}")
        self.meetings: list[MdtMeeting] = []
        self.attendance: list[MdtAttendance] = []
        self.ratings: list[RiskRating] = []
        self.reviews: list[MdtReview] = []
        self.actions: list[Action] = []
        self.action_statuses: list[ActionStatusChange] = []
        self.handovers: list[Handover] = []
        self.received: list[Any] = []
        self.offers: list[CarerConversationOffer] = []
        self.conversations: list[CarerConversation] = []
        self.plans: list[CarerSupportPlan] = []
        self.plan_services: list[Any] = []
        self.referrals: list[CarerAssessmentReferral] = []
        self.attempts: list[FamilyContactAttempt] = []
        self.invitations: list[ReviewInvitation] = []

    # --- helpers -------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        seconds = max(0.0, (end - start).total_seconds())
        return (start + dt.timedelta(seconds=self.rng.uniform(0, seconds))).replace(microsecond=0)

    def at_local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return local_instant(day, dt.time(hour, minute))

    # --- loading -------------------------------------------------------------------------

    def load(self) -> None:
        rows = TeamMembership.objects.filter(team=self.main, ended_on__isnull=True).select_related(
            "staff__user"
        )
        self.members = sorted(
            (
                _Member(
                    staff_id=m.staff_id,
                    user=m.staff.user,
                    profession=m.staff.profession,
                    job_title=m.staff.job_title,
                    joined=m.started_on,
                )
                for m in rows
            ),
            key=lambda m: m.user.username,
        )
        self.by_staff = {m.staff_id: m for m in self.members}
        by_username = {m.user.username: m for m in self.members}
        self.demo = [
            m
            for name in ("demo.registered_practitioner", "demo.support_worker")
            if (m := by_username.get(name)) is not None
        ]
        self.clinical = [m for m in self.members if m.user.role in CLINICAL_ROLES]
        self.qualified = [m for m in self.clinical if m.qualified]
        self.owners = [m for m in self.clinical if m not in self.demo]
        self.chairs = [
            m
            for m in self.qualified
            if m.user.role == Role.TEAM_MANAGER
            or (m.user.role == Role.REGISTERED_PRACTITIONER and m.job_title.startswith("Senior"))
        ] or self.qualified

        self.first_day = self.today - dt.timedelta(days=MEETING_DAYS)
        since = self.at_local(self.first_day, 0)
        episodes = (
            Episode.objects.filter(team=self.main)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
            .select_related("person", "opened_by")
            .order_by("started_at", "person__nhs_number")
        )
        self.eps = [_Ep(e) for e in episodes]
        self.open_eps = [ep for ep in self.eps if ep.episode.status == EpisodeStatus.OPEN]

        shifts = list(
            Shift.objects.filter(
                team=self.main, ends_at__gte=self.at_local(self.today - dt.timedelta(days=8), 0)
            ).order_by("starts_at")
        )
        staff_on: dict[uuid.UUID, list[tuple[bool, uuid.UUID]]] = defaultdict(list)
        for shift_id, staff_id, coordinator in ShiftAssignment.objects.filter(
            shift__in=shifts
        ).values_list("shift_id", "staff_id", "is_coordinator"):
            staff_on[shift_id].append((coordinator, staff_id))
        self.shifts = [
            (
                s,
                [
                    self.by_staff[staff_id]
                    for _, staff_id in sorted(staff_on[s.pk], key=lambda r: (not r[0], str(r[1])))
                    if staff_id in self.by_staff
                ],
            )
            for s in shifts
        ]

    def on_shift_at(self, at: dt.datetime) -> list[_Member]:
        return [m for s, staff in self.shifts if s.starts_at <= at < s.ends_at for m in staff]

    # --- the build -----------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.load()
        if not self.eps or not self.qualified or not self.owners:
            return {}
        for ep in self.eps:
            self.initial_rating(ep)
        for n in range(MEETING_DAYS, 0, -1):
            self.meeting(self.today - dt.timedelta(days=n))
        self.demo_actions()
        self.handover_week()
        self.carers()
        self.save()
        return {
            "review meetings": len(self.meetings),
            "people reviewed at meetings": len(self.reviews),
            "risk ratings": len(self.ratings),
            "actions": len(self.actions),
            "actions open": sum(a.status == ActionStatus.OPEN for a in self.actions),
            "handovers": len(self.handovers),
            "carer conversations offered": len(self.offers),
            "carer conversations": len(self.conversations),
            "carer support plans": len(self.plans),
            "carer's assessment referrals": len(self.referrals),
            "family contact attempts": len(self.attempts),
            "review invitations": len(self.invitations),
        }

    # --- ratings -------------------------------------------------------------------------

    def setter(self, ep: _Ep) -> User:
        opener = ep.episode.opened_by
        if role_may(opener.role, TreatmentAction.SET_RATING):
            return opener
        return self.rng.choice(self.qualified).user

    def initial_rating(self, ep: _Ep) -> None:
        e = ep.episode
        at = min(e.started_at + dt.timedelta(minutes=self.rng.randint(10, 120)), self.now - MINUTE)
        at = max(at, e.started_at)
        rating = self.weighted(INITIAL_RATING)
        self.add_rating(ep, rating, at=at, by=self.setter(ep), reason="", meeting=None)

    def add_rating(
        self,
        ep: _Ep,
        rating: str,
        *,
        at: dt.datetime,
        by: User,
        reason: str,
        meeting: MdtMeeting | None,
    ) -> None:
        ep.ratings.append((at, rating))
        self.ratings.append(
            _stamp(
                RiskRating(
                    episode_id=ep.episode.pk,
                    rating=rating,
                    summary=self.rng.choice(SUMMARIES[rating]),
                    reason=reason,
                    meeting=meeting,
                    set_by=by,
                    set_at=at,
                ),
                at,
            )
        )

    # --- meetings and reviews ------------------------------------------------------------

    def meeting(self, day: dt.date) -> None:
        start = self.at_local(day, 9, 30) + dt.timedelta(minutes=self.rng.randint(0, 8))
        end = self.at_local(day, 10, 50) + dt.timedelta(minutes=self.rng.randint(0, 20))
        if end > self.now:
            return
        present = [m for m in self.members if m.joined <= day]
        chairs = [m for m in self.chairs if m.joined <= day] or self.chairs
        chair = self.rng.choice(chairs)
        on_shift = {m.staff_id for m in self.on_shift_at(start)}
        likely = [m for m in present if m.staff_id in on_shift and m is not chair]
        others = [m for m in present if m.staff_id not in on_shift and m is not chair]
        size = self.rng.randint(5, 9) - 1
        chosen = self.rng.sample(likely, min(size, len(likely)))
        if len(chosen) < size:
            chosen += self.rng.sample(others, min(size - len(chosen), len(others)))
        meeting = _stamp(
            MdtMeeting(
                team_id=self.main.pk,
                started_at=start,
                ended_at=end,
                chair_id=chair.staff_id,
                started_by=chair.user,
            ),
            start,
            end,
        )
        self.meetings.append(meeting)
        for m in [chair, *chosen]:
            self.attendance.append(
                _stamp(
                    MdtAttendance(meeting=meeting, staff_id=m.staff_id, profession=m.profession),
                    start,
                )
            )
        due = [ep for ep in self.eps if ep.open_at(start) and ep.open_at(end)]
        reviewed = [
            ep
            for ep in due
            if ep.rating_at(start) == Rating.RED or self.chance(REVIEWED_AT_MEETING)
        ]
        step = (end - start) / (len(reviewed) + 1)
        for i, ep in enumerate(reviewed, start=1):
            self.review(ep, meeting, chair, day, (start + step * i).replace(microsecond=0))

    def readiness(self, ep: _Ep, day: dt.date) -> str:
        e = ep.episode
        if ep.readiness == DischargeReadiness.READY:
            return ep.readiness
        if e.closed_at is not None:
            left = (local_date(e.closed_at) - day).days
            if left <= 2 and self.chance(0.6):
                return DischargeReadiness.READY
            if left <= 6 and (ep.readiness == DischargeReadiness.PLANNING or self.chance(0.5)):
                return DischargeReadiness.PLANNING
            return ep.readiness
        age = (day - local_date(e.started_at)).days
        if ep.readiness == DischargeReadiness.NOT_YET and (
            (age >= 21 and self.chance(0.25)) or (age >= 14 and self.chance(0.08))
        ):
            return DischargeReadiness.PLANNING
        return ep.readiness

    def review(
        self, ep: _Ep, meeting: MdtMeeting, chair: _Member, day: dt.date, at: dt.datetime
    ) -> None:
        ep.readiness = self.readiness(ep, day)
        if ep.readiness == DischargeReadiness.READY:
            decision = self.rng.choice(READY_DECISIONS)
        elif ep.readiness == DischargeReadiness.PLANNING and self.chance(0.6):
            decision = self.rng.choice(PLANNING_DECISIONS)
        else:
            decision = self.rng.choice(DECISIONS)
        review = _stamp(
            MdtReview(
                meeting=meeting,
                episode_id=ep.episode.pk,
                decision=decision,
                discharge_readiness=ep.readiness,
                reviewed_by=chair.user,
                reviewed_at=at,
            ),
            at,
        )
        self.reviews.append(review)
        ep.reviews.append(review)
        current = ep.rating_at(at) or Rating.AMBER
        if self.chance(RATING_CHANGED_AT_REVIEW) or (
            ep.readiness != DischargeReadiness.NOT_YET and current == Rating.RED
        ):
            level = ORDER.index(Rating(current))
            if ep.readiness != DischargeReadiness.NOT_YET or level == 2:
                up = False
            else:
                up = level == 0 or self.chance(0.5)
            new = ORDER[level + 1] if up else ORDER[max(level - 1, 0)]
            if new != current:
                reason = self.rng.choice(RAISED if up else LOWERED)
                self.add_rating(ep, new, at=at, by=chair.user, reason=reason, meeting=meeting)
        if self.chance(REVIEW_WITH_ACTION):
            for _ in range(2 if self.chance(0.15) else 1):
                self.random_action(ep, review, day)

    # --- actions -------------------------------------------------------------------------

    def random_action(self, ep: _Ep, review: MdtReview, day: dt.date) -> None:
        e = ep.episode
        named = self.by_staff.get(e.named_worker_id) if e.named_worker_id else None
        owner = named if named in self.owners and self.chance(0.5) else None
        owner = owner or self.rng.choice(self.owners)
        due = self.at_local(day + dt.timedelta(days=self.rng.randint(1, 3)), 17)
        closed = e.closed_at
        if closed is not None and closed <= self.now:
            ends = (
                ActionStatus.DONE
                if closed > review.reviewed_at + HOUR and self.chance(0.85)
                else ActionStatus.CANCELLED
            )
            last = max(min(due, closed), review.reviewed_at + MINUTE)
        elif due < self.now:
            roll = self.rng.random()
            ends = (
                ActionStatus.OPEN
                if roll < OVERDUE_LEFT_OPEN
                else ActionStatus.CANCELLED
                if roll < OVERDUE_LEFT_OPEN + 0.05
                else ActionStatus.DONE
            )
            last = min(due + 12 * HOUR, self.now)
        else:
            ends = ActionStatus.DONE if self.chance(0.3) else ActionStatus.OPEN
            last = self.now
        done_at = (
            self.between(review.reviewed_at + HOUR, last) if ends != ActionStatus.OPEN else None
        )
        if done_at is not None:  # never after the episode closed, nor before the review
            done_at = max(min(done_at, last), review.reviewed_at + MINUTE)
        self.action(ep, review, owner, self.rng.choice(ACTIONS), due, ends, done_at)

    def action(
        self,
        ep: _Ep,
        review: MdtReview,
        owner: _Member,
        description: str,
        due: dt.datetime,
        status: str,
        done_at: dt.datetime | None,
    ) -> None:
        at = review.reviewed_at
        action = _stamp(
            Action(
                episode_id=ep.episode.pk,
                review=review,
                description=description,
                owner_id=owner.staff_id,
                due_at=due,
                status=status,
                created_by=review.reviewed_by,
                version=1 if done_at is None else 2,
            ),
            at,
            done_at,
        )
        self.actions.append(action)
        self.action_statuses.append(
            _stamp(
                ActionStatusChange(
                    action=action,
                    status=ActionStatus.OPEN,
                    changed_by=review.reviewed_by,
                    changed_at=at,
                ),
                at,
            )
        )
        if done_at is not None:
            done = status == ActionStatus.DONE
            self.action_statuses.append(
                _stamp(
                    ActionStatusChange(
                        action=action,
                        status=status,
                        note=self.rng.choice(DONE_NOTES if done else CANCELLED_NOTES),
                        changed_by=owner.user if done else review.reviewed_by,
                        changed_at=done_at,
                    ),
                    done_at,
                )
            )

    def demo_actions(self) -> None:
        """Two to four open actions for each demo visiting login, one of them overdue, and a
        couple they have done, on people in home treatment now."""
        yesterday = self.today - DAY
        for member in self.demo:
            recent = [
                r
                for ep in self.open_eps
                for r in ep.reviews[-1:]
                if local_date(r.reviewed_at) == yesterday
            ]
            older = [
                (ep, r)
                for ep in self.open_eps
                for r in ep.reviews
                if 3 <= (self.today - local_date(r.reviewed_at)).days <= 6
            ]
            if not recent or not older:
                continue
            by_id = {ep.episode.pk: ep for ep in self.open_eps}
            ep, review = self.rng.choice(older)
            day = local_date(review.reviewed_at)
            overdue = self.at_local(day + DAY, 17)
            self.action(
                ep, review, member, self.rng.choice(ACTIONS), overdue, ActionStatus.OPEN, None
            )
            for review in self.rng.sample(recent, min(len(recent), self.rng.randint(1, 3))):
                due = self.at_local(yesterday + dt.timedelta(days=self.rng.randint(2, 3)), 12)
                ep = by_id[review.episode_id]
                self.action(
                    ep, review, member, self.rng.choice(ACTIONS), due, ActionStatus.OPEN, None
                )
            for ep, review in self.rng.sample(older, min(len(older), 2)):
                due = self.at_local(local_date(review.reviewed_at) + DAY, 17)
                done_at = self.between(review.reviewed_at + HOUR, due)
                self.action(
                    ep, review, member, self.rng.choice(ACTIONS), due, ActionStatus.DONE, done_at
                )

    # --- handovers -----------------------------------------------------------------------

    def handover_week(self) -> None:
        first = self.today - dt.timedelta(days=HANDOVER_DAYS - 1)
        for n in range(HANDOVER_DAYS):
            day = first + dt.timedelta(days=n)
            for hour in (7, 21):
                self.handover(day, hour)

    def handover(self, day: dt.date, hour: int) -> None:
        taking_over = next(
            (
                (s, staff)
                for s, staff in self.shifts
                if local_date(s.starts_at) == day
                and abs(s.starts_at.astimezone(LONDON).hour - hour) <= 1
                and staff
            ),
            None,
        )
        at = self.at_local(day, hour, self.rng.randint(5, 25))
        if taking_over is not None:
            shift, incoming = taking_over
            at = shift.starts_at + dt.timedelta(minutes=self.rng.randint(5, 25))
        else:
            shift, incoming = None, self.rng.sample(self.clinical, min(4, len(self.clinical)))
        if at > self.now:
            return
        outgoing = [m for m in self.on_shift_at(at - HOUR) if m not in incoming]
        giver = outgoing[0] if outgoing else self.rng.choice(self.clinical)
        receivers = [m for m in incoming if m is not giver][: self.rng.randint(2, 3)]
        if not receivers:
            return
        caseload = [ep for ep in self.eps if ep.open_at(at)]
        red = sum(ep.rating_at(at) == Rating.RED for ep in caseload)
        people = "1 person" if len(caseload) == 1 else f"{len(caseload)} people"
        summary = (
            f"<p>Demo handover: {people} on the caseload, {red} rated red.</p>"
            "<p>This is made-up demo data. A real handover keeps the summary built from the "
            "records when it was given.</p>"
        )
        handover = _stamp(
            Handover(
                team_id=self.main.pk,
                shift=shift,
                given_by_id=giver.staff_id,
                given_at=at,
                summary_html=summary,
                person_ids=[],
                notes=self.rng.choice(HANDOVER_NOTES),
                recorded_by=giver.user,
            ),
            at,
        )
        self.handovers.append(handover)
        for m in receivers:
            self.received.append(
                Handover.received_by.through(handover=handover, staffmember_id=m.staff_id)
            )

    # --- carers and family ---------------------------------------------------------------

    def carers(self) -> None:
        contacts: dict[uuid.UUID, list[Contact]] = defaultdict(list)
        for c in (
            Contact.objects.filter(person__in=[ep.episode.person_id for ep in self.open_eps])
            .select_related("current_consent")
            .order_by("name", "relationship", "phone")
        ):
            contacts[c.person_id].append(c)
        carer_services = list(
            Service.objects.filter(
                status=ServiceStatus.ACTIVE,
                pk__in=ServiceTaxonomy.objects.filter(taxonomy__code=Category.CARER_SUPPORT).values(
                    "service_id"
                ),
            ).order_by("name")
        ) or list(Service.objects.filter(status=ServiceStatus.ACTIVE).order_by("name"))
        for ep in self.open_eps:
            people = contacts.get(ep.episode.person_id, [])
            for carer in (c for c in people if c.is_carer):
                self.carer(ep, carer, carer_services)
            self.family(ep, people)

    def worker(self, ep: _Ep) -> User:
        named = (
            self.by_staff.get(ep.episode.named_worker_id) if ep.episode.named_worker_id else None
        )
        if named is not None and self.chance(0.7):
            return named.user
        return self.rng.choice(self.qualified).user

    def carer(self, ep: _Ep, carer: Contact, services: list[Service]) -> None:
        e = ep.episode
        if not self.chance(CARER_OFFERED):
            return
        offered_at = self.between(e.started_at + HOUR, min(e.started_at + 5 * DAY, self.now))
        response = self.weighted(
            (
                (OfferResponse.ACCEPTED, 75),
                (OfferResponse.NOT_YET, 15),
                (OfferResponse.DECLINED, 10),
            )
        )
        by = self.worker(ep)
        self.offers.append(
            _stamp(
                CarerConversationOffer(
                    episode_id=e.pk,
                    carer=carer,
                    offered_at=offered_at,
                    response=response,
                    offered_by=by,
                ),
                offered_at,
            )
        )
        if response != OfferResponse.ACCEPTED or not self.chance(CARER_CONVERSATION_IF_ACCEPTED):
            return
        held_at = self.between(offered_at + HOUR, min(offered_at + 4 * DAY, self.now))
        if held_at <= offered_at:
            return
        self.conversations.append(
            _stamp(
                CarerConversation(
                    episode_id=e.pk,
                    carer=carer,
                    held_at=held_at,
                    separate_from_person=self.chance(0.9),
                    carer_needs=self.rng.choice(CARER_NEEDS),
                    held_by=by,
                ),
                held_at,
            )
        )
        if self.chance(SUPPORT_PLAN_IF_CONVERSATION):
            written = self.between(held_at, min(held_at + DAY, self.now))
            given_on = None
            if self.chance(SUPPORT_PLAN_GIVEN):
                given_on = min(
                    local_date(written) + dt.timedelta(days=self.rng.randint(0, 2)), self.today
                )
            plan = _stamp(
                CarerSupportPlan(
                    episode_id=e.pk,
                    carer=carer,
                    needs=self.rng.choice(CARER_NEEDS),
                    support=self.rng.choice(PLAN_SUPPORT),
                    if_things_get_worse=self.rng.choice(PLAN_IF_WORSE),
                    given_on=given_on,
                    written_by=by,
                    version=2 if given_on else 1,
                ),
                written,
                self.at_local(given_on, 16) if given_on else written,
            )
            if plan.updated_at > self.now:
                plan.updated_at = self.now
            self.plans.append(plan)
            for service in self.rng.sample(services, min(len(services), self.rng.randint(1, 2))):
                self.plan_services.append(
                    CarerSupportPlan.services.through(carersupportplan=plan, service_id=service.pk)
                )
        if self.chance(ASSESSMENT_REFERRAL_IF_CONVERSATION):
            referred_at = self.between(held_at, min(held_at + 2 * DAY, self.now))
            older = self.now - referred_at > 3 * DAY
            status = (
                CarerAssessmentStatus.ACCEPTED
                if older and self.chance(0.5)
                else CarerAssessmentStatus.SENT
            )
            self.referrals.append(
                _stamp(
                    CarerAssessmentReferral(
                        episode_id=e.pk,
                        carer=carer,
                        council=self.rng.choices(COUNCILS, weights=(50, 40, 10))[0],
                        carer_agreed=True,
                        referred_at=referred_at,
                        status=status,
                        note=self.rng.choice(REFERRAL_NOTES),
                        referred_by=by,
                    ),
                    referred_at,
                )
            )

    def family(self, ep: _Ep, people: list[Contact]) -> None:
        e = ep.episode
        reachable = [c for c in people if c.involvement != Involvement.DOES_NOT_WANT]
        if reachable and self.chance(FAMILY_CONTACTED):
            contact = self.rng.choice(reachable)
            at = self.between(e.started_at + HOUR, min(e.started_at + 3 * DAY, self.now))
            for attempt in range(3):
                if at > self.now:
                    break
                method = self.weighted(
                    (
                        (AttemptMethod.PHONE, 80),
                        (AttemptMethod.IN_PERSON, 10),
                        (AttemptMethod.LETTER, 5),
                        (AttemptMethod.EMAIL, 5),
                    )
                )
                outcome: str
                if method in (AttemptMethod.LETTER, AttemptMethod.EMAIL):
                    outcome = AttemptOutcome.MESSAGE
                elif method == AttemptMethod.IN_PERSON:
                    outcome = AttemptOutcome.SPOKE
                else:
                    outcome = self.weighted(
                        (
                            (AttemptOutcome.SPOKE, 60),
                            (AttemptOutcome.MESSAGE, 25),
                            (AttemptOutcome.NO_ANSWER, 15),
                        )
                    )
                self.attempts.append(
                    _stamp(
                        FamilyContactAttempt(
                            episode_id=e.pk,
                            contact=contact,
                            attempted_at=at,
                            method=method,
                            outcome=outcome,
                            note=self.rng.choice(ATTEMPT_NOTES),
                            attempted_by=self.worker(ep),
                        ),
                        at,
                    )
                )
                if outcome == AttemptOutcome.SPOKE or attempt == 2:
                    break
                at += dt.timedelta(hours=self.rng.randint(3, 26))
        shared = [
            c
            for c in people
            if c.current_consent is not None and c.current_consent.scope == ShareScope.CARE_PLAN
        ]
        for contact in shared:
            if not self.chance(INVITED_IF_CARE_PLAN_SHARED):
                continue
            invited_at = self.between(e.started_at + HOUR, self.now - HOUR)
            if invited_at <= e.started_at:
                continue
            meeting_day = local_date(invited_at) + dt.timedelta(days=self.rng.randint(2, 7))
            meeting_at = self.at_local(meeting_day, self.rng.choice((10, 11, 14, 15)))
            attended = self.chance(0.8) if meeting_at < self.now else None
            self.invitations.append(
                _stamp(
                    ReviewInvitation(
                        episode_id=e.pk,
                        contact=contact,
                        meeting_at=meeting_at,
                        purpose=self.rng.choice(INVITATION_PURPOSES),
                        invited_at=invited_at,
                        attended=attended,
                        invited_by=self.worker(ep),
                    ),
                    invited_at,
                    max(invited_at, min(meeting_at + HOUR, self.now))
                    if attended is not None
                    else invited_at,
                )
            )

    # --- saving --------------------------------------------------------------------------

    def save(self) -> None:
        batches: list[tuple[type[models.Model], Sequence[models.Model]]] = [
            (MdtMeeting, self.meetings),
            (MdtAttendance, self.attendance),
            (RiskRating, self.ratings),
            (MdtReview, self.reviews),
            (Action, self.actions),
            (ActionStatusChange, self.action_statuses),
            (Handover, self.handovers),
            (Handover.received_by.through, self.received),
            (CarerConversationOffer, self.offers),
            (CarerConversation, self.conversations),
            (CarerSupportPlan, self.plans),
            (CarerSupportPlan.services.through, self.plan_services),
            (CarerAssessmentReferral, self.referrals),
            (FamilyContactAttempt, self.attempts),
            (ReviewInvitation, self.invitations),
        ]
        stamped = [
            m
            for m, _ in batches
            if m not in (Handover.received_by.through, CarerSupportPlan.services.through)
        ]
        with _historic_stamps(*stamped):
            for model, rows in batches:
                model._default_manager.bulk_create(rows, batch_size=2000)

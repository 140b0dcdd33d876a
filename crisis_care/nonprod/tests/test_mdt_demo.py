import datetime as dt
import re
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_date
from crisis_care.nonprod.tests.test_treatment_demo import MAIN, NOW, run_demo
from crisis_care.people.models import ShareScope
from crisis_care.treatment.models import (
    Action,
    ActionStatus,
    CarerConversation,
    CarerConversationOffer,
    CarerSupportPlan,
    DischargeReadiness,
    Episode,
    EpisodeStatus,
    FamilyContactAttempt,
    Handover,
    MdtMeeting,
    MdtReview,
    OfferResponse,
    Rating,
    ReviewInvitation,
    RiskRating,
)
from crisis_care.treatment.rules import TreatmentAction, role_may
from crisis_care.workforce.models import TeamMembership

BUILD = ("--people", "30", "--referral-days", "30", "--visit-days", "7")


@time_machine.travel(NOW, tick=False)
class TestMdtDemo(TestCase):
    """One small build (30 days of referrals), checked from the board's side."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo(*BUILD)

    def setUp(self) -> None:
        self.now = timezone.now()
        self.today = local_date(self.now)
        self.open = list(
            Episode.objects.filter(team__code=MAIN, status=EpisodeStatus.OPEN).prefetch_related(
                "risk_ratings"
            )
        )
        self.meetings = list(
            MdtMeeting.objects.select_related("team", "chair__user").prefetch_related(
                "attendance__staff"
            )
        )

    def test_the_summary_counts_the_board(self) -> None:
        assert "review meetings" in self.output and "handovers" in self.output

    def test_every_open_episode_has_a_rating_from_when_it_began(self) -> None:
        assert self.open
        for e in self.open:
            ratings = list(e.risk_ratings.all())
            assert ratings, e.pk
            first = ratings[0]
            assert first.meeting_id is None and first.reason == ""
            assert e.started_at <= first.set_at <= self.now
            for r in ratings:
                assert r.summary.strip()
                assert not re.search(r"\d", r.summary), "no numbers or scores in the summary"
                assert role_may(r.set_by.role, TreatmentAction.SET_RATING)
        colours = Counter(e.risk_ratings.all()[0].rating for e in self.open)
        assert colours[Rating.AMBER] > colours[Rating.RED]

    def test_a_change_of_rating_at_a_meeting_gives_its_reason(self) -> None:
        changes = list(RiskRating.objects.filter(meeting__isnull=False).select_related("meeting"))
        assert changes
        for r in changes:
            assert r.reason.strip()
            assert r.meeting.started_at <= r.set_at <= r.meeting.ended_at

    def test_today_has_no_meeting_but_yesterday_does(self) -> None:
        days = [local_date(m.started_at) for m in self.meetings]
        assert self.today not in days
        assert self.today - dt.timedelta(days=1) in days
        assert len(days) == len(set(days)) == 14

    def test_meetings_are_each_morning_with_five_to_nine_of_the_team(self) -> None:
        for m in self.meetings:
            assert m.team.code == MAIN
            start = m.started_at.astimezone(LONDON)
            assert dt.time(9, 30) <= start.time() <= dt.time(9, 45)
            assert m.ended_at is not None
            assert dt.time(10, 45) <= m.ended_at.astimezone(LONDON).time() <= dt.time(11, 15)
            attendance = list(m.attendance.all())
            assert 5 <= len(attendance) <= 9
            assert m.chair_id in {a.staff_id for a in attendance}
            assert role_may(m.chair.user.role, TreatmentAction.RUN_MDT)
            for a in attendance:
                assert a.profession == a.staff.profession
            members = set(
                TeamMembership.objects.filter(team=m.team).values_list("staff_id", flat=True)
            )
            assert {a.staff_id for a in attendance} <= members

    def test_reviews_belong_to_a_meeting_of_the_episodes_team_while_it_was_open(self) -> None:
        reviews = list(MdtReview.objects.select_related("meeting", "episode"))
        assert reviews
        for r in reviews:
            assert r.meeting.team_id == r.episode.team_id
            assert r.meeting.started_at <= r.reviewed_at <= r.meeting.ended_at
            assert r.episode.started_at <= r.reviewed_at
            assert r.episode.closed_at is None or r.reviewed_at < r.episode.closed_at
            assert r.decision.strip()
        readiness = Counter(r.discharge_readiness for r in reviews)
        assert readiness[DischargeReadiness.NOT_YET] > len(reviews) / 2
        assert readiness[DischargeReadiness.PLANNING] > 0
        # Most people open at yesterday's meeting were reviewed at it, so "last reviewed" shows.
        yesterday = max(self.meetings, key=lambda m: m.started_at)
        reviewed = {r.episode_id for r in reviews if r.meeting_id == yesterday.pk}
        assert len(reviewed) >= 0.7 * len(
            [e for e in self.open if e.started_at < yesterday.started_at]
        )

    def test_actions_have_an_owner_in_the_team_and_a_consistent_history(self) -> None:
        actions = list(
            Action.objects.select_related("review", "episode", "owner").prefetch_related(
                "status_history"
            )
        )
        assert actions
        statuses = Counter(a.status for a in actions)
        assert statuses[ActionStatus.DONE] > statuses[ActionStatus.OPEN]
        for a in actions:
            history = list(a.status_history.all())
            assert history[0].status == ActionStatus.OPEN
            assert history[-1].status == a.status
            assert a.review is not None and a.review.episode_id == a.episode_id
            assert a.due_at > a.review.reviewed_at
            assert all(h.changed_at <= self.now for h in history)
            if a.episode.status == EpisodeStatus.CLOSED:
                assert a.status != ActionStatus.OPEN
                assert history[-1].changed_at <= a.episode.closed_at
        overdue = [a for a in actions if a.status == ActionStatus.OPEN and a.due_at < self.now]
        assert overdue

    def test_the_demo_visiting_logins_have_open_actions_one_overdue(self) -> None:
        for username in ("demo.registered_practitioner", "demo.support_worker"):
            mine = list(
                Action.objects.filter(
                    owner__user__username=username, status=ActionStatus.OPEN
                ).select_related("episode")
            )
            assert 2 <= len(mine) <= 4, username
            assert sum(a.due_at < self.now for a in mine) == 1, username
            assert all(a.episode.status == EpisodeStatus.OPEN for a in mine)

    def test_handovers_twice_a_day_say_they_are_demo_data(self) -> None:
        handovers = list(
            Handover.objects.select_related("given_by").prefetch_related("received_by")
        )
        days = Counter(local_date(h.given_at) for h in handovers)
        assert len(days) == 7
        assert all(n <= 2 for n in days.values())
        assert days[self.today - dt.timedelta(days=1)] == 2
        for h in handovers:
            assert h.given_at <= self.now
            assert h.summary_html.startswith("<p>Demo handover: ")
            assert "rated red" in h.summary_html
            assert h.person_ids == []
            received = list(h.received_by.all())
            assert 2 <= len(received) <= 3
            assert h.given_by not in received

    def test_carers_are_offered_a_conversation_of_their_own(self) -> None:
        offers = list(CarerConversationOffer.objects.select_related("carer", "episode"))
        assert offers
        for o in offers:
            assert o.carer.is_carer and o.carer.person_id == o.episode.person_id
            assert o.episode.status == EpisodeStatus.OPEN
        accepted = {
            (o.episode_id, o.carer_id) for o in offers if o.response == OfferResponse.ACCEPTED
        }
        for c in CarerConversation.objects.all():
            assert (c.episode_id, c.carer_id) in accepted
            assert c.carer_needs.strip() and c.held_at <= self.now
        for p in CarerSupportPlan.objects.all():
            assert p.given_on is None or p.given_on <= self.today
        for f in FamilyContactAttempt.objects.select_related("contact", "episode"):
            assert f.contact.person_id == f.episode.person_id
            assert f.attempted_at <= self.now

    def test_invitations_only_go_to_contacts_who_may_see_the_care_plan(self) -> None:
        invitations = list(
            ReviewInvitation.objects.select_related("contact__current_consent", "episode")
        )
        assert invitations
        for i in invitations:
            assert i.contact.current_consent.scope == ShareScope.CARE_PLAN
            assert i.contact.person_id == i.episode.person_id
            assert i.invited_at < i.meeting_at
            assert (i.attended is None) == (i.meeting_at > self.now)


def snapshot() -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = [
        (m.started_at, m.ended_at, m.chair.user.username)
        for m in MdtMeeting.objects.select_related("chair__user")
    ]
    rows += [
        (r.episode.person.nhs_number, r.reviewed_at, r.decision, r.discharge_readiness)
        for r in MdtReview.objects.select_related("episode__person")
    ]
    rows += [
        (r.episode.person.nhs_number, r.set_at, r.rating, r.summary)
        for r in RiskRating.objects.select_related("episode__person")
    ]
    rows += [
        (a.episode.person.nhs_number, a.description, a.due_at, a.status, a.owner.user.username)
        for a in Action.objects.select_related("episode__person", "owner__user")
    ]
    rows += [(h.given_at, h.summary_html) for h in Handover.objects.all()]
    rows += [
        (o.episode.person.nhs_number, o.carer.name, o.offered_at, o.response)
        for o in CarerConversationOffer.objects.select_related("episode__person", "carer")
    ]
    rows += [
        (i.contact.name, i.meeting_at) for i in ReviewInvitation.objects.select_related("contact")
    ]
    return sorted(rows, key=repr)


@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_the_same_seed_gives_the_same_board() -> None:
    run_demo("--people", "20", "--referral-days", "12", "--visit-days", "7")
    first = snapshot()
    assert first
    call_command("flush", "--no-input", verbosity=0)
    run_demo("--people", "20", "--referral-days", "12", "--visit-days", "7")
    assert snapshot() == first

import datetime as dt
import io
import itertools
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from crisis_care.assessments.models import (
    MANDATORY_DOMAINS,
    Assessment,
    AssessmentStatus,
    Decision,
    Outcome,
)
from crisis_care.core.clock import LONDON
from crisis_care.people.models import CareTeamLink
from crisis_care.referrals.models import Status
from crisis_care.treatment.models import Admission, Episode, EpisodeStatus
from crisis_care.workforce.selectors import is_on_shift

DAYS = 30
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=LONDON)
ORDER = [
    AssessmentStatus.BOOKED,
    AssessmentStatus.STARTED,
    AssessmentStatus.COMPLETED,
    AssessmentStatus.DECIDED,
]
SCORE_WORDS = ("low risk", "medium risk", "high risk", "score")


def run_demo(*args: str) -> None:
    call_command("demo_data", *args, stdout=io.StringIO())


def assessments() -> list[Assessment]:
    return list(
        Assessment.objects.select_related("referral", "risk", "decision", "finalised_by")
        .prefetch_related("staff_links__staff", "status_history", "safety_plans")
        .order_by("starts_at")
    )


@time_machine.travel(NOW, tick=False)
class TestAMonthOfAssessments(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        run_demo("--people", "60", "--referral-days", str(DAYS))

    def setUp(self) -> None:
        self.now = timezone.now()
        self.all = assessments()
        self.decided = [a for a in self.all if a.status == AssessmentStatus.DECIDED]

    def test_assessed_referrals_have_a_decided_assessment(self) -> None:
        assert len(self.decided) > 100
        for a in self.decided:
            r = a.referral
            assert r.status == Status.CLOSED
            assert a.starts_at == r.face_to_face_at == a.started_at
            assert a.ends_at - a.starts_at == dt.timedelta(minutes=90)
            assert a.decision.decided_at == r.closed_at <= self.now
            assert list(r.status_history.all())[-1].note.startswith("Assessed: ")

    def test_two_staff_at_least_one_registered(self) -> None:
        for a in self.all:
            links = list(a.staff_links.all())
            assert len(links) == 2
            assert links[0].staff_id != links[1].staff_id
            assert any(link.registered_practitioner for link in links)

    def test_decided_assessments_are_complete_and_finalised(self) -> None:
        for a in self.decided:
            assert all(getattr(a, name).strip() for name in MANDATORY_DOMAINS)
            assert a.finalised_at is not None and a.finalised_by is not None
            assert a.started_at is not None
            assert a.started_at <= a.finalised_at <= a.decision.decided_at
            assert a.risk.formulation.strip()
            assert not any(word in a.risk.formulation.lower() for word in SCORE_WORDS)
            history = list(a.status_history.all())
            assert [s.status for s in history] == ORDER
            assert [s.changed_at for s in history] == sorted(s.changed_at for s in history)

    def test_most_have_a_safety_plan(self) -> None:
        with_plan = sum(bool(a.safety_plans.all()) for a in self.decided)
        assert with_plan > 0.6 * len(self.decided)

    def test_outcomes_are_mixed(self) -> None:
        outcomes = Counter(a.decision.outcome for a in self.decided)
        assert set(outcomes) == set(Outcome.values)
        assert outcomes[Outcome.HOME_TREATMENT] > outcomes[Outcome.ADMISSION]

    def test_admissions_have_a_gatekeeping_record(self) -> None:
        admissions = Decision.objects.filter(outcome=Outcome.ADMISSION)
        assert admissions.exists()
        for d in admissions:
            assert d.legal_status and d.ward
            assert d.gatekept_in_person is not None
            if d.gatekept_in_person is False:
                assert d.gatekeeping_failure_reason.strip()
            admission = Admission.objects.get(decision=d)
            assert admission.admitted_at == d.decided_at
            assert (admission.ward, admission.legal_status) == (d.ward, d.legal_status)

    def test_referral_on_and_signposting_name_services(self) -> None:
        for d in Decision.objects.filter(outcome__in=(Outcome.REFERRAL_ON, Outcome.SIGNPOSTING)):
            assert d.services.exists()

    def test_home_treatment_opens_an_episode_with_its_link(self) -> None:
        links = {lk.source_id: lk for lk in CareTeamLink.objects.filter(source="episode")}
        decisions = Decision.objects.filter(outcome=Outcome.HOME_TREATMENT)
        for d in decisions.select_related("episode", "assessment"):
            e = d.episode
            assert e.started_at == d.decided_at
            assert e.person_id == d.assessment.person_id
            link = links[e.pk]
            assert link.opened_at == e.started_at
            assert (link.closed_at is None) == (e.status == EpisodeStatus.OPEN)
            if link.closed_at:
                assert link.closed_at <= self.now
        assert Episode.objects.count() == decisions.count()

    def test_the_caseload_is_sensible_for_a_month(self) -> None:
        # Episodes last two to four weeks: most of a month's home treatment is still open.
        home = Episode.objects.count()
        open_ = Episode.objects.filter(status=EpisodeStatus.OPEN).count()
        assert 0.3 * home <= open_ <= 0.9 * home
        assert 40 <= open_ <= 160

    def test_the_referral_link_closes_at_the_decision(self) -> None:
        links = {lk.source_id: lk for lk in CareTeamLink.objects.filter(source="referral")}
        for a in self.decided:
            assert links[a.referral_id].closed_at == a.decision.decided_at

    def test_staff_are_on_shift_where_the_rota_reaches_and_never_double_booked(self) -> None:
        week = self.now - dt.timedelta(days=6)
        recent = [a for a in self.all if a.starts_at >= week]
        assert recent
        # Where two free staff on shift can be found (nearly always): otherwise anyone free.
        on_shift = [
            all(is_on_shift(staff=link.staff, at=a.starts_at) for link in a.staff_links.all())
            for a in recent
        ]
        assert sum(on_shift) >= 0.8 * len(recent)
        by_staff: dict[object, list[Assessment]] = {}
        for a in self.all:
            for link in a.staff_links.all():
                by_staff.setdefault(link.staff_id, []).append(a)
        for items in by_staff.values():
            recent_items = [a for a in items if a.starts_at >= week]
            for x, y in itertools.pairwise(recent_items):
                assert x.ends_at <= y.starts_at

    def test_todays_bookings(self) -> None:
        booked = [a for a in self.all if a.status == AssessmentStatus.BOOKED]
        assert 3 <= len(booked) <= 5
        for a in booked:
            assert a.referral.is_open and a.started_at is None and a.finalised_at is None
            assert a.starts_at > self.now
            for link in a.staff_links.all():
                assert is_on_shift(staff=link.staff, at=self.now)
                assert is_on_shift(staff=link.staff, at=a.starts_at)
            assert [s.status for s in a.status_history.all()] == [AssessmentStatus.BOOKED]


def snapshot() -> list[tuple[object, ...]]:
    return sorted(
        (
            a.referral.received_at,
            a.starts_at,
            a.venue,
            a.status,
            a.mental_state,
            tuple(sorted(link.staff.user.username for link in a.staff_links.all())),
            a.risk.formulation if hasattr(a, "risk") else "",
            a.decision.outcome if hasattr(a, "decision") else "",
        )
        for a in assessments()
    )


@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_the_same_seed_gives_the_same_assessments() -> None:
    run_demo("--people", "20", "--referral-days", "10")
    first = snapshot()
    assert first
    call_command("flush", "--no-input", verbosity=0)
    run_demo("--people", "20", "--referral-days", "10")
    assert snapshot() == first


@pytest.mark.django_db
def test_referral_days_zero_builds_no_assessments() -> None:
    run_demo("--people", "10", "--referral-days", "0")
    assert not Assessment.objects.exists()

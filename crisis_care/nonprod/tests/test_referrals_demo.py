import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Prefetch
from django.test import TestCase
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_date
from crisis_care.nonprod.referrals_demo import MAIN_REFERRALS_PER_YEAR
from crisis_care.nonprod.tests.test_demo_data import wipe_demo_data
from crisis_care.people.models import CareTeamLink
from crisis_care.referrals.clocks import ClockName, ClockState
from crisis_care.referrals.models import (
    OPEN_STATUSES,
    AreaCheck,
    BreachReason,
    ContactWith,
    Medium,
    Outcome,
    Pathway,
    Priority,
    Referral,
    ReferralContact,
    Source,
    Status,
)
from crisis_care.referrals.selectors import referral_clocks, triage_queue
from crisis_care.workforce.models import Team

MAIN, COUNCIL = "llr-crht", "lcc-crs"
DAYS = 30
# A Wednesday morning in November, well away from a clock change.
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=LONDON)
LIVE = dt.timedelta(hours=36)


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def referrals() -> list[Referral]:
    return list(
        Referral.objects.select_related("team", "person", "owner")
        .prefetch_related(
            Prefetch("contacts", queryset=ReferralContact.objects.order_by("occurred_at")),
            "status_history",
            "priority_history",
            "breach_reasons",
            "signposts",
        )
        .order_by("received_at")
    )


@time_machine.travel(NOW, tick=False)
class TestAMonthOfReferrals(TestCase):
    """One small build (30 days of referrals), checked from many sides."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo("--people", "60", "--referral-days", str(DAYS))

    def setUp(self) -> None:
        self.now = timezone.now()
        self.all = referrals()
        self.main = [r for r in self.all if r.team.code == MAIN]
        self.council = [r for r in self.all if r.team.code == COUNCIL]
        self.live_from = self.now - LIVE

    # --- volume and pattern ---

    def test_the_main_team_gets_about_eleven_referrals_a_day(self) -> None:
        expected = MAIN_REFERRALS_PER_YEAR / 365 * DAYS
        assert 0.8 * expected <= len(self.main) <= 1.2 * expected
        assert all(self.now - dt.timedelta(days=DAYS) <= r.received_at < self.now for r in self.all)
        assert f"{len(self.all)} referrals" in self.output

    def test_referrals_come_round_the_clock_but_mostly_by_day(self) -> None:
        hours = Counter(r.received_at.astimezone(LONDON).hour for r in self.main)
        small_hours = sum(hours[h] for h in range(2, 7))
        daytime = sum(hours[h] for h in range(10, 17))
        assert 0 < small_hours < daytime / 4
        weekdays = Counter(r.received_at.astimezone(LONDON).weekday() for r in self.main)
        assert weekdays[0] / 4 > (weekdays[5] + weekdays[6]) / 8  # Mondays beat weekend days

    def test_sources_and_priorities_are_mixed(self) -> None:
        sources = Counter(r.source for r in self.main)
        assert sources.most_common(1)[0][0] == Source.GP
        assert len(sources) >= 8
        priorities = Counter(r.priority for r in self.main)
        assert set(priorities) == set(Priority.values)
        assert (
            priorities[Priority.EMERGENCY]
            < priorities[Priority.VERY_URGENT]
            < priorities[Priority.URGENT]
        )

    def test_people_are_referred_again_and_some_are_the_demo_caseload(self) -> None:
        per_person = Counter(r.person_id for r in self.main if r.person_id)
        assert any(n > 1 for n in per_person.values())
        # The first person to try is on the caseload: a referral brought them in.
        first = [r for r in self.main if r.person and r.person.nhs_number == "9990000018"][-1]
        assert first.status == Status.CLOSED
        assert (
            list(first.status_history.all())[-1].note == "Assessed: home treatment episode started."
        )

    # --- consistency with the services ---

    def test_every_clock_computes_and_every_time_is_after_the_referral_arrived(self) -> None:
        for r in self.all:
            clocks = referral_clocks(r, self.now)
            assert clocks
            if r.pathway == Pathway.COUNCIL_CRS:
                assert {c.name for c in clocks} <= {
                    ClockName.CRS_RESPONSE,
                    ClockName.CRS_REABLEMENT,
                }
            times = [
                r.referrer_responded_at,
                r.first_contact_at,
                r.face_to_face_at,
                r.reablement_started_at,
                r.taken_at,
                r.closed_at,
                *(c.occurred_at for c in r.contacts.all()),
                *(s.changed_at for s in r.status_history.all()),
                *(p.set_at for p in r.priority_history.all()),
            ]
            for when in times:
                if when is not None:
                    assert r.received_at <= when <= self.now, r

    def test_the_clock_stops_are_the_first_successful_contacts(self) -> None:
        for r in self.all:
            spoke = [c for c in r.contacts.all() if c.outcome == Outcome.SPOKE]
            to_person = [c.occurred_at for c in spoke if c.with_whom == ContactWith.PERSON]
            in_person = [
                c.occurred_at
                for c in spoke
                if c.with_whom == ContactWith.PERSON and c.medium == Medium.FACE_TO_FACE
            ]
            responded = [c.occurred_at for c in spoke if c.with_whom == ContactWith.REFERRER]
            if r.source == Source.SELF:
                responded += to_person
            assert r.first_contact_at == min(to_person, default=None)
            assert r.face_to_face_at == min(in_person, default=None)
            assert r.referrer_responded_at == min(responded, default=None)

    def test_status_and_priority_history_end_where_the_referral_is(self) -> None:
        for r in self.all:
            statuses = list(r.status_history.all())
            assert statuses[0].status == Status.NEW
            assert statuses[-1].status == r.status
            assert [s.changed_at for s in statuses] == sorted(s.changed_at for s in statuses)
            assert list(r.priority_history.all())[-1].priority == r.priority
            assert r.is_open == (r.closed_at is None)
            if r.status != Status.NEW:
                assert r.owner is not None and r.taken_at is not None
            if r.status == Status.ACCEPTED or Status.ACCEPTED in {s.status for s in statuses}:
                assert r.person is not None

    def test_every_referral_to_a_known_person_opens_the_teams_link(self) -> None:
        links = {link.source_id: link for link in CareTeamLink.objects.filter(source="referral")}
        for r in self.all:
            if r.person_id is None:
                assert r.pk not in links
                continue
            link = links[r.pk]
            assert (link.team_id, link.person_id) == (r.team_id, r.person_id)
            assert link.closed_at == r.closed_at

    def test_area_and_age_checks_are_the_intake_checks(self) -> None:
        from crisis_care.referrals import eligibility

        for r in self.all:
            postcode = r.person.postcode if r.person else r.submitted_details["postcode"]
            born = (
                r.person.date_of_birth
                if r.person
                else dt.date.fromisoformat(r.submitted_details["date_of_birth"])
            )
            assert r.area_check == eligibility.check_area(postcode).check
            assert r.age_check == eligibility.check_age(
                born, local_date(r.received_at), pathway=r.pathway
            )

    # --- outcomes ---

    def test_most_clocks_are_met_and_some_are_breached(self) -> None:
        states = Counter(
            c.state for r in self.all for c in referral_clocks(r, self.now) if c.stopped_at
        )
        met_share = states[ClockState.MET] / (states[ClockState.MET] + states[ClockState.BREACHED])
        assert 0.82 <= met_share <= 0.95

    def test_every_breached_clock_on_a_closed_referral_has_a_reason(self) -> None:
        for r in self.all:
            reasons = {b.clock: b for b in r.breach_reasons.all()}
            breached = {
                c.name.value: c
                for c in referral_clocks(r, self.now)
                if c.state is ClockState.BREACHED
            }
            assert set(reasons) <= set(breached)  # never a reason for a clock that was met
            if not r.is_open:
                assert set(reasons) == set(breached), r
            for clock, reason in reasons.items():
                assert reason.reason and reason.recorded_by_id
                assert breached[clock].target_at <= reason.recorded_at <= self.now
        assert BreachReason.objects.filter(reason="Awaiting police welfare check.").exists()

    def test_about_a_fifth_are_declined_with_reasons_and_signposts(self) -> None:
        history = [r for r in self.main if r.received_at < self.live_from]
        declined = [r for r in history if r.status == Status.DECLINED]
        assert 0.12 <= len(declined) / len(history) <= 0.30
        for r in declined:
            assert r.decline_reason and r.decline_category and r.decline_letter
            assert r.signposts.all()
            assert r.closed_at is not None
        for r in history:
            if r.area_check == AreaCheck.OUT_OF_AREA:
                assert r.status == Status.DECLINED and r.decline_category == "out_of_area"
        accepted = [
            r for r in history if Status.ACCEPTED in {s.status for s in r.status_history.all()}
        ]
        assert len(accepted) / len(history) >= 0.65
        closed_unaccepted = [r for r in history if r.status == Status.CLOSED and r not in accepted]
        assert closed_unaccepted

    def test_older_referrals_have_moved_on(self) -> None:
        still_open = [r for r in self.all if r.is_open and r.received_at < self.live_from]
        assert len(still_open) <= 10
        assert all(r.status == Status.ACCEPTED for r in still_open)

    # --- today's queue ---

    def test_todays_queue_has_open_referrals_from_the_last_36_hours(self) -> None:
        live = [r for r in self.main if r.received_at >= self.live_from]
        assert 15 <= len(live) <= 25
        assert all(r.status in OPEN_STATUSES for r in live)
        assert len({r.status for r in live}) >= 2
        assert len({r.priority for r in live}) >= 3
        running = [c for r in live for c in referral_clocks(r, self.now) if c.stopped_at is None]
        assert any(c.state is ClockState.RUNNING for c in running)
        waiting = [
            c
            for r in live
            for c in referral_clocks(r, self.now)
            if c.state is ClockState.BREACHED and not r.breach_reasons.all()
        ]
        assert len(waiting) >= 2
        queue = triage_queue(team=Team.objects.get(code=MAIN), now=self.now)
        assert queue.open_count >= len(live)

    def test_a_few_online_self_referrals_are_not_yet_matched(self) -> None:
        unmatched = [r for r in self.main if r.person_id is None]
        assert len(unmatched) >= 2
        for r in unmatched:
            assert (r.source, r.channel) == (Source.SELF, "online")
            assert r.status in (Status.NEW, Status.TAKEN)
            assert r.received_at >= self.live_from
            assert {"given_name", "family_name", "date_of_birth", "phone"} <= set(
                r.submitted_details
            )

    # --- the council's crisis response service ---

    def test_the_council_team_gets_its_own_two_hour_pathway(self) -> None:
        assert 10 <= len(self.council) <= 60
        for r in self.council:
            assert r.pathway == Pathway.COUNCIL_CRS
            assert r.crs_criteria and set(r.crs_criteria) <= {str(n) for n in range(1, 9)}
            if r.reablement_started_at:
                assert r.reablement_needed
        assert any(r.reablement_needed for r in self.council)
        assert all(r.pathway == Pathway.MENTAL_HEALTH for r in self.main)


def snapshot() -> list[tuple[object, ...]]:
    rows = []
    for r in referrals():
        rows.append(
            (
                r.team.code,
                r.received_at,
                r.source,
                r.channel,
                r.priority,
                r.status,
                r.person.nhs_number if r.person else r.submitted_details["family_name"],
                r.owner.username if r.owner else "",
                r.closed_at,
                tuple(
                    (c.occurred_at, c.with_whom, c.outcome, c.by.username) for c in r.contacts.all()
                ),
                tuple(sorted((b.clock, b.reason) for b in r.breach_reasons.all())),
            )
        )
    return rows


def _wipe_everything() -> None:
    """Later stages protect the referrals they belong to, so remove them first."""
    from crisis_care.assessments.models import Addendum, Assessment, Decision, SafetyPlan
    from crisis_care.nonprod.tests.test_treatment_demo import wipe_treatment_demo
    from crisis_care.treatment.models import Admission, Episode

    wipe_treatment_demo()
    for model in (Episode, Admission, SafetyPlan, Decision, Addendum, Assessment, Referral):
        model.objects.all().delete()
    wipe_demo_data()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_same_seed_gives_the_same_referrals() -> None:
    run_demo("--people", "20", "--referral-days", "10")
    first = snapshot()
    assert first
    _wipe_everything()

    run_demo("--people", "20", "--referral-days", "10")
    assert snapshot() == first
    _wipe_everything()

    run_demo("--people", "20", "--referral-days", "10", "--seed", "7")
    assert snapshot() != first


@pytest.mark.django_db
def test_referral_days_zero_builds_no_referrals() -> None:
    output = run_demo("--people", "10", "--referral-days", "0")
    assert not Referral.objects.exists()
    assert "referrals" not in output.splitlines()[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 3, 30, 9, 0, tzinfo=LONDON),  # the clocks went forward on the 29th
        dt.datetime(2026, 10, 26, 9, 0, tzinfo=LONDON),  # and back on the 25th
    ],
)
def test_referrals_are_right_across_a_clock_change(now: dt.datetime) -> None:
    with time_machine.travel(now, tick=False):
        run_demo("--people", "10", "--referral-days", "4")
        all_referrals = referrals()
        assert all_referrals
        for r in all_referrals:
            clocks = referral_clocks(r, timezone.now())
            assert clocks
            contacts = [c.occurred_at for c in r.contacts.all()]
            assert contacts == sorted(contacts)
            assert all(r.received_at <= when <= timezone.now() for when in contacts)
        nights = {r.received_at.astimezone(LONDON).date() for r in all_referrals}
        assert (now - dt.timedelta(days=1)).date() in nights

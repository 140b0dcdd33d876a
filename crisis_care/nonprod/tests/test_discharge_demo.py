"""The demo discharge data: one small build, checked for counts and for consistency with the
episodes the treatment demo closed, the consent rules and the checklist's own derivation."""

import datetime as dt
from collections import Counter, defaultdict

import time_machine
from django.test import TestCase
from django.utils import timezone

from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditEvent
from crisis_care.discharge.models import (
    Addendum,
    Discharge,
    DischargeGap,
    DischargeMeeting,
    DischargeOutcome,
    DischargePlanGiven,
    DischargeSummary,
    Experience,
    FeedbackResponse,
    FollowOnKind,
    FollowUpMissedReason,
    InvolvedService,
    MeetingInvitee,
    MeetingStatus,
    OnwardReferral,
    OnwardReferralStatus,
    OnwardReferralStatusChange,
    RelapsePreventionPlan,
    ReReferral,
)
from crisis_care.discharge.rules import DischargeAction, role_may
from crisis_care.discharge.selectors.checklist import aftercare_checklist
from crisis_care.discharge.selectors.feedback import share_positive
from crisis_care.nonprod.discharge_demo import FEEDBACK_PER_YEAR, FOLLOW_UP_HOURS
from crisis_care.nonprod.tests.test_treatment_demo import MAIN, NOW, run_demo
from crisis_care.people.models import ShareScope
from crisis_care.treatment.models import (
    Admission,
    Attendance,
    CareContact,
    Episode,
    EpisodeStatus,
    Medium,
)

BUILD = ("--people", "40", "--referral-days", "50", "--visit-days", "21")


def wipe_discharge_demo() -> None:
    """Remove what the discharge demo writes, in an order the PROTECT foreign keys allow (the
    treatment demo's wipe calls this first)."""
    for model in (
        FeedbackResponse,
        FollowUpMissedReason,
        ReReferral,
        Addendum,
        DischargeSummary,
        DischargeGap,
        Discharge,
        DischargePlanGiven,
        RelapsePreventionPlan,
        MeetingInvitee,
        DischargeMeeting,
        OnwardReferralStatusChange,
        OnwardReferral,
        InvolvedService,
    ):
        model.objects.all().delete()
    Episode.objects.filter(early_discharge_from__isnull=False).update(early_discharge_from=None)


@time_machine.travel(NOW, tick=False)
class TestDischargeDemo(TestCase):
    """One small build (50 days of referrals, 21 days of visits)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo(*BUILD)

    def setUp(self) -> None:
        self.now = timezone.now()
        self.today = local_date(self.now)
        self.episodes = list(
            Episode.objects.filter(team__code=MAIN)
            .select_related("person")
            .prefetch_related("status_history")
        )
        self.closed = [e for e in self.episodes if e.status == EpisodeStatus.CLOSED]
        self.discharges = list(
            Discharge.objects.select_related("episode__person", "discharged_by").prefetch_related(
                "gaps"
            )
        )

    # --- counts ------------------------------------------------------------------------------

    def test_the_summary_counts_what_was_built(self) -> None:
        for what in (
            "discharges",
            "referrals on",
            "discharge meetings",
            "GP summaries sent",
            "feedback answers",
            "ward discharges (72-hour follow-up)",
        ):
            assert what in self.output
        assert len(self.closed) > 30
        assert f"{len(self.discharges)} discharges" in self.output

    def test_nothing_is_audited(self) -> None:
        assert not AuditEvent.objects.filter(section__in=["discharge", "feedback"]).exists()

    # --- the discharge is the episode's closing --------------------------------------------

    def test_every_closed_episode_has_one_discharge_at_the_time_it_closed(self) -> None:
        by_episode = {d.episode_id: d for d in self.discharges}
        assert set(by_episode) == {e.pk for e in self.closed}
        for e in self.closed:
            d = by_episode[e.pk]
            closing = e.status_history.all()[len(e.status_history.all()) - 1]
            assert closing.status == EpisodeStatus.CLOSED
            assert d.discharged_at == e.closed_at == closing.changed_at
            assert d.discharged_by_id == closing.changed_by_id
            assert role_may(d.discharged_by.role, DischargeAction.DISCHARGE)
            assert d.summary_due_on == local_date(d.discharged_at) + dt.timedelta(days=3)
            assert d.reason.strip()
            assert d.created_at == d.discharged_at

    def test_outcomes_follow_the_closing_note_and_most_go_to_the_cmht_or_gp(self) -> None:
        outcomes = Counter(d.outcome for d in self.discharges)
        assert (outcomes[DischargeOutcome.CMHT] + outcomes[DischargeOutcome.GP]) >= 0.6 * len(
            self.discharges
        )
        for d in self.discharges:
            note = list(d.episode.status_history.all())[-1].note.lower()
            if "admitted" in note:
                assert d.outcome == DischargeOutcome.ADMITTED
            elif "community mental health team" in note:
                assert d.outcome == DischargeOutcome.CMHT
            elif "the gp" in note:
                assert d.outcome == DischargeOutcome.GP
            else:
                assert d.outcome != DischargeOutcome.ADMITTED

    def test_the_checklist_kept_is_the_one_the_records_give_and_each_gap_has_a_reason(
        self,
    ) -> None:
        for d in self.discharges:
            assert d.checklist == aftercare_checklist(episode=d.episode).as_record(), d.pk
            missing = sorted(code for code, state in d.checklist.items() if state == "missing")
            gaps = list(d.gaps.all())
            assert sorted(g.item for g in gaps) == missing
            assert all(g.reason.strip() for g in gaps)

    def test_most_discharges_have_no_gap_and_some_do(self) -> None:
        resolved = [
            d
            for d in self.discharges
            if d.outcome not in (DischargeOutcome.ADMITTED, DischargeOutcome.DECLINED)
        ]
        complete = [d for d in resolved if not d.gaps.all()]
        assert len(complete) >= 0.6 * len(resolved)
        assert len(complete) < len(resolved)
        for d in self.discharges:
            if d.outcome == DischargeOutcome.ADMITTED:
                assert d.gaps.all(), "an admission ends home treatment before aftercare is done"

    # --- aftercare records -----------------------------------------------------------------

    def test_referrals_on_go_mostly_to_the_directorys_cmht_and_gp_with_their_history(
        self,
    ) -> None:
        referrals = list(
            OnwardReferral.objects.select_related("episode", "service").prefetch_related(
                "service__categories", "status_history"
            )
        )
        assert referrals
        main = [r for r in referrals if r.kind in (FollowOnKind.CMHT, FollowOnKind.GP)]
        assert len(main) >= 0.7 * len(referrals)
        from_directory = [
            r
            for r in main
            if r.service is not None
            and {c.code for c in r.service.categories.all()} & {"community_mental_health", "gp"}
        ]
        assert len(from_directory) >= 0.8 * len(main)
        for r in referrals:
            history = list(r.status_history.all())
            assert history[0].status == OnwardReferralStatus.SENT
            assert history[-1].status == r.status
            assert all(h.changed_at <= self.now for h in history)
            assert r.episode.started_at <= r.recorded_at
            if r.episode.closed_at is not None:
                assert r.sent_on <= local_date(r.episode.closed_at)
            if r.status == OnwardReferralStatus.ACCEPTED and r.kind == FollowOnKind.CMHT:
                assert r.worker_name and r.first_appointment_at is not None

    def test_meetings_are_held_before_discharge_and_family_are_invited_only_with_consent(
        self,
    ) -> None:
        meetings = list(
            DischargeMeeting.objects.select_related("episode").prefetch_related(
                "invitees__contact__current_consent", "invitees__involved_service"
            )
        )
        held = [m for m in meetings if m.status == MeetingStatus.HELD]
        assert held
        for m in meetings:
            assert m.episode.started_at <= m.arranged_at <= m.starts_at
            for i in m.invitees.all():
                if i.contact is not None:
                    assert i.contact.person_id == m.episode.person_id
                    assert i.contact.current_consent.scope == ShareScope.CARE_PLAN
                else:
                    assert i.involved_service.episode_id == m.episode_id
        for m in held:
            assert m.episode.closed_at is not None
            assert m.starts_at <= m.episode.closed_at
            assert m.agreed.strip()

    def test_plans_reach_family_as_their_consent_allows(self) -> None:
        given = list(
            DischargePlanGiven.objects.select_related("episode").prefetch_related(
                "plan_to_contacts__current_consent", "crisis_card_to_contacts__current_consent"
            )
        )
        assert given
        for g in given:
            assert g.to_person and g.follow_on_named.strip()
            assert "0808 800 3302" in g.snapshot_html
            if g.episode.closed_at is not None:
                assert g.given_on <= local_date(g.episode.closed_at)
            for c in g.plan_to_contacts.all():
                assert c.person_id == g.episode.person_id
                assert c.current_consent.scope == ShareScope.CARE_PLAN
            for c in g.crisis_card_to_contacts.all():
                assert c.current_consent.scope == ShareScope.GENERAL

    def test_relapse_plans_are_written_during_the_episode(self) -> None:
        plans = list(RelapsePreventionPlan.objects.select_related("episode"))
        assert len(plans) >= 0.6 * len(self.discharges)
        for p in plans:
            assert p.episode.started_at <= p.written_at <= (p.episode.closed_at or self.now)

    # --- the summary to the GP ---------------------------------------------------------------

    def test_most_gp_summaries_go_within_three_days_some_late_and_two_or_three_overdue(
        self,
    ) -> None:
        first_sent: dict[object, dt.date] = {}
        for s in DischargeSummary.objects.order_by("sent_on"):
            first_sent.setdefault(s.episode_id, s.sent_on)
            assert s.recorded_at <= self.now
            assert s.to_gp and s.recipients.strip()
        in_time = late = overdue = 0
        for d in self.discharges:
            sent = first_sent.get(d.episode_id)
            if sent is not None:
                assert local_date(d.discharged_at) <= sent <= self.today
                if sent <= d.summary_due_on:
                    in_time += 1
                else:
                    late += 1
            elif d.summary_due_on < self.today:
                overdue += 1
                assert local_date(d.discharged_at) >= self.today - dt.timedelta(days=7)
        assert in_time >= 0.8 * (in_time + late)
        assert late >= 1
        assert 2 <= overdue <= 3
        assert f"{overdue} GP summaries overdue" in self.output

    # --- after discharge -----------------------------------------------------------------------

    def test_a_few_addendums_come_after_the_discharge(self) -> None:
        addendums = list(Addendum.objects.select_related("episode"))
        assert 2 <= len(addendums) <= max(2, 0.05 * len(self.discharges))
        for a in addendums:
            assert a.episode.closed_at is not None
            assert a.episode.closed_at < a.written_at <= self.now

    def test_one_later_referral_is_linked_as_a_re_referral(self) -> None:
        (link,) = ReReferral.objects.select_related("episode", "referral")
        assert link.referral.person_id == link.episode.person_id
        assert link.episode.closed_at is not None
        assert link.referral.received_at > link.episode.closed_at
        assert (
            link.days_after_discharge
            == (local_date(link.referral.received_at) - local_date(link.episode.closed_at)).days
        )
        assert link.days_after_discharge <= 28

    # --- aftercare under way -------------------------------------------------------------------

    def test_a_few_open_episodes_near_six_weeks_have_aftercare_under_way(self) -> None:
        arranged = list(
            DischargeMeeting.objects.filter(status=MeetingStatus.ARRANGED).select_related("episode")
        )
        assert 1 <= len(arranged) <= 5
        for m in arranged:
            assert m.episode.status == EpisodeStatus.OPEN
            assert self.now < m.starts_at <= self.now + dt.timedelta(days=5)
            assert self.now - m.episode.started_at >= dt.timedelta(days=30)
            referrals = OnwardReferral.objects.filter(episode=m.episode)
            assert referrals.exists()
            assert all(r.sent_on <= self.today for r in referrals)
        assert not Discharge.objects.filter(episode__status=EpisodeStatus.OPEN).exists()

    # --- ward discharges and the 72-hour follow-up -------------------------------------------

    def test_ward_discharges_are_followed_up_and_one_is_due_by_the_end_of_today(self) -> None:
        admissions = list(
            Admission.objects.filter(early_discharge_episodes__team__code=MAIN).distinct()
        )
        assert len(admissions) >= 3
        contacts: dict[object, list[dt.datetime]] = defaultdict(list)
        for person_id, started in (
            CareContact.objects.filter(
                attendance=Attendance.ATTENDED,
                medium__in=[Medium.FACE_TO_FACE, Medium.TELEPHONE, Medium.VIDEO],
            )
            .order_by("started_at")
            .values_list("episode__person_id", "started_at")
        ):
            contacts[person_id].append(started)
        due_today = 0
        for a in admissions:
            assert a.discharged_at is not None
            assert a.admitted_at < a.discharged_at <= self.now
            assert a.discharged_at >= self.now - dt.timedelta(days=28)
            deadline = a.discharged_at + dt.timedelta(hours=FOLLOW_UP_HOURS)
            first = next((t for t in contacts[a.person_id] if t >= a.discharged_at), None)
            missed = FollowUpMissedReason.objects.filter(admission=a).first()
            if first is None and deadline > self.now:
                assert local_date(deadline) == self.today
                due_today += 1
            elif first is not None and first <= deadline:
                assert missed is None
            else:
                assert missed is not None and missed.reason.strip()
        assert due_today == 1

    # --- feedback --------------------------------------------------------------------------------

    def test_feedback_over_the_history_is_mostly_positive(self) -> None:
        answers = list(FeedbackResponse.objects.select_related("team"))
        first = min(e.closed_at for e in self.closed if e.closed_at is not None)
        days = min(365.0, (self.now - first) / dt.timedelta(days=1))
        expected = FEEDBACK_PER_YEAR * days / 365
        assert 0.7 * expected <= len(answers) <= 1.3 * expected + 5
        assert {a.team.code for a in answers} == {MAIN}
        assert all(a.submitted_at <= self.now for a in answers)
        counts = Counter(a.experience for a in answers)
        assert counts[Experience.VERY_GOOD] > counts[Experience.VERY_POOR]
        share = share_positive(counts)
        assert share is not None and 0.7 <= share <= 0.97
        assert any(a.what_went_well for a in answers)
        assert any(a.what_could_be_better for a in answers)

"""Demo discharge and aftercare: what the team recorded at the end of every episode the
treatment demo closed, aftercare under way for a few open episodes, ward discharges with their
72-hour follow-ups, and a year of anonymous feedback.

For every closed episode this writes what discharge.services would have written, at the times
things happened: the discharge itself (at the episode's closed_at, by whoever closed it, with
an outcome read from the closing note: "Back to the GP" is a GP discharge, "Handed over to the
community mental health team" a CMHT one, "Admitted" an admission; the rest are mostly CMHT or
GP), the other services involved and what was agreed with them (CORE 25a), referrals on with
their status history, mostly to the directory's CMHT and the person's GP (25b), the discharge
meeting held with the person, family with consent and the other services invited, and who came
(25c-d), the relapse prevention plan (item 24), the written discharge plan given, to family as
consent allows (25e-f), and the checklist as it stood, derived by the same rules as
discharge.selectors.checklist; each item missing at discharge has a reason kept for review (most
discharges have none, admissions and people who declined contact have several). The summary to
the GP (CORE 34b) went within three days for most, late for about one in ten; of the last
week's discharges two or three are overdue now, and the newest are still due. A few discharges
have a later addendum, and one person's later referral is linked as a re-referral.

A handful of open episodes near six weeks have aftercare under way: referrals on sent (one
accepted with a first appointment), a discharge meeting arranged for the next few days, and for
most a relapse prevention plan. A few recent episodes are early supported discharges from a
ward: the person left the ward into the team's care and the 72-hour follow-up is the first
contact the treatment demo recorded after that (mostly within a day); one person left the ward
about three days ago and is due to be followed up by the end of today, and where the data has
one, a late follow-up keeps its reason.

About 200 "How did we do?" answers a year (fewer for a shorter history) come from people and
carers, most of them positive, in the Friends and Family Test style, with comments for many.

Rows are built in memory and saved with bulk_create; nothing is audited. Their created and
updated stamps are the times the things happened. The same seed and moment give the same data.
"""

import datetime as dt
import html
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crisis_care.assessments.models import LegalStatus
from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.roles import Role
from crisis_care.directory.models import Service, ServiceStatus
from crisis_care.discharge.models import (
    POSITIVE,
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
    GivenMethod,
    InvolvedService,
    MeetingInvitee,
    MeetingStatus,
    OnwardReferral,
    OnwardReferralStatus,
    OnwardReferralStatusChange,
    PlanFormat,
    RelapsePreventionPlan,
    ReReferral,
    Respondent,
    SummaryMethod,
)
from crisis_care.nonprod.treatment_demo import _historic_stamps, _stamp
from crisis_care.people.models import Contact, Person, ShareScope
from crisis_care.referrals.models import Referral
from crisis_care.treatment.models import (
    Admission,
    Attendance,
    CareContact,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Medium,
)
from crisis_care.workforce.models import Team, TeamMembership

MAIN_TEAM_CODE = "llr-crht"
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
SUMMARY_DUE_DAYS = 3  # CORE 34b (discharge.selectors.discharges.summary_due_on)
FOLLOW_UP_HOURS = 72
FOLLOW_UP_MEDIA = (Medium.FACE_TO_FACE, Medium.TELEPHONE, Medium.VIDEO)
FOLLOW_UP_DAYS = 28  # the follow-up list looks back four weeks

# Shares (made up to look right; none is sourced).
OUTCOMES_WHEN_DOING_WELL = (
    (DischargeOutcome.CMHT, 42),
    (DischargeOutcome.GP, 36),
    (DischargeOutcome.OTHER_SECONDARY, 8),
    (DischargeOutcome.DECLINED, 8),
    (DischargeOutcome.MOVED_AWAY, 6),
)
CMHT_ALREADY_INVOLVED = 0.55
OTHER_SECONDARY_INVOLVED = 0.08
PLAN_NOT_AGREED = 0.04
REFERRAL_ACCEPTED = 0.85
EXTRA_REFERRALS = (
    ("voluntary", 0.18),
    ("housing", 0.07),
    ("substance", 0.06),
    ("social_care", 0.03),
)
NO_MEETING = 0.05
SERVICE_ABSENT = 0.08
FAMILY_ATTENDED = 0.6
PERSON_ATTENDED = 0.93
RELAPSE_PLAN = 0.96
NOT_WITH_PERSON = 0.02
PLAN_GIVEN = 0.96
EASY_READ = 0.04
FAMILY_COPY = 0.9
SUMMARY_LATE = 0.10
ADDENDUM = 0.02
OPEN_AFTERCARE = 5  # open episodes near six weeks with aftercare under way
AFTERCARE_FROM_DAYS = 30
ESD_IN_TIME = 6  # early supported discharges in the follow-up list, followed up in time
FEEDBACK_PER_YEAR = 200
FEEDBACK_ANSWERS = (
    (Experience.VERY_GOOD, 54),
    (Experience.GOOD, 27),
    (Experience.NEITHER, 6),
    (Experience.POOR, 4),
    (Experience.VERY_POOR, 4),
    (Experience.DONT_KNOW, 5),
)
FEEDBACK_BY_CARER = 0.3
FEEDBACK_WENT_WELL = 0.6
FEEDBACK_BETTER = 0.4

# --- Words --------------------------------------------------------------------------------

REASONS: dict[str, tuple[str, ...]] = {
    DischargeOutcome.CMHT: (
        "Crisis resolved: sleeping and eating again, no thoughts of suicide for over a week. "
        "Care coordinator at the CMHT takes over.",
        "Mood much improved and safety plan working. Handed over to the CMHT at the discharge "
        "meeting for ongoing care.",
        "Psychotic symptoms settled on the new medication. CMHT to continue monitoring.",
    ),
    DischargeOutcome.GP: (
        "Crisis resolved. Goals met; back to the GP with a written discharge plan.",
        "Coping well with the plan; no further need for secondary care. GP to review medication "
        "in four weeks.",
        "Stress at home resolved with support; back to the GP, who has the relapse plan.",
    ),
    DischargeOutcome.OTHER_SECONDARY: (
        "Crisis resolved. Referred to psychological therapies for trauma-focused work.",
        "Settled; the eating disorders service takes over as planned.",
    ),
    DischargeOutcome.ADMITTED: (
        "Admitted to the Bradgate Unit after a rapid deterioration; home treatment ended.",
        "Not safe at home despite twice-daily visits; admitted informally.",
    ),
    DischargeOutcome.MOVED_AWAY: (
        "Moved to live with family outside Leicestershire; care handed to their local team.",
    ),
    DischargeOutcome.DECLINED: (
        "Declined further visits and said they did not want contact. Has the crisis numbers; "
        "GP informed.",
        "Did not want more home treatment now things are calmer. Capacity to decide; GP told.",
    ),
}
PLAN_AGREED = (
    "Care coordinator to see them within a week of discharge; medication review at the next "
    "outpatient appointment.",
    "Agreed the end of crisis care at the joint review; the service continues its work as "
    "before, with the relapse plan shared.",
    "Follow-on plan agreed by phone: weekly contact for a month, then review.",
)
OTHER_SECONDARY_SERVICES = (
    "Early intervention in psychosis service (LPT)",
    "Perinatal mental health team (LPT)",
    "Eating disorders service (LPT)",
)
NON_SECONDARY_INVOLVED = (
    "Housing support worker, Leicester City Council",
    "Probation officer",
    "Social worker, adult social care",
)
REFERRAL_REASONS: dict[str, tuple[str, ...]] = {
    FollowOnKind.CMHT: (
        "Ongoing care coordination after the crisis; needs regular review of mood and medication.",
        "Handover for continued care: relapse plan and medication schedule attached.",
    ),
    FollowOnKind.GP: (
        "Back to the GP for ongoing care; please review medication in four weeks.",
        "Discharge from home treatment; GP to continue care with the relapse plan.",
    ),
    FollowOnKind.PSYCHOLOGY: ("Psychological therapy for trauma after the crisis resolved.",),
    FollowOnKind.VOLUNTARY: (
        "Peer support and social contact to reduce isolation.",
        "Support group for low mood; they asked for it.",
    ),
    FollowOnKind.HOUSING: ("Advice about rent arrears that added to the crisis.",),
    FollowOnKind.SUBSTANCE_MISUSE: ("Support to cut down drinking, which worsens their mood.",),
    FollowOnKind.SOCIAL_CARE: ("Short-term support at home while they settle back in.",),
}
DECLINED_NOTES = (
    "Service full; suggested an alternative group.",
    "Person changed their mind and asked us to withdraw it.",
)
WORKERS = (
    "Alex Morgan",
    "Priya Chauhan",
    "Tom Bennett",
    "Grace Okafor",
    "Hannah Lewis",
    "Imran Hussain",
    "Zofia Nowak",
    "Daniel Reid",
)
PLACES_AT_HOME = "At home"
MEETING_PLACES = (
    (PLACES_AT_HOME, 70),
    ("Team base, Bradgate Unit", 18),
    ("By video", 7),
    ("Their GP surgery", 5),
)
AGREED = (
    "Agreed the end of home treatment. CMHT care coordinator will visit next week; relapse "
    "plan and crisis numbers gone through together.",
    "Agreed discharge to the GP. Medication to continue; the GP will review it. They know who "
    "to call if things get worse.",
    "Agreed discharge with a plan for the first fortnight: peer support group on Tuesdays and "
    "the crisis café if evenings are hard.",
)
WARNING_SIGNS = (
    "Not sleeping for two nights running; stopping eating; staying in bed all day.",
    "Hearing the voices more in the evenings; feeling people are against me.",
    "Drinking more; pulling away from my sister; not answering the phone.",
)
TRIGGERS = (
    "Letters about money; arguments at home; the anniversary in March.",
    "Stopping medication; little sleep; pressure at work.",
    "Being on my own at weekends; contact with my ex-partner.",
)
WHAT_HELPS = (
    "Walking the dog, calling my sister, keeping to my routine, taking medication at 9pm.",
    "Music, a bath, the crisis café on a Friday, talking to my neighbour.",
    "Writing things down, the breathing exercise, going to my mum's for the night.",
)
WHO_TO_CONTACT = (
    "My sister first; then my care coordinator in office hours; the 24/7 line at night.",
    "My GP in the day; the 24/7 mental health line at night; 999 if I am not safe.",
)
ADVANCE = (
    "",
    "",
    "If I become unwell again I would like my partner told and home treatment offered before "
    "admission.",
    "I do not want olanzapine again: it made me gain weight quickly.",
)
GAP_REASONS: dict[str, tuple[str, ...]] = {
    "25a": (
        "The care coordinator was on leave; plan to be agreed at their return, noted on the "
        "referral.",
    ),
    "25b": (
        "They did not want any further services; the GP has the discharge summary.",
        "No further support needed: back to their own GP only.",
    ),
    "25c": (
        "Discharged at the last visit at their request; they did not want a formal meeting.",
        "Meeting planned but they were discharged sooner when they moved to their mother's.",
    ),
    "25d": (
        "CMHT care coordinator off sick on the day; plan agreed by phone instead.",
        "The service could not attend; their notes were read out and a copy sent.",
    ),
    "25e": ("Plan to be posted: they left before it could be printed.",),
    "25f": (
        "Their carer has consent but could not be reached before discharge; crisis card posted.",
        "Family not reachable at discharge; the person said they would pass on the numbers.",
    ),
    "24": (
        "They did not want to write a relapse plan yet; crisis numbers given and GP told.",
        "Relapse plan started but not finished; the CMHT will complete it with them.",
    ),
}
ADMITTED_GAP_REASONS: dict[str, str] = {
    "25a": "Admitted to hospital: the ward agrees follow-on plans at discharge from the ward.",
    "25b": "Admitted to hospital: the ward will refer on at discharge from the ward.",
    "25c": "Admitted to hospital before a discharge meeting could be held.",
    "25d": "Admitted to hospital before a discharge meeting could be held.",
    "25e": "Admitted to hospital: the ward gives the discharge plan.",
    "25f": "Admitted to hospital: crisis numbers to be given again by the ward at discharge.",
    "24": "Admitted to hospital before the relapse plan was written.",
}
DECLINED_GAP_REASONS: dict[str, str] = {
    "25a": "Declined further contact before plans could be agreed; services told by letter.",
    "25b": "Declined any referral on; the GP has been told.",
    "25c": "Declined a discharge meeting and further contact.",
    "25d": "Declined a discharge meeting and further contact.",
    "25e": "Declined the written plan; crisis numbers given on the doorstep.",
    "25f": "Declined further contact; family could not be told without consent to do so.",
    "24": "Declined to write a relapse plan.",
}
ADDENDUMS = (
    "CMHT confirmed the first appointment went ahead; no further action for the team.",
    "GP phoned to say they received the summary and will review medication next week.",
    "Their sister called the team: things are going well. Crisis numbers checked with her.",
)
MISSED_REASONS = (
    "Phone calls unanswered and not at home when visited; ward and GP told, visit rebooked.",
    "Gave a wrong address on leaving the ward; found and seen after the 72 hours.",
)
WENT_WELL = (
    "They came every day and listened.",
    "Staff were kind and never rushed me.",
    "The nurse explained my medication properly for the first time.",
    "They helped my mum understand what was happening.",
    "Being treated at home instead of going into hospital.",
    "Quick response the day my GP referred me.",
    "The support worker helped me get back out walking.",
    "I always knew who was coming and when.",
    "Having the crisis numbers written down made me feel safer.",
    "They included me as his carer and asked how I was coping.",
)
BETTER = (
    "Visits were sometimes late and nobody phoned.",
    "Too many different people; I had to repeat my story.",
    "Hard to get through on the phone at night.",
    "More notice before the discharge meeting.",
    "I would have liked more time to talk about what happens after.",
    "As a carer I did not always know what the plan was.",
    "Please send letters in larger print.",
)


# --- The build -------------------------------------------------------------------------------


@dataclass
class DischargeDemoInput:
    now: dt.datetime
    main: Team


def build_discharge_demo(*, now: dt.datetime, seed: int) -> dict[str, int]:
    """The demo_data command's hook: nothing unless the main team has home treatment episodes
    (so a build without referrals stays as it was)."""
    main = Team.objects.filter(code=MAIN_TEAM_CODE).first()
    if main is None:
        return {}
    _cafe_evenings()
    return build_discharge(DischargeDemoInput(now=now, main=main), seed=seed)


def _cafe_evenings() -> None:
    """The crisis café's opening evenings, so discharge plans print them. DOMAIN.md §1.2 says
    three nights a week but not which: Thursday to Saturday is made up here, as the referrals
    demo assumes (referrals_demo.CRISIS_CAFE_EVENINGS). Real nights are set in the directory."""
    from crisis_care.directory.models import RegularSchedule, Service

    cafe = Service.objects.filter(name="Crisis café").first()
    if cafe is None or RegularSchedule.objects.filter(service=cafe).exists():
        return
    RegularSchedule.objects.bulk_create(
        RegularSchedule(
            service=cafe,
            byday=day,
            opens_at=dt.time(18),
            closes_at=dt.time(23),
        )
        for day in ("TH", "FR", "SA")
    )


def build_discharge(data: DischargeDemoInput, *, seed: int) -> dict[str, int]:
    return _DischargeBuilder(data, seed=seed).build()


@dataclass(eq=False)
class _Ep:
    episode: Episode
    person: Person
    closer: uuid.UUID  # the user who closed it (or its named worker's user, when open)
    note: str
    family: list[Contact]  # consent to share something: general information or the care plan
    services: list[InvolvedService] = field(default_factory=list)
    referrals: list[OnwardReferral] = field(default_factory=list)
    meetings: list[DischargeMeeting] = field(default_factory=list)
    invitees: list[MeetingInvitee] = field(default_factory=list)
    relapse: RelapsePreventionPlan | None = None
    given: list[tuple[DischargePlanGiven, list[Contact], list[Contact]]] = field(
        default_factory=list
    )

    @property
    def sharing_plan(self) -> list[Contact]:
        return [c for c in self.family if _scope(c) == ShareScope.CARE_PLAN]

    @property
    def general_only(self) -> list[Contact]:
        return [c for c in self.family if _scope(c) == ShareScope.GENERAL]


def _scope(contact: Contact) -> str | None:
    consent = contact.current_consent
    return consent.scope if consent is not None else None


class _DischargeBuilder:
    def __init__(self, data: DischargeDemoInput, *, seed: int) -> None:
        self.now, self.main = data.now, data.main
        self.today = local_date(self.now)
        self.rng = random.Random(f"discharge-{seed}")
        self.phones = 0
        # Rows to save, in the order they are saved.
        self.admissions: list[Admission] = []
        self.esd_episodes: list[Episode] = []
        self.services: list[InvolvedService] = []
        self.referrals: list[OnwardReferral] = []
        self.referral_statuses: list[OnwardReferralStatusChange] = []
        self.meetings: list[DischargeMeeting] = []
        self.invitees: list[MeetingInvitee] = []
        self.relapse_plans: list[RelapsePreventionPlan] = []
        self.plans_given: list[DischargePlanGiven] = []
        self.plan_to: list[Any] = []
        self.card_to: list[Any] = []
        self.discharges: list[Discharge] = []
        self.gaps: list[DischargeGap] = []
        self.summaries: list[DischargeSummary] = []
        self.addendums: list[Addendum] = []
        self.re_referrals: list[ReReferral] = []
        self.missed: list[FollowUpMissedReason] = []
        self.feedback: list[FeedbackResponse] = []
        self.overdue = 0
        self.follow_ups_due_today = 0

    # --- helpers -------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        seconds = max(0.0, (end - start).total_seconds())
        return (start + dt.timedelta(seconds=self.rng.uniform(0, seconds))).replace(microsecond=0)

    def office_time(self, day: dt.date) -> dt.datetime:
        return local_instant(
            day, dt.time(self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45)))
        )

    def phone(self) -> str:
        self.phones += 1
        return f"0116 496 0{(500 + self.phones) % 1000:03d}"

    # --- loading -------------------------------------------------------------------------

    def load(self) -> list[_Ep]:
        members = TeamMembership.objects.filter(
            team=self.main, ended_on__isnull=True
        ).select_related("staff__user")
        users = [m.staff.user for m in members]
        self.admins = sorted(
            (u for u in users if u.role == Role.ADMINISTRATOR), key=lambda u: u.username
        )
        self.clinical = sorted(
            (
                u
                for u in users
                if u.role
                in (Role.REGISTERED_PRACTITIONER, Role.DOCTOR, Role.PSYCHOLOGIST, Role.TEAM_MANAGER)
            ),
            key=lambda u: u.username,
        )
        self.staff_user = {m.staff_id: m.staff.user_id for m in members}
        self.directory = self.load_directory()

        episodes = list(
            Episode.objects.filter(team=self.main)
            .select_related("person__gp_practice")
            .order_by("started_at", "person__nhs_number", "pk")
        )
        closing = {
            row.episode_id: row
            for row in EpisodeStatusChange.objects.filter(
                episode__team=self.main, status=EpisodeStatus.CLOSED
            ).order_by("changed_at")
        }
        family: dict[uuid.UUID, list[Contact]] = defaultdict(list)
        for c in (
            Contact.objects.filter(
                person__episodes__team=self.main,
                current_consent__scope__in=[ShareScope.CARE_PLAN, ShareScope.GENERAL],
            )
            .select_related("current_consent")
            .distinct()
            .order_by("name", "pk")
        ):
            family[c.person_id].append(c)
        eps = []
        for e in episodes:
            row = closing.get(e.pk)
            if e.status == EpisodeStatus.CLOSED and (row is None or e.closed_at is None):
                continue  # not closed the way the treatment demo closes episodes
            closer = (
                row.changed_by_id
                if row is not None
                else self.staff_user.get(e.named_worker_id, e.opened_by_id)  # type: ignore[arg-type]
            )
            eps.append(
                _Ep(
                    episode=e,
                    person=e.person,
                    closer=closer,
                    note=row.note if row is not None else "",
                    family=family.get(e.person_id, []),
                )
            )
        return eps

    def load_directory(self) -> dict[str, Service]:
        found: dict[str, Service] = {}
        for service in (
            Service.objects.filter(status=ServiceStatus.ACTIVE)
            .prefetch_related("categories")
            .order_by("name")
        ):
            for category in service.categories.all():
                found.setdefault(category.code, service)
        return found

    # --- the build -----------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        eps = self.load()
        if not eps or not self.clinical:
            return {}
        closed = [ep for ep in eps if ep.episode.status == EpisodeStatus.CLOSED]
        open_ = [ep for ep in eps if ep.episode.status == EpisodeStatus.OPEN]
        for ep in closed:
            self.discharge(ep)
        self.summaries_to_gp(closed)
        self.addendums_later(closed)
        self.re_referral(closed)
        used = self.aftercare_under_way(open_)
        self.ward_discharges(eps, used)
        self.feedback_year(closed)
        self.save()
        return {
            "discharges": len(self.discharges),
            "checklist gaps with reasons": len(self.gaps),
            "referrals on": len(self.referrals),
            "discharge meetings": len(self.meetings),
            "relapse prevention plans": len(self.relapse_plans),
            "discharge plans given": len(self.plans_given),
            "GP summaries sent": len(self.summaries),
            "GP summaries overdue": self.overdue,
            "addendums": len(self.addendums),
            "re-referrals": len(self.re_referrals),
            "ward discharges (72-hour follow-up)": len(self.admissions),
            "feedback answers": len(self.feedback),
        }

    # --- one discharge -------------------------------------------------------------------

    def outcome(self, note: str) -> str:
        lowered = note.lower()
        if "admitted" in lowered:
            return DischargeOutcome.ADMITTED
        if "community mental health team" in lowered:
            return DischargeOutcome.CMHT
        if "the gp" in lowered:
            return DischargeOutcome.GP
        return self.weighted(OUTCOMES_WHEN_DOING_WELL)

    def discharge(self, ep: _Ep) -> None:
        e, rng = ep.episode, self.rng
        assert e.closed_at is not None
        end = e.closed_at
        outcome = self.outcome(ep.note)
        # Aftercare is planned in the second half of the episode.
        planning = self.between(e.started_at + (end - e.started_at) / 2, end - 30 * MINUTE)
        planning = max(planning, e.started_at)
        self.involved_services(ep, outcome, planning)
        self.referrals_on(ep, outcome, planning, end)
        meeting = self.meeting_held(ep, outcome, planning, end)
        self.relapse_plan(ep, outcome, planning, end)
        self.plan_given(ep, outcome, meeting, end)

        checklist = _checklist(ep)
        discharge = _stamp(
            Discharge(
                episode_id=e.pk,
                outcome=outcome,
                reason=rng.choice(REASONS[outcome]),
                discharged_at=end,
                discharged_by_id=ep.closer,
                checklist=checklist,
                summary_due_on=local_date(end) + dt.timedelta(days=SUMMARY_DUE_DAYS),
            ),
            end,
        )
        self.discharges.append(discharge)
        for code, state in checklist.items():
            if state != "missing":
                continue
            if outcome == DischargeOutcome.ADMITTED:
                reason = ADMITTED_GAP_REASONS[code]
            elif outcome == DischargeOutcome.DECLINED:
                reason = DECLINED_GAP_REASONS[code]
            else:
                reason = rng.choice(GAP_REASONS[code])
            self.gaps.append(
                _stamp(DischargeGap(discharge_id=discharge.pk, item=code, reason=reason), end)
            )

    def involved_services(self, ep: _Ep, outcome: str, at: dt.datetime) -> None:
        rng = self.rng
        cmht = self.directory.get("community_mental_health")
        wanted: list[tuple[Service | None, str, bool]] = []
        if outcome == DischargeOutcome.CMHT and self.chance(CMHT_ALREADY_INVOLVED):
            wanted.append((cmht, cmht.name if cmht else "Community mental health team", True))
        elif outcome == DischargeOutcome.OTHER_SECONDARY or self.chance(OTHER_SECONDARY_INVOLVED):
            wanted.append((None, rng.choice(OTHER_SECONDARY_SERVICES), True))
        if self.chance(0.08):
            wanted.append((None, rng.choice(NON_SECONDARY_INVOLVED), False))
        for service, name, secondary in wanted:
            worker = rng.choice(WORKERS)
            agreed = secondary and outcome not in (
                DischargeOutcome.ADMITTED,
                DischargeOutcome.DECLINED,
            )
            if agreed and self.chance(PLAN_NOT_AGREED):
                agreed = False
            row = _stamp(
                InvolvedService(
                    episode_id=ep.episode.pk,
                    service=service,
                    name=name,
                    secondary_mental_health=secondary,
                    contact_name=worker,
                    contact_phone=self.phone(),
                    plan_agreed=rng.choice(PLAN_AGREED) if agreed else "",
                    plan_agreed_on=local_date(at) if agreed else None,
                    plan_agreed_with=worker if agreed else "",
                    recorded_by_id=ep.closer,
                    recorded_at=max(ep.episode.started_at, at - DAY),
                ),
                max(ep.episode.started_at, at - DAY),
                at,
            )
            ep.services.append(row)
            self.services.append(row)

    def refer(
        self,
        ep: _Ep,
        kind: str,
        service: Service | None,
        name: str,
        sent_at: dt.datetime,
        *,
        status: str,
        decided_at: dt.datetime | None = None,
        appointment_after: dt.datetime | None = None,
    ) -> OnwardReferral:
        rng = self.rng
        sent_at = sent_at.replace(microsecond=0)
        row = OnwardReferral(
            episode_id=ep.episode.pk,
            kind=kind,
            service=service,
            service_name=name,
            reason=rng.choice(REFERRAL_REASONS[kind]),
            sent_on=local_date(sent_at),
            status=OnwardReferralStatus.SENT,
            recorded_by_id=ep.closer,
            recorded_at=sent_at,
        )
        self.referral_statuses.append(
            _stamp(
                OnwardReferralStatusChange(
                    referral_id=row.pk,
                    status=OnwardReferralStatus.SENT,
                    changed_by_id=ep.closer,
                    changed_at=sent_at,
                ),
                sent_at,
            )
        )
        updated = sent_at
        if status != OnwardReferralStatus.SENT and decided_at is not None and decided_at < self.now:
            decided_at = decided_at.replace(microsecond=0)
            row.status = status
            row.version = 2
            updated = decided_at
            self.referral_statuses.append(
                _stamp(
                    OnwardReferralStatusChange(
                        referral_id=row.pk,
                        status=status,
                        note=rng.choice(DECLINED_NOTES)
                        if status == OnwardReferralStatus.DECLINED
                        else "",
                        changed_by_id=ep.closer,
                        changed_at=decided_at,
                    ),
                    decided_at,
                )
            )
            if status == OnwardReferralStatus.ACCEPTED and kind == FollowOnKind.CMHT:
                row.worker_name = rng.choice(WORKERS)
                row.worker_phone = self.phone()
                after = appointment_after or decided_at
                day = local_date(after) + dt.timedelta(days=rng.randint(2, 8))
                row.first_appointment_at = local_instant(
                    day, dt.time(rng.choice((10, 11, 14, 15)), 0)
                )
                row.first_appointment_place = rng.choice(
                    ("At home", "CMHT base, Mansion House, Leicester", "Loughborough CMHT")
                )
        _stamp(row, sent_at, updated)
        ep.referrals.append(row)
        self.referrals.append(row)
        return row

    def referrals_on(self, ep: _Ep, outcome: str, at: dt.datetime, end: dt.datetime) -> None:
        rng = self.rng
        cmht = self.directory.get("community_mental_health")
        gp = self.directory.get("gp")
        practice = ep.person.gp_practice
        gp_name = f"{practice.name} (GP)" if practice else (gp.name if gp else "GP")
        decided = at + dt.timedelta(days=rng.uniform(0.5, 4))
        accepted = (
            OnwardReferralStatus.ACCEPTED
            if self.chance(REFERRAL_ACCEPTED)
            else OnwardReferralStatus.SENT
        )
        if outcome == DischargeOutcome.CMHT:
            name = cmht.name if cmht else "Community mental health team"
            self.refer(
                ep,
                FollowOnKind.CMHT,
                cmht,
                name,
                at,
                status=accepted,
                decided_at=decided,
                appointment_after=end,
            )
        elif outcome in (DischargeOutcome.GP, DischargeOutcome.DECLINED):
            self.refer(ep, FollowOnKind.GP, gp, gp_name, at, status=accepted, decided_at=decided)
        elif outcome == DischargeOutcome.OTHER_SECONDARY:
            self.refer(
                ep,
                FollowOnKind.PSYCHOLOGY,
                None,
                "LPT psychological therapies",
                at,
                status=accepted,
                decided_at=decided,
            )
        elif outcome == DischargeOutcome.MOVED_AWAY:
            self.refer(
                ep,
                FollowOnKind.CMHT,
                None,
                rng.choice(
                    (
                        "Community mental health team, Nottingham",
                        "Community mental health team, Northampton",
                        "Community mental health team, Coventry",
                    )
                ),
                at,
                status=OnwardReferralStatus.SENT,
            )
        if outcome in (DischargeOutcome.ADMITTED, DischargeOutcome.DECLINED):
            return
        for kind, share in EXTRA_REFERRALS:
            if not self.chance(share):
                continue
            service: Service | None
            if kind == "voluntary":
                service = self.directory.get("support_group")
                name = service.name if service else "Mind"
                kind = FollowOnKind.VOLUNTARY
            elif kind == "housing":
                service = self.directory.get("housing")
                name = service.name if service else "Citizens Advice"
                kind = FollowOnKind.HOUSING
            elif kind == "substance":
                service, name = None, "Turning Point drug and alcohol service"
                kind = FollowOnKind.SUBSTANCE_MISUSE
            else:
                service = self.directory.get("social_care")
                name = service.name if service else "Adult social care"
                kind = FollowOnKind.SOCIAL_CARE
            status = rng.choices(
                (
                    OnwardReferralStatus.ACCEPTED,
                    OnwardReferralStatus.SENT,
                    OnwardReferralStatus.DECLINED,
                ),
                weights=(70, 20, 10),
            )[0]
            self.refer(
                ep,
                kind,
                service,
                name,
                self.between(at, max(at, end - 30 * MINUTE)),
                status=status,
                decided_at=end + dt.timedelta(days=rng.uniform(1, 10)),
            )

    def meeting_held(
        self, ep: _Ep, outcome: str, at: dt.datetime, end: dt.datetime
    ) -> DischargeMeeting | None:
        rng, e = self.rng, ep.episode
        if outcome == DischargeOutcome.DECLINED or (
            outcome != DischargeOutcome.ADMITTED and self.chance(NO_MEETING)
        ):
            return None
        day = local_date(end) - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        starts = local_instant(day, dt.time(rng.choice((10, 11, 14, 15)), 0))
        if starts >= end:
            starts = (end - HOUR).replace(minute=0, second=0, microsecond=0)
        starts = max(starts, e.started_at + HOUR)
        if starts >= end:
            return None
        arranged = max(e.started_at, min(at, starts - dt.timedelta(days=rng.uniform(2, 7))))
        arranged = arranged.replace(microsecond=0)
        if outcome == DischargeOutcome.ADMITTED:
            # Arranged, then overtaken by the admission.
            if not self.chance(0.5):
                return None
            meeting = DischargeMeeting(
                episode_id=e.pk,
                starts_at=starts + dt.timedelta(days=rng.randint(1, 4)),
                place=self.weighted(MEETING_PLACES),
                status=MeetingStatus.CANCELLED,
                cancelled_reason="Admitted to hospital before the meeting.",
                arranged_by_id=ep.closer,
                arranged_at=arranged,
                version=2,
            )
            _stamp(meeting, arranged, end)
            ep.meetings.append(meeting)
            self.meetings.append(meeting)
            return None
        meeting = DischargeMeeting(
            episode_id=e.pk,
            starts_at=starts,
            place=self.weighted(MEETING_PLACES),
            status=MeetingStatus.HELD,
            person_invited=True,
            person_attended=self.chance(PERSON_ATTENDED),
            agreed=rng.choice(AGREED),
            arranged_by_id=ep.closer,
            arranged_at=arranged,
            held_recorded_by_id=ep.closer,
            version=2,
        )
        held = min(end, starts + HOUR)
        _stamp(meeting, arranged, held)
        ep.meetings.append(meeting)
        self.meetings.append(meeting)
        for contact in ep.sharing_plan:
            self.invite(ep, meeting, contact=contact, attended=self.chance(FAMILY_ATTENDED))
        for service in ep.services:
            if service.secondary_mental_health:
                came = not self.chance(SERVICE_ABSENT)
                self.invite(ep, meeting, service=service, attended=came)
        return meeting

    def invite(
        self,
        ep: _Ep,
        meeting: DischargeMeeting,
        *,
        contact: Contact | None = None,
        service: InvolvedService | None = None,
        attended: bool | None = None,
    ) -> None:
        row = _stamp(
            MeetingInvitee(
                meeting_id=meeting.pk,
                contact=contact,
                involved_service=service,
                attended=attended,
            ),
            meeting.arranged_at,
            meeting.updated_at,
        )
        ep.invitees.append(row)
        self.invitees.append(row)

    def relapse_plan(self, ep: _Ep, outcome: str, at: dt.datetime, end: dt.datetime) -> None:
        rng = self.rng
        shares: dict[str, float] = {
            DischargeOutcome.ADMITTED: 0.3,
            DischargeOutcome.DECLINED: 0.4,
        }
        share = shares.get(outcome, RELAPSE_PLAN)
        if not self.chance(share):
            return
        written = self.between(at, max(at, end - HOUR))
        plan = _stamp(
            RelapsePreventionPlan(
                episode_id=ep.episode.pk,
                early_warning_signs=rng.choice(WARNING_SIGNS),
                triggers=rng.choice(TRIGGERS),
                what_helps=rng.choice(WHAT_HELPS),
                who_to_contact=rng.choice(WHO_TO_CONTACT),
                advance_statement=rng.choice(ADVANCE),
                written_with_person=not self.chance(NOT_WITH_PERSON),
                written_by_id=ep.closer,
                written_at=written,
            ),
            written,
        )
        ep.relapse = plan
        self.relapse_plans.append(plan)

    def follow_on_named(self, ep: _Ep) -> str:
        for r in ep.referrals:
            if r.kind in (FollowOnKind.CMHT, FollowOnKind.GP, FollowOnKind.PSYCHOLOGY):
                if r.worker_name:
                    return f"{r.service_name}: {r.worker_name}, {r.worker_phone}"
                return r.service_name
        practice = ep.person.gp_practice
        return f"{practice.name} (GP)" if practice else "Your GP"

    def plan_given(
        self, ep: _Ep, outcome: str, meeting: DischargeMeeting | None, end: dt.datetime
    ) -> None:
        rng = self.rng
        if outcome == DischargeOutcome.ADMITTED:
            return
        if outcome == DischargeOutcome.DECLINED:
            if not self.chance(0.7):
                return
            method = GivenMethod.POST
        else:
            if not self.chance(PLAN_GIVEN):
                return
            method = rng.choices(
                (GivenMethod.IN_PERSON, GivenMethod.POST, GivenMethod.EMAIL), weights=(82, 12, 6)
            )[0]
            if method == GivenMethod.EMAIL and not ep.person.email:
                method = GivenMethod.POST
        at = meeting.starts_at + 45 * MINUTE if meeting is not None else end - 30 * MINUTE
        at = min(max(at, ep.episode.started_at), end).replace(microsecond=0)
        to_plan = [c for c in ep.sharing_plan if self.chance(FAMILY_COPY)]
        to_card = [c for c in ep.general_only if self.chance(FAMILY_COPY)]
        if outcome == DischargeOutcome.DECLINED:
            to_plan, to_card = [], []
        named = self.follow_on_named(ep)
        snapshot = (
            f"<h1>Your discharge plan</h1><p>For {html.escape(ep.person.full_name)}, given on "
            f"{local_date(at):%-d %B %Y}.</p><h2>Who will support you now</h2>"
            f"<p>{html.escape(named)}</p><h2>How to get crisis help</h2>"
            "<p>24/7 mental health line: 0808 800 3302. NHS 111 (mental health option). "
            "In an emergency, call 999.</p>"
        )
        given = _stamp(
            DischargePlanGiven(
                episode_id=ep.episode.pk,
                given_on=local_date(at),
                method=method,
                format=PlanFormat.EASY_READ if self.chance(EASY_READ) else PlanFormat.STANDARD,
                to_person=True,
                follow_on_named=named,
                snapshot_html=snapshot,
                recorded_by_id=ep.closer,
                recorded_at=at,
            ),
            at,
        )
        ep.given.append((given, to_plan, to_card))
        self.plans_given.append(given)
        plan_through = DischargePlanGiven.plan_to_contacts.through
        card_through = DischargePlanGiven.crisis_card_to_contacts.through
        self.plan_to += [
            plan_through(dischargeplangiven_id=given.pk, contact_id=c.pk) for c in to_plan
        ]
        self.card_to += [
            card_through(dischargeplangiven_id=given.pk, contact_id=c.pk) for c in to_card
        ]

    # --- the summary to the GP (CORE 34b) ----------------------------------------------------

    def summaries_to_gp(self, closed: list[_Ep]) -> None:
        rng = self.rng
        by_episode = {d.episode_id: d for d in self.discharges}
        week_ago = self.today - dt.timedelta(days=7)
        # Of last week's discharges now past their due date, two or three are overdue.
        past_due_recent = [
            ep
            for ep in closed
            if week_ago <= local_date(by_episode[ep.episode.pk].discharged_at)
            and by_episode[ep.episode.pk].summary_due_on < self.today
        ]
        overdue = {
            ep.episode.pk
            for ep in rng.sample(past_due_recent, min(len(past_due_recent), rng.choice((2, 3))))
        }
        self.overdue = len(overdue)
        for ep in closed:
            d = by_episode[ep.episode.pk]
            if ep.episode.pk in overdue:
                continue
            discharged_on = local_date(d.discharged_at)
            if self.chance(SUMMARY_LATE):
                days = rng.randint(SUMMARY_DUE_DAYS + 1, SUMMARY_DUE_DAYS + 6)
            else:
                days = rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0]
            sent_on = discharged_on + dt.timedelta(days=days)
            if sent_on > self.today:
                if d.summary_due_on >= self.today:
                    continue  # still due: not yet sent
                sent_on = self.today  # the overdue ones are the chosen two or three only
            sent_at = max(self.office_time(sent_on), d.discharged_at + 10 * MINUTE)
            if sent_at > self.now:
                sent_at = self.now - MINUTE
                sent_on = local_date(sent_at)
            sent_at = sent_at.replace(microsecond=0)
            practice = ep.person.gp_practice
            recipients = [f"{practice.name} (GP)" if practice else "The person's GP"]
            recipients += [s.name for s in ep.services if s.secondary_mental_health]
            recipients += [
                r.service_name
                for r in ep.referrals
                if r.kind == FollowOnKind.CMHT and r.service_name not in recipients
            ]
            by = rng.choice(self.admins) if self.admins and self.chance(0.6) else None
            sender = by.pk if by is not None else ep.closer
            snapshot = (
                f"<h1>Discharge summary</h1><p>{html.escape(ep.person.full_name)}, "
                f"discharged from home treatment on {discharged_on:%-d %B %Y}: "
                f"{html.escape(DischargeOutcome(d.outcome).label)}.</p>"
            )
            self.summaries.append(
                _stamp(
                    DischargeSummary(
                        episode_id=ep.episode.pk,
                        sent_on=sent_on,
                        method=rng.choices(
                            (SummaryMethod.NHS_MAIL, SummaryMethod.DOCMAN, SummaryMethod.POST),
                            weights=(60, 32, 8),
                        )[0],
                        to_gp=True,
                        recipients="\n".join(recipients),
                        snapshot_html=snapshot,
                        sent_by_id=sender,
                        recorded_at=sent_at,
                    ),
                    sent_at,
                )
            )

    # --- a few addendums ------------------------------------------------------------------------

    def addendums_later(self, closed: list[_Ep]) -> None:
        """A later note on a few discharged episodes (at least two): the record stays as it was."""
        rng = self.rng
        old_enough = [
            ep
            for ep in closed
            if ep.episode.closed_at is not None and ep.episode.closed_at < self.now - 2 * DAY
        ]
        wanted = min(len(old_enough), max(2, round(len(closed) * ADDENDUM)))
        for ep in sorted(rng.sample(old_enough, wanted), key=lambda ep: ep.episode.started_at):
            closed_at = ep.episode.closed_at
            assert closed_at is not None
            at = self.between(closed_at + HOUR, min(self.now, closed_at + 14 * DAY))
            self.addendums.append(
                _stamp(
                    Addendum(
                        episode_id=ep.episode.pk,
                        text=rng.choice(ADDENDUMS),
                        written_by_id=ep.closer,
                        written_at=at,
                    ),
                    at,
                )
            )

    # --- one re-referral ---------------------------------------------------------------------

    def re_referral(self, closed: list[_Ep]) -> None:
        """The closest later referral to the team of someone it discharged, within four weeks."""
        by_person = {ep.person.pk: ep for ep in closed}
        later = Referral.objects.filter(
            team=self.main, person_id__in=list(by_person), received_at__lte=self.now
        ).values_list("pk", "person_id", "received_at")
        best: tuple[float, uuid.UUID, _Ep, dt.datetime] | None = None
        ends = defaultdict(list)
        for ep in closed:
            ends[ep.person.pk].append(ep)
        for pk, person_id, received in later:
            for ep in ends.get(person_id, []):
                closed_at = ep.episode.closed_at
                assert closed_at is not None
                gap = (received - closed_at).total_seconds()
                if 0 < gap <= 27 * 86400 and (best is None or gap < best[0]):
                    best = (gap, pk, ep, received)
        if best is None:
            return
        _, referral_pk, ep, received = best
        assert ep.episode.closed_at is not None
        self.re_referrals.append(
            _stamp(
                ReReferral(
                    episode_id=ep.episode.pk,
                    referral_id=referral_pk,
                    days_after_discharge=(
                        local_date(received) - local_date(ep.episode.closed_at)
                    ).days,
                    recorded_by_id=ep.closer,
                    recorded_at=received,
                ),
                received,
            )
        )

    # --- aftercare under way on open episodes -------------------------------------------------

    def aftercare_under_way(self, open_: list[_Ep]) -> set[uuid.UUID]:
        rng = self.rng
        near = sorted(
            (
                ep
                for ep in open_
                if (self.now - ep.episode.started_at) >= dt.timedelta(days=AFTERCARE_FROM_DAYS)
            ),
            key=lambda ep: ep.episode.started_at,
        )[:OPEN_AFTERCARE]
        cmht = self.directory.get("community_mental_health")
        gp = self.directory.get("gp")
        for n, ep in enumerate(near):
            e = ep.episode
            sent = max(e.started_at, self.now - dt.timedelta(days=rng.uniform(1, 5)))
            if n % 2 == 0:
                if self.chance(0.5):
                    self.involved_services(ep, DischargeOutcome.CMHT, sent)
                self.refer(
                    ep,
                    FollowOnKind.CMHT,
                    cmht,
                    cmht.name if cmht else "Community mental health team",
                    sent,
                    status=OnwardReferralStatus.ACCEPTED if n == 0 else OnwardReferralStatus.SENT,
                    decided_at=self.between(sent, self.now - HOUR),
                    appointment_after=self.now,
                )
            else:
                practice = ep.person.gp_practice
                name = f"{practice.name} (GP)" if practice else "Your GP"
                self.refer(ep, FollowOnKind.GP, gp, name, sent, status=OnwardReferralStatus.SENT)
            day = self.today + dt.timedelta(days=rng.randint(1, 4))
            starts = local_instant(day, dt.time(rng.choice((10, 11, 14, 15)), 0))
            arranged = self.between(sent, self.now - HOUR)
            meeting = _stamp(
                DischargeMeeting(
                    episode_id=e.pk,
                    starts_at=starts,
                    place=self.weighted(MEETING_PLACES),
                    status=MeetingStatus.ARRANGED,
                    person_invited=True,
                    arranged_by_id=ep.closer,
                    arranged_at=arranged,
                ),
                arranged,
            )
            ep.meetings.append(meeting)
            self.meetings.append(meeting)
            for contact in ep.sharing_plan:
                self.invite(ep, meeting, contact=contact)
            for service in ep.services:
                if service.secondary_mental_health:
                    self.invite(ep, meeting, service=service)
            if n < 3:
                self.relapse_plan(ep, DischargeOutcome.CMHT, sent, self.now)
        return {ep.episode.pk for ep in near}

    # --- ward discharges and the 72-hour follow-up --------------------------------------------

    def ward_discharges(self, eps: list[_Ep], used: set[uuid.UUID]) -> None:
        """Recent episodes that let someone leave a ward early (early supported discharge): one
        due to be followed up by the end of today, several followed up in time and, where the
        visits allow, one late with its reason."""
        since = self.now - dt.timedelta(days=FOLLOW_UP_DAYS - 1)
        candidates = [
            ep
            for ep in eps
            if ep.episode.pk not in used
            and (ep.episode.status == EpisodeStatus.OPEN or ep.episode.started_at >= since)
        ]
        if not candidates:
            return
        seen: dict[uuid.UUID, list[dt.datetime]] = defaultdict(list)
        for person_id, started in (
            CareContact.objects.filter(
                episode__person_id__in=sorted({ep.person.pk for ep in candidates}),
                attendance=Attendance.ATTENDED,
                medium__in=FOLLOW_UP_MEDIA,
                started_at__lte=self.now,
            )
            .values_list("episode__person_id", "started_at")
            .order_by("started_at")
        ):
            seen[person_id].append(started)
        chosen = self.due_today(candidates, seen)
        recent = [
            ep
            for ep in candidates
            if ep.episode.pk not in chosen and since <= ep.episode.started_at < self.now - 6 * HOUR
        ]
        self.followed_up(recent, seen)

    def due_today(
        self, candidates: list[_Ep], seen: dict[uuid.UUID, list[dt.datetime]]
    ) -> set[uuid.UUID]:
        """Someone who left the ward almost three days ago and has not been seen since, so
        their 72 hours run out in a few hours, later today."""
        end_of_today = local_instant(self.today + DAY, dt.time(0, 0))
        earliest = self.now - FOLLOW_UP_HOURS * HOUR  # the deadline is still to come
        latest = min(self.now, end_of_today - (FOLLOW_UP_HOURS + 1) * HOUR)  # by 11pm
        target = earliest + dt.timedelta(hours=self.rng.uniform(2, 6))
        best: tuple[tuple[float, float], _Ep, dt.datetime] | None = None
        for ep in candidates:
            e = ep.episode
            if e.status != EpisodeStatus.OPEN:
                continue
            last = max((t for t in seen.get(ep.person.pk, []) if t < self.now), default=None)
            lo = max(earliest, last) if last is not None else earliest
            left = min(max(target, lo + MINUTE), latest).replace(second=0, microsecond=0)
            if left <= lo:
                left += MINUTE
            if not lo < left <= latest:
                continue
            key = (
                abs((left - target).total_seconds()),
                abs((left - e.started_at).total_seconds()),
            )
            if best is None or key < best[0]:
                best = (key, ep, left)
        if best is None:
            return set()
        _, ep, left = best
        self.ward_discharge(ep, left)
        self.follow_ups_due_today = 1
        return {ep.episode.pk}

    def followed_up(self, recent: list[_Ep], seen: dict[uuid.UUID, list[dt.datetime]]) -> None:
        rng = self.rng
        in_time, late_done = 0, False
        order = sorted(recent, key=lambda ep: (ep.episode.started_at, ep.episode.pk))
        rng.shuffle(order)  # spread over the four weeks the follow-up list shows
        for ep in order:
            if in_time >= ESD_IN_TIME and late_done:
                break
            e = ep.episode
            left = (e.started_at + dt.timedelta(hours=rng.uniform(0.5, 5))).replace(microsecond=0)
            if left >= self.now - HOUR or (e.closed_at is not None and left >= e.closed_at):
                continue
            followed = next((t for t in seen.get(ep.person.pk, []) if t >= left), None)
            deadline = left + FOLLOW_UP_HOURS * HOUR
            if followed is not None and followed <= deadline:
                if in_time < ESD_IN_TIME:
                    in_time += 1
                    self.ward_discharge(ep, left)
            elif not late_done and deadline < self.now - 2 * HOUR:
                late_done = True
                admission = self.ward_discharge(ep, left)
                at = self.between(deadline, self.now - HOUR)
                self.missed.append(
                    _stamp(
                        FollowUpMissedReason(
                            admission_id=admission.pk,
                            reason=rng.choice(MISSED_REASONS),
                            recorded_by_id=ep.closer,
                            recorded_at=at,
                        ),
                        at,
                    )
                )

    def ward_discharge(self, ep: _Ep, left: dt.datetime) -> Admission:
        rng = self.rng
        admitted = (left - dt.timedelta(days=rng.uniform(8, 40))).replace(microsecond=0)
        admission = _stamp(
            Admission(
                person_id=ep.person.pk,
                decision=None,
                ward=f"Ward {rng.randint(1, 6)}, Bradgate Unit",
                legal_status=rng.choices(
                    (LegalStatus.VOLUNTARY, LegalStatus.SECTION_2, LegalStatus.SECTION_3),
                    weights=(75, 15, 10),
                )[0],
                admitted_at=admitted,
                discharged_at=left,
            ),
            admitted,
            left,
        )
        self.admissions.append(admission)
        ep.episode.early_discharge_from = admission
        self.esd_episodes.append(ep.episode)
        return admission

    # --- a year of feedback ----------------------------------------------------------------

    def feedback_year(self, closed: list[_Ep]) -> None:
        rng = self.rng
        if not closed:
            return
        first = min(ep.episode.closed_at for ep in closed if ep.episode.closed_at is not None)
        span_days = max(1.0, min(365.0, (self.now - first) / DAY))
        count = max(5, round(FEEDBACK_PER_YEAR * span_days / 365))
        for _ in range(count):
            day = self.today - dt.timedelta(days=int(rng.uniform(0, span_days)))
            at = local_instant(day, dt.time(rng.randint(8, 22), rng.randint(0, 59)))
            if at > self.now:
                at = self.now - dt.timedelta(minutes=rng.randint(5, 300))
            experience = self.weighted(FEEDBACK_ANSWERS)
            positive = experience in POSITIVE
            went_well = ""
            better = ""
            if self.chance(FEEDBACK_WENT_WELL if positive else 0.25):
                went_well = rng.choice(WENT_WELL)
            if self.chance(FEEDBACK_BETTER if positive else 0.85):
                better = rng.choice(BETTER)
            self.feedback.append(
                _stamp(
                    FeedbackResponse(
                        team_id=self.main.pk,
                        experience=experience,
                        respondent=Respondent.CARER
                        if self.chance(FEEDBACK_BY_CARER)
                        else Respondent.PERSON,
                        what_went_well=went_well,
                        what_could_be_better=better,
                        submitted_at=at,
                    ),
                    at,
                )
            )
        self.feedback.sort(key=lambda r: r.submitted_at)

    # --- saving --------------------------------------------------------------------------

    def save(self) -> None:
        with _historic_stamps(
            Admission,
            InvolvedService,
            OnwardReferral,
            OnwardReferralStatusChange,
            DischargeMeeting,
            MeetingInvitee,
            RelapsePreventionPlan,
            DischargePlanGiven,
            Discharge,
            DischargeGap,
            DischargeSummary,
            Addendum,
            ReReferral,
            FollowUpMissedReason,
            FeedbackResponse,
        ):
            batch = 1000
            Admission.objects.bulk_create(self.admissions, batch_size=batch)
            Episode.objects.bulk_update(
                self.esd_episodes, ["early_discharge_from"], batch_size=batch
            )
            InvolvedService.objects.bulk_create(self.services, batch_size=batch)
            OnwardReferral.objects.bulk_create(self.referrals, batch_size=batch)
            OnwardReferralStatusChange.objects.bulk_create(self.referral_statuses, batch_size=batch)
            DischargeMeeting.objects.bulk_create(self.meetings, batch_size=batch)
            MeetingInvitee.objects.bulk_create(self.invitees, batch_size=batch)
            RelapsePreventionPlan.objects.bulk_create(self.relapse_plans, batch_size=batch)
            DischargePlanGiven.objects.bulk_create(self.plans_given, batch_size=batch)
            DischargePlanGiven.plan_to_contacts.through.objects.bulk_create(
                self.plan_to, batch_size=batch
            )
            DischargePlanGiven.crisis_card_to_contacts.through.objects.bulk_create(
                self.card_to, batch_size=batch
            )
            Discharge.objects.bulk_create(self.discharges, batch_size=batch)
            DischargeGap.objects.bulk_create(self.gaps, batch_size=batch)
            DischargeSummary.objects.bulk_create(self.summaries, batch_size=batch)
            Addendum.objects.bulk_create(self.addendums, batch_size=batch)
            ReReferral.objects.bulk_create(self.re_referrals, batch_size=batch)
            FollowUpMissedReason.objects.bulk_create(self.missed, batch_size=batch)
            FeedbackResponse.objects.bulk_create(self.feedback, batch_size=batch)


# --- The checklist, as discharge.selectors.checklist derives it ------------------------------


def _checklist(ep: _Ep) -> dict[str, str]:
    """{code: state} from the records built for this episode, by the selector's rules."""
    met, missing, na = "met", "missing", "not_applicable"
    secondary = [s for s in ep.services if s.secondary_mental_health]
    states: dict[str, str] = {}
    # 25a: every other secondary mental health service involved has a plan agreed.
    if not secondary:
        states["25a"] = na
    else:
        states["25a"] = met if all(s.plan_agreed.strip() for s in secondary) else missing
    # 25b: a referral on, sent or accepted.
    states["25b"] = (
        met
        if any(
            r.status in (OnwardReferralStatus.SENT, OnwardReferralStatus.ACCEPTED)
            for r in ep.referrals
        )
        else missing
    )
    # 25c: the latest meeting not cancelled invites the person, and family sharing the plan.
    meetings = sorted(
        (m for m in ep.meetings if m.status != MeetingStatus.CANCELLED),
        key=lambda m: m.starts_at,
        reverse=True,
    )
    invited = defaultdict(list)
    for i in ep.invitees:
        invited[i.meeting_id].append(i)
    sharing = {c.pk for c in ep.sharing_plan}
    if not meetings or not meetings[0].person_invited:
        states["25c"] = missing
    else:
        family_invited = {i.contact.pk for i in invited[meetings[0].pk] if i.contact is not None}
        states["25c"] = missing if sharing and not (family_invited & sharing) else met
    # 25d: every secondary service came to a meeting that was held.
    if not secondary:
        states["25d"] = na
    else:
        held = [m for m in meetings if m.status == MeetingStatus.HELD]
        came = {
            i.involved_service.pk
            for m in held
            for i in invited[m.pk]
            if i.involved_service is not None and i.attended
        }
        states["25d"] = met if held and all(s.pk in came for s in secondary) else missing
    # 25e and 25f: the written plan given to the person; crisis help reaching family too.
    given = [g for g, _, _ in ep.given if g.to_person]
    states["25e"] = met if given else missing
    family = {c.pk for c in ep.family}
    reached = {c.pk for g, plan, card in ep.given for c in [*plan, *card]}
    if not given:
        states["25f"] = missing
    else:
        states["25f"] = missing if family and not (reached & family) else met
    # 24: the relapse prevention plan, written with the person.
    states["24"] = met if ep.relapse is not None and ep.relapse.written_with_person else missing
    return {code: states[code] for code in ("25a", "25b", "25c", "25d", "25e", "25f", "24")}

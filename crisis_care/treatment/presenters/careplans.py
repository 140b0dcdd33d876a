"""Display values for the care plan and the written treatment plan: the intervention catalogue
grouped for choosing, goal and progress tags, the CORE 12b clock (written plan within 4 working
days), and the plain-English lines of the plan the person keeps."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from crisis_care.core.clock import LONDON, local_date
from crisis_care.core.presenters import date_long, time_short
from crisis_care.core.working_days import add_working_days, working_days_between
from crisis_care.directory import presenters as directory_presenters
from crisis_care.directory.models import Service
from crisis_care.people.models import Contact, Relationship, ShareScope
from crisis_care.referrals.letters import CRISIS_HELP_FALLBACK

from ..models import (
    MEDICATION_AND_RISK_ONLY,
    CarePlan,
    Episode,
    Goal,
    GoalProgress,
    GoalStatus,
    Intervention,
    InterventionKind,
    Medication,
    Progress,
    Visit,
    VisitLocation,
    WrittenPlanGiven,
)
from ..services.careplans import may_see_care_plan

# CORE item 12b: the written treatment plan within 4 working days of the start.
WRITTEN_PLAN_WORKING_DAYS = 4

K = InterventionKind

# The catalogue as the form shows it: grouped, so what goes beyond medication and risk
# (CORE item 20c) is as easy to find as what does not.
KIND_GROUPS: tuple[tuple[str, tuple[InterventionKind, ...]], ...] = (
    (
        "Medication and safety",
        (K.MEDICATION_REVIEW, K.PRESCRIBING, K.MEDICATION_DELIVERY, K.SAFETY_PLANNING),
    ),
    (
        "Talking and understanding",
        (K.BRIEF_PSYCHOLOGICAL, K.PSYCHOEDUCATION, K.RELAPSE_PREVENTION),
    ),
    ("Practical help", (K.PRACTICAL_FOOD_HEATING, K.BENEFITS_DEBT, K.HOUSING, K.LEGAL)),
    (
        "Health and daily life",
        (K.PHYSICAL_HEALTH, K.DAILY_ROUTINE, K.SOCIAL_CONNECTION, K.SUBSTANCE_USE),
    ),
    ("Family, friends and carers", (K.FAMILY_NETWORK, K.CARER_SUPPORT)),
)

# What each intervention covers, under its name on the form.
KIND_HINTS: dict[str, str] = {
    K.MEDICATION_REVIEW: "Checking how medicines are working, side effects and concerns",
    K.PRESCRIBING: "Starting, changing or stopping a medicine (a prescriber in the team)",
    K.MEDICATION_DELIVERY: "Collecting medicines and bringing them, up to twice a day",
    K.SAFETY_PLANNING: "Writing or reviewing the safety plan with the person",
    K.BRIEF_PSYCHOLOGICAL: "Short, structured work such as problem solving, coping skills, "
    "managing distress or anxiety",
    K.PSYCHOEDUCATION: "Explaining the illness, its likely course and the treatment, and "
    "answering worries about medicines",
    K.RELAPSE_PREVENTION: "Early warning signs, triggers and what to do if things get worse again",
    K.PRACTICAL_FOOD_HEATING: "Food, heating, urgent cleaning or repairs",
    K.BENEFITS_DEBT: "Essential income, benefit claims and urgent debt",
    K.HOUSING: "Threats to a tenancy, homelessness, contact with the landlord or council",
    K.LEGAL: "Urgent legal, criminal justice or employment problems",
    K.PHYSICAL_HEALTH: "Physical health checks (weight, blood pressure), tests and getting "
    "treatment",
    K.DAILY_ROUTINE: "Sleep, eating, activity and structure to the day",
    K.SOCIAL_CONNECTION: "Getting back in touch with people, groups and things they enjoy",
    K.SUBSTANCE_USE: "Alcohol or drug use and links to specialist help",
    K.FAMILY_NETWORK: "Meeting with family or friends the person wants involved, and agreeing "
    "their role",
    K.CARER_SUPPORT: "A carer's own needs, information about carer services and a support plan",
}

_GOAL_TAG = {
    GoalStatus.ACTIVE: "nhsuk-tag--blue",
    GoalStatus.ACHIEVED: "nhsuk-tag--green",
    GoalStatus.NO_LONGER_NEEDED: "nhsuk-tag--grey",
}

_PROGRESS_TAG = {
    Progress.WORSE: "nhsuk-tag--red",
    Progress.NO_CHANGE: "nhsuk-tag--grey",
    Progress.SOME: "nhsuk-tag--yellow",
    Progress.GOOD: "nhsuk-tag--green",
}


def kind_label(kind: str) -> str:
    return InterventionKind(kind).label if kind in InterventionKind.values else kind


def kind_choice_groups(selected: str | None) -> list[dict[str, object]]:
    """The catalogue as radio groups: heading, then items with what each covers."""
    return [
        {
            "heading": heading,
            "items": [
                {
                    "value": str(kind),
                    "text": kind.label,
                    "hint": {"text": KIND_HINTS[kind]},
                    "checked": selected == kind,
                }
                for kind in kinds
            ],
        }
        for heading, kinds in KIND_GROUPS
    ]


def goal_status_tag(status: str) -> dict[str, str]:
    return {"text": GoalStatus(status).label, "classes": _GOAL_TAG[GoalStatus(status)]}


def progress_tag(progress: str) -> dict[str, str]:
    return {"text": Progress(progress).label, "classes": _PROGRESS_TAG[Progress(progress)]}


def person_name(user: object) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", user))


# -- CORE 20c ----------------------------------------------------------------------------


def active_interventions(plan: CarePlan) -> list[Intervention]:
    return [i for i in plan.interventions.all() if i.stopped_at is None]


def stopped_interventions(plan: CarePlan) -> list[Intervention]:
    return [i for i in plan.interventions.all() if i.stopped_at is not None]


def medication_and_risk_only(interventions: Iterable[Intervention]) -> bool:
    """CORE item 20c: care includes at least one intervention beyond medication and risk.
    True when the plan has interventions and every one is medication or risk."""
    kinds = [i.kind for i in interventions]
    return bool(kinds) and all(kind in MEDICATION_AND_RISK_ONLY for kind in kinds)


# -- The goals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalCard:
    goal: Goal
    status: dict[str, str]
    latest: GoalProgress | None
    progress: list[GoalProgress]  # newest first
    history: list[dict[str, str]]  # status changes, newest first
    interventions: list[Intervention] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.goal.status == GoalStatus.ACTIVE


def goal_cards(plan: CarePlan) -> list[GoalCard]:
    """Each goal with its latest progress, its history and the interventions serving it
    (from the prefetched rows: no queries)."""
    active = active_interventions(plan)
    cards = []
    for goal in plan.goals.all():
        progress = list(goal.progress.all())
        history = [
            {
                "status": GoalStatus(change.status).label,
                "when": date_long(change.changed_at),
                "by": person_name(change.changed_by),
                "note": change.note,
            }
            for change in reversed(list(goal.status_history.all()))
        ]
        cards.append(
            GoalCard(
                goal=goal,
                status=goal_status_tag(goal.status),
                latest=progress[-1] if progress else None,
                progress=list(reversed(progress)),
                history=history,
                interventions=[i for i in active if any(g.pk == goal.pk for g in i.goals.all())],
            )
        )
    return cards


def goal_choice_label(goal: Goal) -> str:
    return " ".join(goal.goal.split())


# -- Family and consent ------------------------------------------------------------------


def contact_name(contact: Contact) -> str:
    relationship = Relationship(contact.relationship).label.lower()
    return f"{contact.name} ({relationship})"


def family_role(intervention: Intervention) -> str:
    """The family member or friend with a role in it, shown only while consent allows it."""
    member = intervention.family_member
    if member is None or not may_see_care_plan(member):
        return ""
    return contact_name(member)


def family_role_paused(intervention: Intervention) -> bool:
    """A family member was given a role, but the person's consent has since changed: the
    role is left out of the written plan until someone reviews it."""
    member = intervention.family_member
    return member is not None and not may_see_care_plan(member)


def consent_reason(contact: Contact) -> str:
    """Why a contact cannot see the care plan, in words for staff."""
    consent = contact.current_consent
    if consent is None:
        return "no decision about sharing has been recorded"
    if consent.scope == ShareScope.NOTHING:
        return "the person does not want anything shared with them"
    if consent.scope == ShareScope.GENERAL:
        return "the person agreed to share general information only"
    return "the person agreed to share their care plan"


def contacts_not_sharing(contacts: Sequence[Contact]) -> list[str]:
    return [f"{contact_name(c)}: {consent_reason(c)}" for c in contacts if not may_see_care_plan(c)]


# -- CORE 12b: the written plan within 4 working days ------------------------------------


@dataclass(frozen=True)
class WrittenPlanDue:
    started_on: dt.date
    due_by: dt.date
    given_on: dt.date | None
    within: bool | None  # None: not yet given
    working_days: int  # left (not given), or late by (given late / overdue)
    text: str
    tag: dict[str, str]


def _days(n: int) -> str:
    return f"{n} working day" + ("" if n == 1 else "s")


def written_plan_due(
    *, started_at: dt.datetime, given: Sequence[WrittenPlanGiven], today: dt.date | None = None
) -> WrittenPlanDue:
    """Whether the first written plan was given within 4 working days of the start of home
    treatment (CORE item 12b), or how many working days are left."""
    today = today or timezone.localdate()
    started_on = local_date(started_at)
    due_by = add_working_days(started_on, WRITTEN_PLAN_WORKING_DAYS)
    due_text = f"due by {date_long(due_by)}"
    first = min((g.given_on for g in given), default=None)
    if first is not None:
        if first <= due_by:
            return WrittenPlanDue(
                started_on,
                due_by,
                first,
                True,
                0,
                f"Given on {date_long(first)}, within 4 working days of the start ({due_text}).",
                {"text": "Given on time", "classes": "nhsuk-tag--green"},
            )
        late = working_days_between(due_by, first)
        late_text = f"{_days(late)} late" if late else "late"
        return WrittenPlanDue(
            started_on,
            due_by,
            first,
            False,
            late,
            f"Given on {date_long(first)}, {late_text} ({due_text}).",
            {"text": "Given late", "classes": "nhsuk-tag--orange"},
        )
    if today <= due_by:
        left = working_days_between(today, due_by)
        when = "due today" if today == due_by else f"{_days(left)} left, {due_text}"
        return WrittenPlanDue(
            started_on,
            due_by,
            None,
            None,
            left,
            f"Not yet given: {when}.",
            {
                "text": "Due today" if today == due_by else "Not yet given",
                "classes": "nhsuk-tag--yellow",
            },
        )
    overdue = working_days_between(due_by, today)
    overdue_text = f"{_days(overdue)} overdue" if overdue else "overdue"
    return WrittenPlanDue(
        started_on,
        due_by,
        None,
        False,
        overdue,
        f"Not yet given: {overdue_text} (it was {due_text}).",
        {"text": "Overdue", "classes": "nhsuk-tag--red"},
    )


def given_summary(given: WrittenPlanGiven) -> str:
    """'Handed over in person on 5 March 2026 to the person and Jo Ellison (sister).'"""
    to = (["the person"] if given.to_person else []) + [
        contact_name(c) for c in given.to_contacts.all()
    ]
    who = " and ".join([", ".join(to[:-1]), to[-1]]) if len(to) > 1 else (to[0] if to else "")
    return f"{given.get_method_display()} on {date_long(given.given_on)} to {who}."


# -- The written treatment plan ----------------------------------------------------------


def sentence(text: str) -> str:
    """Free text as one sentence-ended line ('Call the landlord' -> 'Call the landlord.')."""
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else f"{text}."


def written_intervention(intervention: Intervention) -> dict[str, str]:
    """One line of 'What the team will do' in the person's plan. A family member or friend is
    named only while the person's consent to share their care plan with them stands."""
    parts = [sentence(intervention.detail)]
    if intervention.lead is not None:
        parts.append(f"{person_name(intervention.lead.user)} leads this.")
    member = intervention.family_member
    if member is not None and may_see_care_plan(member):
        parts.append(f"{member.name} will help with this.")
    return {"kind": kind_label(intervention.kind), "text": " ".join(parts)}


def crisis_help_lines(services: Iterable[Service]) -> list[str]:
    """'How to get help in a crisis', from the directory's crisis-help services (as the
    decision letter lists them); 999 and NHS 111 if the directory has none."""
    lines = [directory_presenters.crisis_help_line(s) for s in services]
    return lines or [line.removeprefix("- ") for line in CRISIS_HELP_FALLBACK]


def visit_line(visit: Visit) -> str:
    """'Tuesday 3 March, between 10am and 11am, at home'."""
    start = visit.window_start
    local = start.astimezone(LONDON)
    day = f"{local:%A} {local.day} {local:%B}"  # the year is not needed for the coming week
    if visit.location == VisitLocation.OTHER and visit.location_detail:
        where = f"at {visit.location_detail}"
    else:
        where = VisitLocation(visit.location).label.lower()
    return f"{day}, between {time_short(start)} and {time_short(visit.window_end)}, {where}"


def medication_line(medication: Medication) -> str:
    def lower_first(text: str) -> str:
        return text[:1].lower() + text[1:]

    parts = [
        medication.name,
        medication.dose,
        lower_first(medication.route),
        lower_first(medication.frequency),
    ]
    return ", ".join(part for part in parts if part)


def named_worker_text(episode: Episode) -> str:
    worker = episode.named_worker
    if worker is None:
        return ""
    title = f", {worker.job_title.lower()}" if worker.job_title else ""
    return f"{person_name(worker.user)}{title}"


def pdf_title(episode: Episode, on: dt.date) -> str:
    """The PDF's title: what it is, the team and the date, no names."""
    return f"My home treatment plan, {episode.team.name}, {date_long(on)}"


def pdf_filename(on: dt.date) -> str:
    """'home-treatment-plan-2026-03-03.pdf': never a name or NHS number."""
    return f"home-treatment-plan-{on:%Y-%m-%d}.pdf"

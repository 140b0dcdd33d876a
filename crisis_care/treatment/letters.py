"""The letter after an assessment decision, to the person's GP and the referrer: what we
decided with the person and why, what happens next, and how to get crisis help.

It is built when the decision is recorded and kept on the decision (`Decision.letter`), so
the page and the PDF always show the words that were sent, even if the directory or the
safety plan change later. It uses the decline letter's plain-text layout (see
`crisis_care.referrals.letters`: "## " headings, "### " service names, "- " list items,
blank lines between blocks), so the same reader (`letter_blocks`), page macros and PDF
renderer serve both letters.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from crisis_care.assessments.models import Assessment, LegalStatus, Outcome, SafetyPlan, Venue
from crisis_care.core.models import User
from crisis_care.core.presenters import date_long
from crisis_care.directory import presenters as directory_presenters
from crisis_care.directory.models import Service
from crisis_care.referrals.letters import (
    CRISIS_HELP_FALLBACK,
    about_line,
    paragraphs,
    service_blocks,
)
from crisis_care.referrals.models import Referral, Source

# Where the assessment happened, as the end of "Our team assessed Sam Ellison ...".
VENUE_PHRASES = {
    Venue.HOME: "at home",
    Venue.BRADGATE_WARD: "on the ward at the Bradgate Unit",
    Venue.LRI_ED: "in the emergency department at Leicester Royal Infirmary",
    Venue.GP_SURGERY: "at a GP surgery",
    Venue.FRIEND_RELATIVE: "at a friend's or relative's home",
    Venue.OTHER: "at a place we agreed with them",
}

# The safety plan's parts, as they are headed in the plan the person keeps.
SAFETY_PLAN_PARTS = (
    ("warning_signs", "Warning signs"),
    ("coping_steps", "Things I can do to cope"),
    ("people_and_places", "People and places that help"),
    ("professional_contacts", "Professionals I can contact"),
    ("environment_safer", "Making my environment safer"),
)


# How the admission happens, as the end of "... is being admitted to Ward 3".
LEGAL_STATUS_PHRASES = {
    LegalStatus.VOLUNTARY: "as a voluntary (informal) patient",
    LegalStatus.SECTION_2: "under section 2 of the Mental Health Act",
    LegalStatus.SECTION_3: "under section 3 of the Mental Health Act",
    LegalStatus.SECTION_4: "under section 4 of the Mental Health Act",
    LegalStatus.SECTION_136: "under section 136 of the Mental Health Act (place of safety)",
}


@dataclass(frozen=True)
class EarlyDischarge:
    """The admission a home treatment decision lets the person leave early (CORE item 7)."""

    ward: str
    admitted_on: dt.date | None


def _known(legal_status: str) -> bool:
    return legal_status in LegalStatus.values


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- Who the letter is to --------------------------------------------------------------


def _gp_lines(assessment: Assessment) -> list[str]:
    practice = assessment.person.gp_practice
    if practice is None:
        return []
    lines = [f"The GP, {practice.name}", practice.address, practice.postcode]
    return [line for line in lines if line]


def _referrer_lines(referral: Referral) -> list[str]:
    if referral.source == Source.SELF:
        person = referral.person
        lines = [referral.display_name]
        if person is not None:
            lines += [person.address_line_1, person.address_line_2, person.town, person.postcode]
        return [line for line in lines if line]
    return [line for line in (referral.referrer_name, referral.referrer_organisation) if line]


def _referrer_is_the_gp(assessment: Assessment) -> bool:
    practice = assessment.person.gp_practice
    referral = assessment.referral
    return (
        practice is not None
        and referral.source == Source.GP
        and referral.referrer_organisation.strip().casefold() == practice.name.casefold()
    )


def recipients(assessment: Assessment) -> list[str]:
    """The 'To:' and 'Copy to:' blocks: the GP, and the referrer (or the person, when they
    referred themselves). A referring GP at the person's own practice is named once."""
    gp = _gp_lines(assessment)
    referrer = _referrer_lines(assessment.referral)
    if _referrer_is_the_gp(assessment):
        return ["To:\n" + "\n".join(referrer + gp[1:])]
    blocks = []
    if gp:
        blocks.append("To:\n" + "\n".join(gp))
    if referrer:
        blocks.append(("Copy to:\n" if gp else "To:\n") + "\n".join(referrer))
    return blocks


def _referred_phrase(referral: Referral) -> str:
    received = date_long(referral.received_at)
    if referral.source == Source.SELF:
        return f"they asked us for help on {received}"
    who = referral.referrer_name or referral.referrer_organisation
    by = f"from {who}" if who else f"from the {Source(referral.source).label.lower()}"
    return f"the referral we received {by} on {received}"


# -- The sections ------------------------------------------------------------------------


def outcome_sentence(
    outcome: str,
    name: str,
    *,
    ward: str = "",
    legal_status: str = "",
    early_discharge: bool = False,
) -> str:
    if outcome == Outcome.HOME_TREATMENT and early_discharge:
        return (
            f"{name} will have intensive treatment at home from our team for a short time, so "
            "they can leave hospital earlier."
        )
    if outcome == Outcome.HOME_TREATMENT:
        return (
            f"{name} will have intensive treatment at home from our team for a short time, "
            "instead of going into hospital."
        )
    if outcome == Outcome.ADMISSION:
        how = f" {LEGAL_STATUS_PHRASES[LegalStatus(legal_status)]}" if _known(legal_status) else ""
        return f"{name} needs care in hospital and is being admitted to {ward}{how}."
    if outcome == Outcome.REFERRAL_ON:
        return (
            f"Our team is not the right service for {name} at the moment. We have referred "
            "them on to help that suits them better: the details are below."
        )
    return (
        f"Our team is not the right service for {name} at the moment. We have given them the "
        "details of services below that can help, which they can contact themselves."
    )


def _home_treatment_blocks(
    name: str, team_phone: str, early_discharge: EarlyDischarge | None
) -> list[str]:
    blocks = ["## What happens next"]
    if early_discharge is not None:
        admitted = (
            f", where they were admitted on {date_long(early_discharge.admitted_on)}"
            if early_discharge.admitted_on
            else ""
        )
        blocks.append(
            f"{name} can leave {early_discharge.ward}{admitted}, earlier than they otherwise "
            "would, because our team will treat them at home (early supported discharge)."
        )
    call = f"call the team on {team_phone}" if team_phone else "call the team"
    blocks.append(
        "\n".join(
            [
                f"- Our team will visit {name} at home. Visits can be up to twice a day at first, "
                "then fewer as things get better.",
                f"- {name} will have a named contact in our team. To reach them, or whoever is "
                f"on duty, {call} at any time of the day or night.",
                "- Home treatment lasts a short time, usually a few weeks. When it ends we will "
                "send you a discharge plan, and care will pass back to the GP or on to other "
                "services.",
            ]
        )
    )
    return blocks


def _safety_plan_blocks(name: str, plan: SafetyPlan) -> list[str]:
    written = date_long(plan.written_at)
    if plan.written_with_person:
        intro = f"{name} wrote a safety plan with us on {written}. These are its main parts:"
    else:
        intro = f"We wrote a safety plan for {name} on {written}. These are its main parts:"
    items = [
        f"- {label}: {_one_line(getattr(plan, field))}"
        for field, label in SAFETY_PLAN_PARTS
        if getattr(plan, field).strip()
    ]
    return [f"## {name}'s safety plan", intro, "\n".join(items)]


def _admission_blocks(name: str, *, ward: str, legal_status: str, on: dt.date) -> list[str]:
    return [
        "## The admission",
        "\n".join(
            [
                f"- Ward: {_one_line(ward)}",
                f"- Legal status: {LegalStatus(legal_status).label if _known(legal_status) else 'Not recorded'}",
                f"- Date of the decision: {date_long(on)}",
            ]
        ),
        f"The ward team will plan {name}'s care in hospital. When {name} is ready, our team can "
        "help them leave hospital earlier with treatment at home (early supported discharge).",
    ]


def _services_blocks(outcome: str, name: str, services: Sequence[Service]) -> list[str]:
    if outcome == Outcome.REFERRAL_ON:
        blocks = [
            f"## Where we have referred {name}",
            "Their details are below in case you need to contact them too.",
        ]
    else:
        blocks = [
            f"## Where {name} can get help",
            f"{name} can contact these services themselves. Please remind them of the details "
            "if it would help.",
        ]
    for service in services:
        blocks += service_blocks(service, to_referrer=outcome == Outcome.REFERRAL_ON)
    return blocks


def _crisis_help_blocks(
    outcome: str, name: str, team_phone: str, crisis_help: Iterable[Service]
) -> list[str]:
    blocks = ["## How to get crisis help"]
    if outcome == Outcome.HOME_TREATMENT and team_phone:
        blocks.append(
            f"While {name} is having home treatment, they or you can call our team first, on "
            f"{team_phone}, at any time of the day or night."
        )
    blocks.append(f"If {name} is in crisis, or their life is at risk, get help straight away:")
    lines = [f"- {directory_presenters.crisis_help_line(s)}" for s in crisis_help]
    blocks.append("\n".join(lines or CRISIS_HELP_FALLBACK))
    return blocks


# -- The letter --------------------------------------------------------------------------


def build_letter(
    *,
    assessment: Assessment,
    outcome: str,
    reasons: str,
    discussed_with_person: bool,
    person_view: str,
    by: User,
    crisis_help: Iterable[Service],
    legal_status: str = "",
    ward: str = "",
    services: Sequence[Service] = (),
    safety_plan: SafetyPlan | None = None,
    early_discharge: EarlyDischarge | None = None,
    on: dt.date | None = None,
) -> str:
    """The whole letter as text, in plain English. Gatekeeping is for the team's review,
    not the letter: it is shown on the team's page only."""
    on = on or timezone.localdate()
    referral = assessment.referral
    team = referral.team
    name = assessment.person.full_name
    addressed = recipients(assessment)

    blocks: list[str] = [date_long(on), *addressed, about_line(referral)]
    blocks.append("Dear colleagues," if len(addressed) > 1 else "Dear colleague,")
    assessed_on = date_long(assessment.started_at or assessment.starts_at)
    venue = VENUE_PHRASES.get(Venue(assessment.venue), "")
    blocks.append(
        f"Our team, the {team.name}, assessed {name} {venue} on {assessed_on}, after "
        f"{_referred_phrase(referral)}. This letter tells you what we decided and what "
        "happens next."
    )

    blocks.append(f"## Our decision: {Outcome(outcome).label.lower()}")
    blocks.append(
        outcome_sentence(
            outcome,
            name,
            ward=_one_line(ward),
            legal_status=legal_status,
            early_discharge=early_discharge is not None,
        )
    )
    blocks.append("## Why we made this decision")
    blocks += paragraphs(reasons)

    blocks.append(f"## What {name} thinks")
    if discussed_with_person:
        blocks.append(f"We talked this decision through with {name}.")
    else:
        blocks.append(f"We were not able to talk this decision through with {name}.")
    view = paragraphs(person_view)
    if view:
        blocks.append(f"{name}'s view:")
        blocks += view

    if outcome == Outcome.HOME_TREATMENT:
        blocks += _home_treatment_blocks(name, team.phone, early_discharge)
        if safety_plan is not None:
            blocks += _safety_plan_blocks(name, safety_plan)
    elif outcome == Outcome.ADMISSION:
        blocks += _admission_blocks(name, ward=ward, legal_status=legal_status, on=on)
    else:
        blocks += _services_blocks(outcome, name, services)

    blocks += _crisis_help_blocks(outcome, name, team.phone, crisis_help)

    if team.phone:
        blocks.append(f"If you have any questions about this letter, call us on {team.phone}.")
    blocks.append("Yours sincerely,")
    signature = [by.get_full_name() or by.username, by.role_label, team.name]
    if team.phone:
        signature.append(f"Phone: {team.phone}")
    blocks.append("\n".join(signature))
    return "\n\n".join(blocks) + "\n"

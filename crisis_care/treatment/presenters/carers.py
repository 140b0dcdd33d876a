"""Display values for carers and family: what the person has agreed to share with each contact,
stated plainly; the history with each contact; and the two things given to carers, as letter
text (the decline letter's plain layout: "## " headings, "### " service names, "- " lists),
so one reader (`referrals.letters.letter_blocks`) serves the page and the PDF.

The carer's copies are built only from what may reach the carer: the carer's own plan, general
crisis information and services, and (only if the person agreed to share their care plan with
this carer) their care plan goals. Nothing else about the person is passed in, and their name
appears only in the part they agreed to share."""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from crisis_care.core.clock import local_date
from crisis_care.core.models import User
from crisis_care.core.presenters import date_long, datetime_long
from crisis_care.directory import presenters as directory_presenters
from crisis_care.directory.models import Service
from crisis_care.people.models import Capacity, Contact, Involvement, Person, ShareScope
from crisis_care.referrals.letters import CRISIS_HELP_FALLBACK, paragraphs, service_blocks
from crisis_care.workforce.models import Team

from ..models import (
    AttemptMethod,
    AttemptOutcome,
    CarerAssessmentReferral,
    CarerAssessmentStatus,
    CarerConversation,
    CarerConversationOffer,
    CarerSupportPlan,
    FamilyContactAttempt,
    Goal,
    Intervention,
    InterventionKind,
    OfferResponse,
    ReviewInvitation,
)
from ..selectors.carers import may_share_care_plan

# -- Councils (Care Act 2014 s.10: the council where the cared-for person lives) -------------

LEICESTER_CITY = "Leicester City Council"
LEICESTERSHIRE_COUNTY = "Leicestershire County Council"
RUTLAND_COUNTY = "Rutland County Council"

# Leicestershire's seven districts, as referrals.eligibility.locality names them.
LEICESTERSHIRE_DISTRICTS = frozenset(
    {
        "Blaby",
        "Charnwood",
        "Harborough",
        "Hinckley and Bosworth",
        "Melton",
        "North West Leicestershire",
        "Oadby and Wigston",
    }
)


def council_for_locality(locality: str) -> str:
    """The LLR council for the area a person lives in ('' outside LLR or when unknown)."""
    if locality == "Leicester":
        return LEICESTER_CITY
    if locality == "Rutland":
        return RUTLAND_COUNTY
    if locality in LEICESTERSHIRE_DISTRICTS:
        return LEICESTERSHIRE_COUNTY
    return ""


# -- Consent, stated plainly -------------------------------------------------------------


def name_of(person: Person) -> str:
    return person.given_name


def consent_sentence(contact: Contact, person: Person) -> str:
    """What the person has agreed we may share with this contact, in a sentence a member of
    staff can act on before picking up the phone."""
    name, who = name_of(person), contact.name
    consent = contact.current_consent
    general = f"you can still support {who} and give general information"
    if consent is None:
        sentence = (
            f"{name} has not yet been asked about sharing information with {who}. Until they "
            f"agree, do not share personal information: {general}."
        )
    elif consent.scope == ShareScope.CARE_PLAN and contact.involvement == Involvement.DOES_NOT_WANT:
        sentence = (
            f"{name} agreed we can share their care plan with {who}, but has since said they do "
            f"not want {who} involved. Do not share personal information until you have asked "
            f"{name} again: {general}."
        )
    elif consent.scope == ShareScope.CARE_PLAN:
        sentence = f"{name} has agreed we can share their care plan with {who}."
    elif consent.scope == ShareScope.GENERAL:
        sentence = (
            f"{name} has agreed we can give {who} general information only, not their care plan "
            f"or other personal information: {general}."
        )
    else:
        sentence = f"{name} has not agreed to share personal information with {who}: {general}."
    if consent is not None and consent.capacity == Capacity.LACKS_CAPACITY:
        sentence += (
            f" This was decided in {name}'s best interests, because they lacked capacity to decide."
        )
    return sentence


def consent_review_text(contact: Contact, today: dt.date | None = None) -> str:
    consent = contact.current_consent
    if consent is None:
        return "Not recorded"
    today = today or timezone.localdate()
    if consent.review_on < today:
        return f"Was due on {date_long(consent.review_on)}: ask again"
    return f"Due on {date_long(consent.review_on)}"


def consent_review_overdue(contact: Contact, today: dt.date | None = None) -> bool:
    consent = contact.current_consent
    return consent is not None and consent.review_on < (today or timezone.localdate())


def involvement_text(contact: Contact, person: Person) -> str:
    name = name_of(person)
    text = {
        Involvement.WANTS_INVOLVED: f"{name} wants {contact.name} involved in their care",
        Involvement.DOES_NOT_WANT: f"{name} does not want {contact.name} involved in their care",
        Involvement.NOT_YET_ASKED: f"Not yet asked: ask {name} at the next contact",
    }[Involvement(contact.involvement)]
    if contact.involvement_note:
        text += f". In {name}'s words: “{contact.involvement_note}”"
    return text


def contact_roles(contact: Contact) -> str:
    """'Sister, carer, next of kin'."""
    parts = [contact.get_relationship_display()]
    if contact.is_carer:
        parts.append("carer")
    if contact.is_next_of_kin:
        parts.append("next of kin")
    return ", ".join(parts)


def _row(key: str, value: str) -> dict[str, Any]:
    return {"key": {"text": key}, "value": {"text": value}}


def contact_rows(contact: Contact, person: Person, today: dt.date | None = None) -> list[Any]:
    rows = [
        _row("Relationship", contact_roles(contact)),
        _row(f"{name_of(person)}'s wish", involvement_text(contact, person)),
        _row("What we can share", consent_sentence(contact, person)),
        _row("Consent review", consent_review_text(contact, today)),
    ]
    if contact.phone:
        rows.append(_row("Phone", contact.phone))
    return rows


def may_invite(contact: Contact) -> bool:
    return may_share_care_plan(contact)


# -- What has been done with each contact -------------------------------------------------


def _by(user: User) -> str:
    return user.get_full_name() or user.username


def offer_text(offer: CarerConversationOffer) -> str:
    return (
        f"Offered {datetime_long(offer.offered_at)} by {_by(offer.offered_by)}: "
        f"{OfferResponse(offer.response).label.lower()}"
    )


def conversation_rows(conversation: CarerConversation) -> list[Any]:
    rows = [
        _row("When", f"{datetime_long(conversation.held_at)}, with {_by(conversation.held_by)}"),
        _row(
            "Apart from the person they care for",
            "Yes" if conversation.separate_from_person else "No",
        ),
        _row("What they need", conversation.carer_needs),
    ]
    if conversation.notes:
        rows.append(_row("Notes", conversation.notes))
    return rows


def plan_status(plan: CarerSupportPlan, carer: Contact) -> str:
    written = f"Written by {_by(plan.written_by)} on {date_long(plan.created_at)}"
    if local_date(plan.updated_at) != local_date(plan.created_at):
        written += f", last changed on {date_long(plan.updated_at)}"
    if plan.given_on is not None:
        return f"{written}. A copy was given to {carer.name} on {date_long(plan.given_on)}."
    return f"{written}. This version has not been given to {carer.name} yet."


def referral_text(referral: CarerAssessmentReferral) -> str:
    return (
        f"Referred to {referral.council} on {date_long(referral.referred_at)} by "
        f"{_by(referral.referred_by)}, with their agreement"
    )


_REFERRAL_TAG = {
    CarerAssessmentStatus.SENT: "nhsuk-tag--blue",
    CarerAssessmentStatus.ACCEPTED: "nhsuk-tag--green",
    CarerAssessmentStatus.DECLINED: "nhsuk-tag--grey",
}


def referral_tag(referral: CarerAssessmentReferral) -> dict[str, str]:
    status = CarerAssessmentStatus(referral.status)
    return {"text": status.label, "classes": _REFERRAL_TAG[status]}


def attempt_text(attempt: FamilyContactAttempt) -> str:
    method = AttemptMethod(attempt.method).label.lower()
    outcome = AttemptOutcome(attempt.outcome).label.lower()
    return f"{datetime_long(attempt.attempted_at)}, {method}, by {_by(attempt.attempted_by)}: {outcome}"


def invitation_text(invitation: ReviewInvitation) -> str:
    text = (
        f"{invitation.purpose}, {datetime_long(invitation.meeting_at)} (invited by "
        f"{_by(invitation.invited_by)} on {date_long(invitation.invited_at)})"
    )
    if invitation.attended is not None:
        text += ": attended" if invitation.attended else ": did not attend"
    return text


def role_text(intervention: Intervention) -> str:
    return f"{InterventionKind(intervention.kind).label}: {intervention.detail}"


# -- The carer's copies ------------------------------------------------------------------


def _crisis_blocks(team: Team, crisis_help: Iterable[Service]) -> list[str]:
    blocks = ["## How to get help in a crisis"]
    if team.phone:
        blocks.append(
            f"If you are worried, you can call the {team.name} on {team.phone} at any time of "
            "the day or night."
        )
    blocks.append("If someone's life is at risk, or you need help straight away:")
    lines = [f"- {directory_presenters.crisis_help_line(s)}" for s in crisis_help]
    blocks.append("\n".join(lines or CRISIS_HELP_FALLBACK))
    return blocks


CARERS_ASSESSMENT_PARAGRAPHS = (
    "Carers have a right to an assessment of their own needs from the council, whatever their "
    "needs or money (Care Act 2014). Ask the council where the person you care for lives:",
    f"- {LEICESTER_CITY}, in Leicester\n- {LEICESTERSHIRE_COUNTY}, in Leicestershire\n"
    f"- {RUTLAND_COUNTY}, in Rutland",
    "We can refer you for a carer's assessment if you would like us to.",
)


def _services_blocks(services: Sequence[Service]) -> list[str]:
    blocks: list[str] = []
    for service in services:
        blocks += service_blocks(service, to_referrer=False)
    return blocks


def _questions_block(team: Team) -> list[str]:
    if not team.phone:
        return []
    return [f"If you have any questions, call us on {team.phone}."]


def carer_plan_text(
    *,
    plan: CarerSupportPlan,
    carer: Contact,
    person: Person,
    team: Team,
    crisis_help: Iterable[Service],
    services: Sequence[Service],
    goals: Sequence[Goal],
) -> str:
    """The carer's copy of their support plan (CORE item 14c).

    `goals` are used only if the person has agreed to share their care plan with this carer
    (checked again here, so a caller that passed them by mistake still cannot leak them); even
    then only the goals' own words go in, under 'How we are helping'."""
    written_by = plan.written_by
    blocks = [
        f"This plan is about you and what you need as a carer. {_by(written_by)} "
        f"({written_by.role_label}) of the {team.name} wrote it with you on "
        f"{date_long(plan.created_at)}.",
        "## What you need",
        *paragraphs(plan.needs),
        "## What will help, and who will do it",
        *paragraphs(plan.support),
        "## If things get worse",
        *paragraphs(plan.if_things_get_worse),
    ]
    shared = [g for g in goals if g.goal.strip()] if may_share_care_plan(carer) else []
    if shared:
        name = name_of(person)
        blocks += [
            f"## How we are helping {name}",
            f"{name} has agreed that we can share their care plan with you. These are the goals "
            f"{name} is working on with us:",
            "\n".join(f"- {' '.join(g.goal.split())}" for g in shared),
        ]
    blocks += _crisis_blocks(team, crisis_help)
    blocks.append("## Support for you as a carer")
    if services:
        blocks.append("These services can help you. You can contact them yourself.")
        blocks += _services_blocks(services)
    blocks += list(CARERS_ASSESSMENT_PARAGRAPHS)
    blocks += _questions_block(team)
    return "\n\n".join(blocks) + "\n"


def general_information_text(
    *, team: Team, crisis_help: Iterable[Service], carer_services: Sequence[Service]
) -> str:
    """General support and crisis information for any carer, relative or friend (CORE item
    14d): nothing about any person, so it can be given whatever anyone has agreed to share."""
    blocks = [
        "## What a crisis team does",
        f"The {team.name} helps adults in a mental health crisis so severe that they might "
        "otherwise need to go into hospital. The team assesses people quickly and, when it is "
        "right for them, gives intensive treatment and support at home for a short time. Then "
        "care passes back to their GP or on to other services.",
        "Families, friends and carers matter to us. You can always tell us your worries and we "
        "will listen. We can only share someone's personal information with you if they agree, "
        "or if there is a risk of serious harm. But we can always give you information like "
        "this, about getting help in a crisis and support for yourself.",
        *_crisis_blocks(team, crisis_help),
        "## Support for carers",
    ]
    if carer_services:
        blocks.append("These services support carers. You can contact them yourself.")
        blocks += _services_blocks(carer_services)
    blocks += list(CARERS_ASSESSMENT_PARAGRAPHS)
    blocks += _questions_block(team)
    return "\n\n".join(blocks) + "\n"


# -- PDF titles and file names: never a name -----------------------------------------------


def plan_pdf_title(plan: CarerSupportPlan, team: Team) -> str:
    return f"Carer's support plan, {team.name}, {date_long(plan.updated_at)}"


def plan_pdf_filename(plan: CarerSupportPlan) -> str:
    """'carer-support-plan-2026-03-03.pdf': the date last changed, never a name."""
    return f"carer-support-plan-{timezone.localtime(plan.updated_at):%Y-%m-%d}.pdf"


def general_information_pdf_title(team: Team, on: dt.date) -> str:
    return f"Help and support for carers, family and friends, {team.name}, {date_long(on)}"


def general_information_pdf_filename(on: dt.date) -> str:
    return f"carer-information-{on:%Y-%m-%d}.pdf"

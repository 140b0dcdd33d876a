"""Display values for the relapse prevention plan and the written discharge plan: who supports
the person next and how to reach them, appointments, medicines, how to get crisis help (with
the crisis café's opening nights) and what family may be given. Pure functions, unit-tested.

The plan is written to the person ("Your plan after the crisis team"), in plain English; the
Easy Read version says the same facts in short sentences, one idea per line."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crisis_care.core.clock import LONDON
from crisis_care.core.presenters import date_long, datetime_long
from crisis_care.directory import presenters as directory_presenters
from crisis_care.directory.models import Service
from crisis_care.people.models import Contact, GPPractice, ShareScope
from crisis_care.treatment.models import Medication
from crisis_care.treatment.presenters import careplans as treatment_presenters

from ..models import (
    DischargeMeeting,
    DischargePlanGiven,
    FollowOnKind,
    OnwardReferral,
    OnwardReferralStatus,
    PlanFormat,
    RelapsePreventionPlan,
)

TITLE = "Your plan after the crisis team"
CARD_TITLE = "How to get help in a crisis"
FOLLOW_ON_NAMED_LIMIT = 300  # DischargePlanGiven.follow_on_named


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def plan_format(value: str | None) -> str:
    """The format asked for (?format=easy_read); anything else is the standard plan."""
    return PlanFormat.EASY_READ if value == PlanFormat.EASY_READ else PlanFormat.STANDARD


def when_text(at: dt.datetime) -> str:
    """'Tuesday 3 March 2026 at 10am' (London time)."""
    local = at.astimezone(LONDON)
    return f"{local:%A} {datetime_long(local)}"


# -- Who will support you ------------------------------------------------------------------


@dataclass(frozen=True)
class SupportEntry:
    name: str
    kind: str
    accepted: bool
    status_text: str
    worker: str
    phone: str
    phone_href: str
    first_appointment: str
    place: str


def support_entry(referral: OnwardReferral) -> SupportEntry:
    accepted = referral.status == OnwardReferralStatus.ACCEPTED
    return SupportEntry(
        name=referral.service_name,
        kind=FollowOnKind(referral.kind).label,
        accepted=accepted,
        status_text=(
            "They have agreed to support you."
            if accepted
            else "We have asked them to support you. They will get in touch with you."
        ),
        worker=referral.worker_name.strip(),
        phone=referral.worker_phone.strip(),
        phone_href=directory_presenters.phone_href(referral.worker_phone)
        if referral.worker_phone.strip()
        else "",
        first_appointment=when_text(referral.first_appointment_at)
        if referral.first_appointment_at
        else "",
        place=referral.first_appointment_place.strip(),
    )


def support_entries(referrals: Iterable[OnwardReferral]) -> list[SupportEntry]:
    return [support_entry(r) for r in referrals]


def follow_on_named(referrals: Iterable[OnwardReferral]) -> str:
    """Who supports the person, as the plan names them, for the record that it was given:
    'Charnwood CMHT (Alex Brown) and Hollybank Medical Centre'."""
    names = [
        f"{r.service_name} ({r.worker_name.strip()})" if r.worker_name.strip() else r.service_name
        for r in referrals
    ]
    text = join_names(names)
    if len(text) > FOLLOW_ON_NAMED_LIMIT:
        text = text[: FOLLOW_ON_NAMED_LIMIT - 1].rstrip(", ") + "…"
    return text


@dataclass(frozen=True)
class GPEntry:
    name: str
    phone: str
    phone_href: str
    address: str


def gp_entry(practice: GPPractice | None) -> GPEntry | None:
    if practice is None:
        return None
    address = ", ".join(part for part in (practice.address, practice.postcode) if part)
    return GPEntry(
        name=practice.name,
        phone=practice.phone,
        phone_href=directory_presenters.phone_href(practice.phone) if practice.phone else "",
        address=address,
    )


# -- Appointments and medicines -------------------------------------------------------------


@dataclass(frozen=True)
class Appointment:
    at: dt.datetime
    when: str
    what: str
    where: str


def appointments(
    referrals: Iterable[OnwardReferral], meeting: DischargeMeeting | None, now: dt.datetime
) -> list[Appointment]:
    """Appointments already made that are still to come, soonest first: each referral's
    first appointment, and the discharge meeting if one is arranged."""
    found = [
        Appointment(
            at=r.first_appointment_at,
            when=when_text(r.first_appointment_at),
            what=f"Your first appointment with {r.service_name}"
            + (f", with {r.worker_name.strip()}" if r.worker_name.strip() else ""),
            where=r.first_appointment_place.strip(),
        )
        for r in referrals
        if r.first_appointment_at is not None and r.first_appointment_at >= now
    ]
    if meeting is not None and meeting.starts_at >= now:
        found.append(
            Appointment(
                at=meeting.starts_at,
                when=when_text(meeting.starts_at),
                what="Your discharge meeting with the crisis team",
                where=meeting.place.strip(),
            )
        )
    return sorted(found, key=lambda a: a.at)


def medication_lines(medication: Iterable[Medication]) -> list[str]:
    """'Zopiclone, 3.75mg, by mouth, at night' (as the written treatment plan says it)."""
    return [treatment_presenters.medication_line(m) for m in medication]


# -- The relapse prevention plan ----------------------------------------------------------


@dataclass(frozen=True)
class RelapseSection:
    field: str
    heading: str
    easy_read_heading: str
    text: str


RELAPSE_HEADINGS: tuple[tuple[str, str, str], ...] = (
    ("early_warning_signs", "Early warning signs", "Signs you are becoming unwell"),
    ("triggers", "What can set things off", "Things that can make you unwell"),
    ("what_helps", "What helps", "Things that help you"),
    ("who_to_contact", "Who to contact", "People to contact"),
    (
        "advance_statement",
        "What I want to happen if I become unwell again",
        "What you want to happen if you become unwell",
    ),
)


def relapse_sections(plan: RelapsePreventionPlan | None) -> list[RelapseSection]:
    """The plan's parts in the person's own words, leaving out an empty advance statement."""
    if plan is None:
        return []
    sections = []
    for field, heading, easy in RELAPSE_HEADINGS:
        text = str(getattr(plan, field) or "").strip()
        if text:
            sections.append(RelapseSection(field, heading, easy, text))
    return sections


def relapse_written_text(plan: RelapsePreventionPlan) -> str:
    """'Written with the person. Last changed on 3 March 2026 by Alex Brown.'"""
    with_person = (
        "Written with the person."
        if plan.written_with_person
        else "Not written with the person: write it with them, in their words."
    )
    who = treatment_presenters.person_name(plan.written_by)
    return f"{with_person} Last changed on {date_long(plan.written_at)} by {who}."


# -- How to get help in a crisis ----------------------------------------------------------


@dataclass(frozen=True)
class CrisisEntry:
    name: str
    phones: list[directory_presenters.PhoneLine]
    hours: list[str]


def _open_line(line: str) -> str:
    """'Monday, Wednesday and Friday, 6pm to 11pm' -> 'Open Monday, Wednesday and Friday,
    6pm to 11pm'; 'Every day, 9am to 5pm' -> 'Open every day, 9am to 5pm'."""
    if line.startswith("Every"):
        line = line[:1].lower() + line[1:]
    return f"Open {line}"


def crisis_hours(service: Service) -> list[str]:
    """When a service is open: its weekly schedule as 'Open …' lines (the crisis café's
    nights), and any hours in words ('24 hours, every day')."""
    lines = directory_presenters.opening_times(service)
    hours: list[str] = []
    for line in lines:
        if line.startswith("Opening times not recorded"):
            continue
        hours.append(line if line == service.hours_description else _open_line(line))
    return hours


def crisis_entries(services: Iterable[Service]) -> list[CrisisEntry]:
    """'How to get help in a crisis' from the directory; 999 and NHS 111 if it has none."""
    entries = [
        CrisisEntry(
            name=s.name,
            phones=directory_presenters.phone_lines(s),
            hours=crisis_hours(s),
        )
        for s in services
    ]
    if entries:
        return entries
    return [
        CrisisEntry(
            name="Emergency services",
            phones=[directory_presenters.PhoneLine("999", "tel:999", "if a life is at risk")],
            hours=[],
        ),
        CrisisEntry(
            name="NHS 111",
            phones=[
                directory_presenters.PhoneLine(
                    "111", "tel:111", "at any time: choose the mental health option"
                )
            ],
            hours=[],
        ),
    ]


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def team_phone(
    phone: str, crisis: Iterable[CrisisEntry] = ()
) -> directory_presenters.PhoneLine | None:
    """The team's own 24/7 number, when the team has one and the directory's crisis services
    do not already list it (the seeded directory lists the crisis team itself)."""
    phone = phone.strip()
    if not phone:
        return None
    listed = {_digits(line.number) for entry in crisis for line in entry.phones}
    if _digits(phone) in listed:
        return None
    return directory_presenters.PhoneLine(phone, directory_presenters.phone_href(phone), "")


# -- Family and consent ---------------------------------------------------------------------


def may_have_plan(contact: Contact) -> bool:
    """The full plan is personal: only family the person agreed may see their care plan."""
    consent = contact.current_consent
    return consent is not None and consent.scope == ShareScope.CARE_PLAN


def may_have_card(contact: Contact) -> bool:
    """The crisis-help card has no personal information: family with consent to general
    information or to the care plan."""
    consent = contact.current_consent
    return consent is not None and consent.scope in (ShareScope.GENERAL, ShareScope.CARE_PLAN)


@dataclass(frozen=True)
class FamilyCopies:
    plan: list[Contact]
    card: list[Contact]
    neither: list[str]  # 'Jo Ellison (brother or sister): the person does not want …'


def family_copies(contacts: Sequence[Contact]) -> FamilyCopies:
    return FamilyCopies(
        plan=[c for c in contacts if may_have_plan(c)],
        card=[c for c in contacts if may_have_card(c)],
        neither=[
            f"{treatment_presenters.contact_name(c)}: {treatment_presenters.consent_reason(c)}"
            for c in contacts
            if not may_have_card(c)
        ],
    )


def contact_name(contact: Contact) -> str:
    """'Jo Ellison (brother or sister)'."""
    return treatment_presenters.contact_name(contact)


def given_summary(given: DischargePlanGiven) -> str:
    """'Handed over in person on 5 March 2026 (Easy Read) to the person. The full plan to
    Jo Ellison (brother or sister). The crisis-help card to Pat Ellison (parent).'"""
    fmt = " (Easy Read)" if given.format == PlanFormat.EASY_READ else ""
    parts = [f"{given.get_method_display()} on {date_long(given.given_on)}{fmt}"]
    if given.to_person:
        parts[0] += " to the person."
    else:
        parts[0] += "."
    plan_to = [contact_name(c) for c in given.plan_to_contacts.all()]
    card_to = [contact_name(c) for c in given.crisis_card_to_contacts.all()]
    if plan_to:
        parts.append(f"The full plan to {join_names(plan_to)}.")
    if card_to:
        parts.append(f"The crisis-help card to {join_names(card_to)}.")
    parts.append(f"It named {given.follow_on_named}.")
    return " ".join(parts)


# -- Titles and file names: never a name or NHS number ---------------------------------------


def pdf_title(team_name: str, on: dt.date, fmt: str) -> str:
    easy = " (Easy Read)" if fmt == PlanFormat.EASY_READ else ""
    return f"{TITLE}{easy}, {team_name}, {date_long(on)}"


def pdf_filename(on: dt.date, fmt: str) -> str:
    """'discharge-plan-2026-03-03.pdf' or 'discharge-plan-easy-read-2026-03-03.pdf'."""
    easy = "easy-read-" if fmt == PlanFormat.EASY_READ else ""
    return f"discharge-plan-{easy}{on:%Y-%m-%d}.pdf"


def card_pdf_title(team_name: str) -> str:
    return f"{CARD_TITLE}, {team_name}"


def card_pdf_filename() -> str:
    return "how-to-get-help-in-a-crisis.pdf"

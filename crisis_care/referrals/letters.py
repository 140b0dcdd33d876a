"""The written response when a referral is declined (CORE item 8): why the team cannot
help, where the person can go instead and how to get crisis help. It is addressed to the
referrer, or to the person for a self-referral.

The letter is built once, when the referral is declined, and kept as text on the referral
(`Referral.decline_letter`). That text is the record of what was sent: the page and the
PDF always show the same words, even if the directory changes later. It reads as plain
text, with three conventions the page and the PDF use for layout:

    ## Heading      a section heading
    ### Heading     a service's name
    - item          a list item (consecutive items make one list)

Blocks are separated by a blank line; line breaks inside a block are kept (addresses,
the signature).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

from crisis_care.core.models import User
from crisis_care.core.presenters import age_on, date_long, format_nhs_number
from crisis_care.directory import presenters as directory_presenters
from crisis_care.directory.models import Area, Service

from .models import AgeCheck, AreaCheck, DeclineCategory, Referral, Source, Status


def suggested_category(referral: Referral) -> str | None:
    """The category the eligibility checks point to, to pre-select on the form."""
    if referral.area_check == AreaCheck.OUT_OF_AREA:
        return DeclineCategory.OUT_OF_AREA
    if referral.age_check == AgeCheck.CAMHS:
        return DeclineCategory.UNDER_18
    if referral.age_check == AgeCheck.OLDER_PEOPLE:
        return DeclineCategory.OVER_65
    return None


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- Who the letter is to and about ------------------------------------------------------


def is_to_person(referral: Referral) -> bool:
    """A self-referral is answered to the person; every other referral to the referrer."""
    return referral.source == Source.SELF


def addressee_name(referral: Referral) -> str:
    """Who the letter is to ('' for a referral that did not record the referrer's name)."""
    if is_to_person(referral):
        return referral.display_name
    return referral.referrer_name.strip()


def _date_of_birth(referral: Referral) -> dt.date | None:
    if referral.person is not None:
        return referral.person.date_of_birth
    value = (referral.submitted_details or {}).get("date_of_birth")
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None


def _address_lines(referral: Referral) -> list[str]:
    if is_to_person(referral):
        lines = [referral.display_name]
        if (person := referral.person) is not None:
            lines += [person.address_line_1, person.address_line_2, person.town, person.postcode]
        return [line for line in lines if line]
    return [
        line for line in (addressee_name(referral), referral.referrer_organisation.strip()) if line
    ]


def about_line(referral: Referral) -> str:
    details = [f"born {date_long(born)}"] if (born := _date_of_birth(referral)) else []
    if referral.person is not None and referral.person.nhs_number:
        details.append(f"NHS number {format_nhs_number(referral.person.nhs_number)}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"About: {referral.display_name}{suffix}"


# -- The words ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Voice:
    """How the letter refers to the person: by name to a referrer, as 'you' to the person."""

    name: str  # "Sam Ellison" / "you"
    lives: str  # "Sam Ellison lives" / "You live"
    their: str  # "their" / "your"
    is_: str  # "Sam Ellison is" / "you are"


def _voice(referral: Referral) -> _Voice:
    if is_to_person(referral):
        return _Voice(name="you", lives="You live", their="your", is_="you are")
    name = referral.display_name
    return _Voice(name=name, lives=f"{name} lives", their="their", is_=f"{name} is")


def category_sentence(category: str, referral: Referral) -> str:
    """One plain-English sentence for the reason category ('' for Other)."""
    voice = _voice(referral)
    rules = settings.CRISIS_CARE
    low, high = rules["ADULT_MIN_AGE"], rules["ADULT_MAX_AGE"]
    sentences = {
        DeclineCategory.OUT_OF_AREA: (
            "Our team can only work with people who live in Leicester, Leicestershire or "
            f"Rutland. {voice.lives} outside this area, so the crisis service where "
            f"{'you live' if is_to_person(referral) else 'they live'} is the right one."
        ),
        DeclineCategory.UNDER_18: (
            f"Our team works with adults aged {low} to {high}. Young people under {low} are "
            "helped by the CAMHS crisis team (children and young people's mental health "
            "services)."
        ),
        DeclineCategory.OVER_65: (
            f"Our team works with adults aged {low} to {high}. People over {high} are helped "
            "by the older people's mental health team."
        ),
        DeclineCategory.NOT_CRISIS: (
            "Our team helps people in a mental health crisis so severe that, without us, they "
            "might need to go into hospital. From what we know, other help is better suited "
            f"to what {voice.name} {'need' if is_to_person(referral) else 'needs'} now."
        ),
    }
    return sentences.get(DeclineCategory(category), "")


def paragraphs(text: str) -> list[str]:
    """Free text as letter blocks: paragraphs kept, runs of blank lines collapsed."""
    blocks = []
    for block in _normalise(text).split("\n\n"):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if lines:
            blocks.append("\n".join(lines))
    return blocks


def service_blocks(service: Service, *, to_referrer: bool) -> list[str]:
    items = []
    for phone in directory_presenters.phone_lines(service):
        extra = f" ({phone.description})" if phone.description else ""
        items.append(f"- Phone: {phone.number}{extra}")
    if service.email:
        items.append(f"- Email: {service.email}")
    if url := directory_presenters.safe_url(service.url):
        items.append(f"- Website: {url}")
    hours = directory_presenters.opening_times(service)
    if hours[0].startswith("Opening times not recorded"):
        items.append(f"- {hours[0]}")
    else:
        items.append(f"- Opening times: {'; '.join(hours)}")
    if service.who_it_is_for:
        items.append(f"- Who it is for: {' '.join(service.who_it_is_for.split())}")
    if to_referrer and service.takes_referrals and service.referral_how:
        items.append(f"- How to refer: {' '.join(service.referral_how.split())}")
    blocks = [f"### {service.name}"]
    if service.description:
        blocks.append(" ".join(service.description.split()))
    blocks.append("\n".join(items))
    return blocks


def crisis_help_for(category: str, services: Iterable[Service]) -> list[Service]:
    """The crisis-help services to list. Someone who lives outside LLR cannot use services
    only for LLR residents, so their letter lists only national ones (999, NHS 111,
    Samaritans) and those with no area recorded."""
    services = list(services)
    if category != DeclineCategory.OUT_OF_AREA:
        return services
    return [s for s in services if s.area in ("", Area.NATIONAL)]


# Used only if the directory has no crisis-help services: the letter always says how.
CRISIS_HELP_FALLBACK = (
    "- 999: call if a life is at risk.",
    "- NHS 111: call at any time and choose the mental health option.",
)


def build_letter(
    *,
    referral: Referral,
    category: str,
    reason: str,
    services: Sequence[Service],
    crisis_help: Iterable[Service],
    by: User,
    on: dt.date | None = None,
) -> str:
    """The whole letter as text, in plain English."""
    team = referral.team
    voice = _voice(referral)
    to_person = is_to_person(referral)
    received = date_long(referral.received_at)
    blocks: list[str] = [date_long(on or timezone.localdate()), "\n".join(_address_lines(referral))]
    if not to_person:
        blocks.append(about_line(referral))
    blocks.append(f"Dear {addressee_name(referral) or 'colleague'},")

    if to_person:
        blocks.append(f"Thank you for asking the {team.name} for help on {received}. You told us:")
    else:
        blocks.append(
            f"Thank you for your referral to the {team.name}, which we received on {received}. "
            f"You asked us to help {voice.name}. You told us:"
        )
    blocks += paragraphs(referral.reason) or ["(No reason was given.)"]

    blocks.append("## Why we cannot help")
    opening = f"We are sorry, but our team is not the right service for {voice.name} at the moment."
    sentence = category_sentence(category, referral)
    blocks.append(f"{opening} {sentence}".strip())
    blocks += paragraphs(reason)

    blocks.append(f"## Where {voice.name} can get help instead")
    if to_person:
        blocks.append("These services can help. You can contact them yourself.")
    else:
        blocks.append(
            f"These services can help. Please pass their details on to {voice.name}, or refer "
            "them where the service takes referrals."
        )
    for service in services:
        blocks += service_blocks(service, to_referrer=not to_person)

    blocks.append("## How to get crisis help")
    blocks.append(
        f"If {voice.is_} in crisis, or {voice.their} life is at risk, get help straight away:"
    )
    lines = [f"- {directory_presenters.crisis_help_line(s)}" for s in crisis_help]
    blocks.append("\n".join(lines or CRISIS_HELP_FALLBACK))

    if team.phone:
        blocks.append(f"If you have any questions about this letter, call us on {team.phone}.")
    blocks.append("Yours sincerely,")
    signature = [by.get_full_name() or by.username, by.role_label, team.name]
    if team.phone:
        signature.append(f"Phone: {team.phone}")
    blocks.append("\n".join(signature))
    return "\n\n".join(blocks) + "\n"


# -- Reading the letter back for the page and the PDF ---------------------------------


class BlockKind(StrEnum):
    HEADING = "heading"
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"
    LIST = "list"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def letter_blocks(text: str) -> list[Block]:
    """The stored letter as headings, paragraphs (with their line breaks) and lists."""
    blocks: list[Block] = []
    for chunk in _normalise(text).split("\n\n"):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("### "):
            blocks.append(Block(BlockKind.SUBHEADING, (lines[0][4:].strip(),)))
        elif len(lines) == 1 and lines[0].startswith("## "):
            blocks.append(Block(BlockKind.HEADING, (lines[0][3:].strip(),)))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(Block(BlockKind.LIST, tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, tuple(lines)))
    return blocks


# -- Presenters for the pages ---------------------------------------------------------


def eligibility_rows(referral: Referral) -> list[tuple[str, str]]:
    """The eligibility checks made at intake, as (key, value) rows, to inform the decision."""
    person = referral.person
    postcode = referral.current_postcode or (person.postcode if person is not None else "")
    where = AreaCheck(referral.area_check).label
    rows = [("Where they live", f"{where} (postcode {postcode})" if postcode else where)]
    age = age_on(_date_of_birth(referral), referral.received_at.date())
    age_label = AgeCheck(referral.age_check).label
    rows.append(("Age", f"{age_label}, aged {age}" if age is not None else age_label))
    if referral.eligibility_confirmed_by_id and referral.eligibility_confirmed_at:
        note = f": {referral.eligibility_note}" if referral.eligibility_note else ""
        rows.append(
            (
                "Checked by",
                f"{referral.eligibility_confirmed_by} on "
                f"{date_long(referral.eligibility_confirmed_at)}{note}",
            )
        )
    return rows


def checks_found_eligible(referral: Referral) -> bool:
    return referral.area_check == AreaCheck.IN_AREA and referral.age_check == AgeCheck.IN_RANGE


def service_choice_hint(service: Service) -> str:
    """Under each service on the form: the area it serves and its numbers."""
    parts = []
    if service.area or service.area_description:
        parts.append(f"Area: {directory_presenters.area_text(service)}.")
    numbers = [p.number for p in directory_presenters.phone_lines(service)]
    if numbers:
        parts.append(f"Phone: {', '.join(numbers)}.")
    return " ".join(parts)


def services_in_choice_order(services: Iterable[Service]) -> list[Service]:
    """Crisis-help services first, in their agreed order, then the rest by name."""
    return sorted(
        services,
        key=lambda s: (
            not s.is_crisis_help,
            s.crisis_help_order if s.is_crisis_help else 0,
            s.name,
        ),
    )


def letter_heading(referral: Referral) -> str:
    if is_to_person(referral):
        return f"Letter to {referral.display_name}"
    return "Letter to the referrer"


def pdf_title(referral: Referral) -> str:
    """The PDF's title: no names, so a list of downloads does not show who it is about."""
    when = date_long(referral.closed_at) if referral.closed_at else ""
    what = "Response to a request for help" if is_to_person(referral) else "Response to a referral"
    return f"{what}, {referral.team.name}" + (f", {when}" if when else "")


def pdf_filename(referral: Referral) -> str:
    """'referral-response-2026-03-03.pdf': the date declined, never a name or NHS number."""
    when = referral.closed_at or timezone.now()
    return f"referral-response-{timezone.localtime(when):%Y-%m-%d}.pdf"


def declined_by(referral: Referral) -> User | None:
    """Who declined it, from the (prefetched) status history."""
    rows = [row for row in referral.status_history.all() if row.status == Status.DECLINED]
    return rows[-1].changed_by if rows else None


# -- The PDF --------------------------------------------------------------------------


def render_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) from self-contained HTML. Nothing is fetched from the
    network: the fetcher refuses every URL that is not a local file."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    document = weasyprint.HTML(
        string=html,
        base_url=str(settings.BASE_DIR),
        url_fetcher=URLFetcher(allowed_protocols={"file"}),
    )
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf

"""The public self-referral form (no login), its Easy Read wording, the crisis numbers
shown on every self-referral page, and the per-address hourly limit.

Nothing here looks up a person: a self-referral is recorded with what the referrer told
us (`submitted_details`) and staff match it to a record later. The pages therefore say
and do exactly the same whether or not the person is known to the service.
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.presenters import time_short
from crisis_care.directory import presenters as directory_presenters
from crisis_care.directory import selectors as directory_selectors
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.nhsuk_forms.params import error_anchor, field_id
from crisis_care.people.validators import normalise_postcode, validate_postcode
from crisis_care.workforce.models import Team

from .clocks import first_contact_target
from .models import Channel, PersonAgrees, Priority, SelfReferralThrottle, Source

REASON_MAX_LENGTH = 3000
# Well above the largest honest form (3,000 characters of "What is happening?" can be
# 36 KB once non-Latin script is percent-encoded), far below Django's 2.5 MB default.
MAX_BODY_BYTES = 64 * 1024
HONEYPOT_FIELD = "website"
PRIORITY_REASON = "Self-referral: to be triaged by the duty clinician"
NOT_SAFE_RISK = "The online self-referral form says the person is not safe right now."

SELF = "self"
CARER = "carer"


# --- Crisis numbers -------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneNumber:
    number: str
    href: str


def _phone(number: str) -> PhoneNumber:
    return PhoneNumber(number=number, href=directory_presenters.phone_href(number))


@dataclass(frozen=True)
class CrisisService:
    name: str
    phones: tuple[directory_presenters.PhoneLine, ...]
    hours: str


@dataclass(frozen=True)
class CrisisNumbers:
    """The numbers in the callout at the top of every self-referral page, and the
    directory's crisis-help services for the fuller list on the confirmation page."""

    emergency: PhoneNumber = field(default_factory=lambda: _phone("999"))
    line: PhoneNumber = field(default_factory=lambda: _phone("0808 800 3302"))
    nhs_111: PhoneNumber = field(default_factory=lambda: _phone("111"))
    services: tuple[CrisisService, ...] = ()


def crisis_numbers() -> CrisisNumbers:
    """From the directory's crisis-help services when they are there; otherwise the
    published numbers (999, the LLR 24/7 mental health line, NHS 111)."""
    services = directory_selectors.crisis_help_services()
    found: dict[str, PhoneNumber] = {}
    for service in services:
        phones = list(service.phones.all())
        if not phones:
            continue
        codes = {taxonomy.code for taxonomy in service.categories.all()}
        if "emergency" in codes:
            found.setdefault("emergency", _phone(phones[0].number))
        if "crisis_line" in codes and service.area == "llr":
            found.setdefault("line", _phone(phones[0].number))
        if "nhs_urgent_care" in codes:
            found.setdefault("nhs_111", _phone(phones[0].number))
    listed = tuple(
        CrisisService(
            name=service.name,
            phones=tuple(directory_presenters.phone_lines(service)),
            hours="; ".join(directory_presenters.opening_times(service)),
        )
        for service in services
    )
    return CrisisNumbers(**found, services=listed)


def when_we_will_contact(received_at: dt.datetime) -> str:
    """'today', or 'by midday tomorrow' after the evening cut-off (the first-contact clock)."""
    due = first_contact_target(received_at).astimezone(LONDON)
    if due.time() == dt.time(0, 0):
        return "today"
    return f"by {time_short(due)} tomorrow"


# --- The team that receives self-referrals ----------------------------------------------


def self_referral_team() -> Team | None:
    """The team whose triage queue self-referrals land in, or None if it is not set up."""
    code = settings.CRISIS_CARE.get("SELF_REFERRAL_TEAM_CODE", "llr-crht")
    return Team.objects.filter(code=code).first()


# --- The per-address hourly limit ----------------------------------------------------------

# Counted in five-minute buckets; the limit applies to the buckets of the last hour, so
# there is no burst at the turn of each hour.
BUCKET = dt.timedelta(minutes=5)
WINDOW = dt.timedelta(hours=1)


def address_key(address: str) -> str:
    """A keyed hash of the client's address: the address itself is never stored.

    IPv6 addresses are taken by their /64 network, the block one household or phone
    is usually given, so changing the last 64 bits does not reset the count.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        text = address.strip() or "unknown"
    else:
        text = str(ip)
        if isinstance(ip, ipaddress.IPv6Address):
            mapped = ip.ipv4_mapped
            text = str(mapped) if mapped else str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def _bucket_start(now: dt.datetime) -> dt.datetime:
    now = now.astimezone(dt.UTC)
    minutes = int(BUCKET.total_seconds() // 60)
    return now.replace(minute=now.minute - now.minute % minutes, second=0, microsecond=0)


def hourly_limit() -> int:
    return int(settings.CRISIS_CARE.get("SELF_REFERRAL_PER_HOUR", 5))


@transaction.atomic
def throttle_allows(address: str, *, now: dt.datetime | None = None) -> bool:
    """Count one submission from this address; False once the address has sent more
    than the hourly limit in the last hour.

    The count goes up before it is read, so two submissions arriving together cannot
    both slip under the limit; refused submissions count too, so a sender who keeps
    trying stays refused.
    """
    now = now or timezone.now()
    key = address_key(address)
    start = _bucket_start(now)
    row, _ = SelfReferralThrottle.objects.get_or_create(key=key, window_start=start)
    SelfReferralThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)
    total = (
        SelfReferralThrottle.objects.filter(key=key, window_start__gt=start - WINDOW).aggregate(
            total=Sum("count")
        )["total"]
        or 0
    )
    # Old buckets are no use to anyone: keep the table small.
    SelfReferralThrottle.objects.filter(window_start__lte=now - 2 * WINDOW).delete()
    return total <= hourly_limit()


# --- The form --------------------------------------------------------------------------------

_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s()\-]+$")


def _phone_is_valid(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return bool(_PHONE_CHARACTERS.match(value)) and 10 <= len(digits) <= 13


class LongTextField(forms.CharField):
    """Counts a line break as one character, as the on-page character count does
    (browsers send each as two: carriage return and line feed)."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


def _text(label: str, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        error_messages={
            "max_length": f"{label} must be {max_length:,} characters or fewer",
            "null_characters_not_allowed": f"{label} must not include unusual characters",
        },
        **kwargs,
    )


class SelfReferralForm(forms.Form):
    """Asked of a member of the public, about themselves or someone they care for.

    Which fields are needed depends on who is referring, so the "required" rules are in
    clean(), with messages that say "you" or "the person" as fits.
    """

    referred_by = forms.ChoiceField(
        label="Who are you referring?",
        choices=[
            (SELF, "I am referring myself"),
            (CARER, "I am a carer, family member or friend referring someone"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    carer_name = _text("Your name", 100)
    carer_phone = _text("Your phone number", 30, help_text="We will call you on this number")
    person_agrees = forms.ChoiceField(
        label="Does the person know about this referral and agree to it?",
        choices=[
            (PersonAgrees.KNOWS_AND_AGREES.value, "Yes, they know and agree"),
            (PersonAgrees.KNOWS_DOES_NOT_AGREE.value, "They know, but do not agree"),
            (PersonAgrees.DOES_NOT_KNOW.value, "No, they do not know"),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text="We will still read your referral if they do not know or do not agree",
    )
    given_name = _text("First name", 100)
    family_name = _text("Last name", 100)
    date_of_birth = NhsDateField(
        label="Date of birth",
        allow_future=False,
        required=False,
        help_text="For example, 31 3 1980. If you are referring someone else and do not know it, leave it blank.",
    )
    phone = _text(
        "Phone number",
        30,
        help_text="A mobile number is best. We will only use it about this referral.",
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    postcode = _text(
        "Postcode",
        10,
        help_text="Where the person lives or is staying now. This helps us check they are in our area.",
    )
    reason = LongTextField(
        label="What is happening?",
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text="Tell us in your own words what is happening and how we can help.",
        error_messages={
            "max_length": f"What is happening must be {REASON_MAX_LENGTH:,} characters or fewer",
            "null_characters_not_allowed": "What is happening must not include unusual characters",
        },
    )
    safe_now = forms.ChoiceField(
        label="Is the person safe right now?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        required=False,
        help_text="If you are referring yourself, this means you.",
    )
    # The honeypot: people never see it; some robots fill in every box.
    website = forms.CharField(label="Leave this empty", required=False)

    # Messages that depend on who is referring: (referring yourself, referring someone else).
    messages: dict[str, Any] = {
        "referred_by": "Select whether you are referring yourself or someone else",
        "carer_name": "Enter your name",
        "carer_phone": "Enter your phone number so we can contact you",
        "person_agrees": "Select whether the person knows about this referral and agrees to it",
        "given_name": ("Enter your first name", "Enter the person's first name"),
        "family_name": ("Enter your last name", "Enter the person's last name"),
        "date_of_birth": "Enter your date of birth",
        "contact": "Enter a phone number or email address so we can contact you",
        "phone": "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        "postcode": "Enter a real postcode, like LE1 5WW",
        "reason": "Tell us what is happening",
        "safe_now": (
            "Select whether you are safe right now",
            "Select whether the person is safe right now",
        ),
    }

    def _message(self, name: str) -> str:
        message = self.messages[name]
        if isinstance(message, tuple):
            return message[0] if self.cleaned_data.get("referred_by") == SELF else message[1]
        return str(message)

    def _check_phone(self, name: str) -> str:
        value = " ".join(self.cleaned_data.get(name, "").split())
        if value and not _phone_is_valid(value):
            raise forms.ValidationError(self._message("phone"))
        return value

    def clean_phone(self) -> str:
        return self._check_phone("phone")

    def clean_carer_phone(self) -> str:
        return self._check_phone("carer_phone")

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "")
        if not value:
            return value
        try:
            validate_postcode(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(self._message("postcode")) from error
        return normalise_postcode(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by = data.get("referred_by")
        if not by:
            self.add_error("referred_by", self._message("referred_by"))
        if by == CARER:
            for name in ("carer_name", "carer_phone", "person_agrees"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, self._message(name))
        for name in ("given_name", "family_name", "reason", "safe_now"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, self._message(name))
        if by == SELF and not data.get("date_of_birth") and "date_of_birth" not in self.errors:
            self.add_error("date_of_birth", self._message("date_of_birth"))
        contact_given = data.get("phone") or data.get("email")
        contact_refused = "phone" in self.errors or "email" in self.errors
        if by == SELF and not contact_given and not contact_refused:
            self.add_error("phone", self._message("contact"))
        return data

    def full_clean(self) -> None:
        super().full_clean()
        # Errors added in clean() come last; the error summary should follow the page.
        errors = self.errors
        if errors:
            order = [NON_FIELD_ERRORS, *self.fields]
            ordered = sorted(errors.items(), key=lambda item: order.index(item[0]))
            errors.clear()
            errors.update(ordered)

    def radio_items(self, name: str) -> list[dict[str, Any]]:
        """Items for the NHS.UK radios macro, each with an explicit id, so that the first
        radio has the id the error summary links to (nhsuk_forms.params.error_anchor)."""
        bound = self[name]
        value = str(bound.value() or "")
        items = []
        for index, (choice, label) in enumerate(self.fields[name].choices, start=1):  # type: ignore[attr-defined]
            item: dict[str, Any] = {
                "id": error_anchor(bound) if index == 1 else f"{field_id(bound)}-{index}",
                "value": str(choice),
                "text": str(label),
                "checked": value == str(choice),
            }
            items.append(item)
        return items

    def referral_arguments(self) -> dict[str, Any]:
        """The keyword arguments for services.referral_create, apart from the team and time."""
        return referral_arguments(self.cleaned_data)


class EasyReadSelfReferralForm(SelfReferralForm):
    """The same questions in Easy Read: plain words, short sentences, one idea at a time."""

    wording: dict[str, tuple[str, str]] = {
        "referred_by": ("Who needs help?", ""),
        "carer_name": ("Your name", ""),
        "carer_phone": ("Your phone number", "We will phone you on this number."),
        "person_agrees": (
            "Does the person know you are asking for help for them?",
            "We will still read this if they do not know.",
        ),
        "given_name": ("First name", ""),
        "family_name": ("Last name", ""),
        "date_of_birth": (
            "Date of birth",
            "For example, 31 3 1980. If you do not know it, leave it empty.",
        ),
        "phone": (
            "Phone number",
            "We will phone you about this. We will not use it for anything else.",
        ),
        "email": ("Email", ""),
        "postcode": (
            "Postcode",
            "Where does the person live or stay now? You can leave this empty.",
        ),
        "reason": ("What is happening?", "Tell us in your own words."),
        "safe_now": (
            "Is the person safe now?",
            "If this is about you, it means: are you safe now?",
        ),
    }
    choice_wording: dict[str, list[tuple[str, str]]] = {
        "referred_by": [(SELF, "I need help"), (CARER, "Someone I care about needs help")],
        "person_agrees": [
            (PersonAgrees.KNOWS_AND_AGREES.value, "Yes. They know and they are happy about it."),
            (PersonAgrees.KNOWS_DOES_NOT_AGREE.value, "They know. They are not happy about it."),
            (PersonAgrees.DOES_NOT_KNOW.value, "No. They do not know."),
        ],
        "safe_now": [("yes", "Yes, safe now"), ("no", "No, not safe now")],
    }
    messages = {
        "referred_by": "Choose who needs help",
        "carer_name": "Write your name",
        "carer_phone": "Write your phone number so we can phone you",
        "person_agrees": "Choose if the person knows you are asking for help",
        "given_name": ("Write your first name", "Write their first name"),
        "family_name": ("Write your last name", "Write their last name"),
        "date_of_birth": "Write your date of birth",
        "contact": "Write a phone number or an email so we can talk to you",
        "phone": "Write a phone number, like 07700 900 982",
        "postcode": "Write a real postcode, like LE1 5WW",
        "reason": "Tell us what is happening",
        "safe_now": ("Choose if you are safe now", "Choose if the person is safe now"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, hint) in self.wording.items():
            self.fields[name].label = label
            self.fields[name].help_text = hint
        for name, choices in self.choice_wording.items():
            self.fields[name].choices = choices  # type: ignore[attr-defined]
        self.fields["reason"].error_messages["max_length"] = (
            f"This is too long. Please use {REASON_MAX_LENGTH:,} characters or fewer."
        )


def honeypot_filled(data: Any) -> bool:
    return bool((data.get(HONEYPOT_FIELD) or "").strip())


def referral_arguments(cleaned: dict[str, Any]) -> dict[str, Any]:
    """What the form says, as services.referral_create takes it. Never a person record."""
    by_carer = cleaned["referred_by"] == CARER
    date_of_birth = cleaned.get("date_of_birth")
    submitted_details = {
        "given_name": cleaned["given_name"],
        "family_name": cleaned["family_name"],
        "phone": cleaned.get("phone", ""),
        "email": cleaned.get("email", ""),
        "postcode": cleaned.get("postcode", ""),
        "referred_by": CARER if by_carer else SELF,
        "carer_name": cleaned.get("carer_name", "") if by_carer else "",
        "carer_phone": cleaned.get("carer_phone", "") if by_carer else "",
        "safe_now": cleaned["safe_now"],
    }
    if date_of_birth:
        # Left out when a carer does not know it (staff see "Not given").
        submitted_details["date_of_birth"] = date_of_birth.isoformat()
    full_name = f"{cleaned['given_name']} {cleaned['family_name']}".strip()
    data: dict[str, Any] = {
        "channel": Channel.ONLINE,
        "source": Source.CARER_FAMILY if by_carer else Source.SELF,
        "referrer_name": cleaned["carer_name"] if by_carer else full_name,
        "referrer_phone": cleaned["carer_phone"] if by_carer else cleaned.get("phone", ""),
        "referrer_email": "" if by_carer else cleaned.get("email", ""),
        "reason": cleaned["reason"],
        "person_agrees": cleaned["person_agrees"] if by_carer else PersonAgrees.KNOWS_AND_AGREES,
        "current_postcode": cleaned.get("postcode", ""),
    }
    if cleaned["safe_now"] == "no":
        data["known_risks"] = NOT_SAFE_RISK
    return {
        "person": None,
        "submitted_details": submitted_details,
        "data": data,
        "priority": Priority.URGENT,
        "priority_reason": PRIORITY_REASON,
        "by": None,
    }

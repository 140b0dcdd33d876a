"""Display values for assessment pages: tags, venue and staff text, the clock warning, the
sections of the structured record and the refusals when finalising."""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.urls import reverse

from crisis_care.core.presenters import datetime_long, time_short
from crisis_care.people.models import Involvement
from crisis_care.people.presenters import address_lines
from crisis_care.referrals.clocks import Clock
from crisis_care.referrals.models import Referral
from crisis_care.referrals.presenters import duration_words

from .models import (
    MANDATORY_DOMAINS,
    VENUES_NEEDING_ADDRESS,
    Assessment,
    AssessmentStaff,
    AssessmentStatus,
    AssessmentStatusChange,
    Venue,
)

_STATUS_TAG = {
    AssessmentStatus.BOOKED: "nhsuk-tag--blue",
    AssessmentStatus.STARTED: "nhsuk-tag--yellow",
    AssessmentStatus.COMPLETED: "nhsuk-tag--green",
    AssessmentStatus.DECIDED: "nhsuk-tag--green",
    AssessmentStatus.CANCELLED: "nhsuk-tag--grey",
}

# The structured record in the order it is usually talked through (CORE item 11, plus
# items 18 and 31a). Every mandatory domain appears exactly once.
RECORD_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The crisis", ("circumstances_triggers", "symptoms", "mental_state")),
    ("Health", ("medication", "physical_health", "substance_use", "history")),
    (
        "Their life and the people in it",
        (
            "family_social_network",
            "social_functioning",
            "carers_views",
            "children_vulnerable_adults",
            "religion_spirituality",
        ),
    ),
    ("Risks", ("risks_summary",)),
    ("Strengths, goals and needs", ("strengths_goals", "needs_and_goals")),
)


def status_tag(status: str) -> dict[str, str]:
    return {
        "text": AssessmentStatus(status).label,
        "classes": _STATUS_TAG[AssessmentStatus(status)],
    }


def when_text(assessment: Assessment) -> str:
    """'3 March 2026 at 2pm to 3:30pm'."""
    return f"{datetime_long(assessment.starts_at)} to {time_short(assessment.ends_at)}"


def venue_text(assessment: Assessment) -> str:
    """The venue's name and where it is (for a home visit, the person's address)."""
    label = Venue(assessment.venue).label
    if assessment.venue_address:
        return f"{label}: {assessment.venue_address}"
    if assessment.venue == Venue.HOME:
        lines = address_lines(assessment.person)
        return f"{label}: {', '.join(lines)}" if lines else f"{label} (address not known)"
    return label


def staff_label(name: str, *, registered: bool, on_shift: bool | None) -> str:
    """A member of staff as a booking choice: 'Ana Diaz (registered practitioner) (on shift)'."""
    label = name
    if registered:
        label += " (registered practitioner)"
    if on_shift is True:
        label += " (on shift)"
    elif on_shift is False:
        label += " (not on shift)"
    return label


def staff_tags(link: AssessmentStaff) -> list[dict[str, str]]:
    if link.registered_practitioner:
        return [{"text": "Registered practitioner", "classes": "nhsuk-tag--blue"}]
    return []


def target_length(delta: dt.timedelta) -> str:
    """A clock's standard as an adjective: '4-hour', '24-hour', '4-week', '2-hour'."""
    week = dt.timedelta(weeks=1)
    if delta >= week and delta % week == dt.timedelta(0):
        return f"{delta // week}-week"
    hours, rest = divmod(delta, dt.timedelta(hours=1))
    if hours and rest == dt.timedelta(0):
        return f"{hours}-hour"
    return f"{duration_words(delta)}"


def breach_warning(referral: Referral, clock: Clock) -> str:
    """Shown when a booking would be after the referral's face-to-face target."""
    standard = target_length(clock.target_at - referral.received_at)
    return (
        f"This is after the {standard} target of {datetime_long(clock.target_at)}: "
        "the standard will be missed."
    )


def target_text(referral: Referral, clock: Clock) -> str:
    """'The 24-hour face-to-face target is 3 March 2026 at 2:05pm.'"""
    standard = target_length(clock.target_at - referral.received_at)
    return f"The {standard} target is {datetime_long(clock.target_at)}."


def history_line(change: AssessmentStatusChange) -> str:
    text = f"{datetime_long(change.changed_at)}: {AssessmentStatus(change.status).label.lower()} by {change.changed_by}"
    return f"{text}. {change.note}" if change.note else text


def domain_label(name: str) -> str:
    """A part of the record as it is labelled on the form: the model field's verbose name."""
    field = Assessment._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def record_progress(assessment: Assessment) -> str:
    """'9 of 14 parts written'."""
    written = sum(1 for name in MANDATORY_DOMAINS if getattr(assessment, name).strip())
    return f"{written} of {len(MANDATORY_DOMAINS)} parts written"


@dataclass(frozen=True)
class Refusal:
    text: str
    href: str = ""

    def as_error(self) -> dict[str, str]:
        return {"text": self.text, "href": self.href} if self.href else {"text": self.text}


def finalise_refusals(
    assessment: Assessment, *, has_risk: bool, fallback: list[str]
) -> list[Refusal]:
    """Why finalising was refused, one line per missing part, each linking to where to
    write it. Falls back to the service's own messages when the refusal was for another
    reason (not started, already finalised)."""
    if assessment.status != AssessmentStatus.STARTED or assessment.is_finalised:
        return [Refusal(message) for message in fallback]
    record = reverse("assessments:record", args=[assessment.pk])
    refusals = [
        Refusal(f"Write the {domain_label(name).lower()} part", f"{record}#id_{name}")
        for name in MANDATORY_DOMAINS
        if not getattr(assessment, name).strip()
    ]
    if not has_risk:
        refusals.append(
            Refusal(
                "Record the risk formulation",
                reverse("assessments:risk", args=[assessment.pk]),
            )
        )
    return refusals or [Refusal(message) for message in fallback]


def needs_address(venue: str) -> bool:
    return venue in VENUES_NEEDING_ADDRESS


def paragraphs(text: str) -> list[str]:
    """Free text as paragraphs (one per non-empty line), for showing without markup."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def involvement_text(value: str) -> str:
    """The person's wish about a key person, in lower case for a sentence."""
    try:
        return Involvement(value).label.lower()
    except ValueError:
        return value

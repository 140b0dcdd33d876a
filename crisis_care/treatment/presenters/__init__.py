"""Display values for decisions and home treatment episodes: summary rows, the gatekeeping
warning for the team, and the PDF's title and file name (which never carry a name)."""

from typing import Any

from django.utils import timezone

from crisis_care.assessments.models import Assessment, Decision, LegalStatus, Outcome, Venue
from crisis_care.core.presenters import date_long, datetime_long, format_nhs_number
from crisis_care.referrals.models import Source

from ..models import Admission, Episode


def asks_about_early_discharge(assessment: Assessment) -> bool:
    """Early supported discharge (CORE item 7): a ward referred the person, or the
    assessment happened on a ward, so a home treatment decision may shorten an admission."""
    return (
        assessment.referral.source == Source.INPATIENT_WARD
        or assessment.venue == Venue.BRADGATE_WARD
    )


def yes_no(value: bool | None) -> str:
    if value is None:
        return "Not recorded"
    return "Yes" if value else "No"


def is_gatekeeping_failure(decision: Decision) -> bool:
    """Admitted without the crisis team assessing the person in person first (CORE item 6e:
    each failure is reviewed; the decision's audit row is flagged for that review)."""
    return decision.outcome == Outcome.ADMISSION and decision.gatekept_in_person is False


def _row(key: str, value: str) -> dict[str, Any]:
    return {"key": {"text": key}, "value": {"text": value}}


def admission_text(admission: Admission) -> str:
    """Ward, date and (for an admission the team decided, so gatekept) the legal status.
    An admission recorded only so an early discharge can link to it has no status shown:
    the ward told us where, not how."""
    parts = [admission.ward, f"admitted {date_long(admission.admitted_at)}"]
    if admission.decision_id is not None and admission.legal_status in LegalStatus.values:
        parts.append(LegalStatus(admission.legal_status).label)
    return ", ".join(parts)


def decision_rows(decision: Decision, services: list[str]) -> list[dict[str, Any]]:
    """The decision as summary-list rows for the team's page."""
    rows = [
        _row("Decision", Outcome(decision.outcome).label),
        _row(
            "Decided by",
            f"{decision.decided_by.get_full_name() or decision.decided_by.username} "
            f"({decision.decided_by.role_label}), {datetime_long(decision.decided_at)}",
        ),
        _row("Reasons", decision.reasons),
        _row("Discussed with the person", yes_no(decision.discussed_with_person)),
    ]
    if decision.person_view:
        rows.append(_row("The person's view", decision.person_view))
    if decision.outcome == Outcome.ADMISSION:
        rows += [
            _row("Legal status", LegalStatus(decision.legal_status).label),
            _row("Ward", decision.ward),
            _row("Assessed in person before admission", yes_no(decision.gatekept_in_person)),
        ]
        if decision.gatekeeping_failure_reason:
            rows.append(_row("Why not", decision.gatekeeping_failure_reason))
    if services:
        rows.append(_row("Services", ", ".join(services)))
    return rows


def episode_rows(episode: Episode) -> list[dict[str, Any]]:
    person = episode.person
    who = person.full_name
    if person.nhs_number:
        who += f" (NHS number {format_nhs_number(person.nhs_number)})"
    rows = [
        _row("Person", who),
        _row("Started", datetime_long(episode.started_at)),
        _row("Team", episode.team.name),
        _row("Status", episode.get_status_display()),
    ]
    if episode.early_discharge_from is not None:
        rows.append(
            _row("Early supported discharge from", admission_text(episode.early_discharge_from))
        )
    return rows


def letter_heading(decision: Decision) -> str:
    return f"Letter to the GP and referrer: {Outcome(decision.outcome).label.lower()}"


def pdf_title(decision: Decision) -> str:
    """The PDF's title: the decision, team and date, no names."""
    team = decision.assessment.referral.team.name
    return (
        f"Outcome of a crisis assessment: {Outcome(decision.outcome).label.lower()}, {team}, "
        f"{date_long(decision.decided_at)}"
    )


def pdf_filename(decision: Decision) -> str:
    """'assessment-decision-2026-03-03.pdf': the date decided, never a name or NHS number."""
    return f"assessment-decision-{timezone.localtime(decision.decided_at):%Y-%m-%d}.pdf"

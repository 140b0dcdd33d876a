"""Display values for medication: how a medicine reads, its history, and deliveries."""

from typing import Any

from crisis_care.core.presenters import date_long, datetime_long

from ..models import Medication, MedicationChange, MedicationChangeKind, MedicationDelivery, Visit
from ..services.medication import describe


def medicine_text(medication: Medication) -> str:
    """'Sertraline 50mg, by mouth, once a day'."""
    return describe(medication.name, medication.dose, medication.route, medication.frequency)


def since_text(medication: Medication) -> str:
    if medication.stopped_on is not None:
        return (
            f"Taken from {date_long(medication.started_on)} to {date_long(medication.stopped_on)}"
        )
    if medication.started_by_team:
        return f"Started by the team on {date_long(medication.started_on)}"
    return f"Taking since {date_long(medication.started_on)}"


def change_by_text(change: MedicationChange) -> str:
    """Who made the change: the prescriber for a prescribing decision, else who recorded it."""
    if change.prescriber_id is not None and change.prescriber is not None:
        return f"{change.prescriber} (prescriber)"
    return str(change.changed_by)


def change_rows(medication: Medication) -> list[dict[str, str]]:
    """The medicine's history, oldest first (uses the prefetched changes)."""
    return [
        {
            "when": datetime_long(change.changed_at),
            "what": MedicationChangeKind(change.kind).label,
            "detail": change.detail,
            "by": change_by_text(change),
        }
        for change in medication.changes.all()
    ]


def medicine_card(medication: Medication) -> dict[str, Any]:
    return {
        "medication": medication,
        "text": medicine_text(medication),
        "since": since_text(medication),
        "history": change_rows(medication),
    }


def split_current(medications: list[Medication]) -> tuple[list[Medication], list[Medication]]:
    """(taking now, stopped)."""
    return (
        [m for m in medications if m.stopped_on is None],
        [m for m in medications if m.stopped_on is not None],
    )


def visit_choice_text(visit: Visit) -> str:
    return datetime_long(visit.window_start)


def delivery_rows(deliveries: list[MedicationDelivery]) -> list[list[str]]:
    """Table rows: when, what, who, supply (uses prefetched medicines)."""
    return [
        [
            datetime_long(delivery.delivered_at),
            ", ".join(f"{m.name} {m.dose}" for m in delivery.medications.all()),
            str(delivery.delivered_by),
            delivery.supply or "Not recorded",
        ]
        for delivery in deliveries
    ]

"""Helpers shared by the discharge tests (test_discharge_*, test_summary*, test_follow_up):
discharging an episode through the service, moving an episode's start into the past, and
early supported discharge episodes from a ward. No tests here."""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from crisis_care.assessments.models import Outcome
from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User
from crisis_care.people.models import Person
from crisis_care.treatment import services as treatment_services
from crisis_care.treatment.models import Episode
from crisis_care.treatment.services import contacts as contact_services

from ..models import Discharge
from ..selectors.checklist import aftercare_checklist
from ..services import discharges as services

GAP_REASON = "The person moved to their sister's before it could be done"


def url(name: str, *args: object) -> str:
    from django.urls import reverse

    return reverse(f"discharge:{name}", args=[getattr(a, "pk", a) for a in args])


def started_days_ago(episode: Episode, days: int) -> Episode:
    """Arrange: the episode began `days` days ago (so a discharge can be dated in the past)."""
    Episode.objects.filter(pk=episode.pk).update(
        started_at=timezone.now() - dt.timedelta(days=days)
    )
    return Episode.objects.select_related("person", "team").get(pk=episode.pk)


def days_ago_at(days: int, hour: int = 10) -> dt.datetime:
    """10am London time, `days` days ago."""
    return local_instant(local_date(timezone.now()) - dt.timedelta(days=days), dt.time(hour, 0))


def discharge(
    episode: Episode,
    by: User,
    *,
    at: dt.datetime | None = None,
    outcome: str = "gp",
    reason: str = "Crisis resolved; sleeping and eating again.",
) -> Discharge:
    """Discharge through the service, giving a reason for every checklist gap."""
    current = Episode.objects.get(pk=episode.pk)
    return services.discharge_episode(
        episode=current,
        outcome=outcome,
        reason=reason,
        discharged_at=at or timezone.now(),
        gap_reasons={item.code: GAP_REASON for item in aftercare_checklist(episode=current).gaps},
        expected_version=current.version,
        by=by,
    )


def early_discharge_episode(
    make_finalised_assessment: Callable[..., object],
    by: User,
    *,
    admitted_on: dt.date,
    ward: str = "Bradgate Unit, Ward 3",
    person: Person | None = None,
) -> Episode:
    """An episode that lets someone leave a ward early (opened as the decision page opens
    it), linked to their admission."""
    assessment = make_finalised_assessment(source="inpatient_ward", by=by, person=person)
    _, episode = treatment_services.decision_apply(
        assessment=assessment,
        by=by,
        outcome=Outcome.HOME_TREATMENT,
        reasons="Can leave the ward early with daily visits.",
        person_view="Wants to be at home.",
        early_discharge_ward=ward,
        early_discharge_admitted_on=admitted_on,
    )
    assert isinstance(episode, Episode)
    return Episode.objects.select_related("person", "team", "early_discharge_from").get(
        pk=episode.pk
    )


def record_contact(
    episode: Episode,
    by: User,
    *,
    at: dt.datetime,
    medium: str = "01",
    attendance: str = "attended",
) -> None:
    contact_services.contact_record(
        episode=episode,
        visit=None,
        started_at=at,
        ended_at=at + dt.timedelta(minutes=30),
        medium=medium,
        location="home",
        attendance=attendance,
        staff=[by.staff],  # type: ignore[attr-defined]
        by=by,
    )

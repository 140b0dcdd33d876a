"""The records behind the national data set export, for one team and one month, read as plain
facts (`reporting.mhsds`) with one query per table however many records: `.values()` rows
streamed with `.iterator()`, everything a row needs annotated in the database.

Which records belong to a month (London days, `Period.start`/`end` in UTC):
- MHS101/MHS102 referrals: received before the month ends and not finished before it starts.
  A referral is finished when the team's care ends: its last home treatment episode closing;
  without an episode, the referral closing (declined, or closed after the decision).
- MHS201 care contacts: contacts that started in the month, on the team's episodes.
- MHS501 hospital spells: admissions overlapping the month that came from the team's
  admission decisions or that the team took on for early discharge.
- MHS001/MHS002: everyone in any of the above.

Also the exports themselves (`DataSetExport`), for the pages.
"""

import uuid
from collections.abc import Iterator
from typing import Any

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from crisis_care.people.models import Person
from crisis_care.referrals.models import Referral, Status
from crisis_care.treatment.models import Admission, CareContact, Episode, EpisodeStatus
from crisis_care.workforce.models import Team

from ..mhsds import ContactFacts, PersonFacts, ReferralFacts, SpellFacts
from ..models import DataSetExport
from ..period import Period

CHUNK = 2000


def _referrals_in(*, team: Team, period: Period) -> QuerySet[Referral]:
    episodes = Episode.objects.filter(referral=OuterRef("pk"))
    return (
        Referral.objects.filter(team=team, received_at__lt=period.end)
        .annotate(
            open_episode=Exists(episodes.filter(status=EpisodeStatus.OPEN)),
            has_episode=Exists(episodes),
            last_episode_closed=Subquery(
                episodes.order_by(F("closed_at").desc(nulls_last=True)).values("closed_at")[:1]
            ),
            treat_at=Subquery(episodes.order_by("started_at").values("decision__decided_at")[:1]),
        )
        .annotate(
            care_ended_at=Case(
                When(open_episode=True, then=Value(None)),
                When(has_episode=True, then=F("last_episode_closed")),
                default=F("closed_at"),
                output_field=DateTimeField(),
            )
        )
        .filter(Q(care_ended_at__isnull=True) | Q(care_ended_at__gte=period.start))
    )


def _contacts_in(*, team: Team, period: Period) -> QuerySet[CareContact]:
    return CareContact.objects.filter(
        episode__team=team, started_at__gte=period.start, started_at__lt=period.end
    )


def _spells_in(*, team: Team, period: Period) -> QuerySet[Admission]:
    early = Episode.objects.filter(early_discharge_from=OuterRef("pk"), team=team)
    return (
        Admission.objects.filter(
            Exists(early) | Q(decision__assessment__referral__team=team),
            admitted_at__lt=period.end,
        )
        .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=period.start))
        .annotate(
            referral_pk=Coalesce(
                F("decision__assessment__referral_id"),
                Subquery(early.order_by("started_at").values("referral_id")[:1]),
                output_field=UUIDField(),
            )
        )
    )


def referrals(*, team: Team, period: Period) -> Iterator[ReferralFacts]:
    rows = (
        _referrals_in(team=team, period=period)  # type: ignore[misc]
        .order_by("received_at", "pk")
        .values(
            "pk",
            "person_id",
            "person__nhs_number",
            "person__date_of_birth",
            "received_at",
            "source",
            "priority",
            "status",
            "closed_at",
            "team__code",
            "team__team_type",
            "treat_at",
            "care_ended_at",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        declined = r["status"] == Status.DECLINED
        yield ReferralFacts(
            referral_id=r["pk"],
            person_id=r["person_id"],
            nhs_number=r["person__nhs_number"] or "",
            date_of_birth=r["person__date_of_birth"],
            received_at=r["received_at"],
            source=r["source"],
            priority=r["priority"],
            team_code=r["team__code"],
            team_type=r["team__team_type"],
            decision_to_treat_at=r["treat_at"],
            discharged_at=None if declined else r["care_ended_at"],
            rejected_at=r["closed_at"] if declined else None,
        )


def care_contacts(*, team: Team, period: Period) -> Iterator[ContactFacts]:
    rows = (
        _contacts_in(team=team, period=period)
        .order_by("started_at", "pk")
        .values(
            "pk",
            "episode__referral_id",
            "episode__person_id",
            "episode__person__nhs_number",
            "episode__referral__received_at",
            "started_at",
            "ended_at",
            "medium",
            "location",
            "attendance",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield ContactFacts(
            contact_id=r["pk"],
            referral_id=r["episode__referral_id"],
            person_id=r["episode__person_id"],
            nhs_number=r["episode__person__nhs_number"],
            referral_received_at=r["episode__referral__received_at"],
            started_at=r["started_at"],
            ended_at=r["ended_at"],
            medium=r["medium"],
            location=r["location"],
            attendance=r["attendance"],
        )


def hospital_spells(*, team: Team, period: Period) -> Iterator[SpellFacts]:
    rows = (
        _spells_in(team=team, period=period)  # type: ignore[misc]
        .order_by("admitted_at", "pk")
        .values(
            "pk",
            "referral_pk",
            "person_id",
            "person__nhs_number",
            "admitted_at",
            "discharged_at",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield SpellFacts(
            admission_id=r["pk"],
            referral_id=r["referral_pk"],
            person_id=r["person_id"],
            nhs_number=r["person__nhs_number"],
            admitted_at=r["admitted_at"],
            discharged_at=r["discharged_at"],
        )


def people(*, team: Team, period: Period) -> Iterator[PersonFacts]:
    """Everyone in the month's referrals, care contacts and hospital spells, once each."""
    in_month = (
        Q(pk__in=_referrals_in(team=team, period=period).values("person_id"))
        | Q(pk__in=_contacts_in(team=team, period=period).values("episode__person_id"))
        | Q(pk__in=_spells_in(team=team, period=period).values("person_id"))
    )
    rows = (
        Person.objects.filter(in_month)
        .order_by("nhs_number", "pk")
        .values("pk", "nhs_number", "date_of_birth", "gender", "postcode", "gp_practice__ods_code")
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield PersonFacts(
            person_id=r["pk"],
            nhs_number=r["nhs_number"],
            date_of_birth=r["date_of_birth"],
            gender=r["gender"],
            postcode=r["postcode"],
            gp_practice_code=r["gp_practice__ods_code"] or "",
        )


# -- The exports ---------------------------------------------------------------------------


def exports_for_team(*, team: Team, limit: int = 50) -> list[DataSetExport]:
    """The team's exports, newest first, without the files (they can be large)."""
    return list(
        DataSetExport.objects.filter(team=team)
        .select_related("requested_by")
        .defer("files", "validation")
        .order_by("-requested_at")[:limit]
    )


def export_by_pk(*, pk: uuid.UUID, with_files: bool = False) -> DataSetExport | None:
    qs = DataSetExport.objects.select_related("team", "requested_by")
    if not with_files:
        qs = qs.defer("files")
    return qs.filter(pk=pk).first()


def export_status(*, pk: uuid.UUID) -> dict[str, Any] | None:
    """Only what the progress poll needs, in one small read."""
    row = (
        DataSetExport.objects.filter(pk=pk)
        .values("team_id", "status", "progress", "error", "finished_at")
        .first()
    )
    return dict(row) if row is not None else None

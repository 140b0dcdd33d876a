"""Save a CORE fidelity self-review: the review and its 39 item scores in one transaction, each
item with its criteria as they stood (computed ones with the figure that decided them, judged
ones with the reviewer's answer), so a later change to the records does not rewrite it."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import Team

from .. import fidelity
from ..models import CriterionSource, FidelityItemScore, FidelityReview
from ..period import Period
from ..selectors.fidelity import Computed

SECTION = "fidelity"


def _criteria_rows(
    item: fidelity.Item, computed: Mapping[str, Computed], judged: Mapping[str, bool]
) -> tuple[list[dict[str, Any]], dict[str, bool]]:
    rows: list[dict[str, Any]] = []
    met: dict[str, bool] = {}
    for criterion in item.criteria:
        if criterion.is_computed:
            result = computed[criterion.computed]
            met[criterion.code] = result.met
            rows.append(
                {
                    "code": criterion.code,
                    "met": result.met,
                    "source": CriterionSource.COMPUTED.value,
                    "evidence": result.as_evidence(),
                }
            )
        else:
            met[criterion.code] = judged[criterion.code]
            rows.append(
                {
                    "code": criterion.code,
                    "met": judged[criterion.code],
                    "source": CriterionSource.JUDGED.value,
                    "evidence": "",
                }
            )
    return rows, met


@transaction.atomic
def fidelity_review_save(
    *,
    team: Team,
    period: Period,
    computed: Mapping[str, Computed],
    judged: Mapping[str, bool],
    direct: Mapping[int, int],
    evidence: Mapping[int, str],
    note: str,
    by: User,
) -> FidelityReview:
    """`judged`: {criterion code: met} for every criterion the reviewer judges; `direct`: {item:
    1–5} for items without criteria; `evidence`: {item: text}."""
    errors: dict[str, str] = {}
    if period.last < period.first:
        errors["period_last"] = "The end of the period must be on or after its start"
    for item in fidelity.ITEMS:
        if item.judged_directly:
            if direct.get(item.number) not in {1, 2, 3, 4, 5}:
                errors[f"score_{item.number}"] = f"Select the score for item {item.number} (1 to 5)"
            continue
        for criterion in item.criteria:
            if criterion.is_computed and criterion.computed not in computed:
                errors["__all__"] = "The figures for the period could not be computed"
            elif not criterion.is_computed and criterion.code not in judged:
                errors[f"c_{criterion.code}"] = (
                    f"Select yes if criterion {criterion.code} is met, or no if it is not"
                )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    scored: list[tuple[fidelity.Item, int, list[dict[str, Any]]]] = []
    for item in fidelity.ITEMS:
        rows, met = _criteria_rows(item, computed, judged)
        scored.append((item, fidelity.score_from(item, met, direct.get(item.number)), rows))
    total = fidelity.total(score for _, score, _ in scored)
    band = fidelity.band(total)
    review = FidelityReview.objects.create(
        team=team,
        period_first=period.first,
        period_last=period.last,
        reviewed_on=local_date(now),
        total=total,
        band=band,
        note=note.strip(),
        saved_by=by,
        saved_at=now,
    )
    FidelityItemScore.objects.bulk_create(
        FidelityItemScore(
            review=review,
            item=item.number,
            score=score,
            criteria=rows,
            evidence=evidence.get(item.number, "").strip(),
        )
        for item, score, rows in scored
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=review,
        section=SECTION,
        detail={
            "team": str(team.pk),
            "period": [period.first.isoformat(), period.last.isoformat()],
            "total": total,
            "band": str(band),
        },
    )
    return review

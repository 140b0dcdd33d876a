"""Formatting for the fidelity pages: the review form's items grouped by sub-scale (computed
criteria with their evidence, judged ones as form fields), a saved review read-only, the table
of item scores across reviews, and the CSV files."""

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

from django.urls import reverse

from crisis_care.core.presenters import date_long
from crisis_care.workforce.models import Team

from .. import fidelity
from ..forms_fidelity import evidence_name, judged_name, score_name
from ..models import Band, CriterionSource, FidelityItemScore, FidelityReview
from ..period import Period
from ..selectors.fidelity import Computed, figure_url

BAND_TAGS: dict[str, str] = {
    Band.HIGH: "nhsuk-tag--green",
    Band.MODERATE: "nhsuk-tag--yellow",
    Band.LOW: "nhsuk-tag--red",
}
SOURCE_LABELS = {s.value: s.label for s in CriterionSource}


def met_text(met: bool) -> str:
    return "Met" if met else "Not met"


def met_tag(met: bool) -> dict[str, str]:
    return {"text": met_text(met), "classes": "nhsuk-tag--green" if met else "nhsuk-tag--grey"}


def band_tag(band: str) -> dict[str, str]:
    return {"text": Band(band).label, "classes": BAND_TAGS[band]}


def subscale_title(key: str) -> str:
    return next(s.title for s in fidelity.SUBSCALES if s.key == key)


def _computed_row(
    criterion: fidelity.Criterion,
    result: Computed,
    *,
    link: Callable[[str], str] | None,
    episode_link: Callable[[Any], str] | None,
) -> dict[str, Any]:
    return {
        "code": criterion.code,
        "text": criterion.text,
        "how": criterion.how,
        "met": result.met,
        "tag": met_tag(result.met),
        "figure": result.figure,
        "threshold": result.threshold,
        "figure_url": link(result.measure) if link and result.measure else None,
        "records": [
            {
                "text": r.text,
                "href": episode_link(r.episode_id) if episode_link and r.episode_id else None,
            }
            for r in result.records
        ],
    }


def form_sections(
    *,
    computed: Mapping[str, Computed],
    team: Team,
    period: Period,
    may_view_records: bool,
) -> list[dict[str, Any]]:
    """The review form, sub-scale by sub-scale: each item's computed criteria (met or not with
    their evidence), the names of its judged fields, its score field and evidence box. Links to
    the records behind a figure only for those who may see records."""

    def link(measure: str) -> str:
        return figure_url(measure, team=team, period=period)

    def episode_link(pk: Any) -> str:
        return reverse("treatment:episode", args=[pk])

    sections = []
    for subscale in fidelity.SUBSCALES:
        items = []
        for item in (i for i in fidelity.ITEMS if i.subscale == subscale.key):
            rows = [
                _computed_row(
                    c,
                    computed[c.computed],
                    link=link,
                    episode_link=episode_link if may_view_records else None,
                )
                for c in item.criteria
                if c.is_computed
            ]
            judged = [judged_name(c.code) for c in item.criteria if not c.is_computed]
            items.append(
                {
                    "item": item,
                    "computed": rows,
                    "judged": judged,
                    "hows": {judged_name(c.code): c.how for c in item.criteria},
                    "score_field": score_name(item.number) if item.judged_directly else None,
                    "evidence_field": evidence_name(item.number),
                    # Every criterion computed: the score is known already.
                    "score": (
                        fidelity.item_score(item, sum(1 for r in rows if r["met"]))
                        if item.criteria and not judged
                        else None
                    ),
                }
            )
        sections.append({"subscale": subscale, "items": items})
    return sections


def review_sections(items: list[FidelityItemScore]) -> list[dict[str, Any]]:
    """A saved review, read-only: each item's score and its criteria as they stood."""
    by_number = {i.item: i for i in items}
    sections = []
    for subscale in fidelity.SUBSCALES:
        rows = []
        for item in (i for i in fidelity.ITEMS if i.subscale == subscale.key):
            saved = by_number.get(item.number)
            if saved is None:
                continue
            texts = {c.code: c.text for c in item.criteria}
            rows.append(
                {
                    "item": item,
                    "score": saved.score,
                    "evidence": saved.evidence,
                    "criteria": [
                        {
                            "code": c["code"],
                            "text": texts.get(c["code"], ""),
                            "tag": met_tag(bool(c["met"])),
                            "source": SOURCE_LABELS.get(c["source"], c["source"]),
                            "evidence": c.get("evidence", ""),
                        }
                        for c in saved.criteria
                    ],
                }
            )
        sections.append({"subscale": subscale, "items": rows})
    return sections


def progress_table(
    reviews: list[FidelityReview], scores: Mapping[Any, Mapping[int, int]]
) -> dict[str, Any]:
    """Item scores across reviews, oldest on the left, to show progress."""
    ordered = list(reversed(reviews))
    return {
        "head": [date_long(r.reviewed_on) for r in ordered],
        "rows": [
            {
                "number": item.number,
                "title": item.title,
                "scores": [scores.get(r.pk, {}).get(item.number, "") for r in ordered],
            }
            for item in fidelity.ITEMS
        ],
        "totals": [r.total for r in ordered],
    }


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    return out.getvalue()


def reviews_csv(reviews: list[FidelityReview]) -> str:
    rows: list[list[Any]] = [["reviewed_on", "period_first", "period_last", "total", "band"]]
    rows += [
        [
            r.reviewed_on.isoformat(),
            r.period_first.isoformat(),
            r.period_last.isoformat(),
            r.total,
            Band(r.band).label,
        ]
        for r in reviews
    ]
    return _csv(rows)


def review_csv(review: FidelityReview, items: list[FidelityItemScore]) -> str:
    """One row per criterion (and one per item scored directly), with the item's score."""
    rows: list[list[Any]] = [
        ["item", "item_title", "score", "criterion", "met", "source", "evidence"]
    ]
    for saved in items:
        item = fidelity.BY_NUMBER[saved.item]
        if not saved.criteria:
            rows.append([saved.item, item.title, saved.score, "", "", "reviewer", saved.evidence])
        for c in saved.criteria:
            evidence = c.get("evidence") or saved.evidence
            rows.append(
                [
                    saved.item,
                    item.title,
                    saved.score,
                    c["code"],
                    "yes" if c["met"] else "no",
                    c["source"],
                    evidence,
                ]
            )
    rows.append(["total", "", review.total, "", "", "", Band(review.band).label])
    return _csv(rows)

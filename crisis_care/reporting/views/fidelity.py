"""The CORE fidelity self-review: the team's saved reviews over time, a new review for a period
(computed criteria read from the records, judged ones answered by the reviewer) and one saved
review, read-only, with its CSV.

Reading needs VIEW_FIGURES, running and saving a review REVIEW_FIDELITY; the team is one of the
user's own (another team's is an audited 403). Every page is audited; the review pages show no
names, and the records behind a computed criterion link to the episode only for those who may
see records.
"""

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, User
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.workforce.models import Team

from .. import fidelity
from ..forms_fidelity import PeriodForm, ReviewForm
from ..models import FidelityReview
from ..period import Period
from ..presenters import fidelity as p
from ..rules import ReportingAction, role_may
from ..selectors import fidelity as selectors
from ..services.fidelity import fidelity_review_save
from .common import require, team_for, user_of

SECTION = "fidelity"
PROGRESS_REVIEWS = 6  # reviews shown side by side in the progress table
DEFAULT_DAYS = 84  # a new review reads the last 12 weeks unless told otherwise


def _audit(user: User, team: Team, obj: FidelityReview | None = None, **detail: Any) -> None:
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=obj,
        object_type="" if obj else "reporting.fidelity",
        object_id=None if obj else team.pk,
        section=SECTION,
        detail={"team": str(team.pk), **detail},
    )


def _csv(body: str, filename: str) -> HttpResponse:
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    """The period asked for (?first[day]=…&last[day]=…), or the last 12 whole weeks."""
    if any(key.startswith(("first[", "last[")) for key in request.GET):
        form = PeriodForm(request.GET)
        return form, form.period() if form.is_valid() else None
    yesterday = local_date(timezone.now()) - dt.timedelta(days=1)
    default = Period(yesterday - dt.timedelta(days=DEFAULT_DAYS - 1), yesterday)
    return PeriodForm(initial={"first": default.first, "last": default.last}), default


@require_http_methods(["GET"])
def reviews(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, ReportingAction.VIEW_FIGURES)
    team = team_for(user, request.GET.get("team"))
    saved = selectors.reviews_for_team(team=team)
    if request.GET.get("format") == "csv":
        _audit(user, team, page="reviews", format="csv")
        return _csv(p.reviews_csv(saved), f"fidelity-reviews-{team.code}.csv")
    recent = saved[:PROGRESS_REVIEWS]
    scores = selectors.item_scores(reviews=recent)
    _audit(user, team, page="reviews")
    return render(
        request,
        "reporting/fidelity/index.jinja",
        {
            "title": "CORE fidelity self-reviews",
            "team": team,
            "reviews": saved,
            "progress": p.progress_table(recent, scores),
            "can_review": role_may(user.role, ReportingAction.REVIEW_FIDELITY),
            "p": p,
            "fidelity": fidelity,
        },
    )


@require_http_methods(["GET", "POST"])
def new_review(request: HttpRequest) -> HttpResponseBase:
    user = user_of(request)
    require(user, ReportingAction.REVIEW_FIDELITY)
    team = team_for(user, request.GET.get("team"))
    period_form, period = _period(request)
    context: dict[str, Any] = {
        "title": "New CORE fidelity self-review",
        "team": team,
        "period_form": period_form,
        "period": period,
        "query": request.GET.urlencode(),
        "fidelity": fidelity,
        "p": p,
        "back_link": {"href": reverse("reporting:fidelity"), "text": "Back to fidelity reviews"},
    }
    if period is None:
        _audit(user, team, page="new", outcome="period not valid")
        context |= {"has_errors": True, "form": None}
        return render(request, "reporting/fidelity/new.jinja", context)

    computed = selectors.computed_criteria(team=team, period=period)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review = fidelity_review_save(
                team=team,
                period=period,
                computed=computed,
                judged=form.judged(),
                direct=form.direct(),
                evidence=form.evidence(),
                note=form.cleaned_data["note"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"The review is saved: {review.total} out of 195, "
                f"{p.band_tag(review.band)['text'].lower()}.",
            )
            return redirect("reporting:fidelity_review", pk=review.pk)
    _audit(
        user,
        team,
        page="new",
        period=[period.first.isoformat(), period.last.isoformat()],
    )
    context |= {
        "form": form,
        "has_errors": bool(form.errors),
        "sections": p.form_sections(
            computed=computed,
            team=team,
            period=period,
            may_view_records=role_may(user.role, ReportingAction.VIEW_RECORDS),
        ),
    }
    return render(request, "reporting/fidelity/new.jinja", context)


@require_http_methods(["GET"])
def review(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, ReportingAction.VIEW_FIGURES)
    try:
        saved, items = selectors.review_with_items(pk=pk)
    except FidelityReview.DoesNotExist:
        raise Http404("No such review") from None
    # One of the user's own teams, or an audited refusal.
    team = team_for(user, str(saved.team_id))
    if request.GET.get("format") == "csv":
        _audit(user, team, saved, format="csv")
        return _csv(
            p.review_csv(saved, items),
            f"fidelity-review-{team.code}-{saved.reviewed_on.isoformat()}.csv",
        )
    _audit(user, team, saved)
    return render(
        request,
        "reporting/fidelity/review.jinja",
        {
            "title": f"CORE fidelity self-review, {p.date_long(saved.reviewed_on)}",
            "team": team,
            "review": saved,
            "period": Period(saved.period_first, saved.period_last),
            "sections": p.review_sections(items),
            "p": p,
            "back_link": {
                "href": reverse("reporting:fidelity") + f"?team={team.pk}",
                "text": "Back to fidelity reviews",
            },
        },
    )


urlpatterns: list[URLPattern] = [
    path("fidelity/", reviews, name="fidelity"),
    path("fidelity/new/", new_review, name="fidelity_new"),
    path("fidelity/<uuid:pk>/", review, name="fidelity_review"),
]

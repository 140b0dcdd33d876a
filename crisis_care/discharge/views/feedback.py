"""'How did we do?': the public, anonymous feedback form for a team and its thank-you page
(no login), and the managers' report of the answers with its CSV.

The public form asks for no name, no NHS number and nothing else that links to a person; it
keeps no address or session. Protection: CSRF (the middleware), a size limit on the request
body and a honeypot field (filled in: the normal thank-you page, nothing kept). An unknown
team gets the site's ordinary 404 page, the same whatever the id.

The report is for team managers (DischargeAction.VIEW_FEEDBACK), for their own teams only.
No person's record is shown, but each view and download is audited anyway (without a person).
"""

import csv
import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.referrals.self_referral import crisis_numbers, honeypot_filled
from crisis_care.workforce.models import Team

from ..forms.feedback import FeedbackForm, PeriodForm, period_form
from ..presenters import feedback as p
from ..rules import DischargeAction
from ..selectors import feedback as selectors
from ..services import feedback as services
from .common import refuse, require, user_of

logger = logging.getLogger(__name__)

SECTION = services.SECTION
PER_PAGE = 50
# Well above the largest honest form (two boxes of 2,000 characters, even in a script that
# percent-encodes to 9 or 12 bytes a character), far below Django's 2.5 MB default.
MAX_BODY_BYTES = 64 * 1024


# --- The public form ----------------------------------------------------------------------


def _body_too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


def _team_or_404(team_pk: uuid.UUID) -> Team:
    team = selectors.team_for_feedback(pk=team_pk)
    if team is None:
        raise Http404("No such team")
    return team


def _public_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        f"discharge/feedback/{template}",
        {"numbers": crisis_numbers(), **context},
        status=status,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def feedback_form(request: HttpRequest, team_pk: uuid.UUID) -> HttpResponseBase:
    team = _team_or_404(team_pk)
    title = "How did we do?"
    if request.method == "POST":
        if _body_too_large(request):
            return _public_page(
                request,
                "too_large.jinja",
                {
                    "title": "Your feedback is too long to send",
                    "team": team,
                    "has_errors": True,
                    "max_length": services.COMMENT_MAX_LENGTH,
                },
                status=400,
            )
        if honeypot_filled(request.POST):
            # Looks exactly like success to whatever filled it in; nothing is kept.
            logger.warning("Feedback honeypot filled in: nothing recorded")
            return redirect("feedback:thanks")
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                data = form.cleaned_data
                services.feedback_submit(
                    team=team,
                    experience=data["experience"],
                    respondent=data["respondent"],
                    what_went_well=data.get("what_went_well") or "",
                    what_could_be_better=data.get("what_could_be_better") or "",
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("feedback:thanks")
    else:
        form = FeedbackForm()
    return _public_page(
        request,
        "form.jinja",
        {
            "title": title,
            "team": team,
            "form": form,
            "has_errors": bool(form.errors),
            "max_length": services.COMMENT_MAX_LENGTH,
        },
        status=400 if form.errors else 200,
    )


@login_not_required
@never_cache
@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    """The same page whatever was sent (and for the honeypot)."""
    return _public_page(request, "thanks.jinja", {"title": "Thank you for your feedback"})


# --- The managers' report -----------------------------------------------------------------


def _team(request: HttpRequest, user: User) -> tuple[Team, list[Team]]:
    teams = selectors.teams_for_report(user=user)
    if not teams:
        raise PermissionDenied("You are not a member of a team, so there is no feedback to show.")
    wanted = request.GET.get("team")
    if not wanted:
        return teams[0], teams
    try:
        pk = uuid.UUID(wanted)
    except ValueError:
        raise Http404("No such team") from None
    chosen = next((t for t in teams if t.pk == pk), None)
    if chosen is None:
        # Another team's feedback (or no team at all): refused and audited, as records are.
        refuse(user, object_type="workforce.Team", pk=pk, section=SECTION)
    return chosen, teams


def _audit(user: User, team: Team, period: selectors.Period | None, **detail: str) -> None:
    if period is not None:
        detail |= {"from": period.start.isoformat(), "to": period.end.isoformat()}
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="discharge.feedback_report",
        object_id=team.pk,
        person_id=None,
        section=SECTION,
        detail=detail,
    )


def _open_report(request: HttpRequest) -> tuple[User, Team, list[Team], PeriodForm]:
    user = user_of(request)
    require(user, DischargeAction.VIEW_FEEDBACK)
    team, teams = _team(request, user)
    default = selectors.Period.last_months(timezone.localdate())
    return user, team, teams, period_form(request.GET, default)


def _chosen_period(form: PeriodForm) -> selectors.Period | None:
    if not form.is_bound:
        start, end = form.initial["start"], form.initial["end"]
        return selectors.Period(start=start, end=end)
    return form.period() if form.is_valid() else None


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("page") or "1"


@require_http_methods(["GET"])
def report(request: HttpRequest) -> HttpResponse:
    user, team, teams, form = _open_report(request)
    period = _chosen_period(form)
    context: dict[str, Any] = {
        "title": "Feedback: how did we do?",
        "team": team,
        "teams": teams,
        "form": form,
        "has_errors": bool(form.errors),
        "public_url": request.build_absolute_uri(reverse("feedback:form", args=[team.pk])),
        "p": p,
    }
    if period is not None:
        summary = selectors.feedback_summary(team=team, period=period)
        page = Paginator(selectors.comments(team=team, period=period), PER_PAGE).get_page(
            _page_number(request)
        )
        context |= {
            "period": period,
            "summary": summary,
            "share_positive": p.percent(summary.share_positive),
            "experience_rows": p.experience_rows(summary),
            "respondent_rows": p.respondent_rows(summary),
            "month_rows": p.month_rows(summary),
            "experience_headings": p.experience_headings(),
            "page": page,
            "comments": p.comment_rows(page.object_list),
            "query": p.period_query(team, period),
        }
        _audit(user, team, period, page=str(page.number))
    else:
        _audit(user, team, None, outcome="period not valid")
    return render(request, "discharge/feedback/report.jinja", context)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheets read the file as UTF-8
    for row in rows:
        yield writer.writerow(row)


@require_http_methods(["GET"])
def report_csv(request: HttpRequest) -> HttpResponseBase:
    user, team, _teams, form = _open_report(request)
    period = _chosen_period(form)
    if period is None:
        # Show the report page, with what is wrong with the dates.
        return redirect(f"{reverse('discharge:feedback_report')}?{request.GET.urlencode()}")
    _audit(user, team, period, format="csv")
    response = StreamingHttpResponse(
        _csv_lines(p.csv_rows(selectors.responses_for_csv(team=team, period=period))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{p.csv_filename(team, period)}"'
    response["Cache-Control"] = "no-store, private"
    return response


urlpatterns: list[URLPattern] = [
    path("feedback/", report, name="feedback_report"),
    path("feedback.csv", report_csv, name="feedback_csv"),
]
public_urlpatterns: list[URLPattern] = [
    path("<uuid:team_pk>/", feedback_form, name="form"),
    path("thanks/", thanks, name="thanks"),
]

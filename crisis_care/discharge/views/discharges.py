"""The discharge itself: the team's discharges list, the discharge (outcome, reason, a reason
for each checklist gap), the summary to the GP and involved services (CORE item 34b: page,
PDF, recorded as sent), addendums and re-referral after discharge, and the 72-hour follow-up
after inpatient discharge (the list, when the person left the ward, why one was missed).

Every page checks the role rule (rules.DischargeAction) and that one of the user's teams
holds the episode (an audited 403 when another team does), and audits the view. Writes are
the services' (services/discharges.py); an ended episode takes no writes except addendums,
re-referral and recording the summary as sent (it is due after the discharge).
"""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_list_view
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.referrals import letters as referral_letters
from crisis_care.treatment.models import Admission, Episode, EpisodeStatus
from crisis_care.treatment.selectors import episodes as episode_selectors
from crisis_care.workforce.models import Team

from ..forms import discharges as f
from ..presenters import discharges as p
from ..rules import DischargeAction, role_may
from ..selectors import discharges as selectors
from ..selectors.checklist import aftercare_checklist
from ..services import discharges as services
from .common import audit_view, episode_or_refuse, refuse, require, require_open, user_of

SECTION = "discharge"
SUMMARY_SECTION = "discharge summary"
FOLLOW_UP_SECTION = "72-hour follow-up"
TEMPLATES = "discharge/discharges"


def _open(
    request: HttpRequest, pk: uuid.UUID, action: DischargeAction, section: str = SECTION
) -> tuple[User, Episode]:
    user = user_of(request)
    require(user, action)
    return user, episode_or_refuse(user, pk, section)


def _aftercare_back(episode: Episode) -> dict[str, str]:
    return {
        "href": reverse("discharge:aftercare", args=[episode.pk]),
        "text": "Back to aftercare and discharge",
    }


def _record_back(episode: Episode) -> dict[str, str]:
    return {
        "href": reverse("discharge:discharge", args=[episode.pk]),
        "text": "Back to the discharge",
    }


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    forms_ = [c for c in context.values() if isinstance(c, forms.BaseForm)]
    context.setdefault(
        "has_errors", any(form.errors for form in forms_) or bool(context.get("stale"))
    )
    return render(request, f"{TEMPLATES}/{template}", context)


def _pick_team(user: User, chosen: str | None) -> tuple[list[Team], Team]:
    teams = selectors.teams_for_list(user=user)
    team = selectors.team_chosen(teams, chosen)
    if team is None:
        raise PermissionDenied("You are not a member of a team, so there is no list to show.")
    return teams, team


# -- The discharges list ---------------------------------------------------------------------


@require_http_methods(["GET"])
def discharges(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, DischargeAction.VIEW)
    teams, team = _pick_team(user, request.GET.get("team"))
    now = timezone.now()
    today = local_date(now)
    filters = f.DischargesFilterForm(request.GET or None)
    overdue_only = filters.overdue_only()
    rows = selectors.team_discharges(team=team, today=today, overdue_only=overdue_only)
    may_follow_up = role_may(user.role, DischargeAction.FOLLOW_UP)
    follow_ups = selectors.team_follow_ups(team=team, now=now) if may_follow_up else []
    audit_list_view(
        actor=user,
        object_type="discharge.discharges",
        object_id=team.pk,
        section="discharges",
        person_ids=[row.episode.person_id for row in rows],
        detail={"overdue_only": overdue_only},
    )
    return _page(
        request,
        "list.jinja",
        {
            "title": "Discharges",
            "team": team,
            "teams": teams,
            "rows": rows,
            "overdue_only": overdue_only,
            "overdue_text": p.overdue_count_text(rows),
            "overdue_count": sum(1 for row in rows if p.is_overdue(row)),
            "may_follow_up": may_follow_up,
            "follow_ups_pending": p.follow_ups_pending(follow_ups, now),
            "follow_ups_text": p.follow_ups_due_text(follow_ups, now),
            "filter_params": form_params.choice_params(filters["overdue"]),
            "p": p,
        },
    )


# -- The discharge ---------------------------------------------------------------------------


def _discharge_record(request: HttpRequest, user: User, episode: Episode) -> HttpResponse:
    discharge = selectors.discharge_for(episode=episode)
    if discharge is None:
        raise Http404("This episode ended without a discharge being recorded")
    audit_view(user, discharge, episode.person_id, SECTION, page="record")
    addendums = selectors.addendums_for(episode=episode)
    re_referrals = selectors.re_referrals_for(episode=episode)
    summaries = selectors.summaries_for(episode=episode)
    today = local_date(timezone.now())
    first_sent = summaries[0].sent_on if summaries else None
    state = selectors.summary_state(
        due_on=discharge.summary_due_on, first_sent_on=first_sent, today=today
    )
    return _page(
        request,
        "record.jinja",
        {
            "title": "Discharge",
            "episode": episode,
            "person": episode.person,
            "discharge": discharge,
            "rows": p.discharge_rows(discharge),
            "checklist_rows": p.checklist_snapshot_rows(discharge),
            "summary_tag": p.summary_tag(
                state, due_on=discharge.summary_due_on, first_sent_on=first_sent
            ),
            "summaries": [p.sent_summary_line(s) for s in summaries],
            "addendums": [
                {"text": a.text, "by": p.written_by_line(a.written_by, a.written_at)}
                for a in addendums
            ],
            "re_referrals": [
                {
                    "text": p.rereferral_line(r.days_after_discharge, r.referral.received_at),
                    "href": reverse("referrals:detail", args=[r.referral_id]),
                }
                for r in re_referrals
            ],
            "may_addendum": role_may(user.role, DischargeAction.ADDENDUM),
            "may_send": role_may(user.role, DischargeAction.SEND_SUMMARY),
            "back_link": _aftercare_back(episode),
        },
    )


@require_http_methods(["GET", "POST"])
def discharge(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, DischargeAction.VIEW)
    episode = episode_or_refuse(user, pk, SECTION)
    if request.method == "GET" and episode.status != EpisodeStatus.OPEN:
        return _discharge_record(request, user, episode)
    require(user, DischargeAction.DISCHARGE)
    require_open(episode)
    checklist = aftercare_checklist(episode=episode)
    form_class = f.discharge_form_for(checklist.gaps)
    stale = False
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.discharge_episode(
                    episode=episode,
                    outcome=data["outcome"],
                    reason=data["reason"],
                    discharged_at=data["discharged_at"],
                    gap_reasons=form.gap_reasons(),
                    expected_version=data["version"] or 0,
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error, f.TIME_FIELDS)
            except StaleEdit:
                current = episode_selectors.episode_for_change(episode=episode)
                form = keep_input_at_current_version(form, current, conflicts=lambda _f, _c: [])
                stale = True
            else:
                messages.success(
                    request,
                    f"{episode.person.full_name} is discharged. Send the summary to their GP "
                    "and the services involved within 3 days.",
                )
                return redirect("discharge:summary", pk=episode.pk)
    else:
        form = form_class(initial={"version": episode.version})
    audit_view(user, episode, episode.person_id, SECTION, page="discharge form")
    return _page(
        request,
        "discharge.jinja",
        {
            "title": "Discharge from home treatment",
            "episode": episode,
            "person": episode.person,
            "checklist": checklist,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "p": p,
            "back_link": _aftercare_back(episode),
        },
    )


# -- The summary to the GP and involved services ------------------------------------------------


def _summary_context(episode: Episode) -> dict[str, Any]:
    record = selectors.summary_record(episode=episode, today=local_date(timezone.now()))
    return p.summary_context(record)


def _summary_body(context: dict[str, Any]) -> str:
    return render_to_string(f"{TEMPLATES}/_summary_body.jinja", {**context, "level": 2})


@require_http_methods(["GET"])
def summary(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user, episode = _open(request, pk, DischargeAction.VIEW, SUMMARY_SECTION)
    context = _summary_context(episode)
    summaries = selectors.summaries_for(episode=episode)
    discharge_ = context["discharge"]
    first_sent = summaries[0].sent_on if summaries else None
    state = selectors.summary_state(
        due_on=discharge_.summary_due_on if discharge_ else None,
        first_sent_on=first_sent,
        today=local_date(timezone.now()),
    )
    audit_view(user, episode, episode.person_id, SUMMARY_SECTION, format="page")
    return _page(
        request,
        "summary.jinja",
        {
            **context,
            "title": "Discharge summary",
            "level": 2,
            "summary_tag": p.summary_tag(
                state,
                due_on=discharge_.summary_due_on if discharge_ else None,
                first_sent_on=first_sent,
            ),
            "summaries": [p.sent_summary_line(s) for s in reversed(summaries)],
            "may_send": role_may(user.role, DischargeAction.SEND_SUMMARY),
            "back_link": _aftercare_back(episode),
        },
    )


@require_http_methods(["GET"])
def summary_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user, episode = _open(request, pk, DischargeAction.VIEW, SUMMARY_SECTION)
    context = _summary_context(episode)
    audit_view(user, episode, episode.person_id, SUMMARY_SECTION, format="pdf")
    today = local_date(timezone.now())
    html = render_to_string(
        f"{TEMPLATES}/summary_pdf.jinja",
        {**context, "title": p.pdf_title(episode, today), "today": today, "level": 2},
    )
    response = HttpResponse(referral_letters.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{p.pdf_filename(today)}"'
    response["Cache-Control"] = "no-store, private"
    return response


def _recipient_choices(episode: Episode) -> list[tuple[str, str]]:
    """The GP practice first, then the services involved and those referred on to."""
    choices: list[tuple[str, str]] = []
    practice = episode.person.gp_practice
    if practice is not None:
        choices.append((f.GP, f"{practice.name} (GP practice)"))
    names: set[str] = set()
    for service in selectors.involved_services_for(episode=episode):
        choices.append((f"service-{service.pk}", service.name))
        names.add(service.name.casefold())
    for referral in selectors.follow_on_referrals(episode=episode):
        if referral.service_name.casefold() not in names:
            choices.append((f"onward-{referral.pk}", referral.service_name))
            names.add(referral.service_name.casefold())
    return choices


@require_http_methods(["GET", "POST"])
def summary_sent(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, DischargeAction.SEND_SUMMARY, SUMMARY_SECTION)
    choices = _recipient_choices(episode)
    form = f.SummarySentForm(
        request.POST if request.method == "POST" else None, recipient_choices=choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.summary_sent_record(
                episode=episode,
                sent_on=data["sent_on"],
                method=data["method"],
                recipients=data["recipient_names"],
                to_gp=data["to_gp"],
                snapshot_html=_summary_body(_summary_context(episode)),
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Recorded: the discharge summary was sent.")
            return redirect("discharge:summary", pk=episode.pk)
    audit_view(user, episode, episode.person_id, SUMMARY_SECTION, page="record sent")
    return _page(
        request,
        "summary_sent.jinja",
        {
            "title": "Record that the discharge summary was sent",
            "episode": episode,
            "person": episode.person,
            "form": form,
            "has_gp": episode.person.gp_practice is not None,
            "method_params": form_params.choice_params(form["method"]),
            "recipients_params": form_params.choice_params(form["recipients"]),
            "back_link": {
                "href": reverse("discharge:summary", args=[episode.pk]),
                "text": "Back to the discharge summary",
            },
        },
    )


# -- After the discharge: addendums and re-referral ----------------------------------------------


def _discharged(episode: Episode) -> Episode:
    if episode.status == EpisodeStatus.OPEN:
        raise PermissionDenied(
            "This episode has not been discharged: while it is open, change the record itself."
        )
    return episode


@require_http_methods(["GET", "POST"])
def addendum(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, DischargeAction.ADDENDUM, "addendum")
    _discharged(episode)
    form = f.AddendumForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.addendum_add(episode=episode, text=form.cleaned_data["text"], by=user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The addendum is saved.")
            return redirect("discharge:discharge", pk=episode.pk)
    audit_view(user, episode, episode.person_id, "addendum", page="add")
    return _page(
        request,
        "addendum.jinja",
        {
            "title": "Add an addendum",
            "episode": episode,
            "person": episode.person,
            "form": form,
            "addendums": [
                {"text": a.text, "by": p.written_by_line(a.written_by, a.written_at)}
                for a in selectors.addendums_for(episode=episode)
            ],
            "back_link": _record_back(episode),
        },
    )


@require_http_methods(["GET", "POST"])
def rerefer(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, DischargeAction.ADDENDUM, "re-referral")
    _discharged(episode)
    initial = {
        "channel": "phone",
        "referrer_phone": episode.person.phone,
    }
    form = f.ReReferralForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.rerefer(
                episode=episode,
                source=data["source"],
                channel=data["channel"],
                referrer_name=data["referrer_name"],
                referrer_phone=data["referrer_phone"],
                reason=data["reason"],
                person_agrees=data["person_agrees"],
                priority=data["priority"],
                priority_reason=data["priority_reason"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"A new referral for {episode.person.full_name} is in the triage queue.",
            )
            return redirect("referrals:detail", pk=link.referral_id)
    audit_view(user, episode, episode.person_id, "re-referral", page="re-refer")
    discharge_ = selectors.discharge_for(episode=episode)
    return _page(
        request,
        "rerefer.jinja",
        {
            "title": "Refer again to the crisis team",
            "episode": episode,
            "person": episode.person,
            "discharge": discharge_,
            "form": form,
            "back_link": _record_back(episode),
        },
    )


# -- The 72-hour follow-up after inpatient discharge --------------------------------------------


@require_http_methods(["GET"])
def follow_ups(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, DischargeAction.FOLLOW_UP)
    teams, team = _pick_team(user, request.GET.get("team"))
    now = timezone.now()
    rows = selectors.team_follow_ups(team=team, now=now)
    waiting = selectors.awaiting_ward_discharge(team=team)
    audit_list_view(
        actor=user,
        object_type="discharge.follow_ups",
        object_id=team.pk,
        section=FOLLOW_UP_SECTION,
        person_ids=[row.admission.person_id for row in rows]
        + [episode.person_id for episode in waiting],
    )
    return _page(
        request,
        "follow_ups.jinja",
        {
            "title": "72-hour follow-up after leaving a ward",
            "team": team,
            "teams": teams,
            "rows": rows,
            "waiting": waiting,
            "now": now,
            "rule": p.FOLLOW_UP_RULE,
            "pending_text": p.follow_ups_due_text(rows, now),
            "p": p,
        },
    )


def _follow_ups_back() -> dict[str, str]:
    return {"href": reverse("discharge:follow_ups"), "text": "Back to the 72-hour follow-ups"}


@require_http_methods(["GET", "POST"])
def ward_discharge(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, DischargeAction.FOLLOW_UP, FOLLOW_UP_SECTION)
    require_open(episode)
    admission = episode.early_discharge_from
    if admission is None:
        raise Http404("This episode is not an early supported discharge from a ward")
    form = f.WardDischargeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ward_discharge_record(
                episode=episode, discharged_at=form.cleaned_data["discharged_at"], by=user
            )
        except ValidationError as error:
            add_service_error(form, error, f.WARD_TIME_FIELDS)
        else:
            messages.success(
                request,
                f"Recorded: {episode.person.full_name} left {admission.ward}. Follow them up "
                "within 72 hours.",
            )
            return redirect("discharge:follow_ups")
    audit_view(user, admission, episode.person_id, FOLLOW_UP_SECTION, page="ward discharge")
    return _page(
        request,
        "ward_discharge.jinja",
        {
            "title": "Record when they left the ward",
            "episode": episode,
            "person": episode.person,
            "admission": admission,
            "form": form,
            "back_link": _follow_ups_back(),
        },
    )


def _follow_up_or_refuse(user: User, pk: uuid.UUID) -> selectors.FollowUp:
    try:
        return selectors.follow_up_for_user(pk=pk, user=user)
    except Admission.DoesNotExist:
        if not selectors.admission_exists(pk=pk):
            raise Http404("No such admission") from None
    refuse(user, object_type="treatment.Admission", pk=pk, section=FOLLOW_UP_SECTION)


@require_http_methods(["GET", "POST"])
def follow_up_missed(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, DischargeAction.FOLLOW_UP)
    follow_up = _follow_up_or_refuse(user, pk)
    admission = follow_up.admission
    if admission.discharged_at is None or follow_up.episode is None:
        raise Http404("The time they left the ward is not recorded yet")
    # The reason belongs to the ward discharge, not the episode: it can be recorded after the
    # team has discharged the person too (the follow-up measure still needs it).
    now = timezone.now()
    form = f.FollowUpMissedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_missed_record(
                follow_up=follow_up, reason=form.cleaned_data["reason"], by=user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The reason the follow-up was missed is saved.")
            return redirect("discharge:follow_ups")
    audit_view(user, admission, admission.person_id, FOLLOW_UP_SECTION, page="missed")
    return _page(
        request,
        "follow_up_missed.jinja",
        {
            "title": "Why was the 72-hour follow-up missed?",
            "person": admission.person,
            "follow_up": follow_up,
            "state_tag": p.follow_up_tag(follow_up, now),
            "detail": p.follow_up_detail(follow_up, now),
            "missed": follow_up.missed(now),
            "form": form,
            "back_link": _follow_ups_back(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("", discharges, name="discharges"),
    path("episodes/<uuid:pk>/summary/", summary, name="summary"),
    path("episodes/<uuid:pk>/summary.pdf", summary_pdf, name="summary_pdf"),
    path("episodes/<uuid:pk>/summary/sent/", summary_sent, name="summary_sent"),
    path("episodes/<uuid:pk>/discharge/", discharge, name="discharge"),
    path("episodes/<uuid:pk>/addendum/", addendum, name="addendum"),
    path("episodes/<uuid:pk>/re-refer/", rerefer, name="rerefer"),
    path("follow-ups/", follow_ups, name="follow_ups"),
    path("episodes/<uuid:pk>/ward-discharge/", ward_discharge, name="ward_discharge"),
    path("admissions/<uuid:pk>/follow-up-missed/", follow_up_missed, name="follow_up_missed"),
]

"""The relapse prevention plan (CORE item 24) and the written discharge plan (CORE 25e–f).

One URL per action: the relapse prevention plan and its form (write or change it,
version-checked); the written discharge plan on screen and as a tagged PDF, each standard or
Easy Read (`?format=easy_read`); recording that it was given (to the person, and to family as
their consent allows); and the one-page crisis-help card, which has nothing personal on it.
Every page checks the role rule and that one of the user's teams holds the episode (an audited
403 otherwise); every view of the record is audited; only an open episode changes.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.concurrency import StaleEdit
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.referrals import letters as referral_letters
from crisis_care.treatment.models import Episode, EpisodeStatus

from ..forms.plans import PlanGivenForm, RelapsePlanForm
from ..models import PlanFormat, RelapsePreventionPlan
from ..presenters import plans as p
from ..rules import DischargeAction, role_may
from ..selectors import plans as selectors
from ..services import plans as services
from .common import audit_view, episode_or_refuse, require, require_open, user_of

RELAPSE_SECTION = services.RELAPSE_SECTION
PLAN_SECTION = services.PLAN_SECTION
RELAPSE_TEXT_FIELDS = ("early_warning_signs", "triggers", "what_helps", "who_to_contact")


def _open_episode(episode: Episode) -> bool:
    return episode.status == EpisodeStatus.OPEN


def _back_to_aftercare(episode: Episode) -> dict[str, str]:
    return {
        "href": reverse("discharge:aftercare", args=[episode.pk]),
        "text": "Back to aftercare planning",
    }


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


# -- The relapse prevention plan ------------------------------------------------------------


@require_http_methods(["GET"])
def relapse_plan(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, DischargeAction.VIEW)
    episode = episode_or_refuse(user, pk, RELAPSE_SECTION)
    plan = selectors.relapse_plan_for_episode(episode=episode)
    audit_view(user, plan or episode, episode.person_id, RELAPSE_SECTION)
    return render(
        request,
        "discharge/plans/relapse_plan.jinja",
        {
            "title": "Relapse prevention plan",
            "episode": episode,
            "person": episode.person,
            "plan": plan,
            "sections": p.relapse_sections(plan),
            "written": p.relapse_written_text(plan) if plan else "",
            "can_write": role_may(user.role, DischargeAction.WRITE_PLANS)
            and _open_episode(episode),
            "open": _open_episode(episode),
            "back_link": _back_to_aftercare(episode),
        },
    )


def _relapse_initial(plan: RelapsePreventionPlan | None) -> dict[str, Any]:
    if plan is None:
        return {"written_with_person": "yes"}
    return {
        "early_warning_signs": plan.early_warning_signs,
        "triggers": plan.triggers,
        "what_helps": plan.what_helps,
        "who_to_contact": plan.who_to_contact,
        "advance_statement": plan.advance_statement,
        "written_with_person": "yes" if plan.written_with_person else "no",
        "version": plan.version,
    }


@require_http_methods(["GET", "POST"])
def relapse_plan_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Write the relapse prevention plan, or change it (version-checked: a stale save keeps
    what was typed and names the parts that differ)."""
    user = user_of(request)
    require(user, DischargeAction.WRITE_PLANS)
    episode = require_open(episode_or_refuse(user, pk, RELAPSE_SECTION))
    plan = selectors.relapse_plan_for_episode(episode=episode)
    stale = False
    if request.method == "POST":
        form = RelapsePlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            text = {name: data[name] for name in RELAPSE_TEXT_FIELDS}
            try:
                if plan is None:
                    services.relapse_plan_create(
                        episode=episode,
                        **text,
                        advance_statement=data["advance_statement"],
                        written_with_person=data["written_with_person"],
                        by=user,
                    )
                else:
                    services.relapse_plan_update(
                        plan=plan,
                        **text,
                        advance_statement=data["advance_statement"],
                        written_with_person=data["written_with_person"],
                        # A form opened before the plan existed carries no version.
                        expected_version=int(data.get("version") or 0),
                        by=user,
                    )
            except StaleEdit:
                current = selectors.relapse_plan_for_episode(episode=episode)
                assert current is not None
                form, stale = keep_input_at_current_version(form, current), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Relapse prevention plan saved.")
                return redirect("discharge:relapse_plan", pk=episode.pk)
    else:
        audit_view(user, plan or episode, episode.person_id, RELAPSE_SECTION, page="edit")
        form = RelapsePlanForm(initial=_relapse_initial(plan))
    return render(
        request,
        "discharge/plans/relapse_plan_form.jinja",
        {
            "title": "Change the relapse prevention plan"
            if plan
            else "Write the relapse prevention plan",
            "episode": episode,
            "person": episode.person,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "written_with_params": form_params.choice_params(
                form["written_with_person"], {"classes": "nhsuk-radios--inline"}
            ),
            "back_link": {
                "href": reverse("discharge:relapse_plan", args=[episode.pk]),
                "text": "Back to the relapse prevention plan",
            },
        },
    )


# -- The written discharge plan -------------------------------------------------------------


def _plan_context(request: HttpRequest, episode: Episode, fmt: str) -> dict[str, Any]:
    """What the plan the person keeps says: the same for the page, the PDF and the copy kept
    when it is given."""
    content = selectors.discharge_plan_content(episode=episode)
    crisis = p.crisis_entries(content.crisis_services)
    return {
        "format": fmt,
        "easy_read": fmt == PlanFormat.EASY_READ,
        "episode": episode,
        "person": episode.person,
        "team": content.team,
        "team_phone": p.team_phone(content.team.phone, crisis),
        "today": content.today,
        "support": p.support_entries(content.follow_on),
        "follow_on": content.follow_on,
        "gp": p.gp_entry(content.gp_practice),
        "relapse_plan": content.relapse_plan,
        "relapse": p.relapse_sections(content.relapse_plan),
        "medication": p.medication_lines(content.medication),
        "appointments": p.appointments(content.follow_on, content.meeting, content.now),
        "crisis": crisis,
        "feedback_url": request.build_absolute_uri(
            reverse("feedback:form", args=[episode.team_id])
        ),
    }


def _plan_body(context: dict[str, Any]) -> str:
    template = (
        "discharge/plans/_plan_body_easy_read.jinja"
        if context["easy_read"]
        else "discharge/plans/_plan_body.jinja"
    )
    return render_to_string(template, {**context, "level": 2})


@require_http_methods(["GET"])
def discharge_plan(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, DischargeAction.VIEW)
    episode = episode_or_refuse(user, pk, PLAN_SECTION)
    fmt = p.plan_format(request.GET.get("format"))
    audit_view(user, episode, episode.person_id, PLAN_SECTION, format=f"page {fmt}")
    context = _plan_context(request, episode, fmt)
    copies = p.family_copies(selectors.contacts_for_person(episode=episode))
    given = selectors.plans_given(episode=episode)
    return render(
        request,
        "discharge/plans/discharge_plan.jinja",
        {
            **context,
            "title": p.TITLE,
            "copies": copies,
            "plan_names": [p.contact_name(c) for c in copies.plan],
            "card_names": [p.contact_name(c) for c in copies.card],
            "given": [p.given_summary(g) for g in reversed(given)],
            "can_record": role_may(user.role, DischargeAction.WRITE_PLANS)
            and _open_episode(episode),
            "open": _open_episode(episode),
            "no_follow_on": services.NO_FOLLOW_ON,
            "back_link": _back_to_aftercare(episode),
        },
    )


@require_http_methods(["GET"])
def discharge_plan_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, DischargeAction.VIEW)
    episode = episode_or_refuse(user, pk, PLAN_SECTION)
    fmt = p.plan_format(request.GET.get("format"))
    audit_view(user, episode, episode.person_id, PLAN_SECTION, format=f"pdf {fmt}")
    context = _plan_context(request, episode, fmt)
    html = render_to_string(
        "discharge/plans/plan_pdf.jinja",
        {**context, "title": p.pdf_title(episode.team.name, context["today"], fmt), "level": 2},
    )
    return _pdf_response(referral_letters.render_pdf(html), p.pdf_filename(context["today"], fmt))


def _choice_items_for(params: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    """Offer only the family consent allows (a choice already made stays checked, so a
    refusal can be read against it)."""
    params["items"] = [i for i in params["items"] if i["value"] in allowed or i.get("checked")]
    return params


@require_http_methods(["GET", "POST"])
def discharge_plan_given(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, DischargeAction.WRITE_PLANS)
    episode = require_open(episode_or_refuse(user, pk, PLAN_SECTION))
    contacts = selectors.contacts_for_person(episode=episode)
    copies = p.family_copies(contacts)
    form = PlanGivenForm(
        request.POST if request.method == "POST" else None,
        contacts=[(str(c.pk), p.contact_name(c)) for c in contacts],
        initial={
            "given_on": timezone.localdate(),
            "to_person": "yes",
            "format": PlanFormat.EASY_READ if episode.person.easy_read else PlanFormat.STANDARD,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fmt = p.plan_format(data["format"])
        try:
            services.discharge_plan_given_record(
                episode=episode,
                given_on=data["given_on"],
                method=data["method"],
                format=fmt,
                to_person=data["to_person"],
                plan_contact_ids=data["plan_to_contacts"],
                card_contact_ids=data["crisis_card_to_contacts"],
                snapshot_html=_plan_body(_plan_context(request, episode, fmt)),
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Recorded that the written discharge plan was given.")
            return redirect("discharge:discharge_plan", pk=episode.pk)
    if request.method == "GET":
        audit_view(user, episode, episode.person_id, PLAN_SECTION, page="record given")
    follow_on = selectors.follow_on_support(episode=episode)
    return render(
        request,
        "discharge/plans/given_form.jinja",
        {
            "title": "Record that the written discharge plan was given",
            "episode": episode,
            "person": episode.person,
            "form": form,
            "has_errors": bool(form.errors),
            "follow_on_named": p.follow_on_named(follow_on),
            "no_follow_on": services.NO_FOLLOW_ON,
            "method_params": form_params.choice_params(form["method"]),
            "format_params": form_params.choice_params(form["format"]),
            "to_person_params": form_params.choice_params(
                form["to_person"], {"classes": "nhsuk-radios--inline"}
            ),
            "plan_params": _choice_items_for(
                form_params.choice_params(form["plan_to_contacts"]),
                {str(c.pk) for c in copies.plan},
            ),
            "card_params": _choice_items_for(
                form_params.choice_params(form["crisis_card_to_contacts"]),
                {str(c.pk) for c in copies.card},
            ),
            "copies": copies,
            "back_link": {
                "href": reverse("discharge:discharge_plan", args=[episode.pk]),
                "text": "Back to the written discharge plan",
            },
        },
    )


# -- The crisis-help card -------------------------------------------------------------------


@require_http_methods(["GET"])
def crisis_card_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """'How to get help in a crisis' on one page, for the person and for family with consent
    to general information: the directory's crisis services and the team, nothing about the
    person."""
    user = user_of(request)
    require(user, DischargeAction.VIEW)
    episode = episode_or_refuse(user, pk, PLAN_SECTION)
    audit_view(user, episode, episode.person_id, PLAN_SECTION, format="crisis card pdf")
    team = episode.team
    crisis = p.crisis_entries(selectors.crisis_help_services())
    html = render_to_string(
        "discharge/plans/crisis_card_pdf.jinja",
        {
            "title": p.card_pdf_title(team.name),
            "heading": p.CARD_TITLE,
            "team": team,
            "team_phone": p.team_phone(team.phone, crisis),
            "crisis": crisis,
        },
    )
    return _pdf_response(referral_letters.render_pdf(html), p.card_pdf_filename())


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:pk>/relapse-prevention-plan/", relapse_plan, name="relapse_plan"),
    path(
        "episodes/<uuid:pk>/relapse-prevention-plan/edit/",
        relapse_plan_edit,
        name="relapse_plan_edit",
    ),
    path("episodes/<uuid:pk>/discharge-plan/", discharge_plan, name="discharge_plan"),
    path("episodes/<uuid:pk>/discharge-plan.pdf", discharge_plan_pdf, name="discharge_plan_pdf"),
    path(
        "episodes/<uuid:pk>/discharge-plan/given/",
        discharge_plan_given,
        name="discharge_plan_given",
    ),
    path("episodes/<uuid:pk>/crisis-help.pdf", crisis_card_pdf, name="crisis_card_pdf"),
]

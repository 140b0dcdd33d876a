"""The care plan (CORE item 20) and the written treatment plan (item 12b).

One URL per action: the plan page; starting the plan; its strengths and preferences; adding,
editing and re-statusing goals; recording progress; adding, editing and stopping
interventions; the written plan (page and PDF) and recording that it was given. Every page
checks the role rule and that one of the user's teams holds the episode (an audited 403 when
another team does); every view of the record is audited; edits are version-checked.
"""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.directory import selectors as directory_selectors
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.referrals import letters as referral_letters

from ..forms.careplans import (
    NO_FAMILY,
    CarePlanForm,
    GoalForm,
    GoalStatusForm,
    InterventionForm,
    ProgressForm,
    StopForm,
    WrittenPlanGivenForm,
)
from ..models import CarePlan, Episode, EpisodeStatus, Goal, GoalStatus, Intervention
from ..presenters import careplans as p
from ..rules import TreatmentAction, role_may
from ..selectors import careplans as selectors
from ..services import careplans as services
from .common import audit_view, episode_or_refuse, refuse, require, user_of

SECTION = "care plan"
WRITTEN_SECTION = "written treatment plan"

F = TypeVar("F", bound=forms.Form)


# -- Shared -------------------------------------------------------------------------------


def _can(user: User) -> dict[str, bool]:
    return {
        "write": role_may(user.role, TreatmentAction.WRITE_CARE_PLAN),
        "progress": role_may(user.role, TreatmentAction.RECORD_PROGRESS),
    }


def _plan_or_redirect(request: HttpRequest, episode: Episode) -> CarePlan | None:
    plan = selectors.care_plan_for_episode(episode=episode)
    if plan is None:
        messages.info(request, "Start the care plan first.")
    return plan


def _goal_or_refuse(user: User, pk: uuid.UUID) -> Goal:
    try:
        return selectors.goal_for_user(pk=pk, user=user)
    except Goal.DoesNotExist:
        if not selectors.goal_exists(pk=pk):
            raise Http404("No such goal") from None
    refuse(user, object_type="treatment.Goal", pk=pk, section=SECTION)


def _intervention_or_refuse(user: User, pk: uuid.UUID) -> Intervention:
    try:
        return selectors.intervention_for_user(pk=pk, user=user)
    except Intervention.DoesNotExist:
        if not selectors.intervention_exists(pk=pk):
            raise Http404("No such intervention") from None
    refuse(user, object_type="treatment.Intervention", pk=pk, section=SECTION)


def _back_to_plan(episode: Episode) -> dict[str, str]:
    return {
        "href": reverse("treatment:care_plan", args=[episode.pk]),
        "text": "Back to the care plan",
    }


def _form_page(
    request: HttpRequest,
    template: str,
    *,
    title: str,
    episode: Episode,
    form: forms.Form,
    stale: bool = False,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        f"treatment/careplan/{template}",
        {
            "title": title,
            "episode": episode,
            "person": episode.person,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": _back_to_plan(episode),
            **context,
        },
        status=status,
    )


def _version(form: forms.Form) -> int:
    return int(form.cleaned_data.get("version") or 0)


# -- The plan page ------------------------------------------------------------------------


@require_http_methods(["GET"])
def care_plan(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    episode = episode_or_refuse(user, pk, SECTION)
    plan = selectors.care_plan_for_episode(episode=episode)
    audit_view(user, plan or episode, episode.person_id, SECTION)
    context: dict[str, Any] = {
        "title": "Care plan",
        "episode": episode,
        "person": episode.person,
        "plan": plan,
        "can": _can(user),
        "open": episode.status == EpisodeStatus.OPEN,
        "back_link": {
            "href": reverse("treatment:episode", args=[episode.pk]),
            "text": "Back to home treatment",
        },
    }
    if plan is not None:
        given = list(plan.given.all())
        active = p.active_interventions(plan)
        context.update(
            {
                "cards": p.goal_cards(plan),
                "active": active,
                "stopped": p.stopped_interventions(plan),
                "medication_and_risk_only": p.medication_and_risk_only(active),
                "due": p.written_plan_due(started_at=episode.started_at, given=given),
                "given": [p.given_summary(g) for g in reversed(given)],
                "paused": [i for i in active if p.family_role_paused(i)],
                "p": p,
            }
        )
    return render(request, "treatment/careplan/plan.jinja", context)


@require_POST
def care_plan_create(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    episode = episode_or_refuse(user, pk, SECTION)
    try:
        services.care_plan_create(episode=episode, by=user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    except IntegrityError:
        # Someone else started it a moment before: theirs is the plan.
        messages.info(request, "Someone else started the care plan a moment ago.")
    else:
        messages.success(request, "Care plan started. Add the person's goals, in their own words.")
    return redirect("treatment:care_plan", pk=episode.pk)


@require_http_methods(["GET", "POST"])
def care_plan_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Strengths and treatment preferences (version-checked)."""
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    episode = episode_or_refuse(user, pk, SECTION)
    plan = _plan_or_redirect(request, episode)
    if plan is None:
        return redirect("treatment:care_plan", pk=episode.pk)
    stale = False
    if request.method == "POST":
        form = CarePlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.care_plan_update(
                    care_plan=plan,
                    strengths=data["strengths"],
                    preferences=data["preferences"],
                    written_with_person=data["written_with_person"],
                    expected_version=_version(form),
                    by=user,
                )
            except StaleEdit:
                current = selectors.care_plan_for_episode(episode=episode)
                assert current is not None
                form, stale = keep_input_at_current_version(form, current), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Strengths and preferences saved.")
                return redirect("treatment:care_plan", pk=episode.pk)
    else:
        audit_view(user, plan, episode.person_id, SECTION)
        form = CarePlanForm(
            initial={
                "strengths": plan.strengths,
                "preferences": plan.preferences,
                "written_with_person": "yes" if plan.written_with_person else "no",
                "version": plan.version,
            }
        )
    return _form_page(
        request,
        "about_form.jinja",
        title="Strengths and preferences",
        episode=episode,
        form=form,
        stale=stale,
        written_with_params=form_params.choice_params(
            form["written_with_person"], {"classes": "nhsuk-radios--inline"}
        ),
    )


# -- Goals --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    episode = episode_or_refuse(user, pk, SECTION)
    plan = _plan_or_redirect(request, episode)
    if plan is None:
        return redirect("treatment:care_plan", pk=episode.pk)
    form = GoalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_add(
                care_plan=plan,
                need=form.cleaned_data["need"],
                goal=form.cleaned_data["goal"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Goal added.")
            return redirect("treatment:care_plan", pk=episode.pk)
    if request.method == "GET":
        audit_view(user, plan, episode.person_id, SECTION)
    return _form_page(request, "goal_form.jinja", title="Add a goal", episode=episode, form=form)


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    goal = _goal_or_refuse(user, pk)
    episode = goal.care_plan.episode
    stale = False
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                services.goal_update(
                    goal=goal,
                    need=form.cleaned_data["need"],
                    goal_text=form.cleaned_data["goal"],
                    expected_version=_version(form),
                    by=user,
                )
            except StaleEdit:
                current = selectors.goal_for_user(pk=goal.pk, user=user)
                form, stale = keep_input_at_current_version(form, current), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Goal saved.")
                return redirect("treatment:care_plan", pk=episode.pk)
    else:
        audit_view(user, goal, episode.person_id, SECTION)
        form = GoalForm(initial={"need": goal.need, "goal": goal.goal, "version": goal.version})
    return _form_page(
        request,
        "goal_form.jinja",
        title="Edit a goal",
        episode=episode,
        form=form,
        stale=stale,
        goal=goal,
    )


@require_http_methods(["GET", "POST"])
def goal_status(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    goal = _goal_or_refuse(user, pk)
    episode = goal.care_plan.episode
    form = GoalStatusForm(
        request.POST if request.method == "POST" else None, initial={"status": goal.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_status_change(
                goal=goal,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Goal status changed.")
            return redirect("treatment:care_plan", pk=episode.pk)
    if request.method == "GET":
        audit_view(user, goal, episode.person_id, SECTION)
    return _form_page(
        request,
        "goal_status.jinja",
        title="Change a goal's status",
        episode=episode,
        form=form,
        goal=goal,
        status_params=form_params.choice_params(form["status"]),
    )


@require_http_methods(["GET", "POST"])
def goal_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.RECORD_PROGRESS)
    goal = _goal_or_refuse(user, pk)
    episode = goal.care_plan.episode
    form = ProgressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_progress_record(
                goal=goal,
                progress=form.cleaned_data["progress"],
                note=form.cleaned_data["note"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Progress recorded.")
            return redirect("treatment:care_plan", pk=episode.pk)
    if request.method == "GET":
        audit_view(user, goal, episode.person_id, SECTION)
    return _form_page(
        request,
        "progress_form.jinja",
        title="Record progress",
        episode=episode,
        form=form,
        goal=goal,
        progress_params=form_params.choice_params(form["progress"]),
    )


# -- Interventions ------------------------------------------------------------------------


def _intervention_choices(episode: Episode, plan: CarePlan) -> dict[str, Any]:
    goals = [(str(g.pk), p.goal_choice_label(g)) for g in plan.goals.all()]
    staff = [
        (str(s.pk), f"{p.person_name(s.user)}, {s.job_title}")
        for s in selectors.team_staff(episode=episode)
    ]
    contacts = selectors.contacts_for_person(person=episode.person)
    sharing = [(str(c.pk), p.contact_name(c)) for c in contacts if services.may_see_care_plan(c)]
    return {
        "goals": goals,
        "staff": staff,
        "contacts": sharing,
        "not_sharing": p.contacts_not_sharing(contacts),
        "needs": {str(g.pk): " ".join(g.need.split()) for g in plan.goals.all()},
    }


def _keep_input(
    form: F, current: Any, make: Callable[[Any], F], conflicts: Callable[[F, Any], list[str]]
) -> F:
    """Like nhsuk_forms.stale.keep_input_at_current_version, for a form built with choices."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["version"] = str(current.version)
    kept = make(data)
    kept.is_valid()
    kept.conflicts = conflicts(kept, current)  # type: ignore[attr-defined]
    return kept


def _intervention_conflicts(form: InterventionForm, current: Intervention) -> list[str]:
    data = getattr(form, "cleaned_data", {})
    labels = []
    if "kind" in data and data["kind"] != current.kind:
        labels.append(str(form.fields["kind"].label))
    if "detail" in data and data["detail"] != current.detail:
        labels.append(str(form.fields["detail"].label))
    if "goals" in data and set(data["goals"]) != {str(g.pk) for g in current.goals.all()}:
        labels.append(str(form.fields["goals"].label))
    if "lead" in data and (data["lead"] or None) != (
        str(current.lead_id) if current.lead_id else None
    ):
        labels.append(str(form.fields["lead"].label))
    family = data.get("family_member")
    family = None if family in (None, "", NO_FAMILY) else family
    current_family = str(current.family_member_id) if current.family_member_id else None
    if "family_member" in data and family != current_family:
        labels.append(str(form.fields["family_member"].label))
    return labels


def _intervention_kwargs(form: InterventionForm, episode: Episode) -> dict[str, Any]:
    """The chosen lead and family member as records (None when not chosen)."""
    data = form.cleaned_data
    staff = {str(s.pk): s for s in selectors.team_staff(episode=episode)}
    contacts = {str(c.pk): c for c in selectors.contacts_for_person(person=episode.person)}
    family = data.get("family_member") or NO_FAMILY
    return {
        "kind": data["kind"],
        "detail": data["detail"],
        "goal_ids": data["goals"],
        "lead": staff.get(data.get("lead") or ""),
        "family_member": None if family == NO_FAMILY else contacts.get(family),
    }


def _intervention_page(
    request: HttpRequest,
    *,
    title: str,
    episode: Episode,
    form: InterventionForm,
    choices: dict[str, Any],
    stale: bool = False,
    intervention: Intervention | None = None,
) -> HttpResponse:
    goal_params = form_params.choice_params(form["goals"])
    for item in goal_params["items"]:
        need = choices["needs"].get(item["value"])
        if need:
            item["hint"] = {"text": f"What I need help with: {need}"}
    family_params = form_params.choice_params(form["family_member"])
    return _form_page(
        request,
        "intervention_form.jinja",
        title=title,
        episode=episode,
        form=form,
        stale=stale,
        intervention=intervention,
        kind_groups=p.kind_choice_groups(form["kind"].value()),
        goal_params=goal_params,
        lead_params=form_params.select_params(form["lead"]),
        family_params=family_params,
        not_sharing=choices["not_sharing"],
    )


def _intervention_form(data: Any, choices: dict[str, Any], **kwargs: Any) -> InterventionForm:
    return InterventionForm(
        data, goals=choices["goals"], staff=choices["staff"], contacts=choices["contacts"], **kwargs
    )


@require_http_methods(["GET", "POST"])
def intervention_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    episode = episode_or_refuse(user, pk, SECTION)
    plan = _plan_or_redirect(request, episode)
    if plan is None:
        return redirect("treatment:care_plan", pk=episode.pk)
    if not plan.goals.all():
        messages.info(request, "Add a goal first: each intervention serves at least one goal.")
        return redirect("treatment:care_plan", pk=episode.pk)
    choices = _intervention_choices(episode, plan)
    form = _intervention_form(
        request.POST if request.method == "POST" else None,
        choices,
        initial={"family_member": NO_FAMILY},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_add(
                care_plan=plan, by=user, **_intervention_kwargs(form, episode)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Intervention added.")
            return redirect("treatment:care_plan", pk=episode.pk)
    if request.method == "GET":
        audit_view(user, plan, episode.person_id, SECTION)
    return _intervention_page(
        request, title="Add an intervention", episode=episode, form=form, choices=choices
    )


@require_http_methods(["GET", "POST"])
def intervention_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    intervention = _intervention_or_refuse(user, pk)
    episode = intervention.care_plan.episode
    plan = selectors.care_plan_for_episode(episode=episode)
    assert plan is not None
    if intervention.stopped_at is not None:
        messages.info(request, "This intervention has stopped, so it can no longer be changed.")
        return redirect("treatment:care_plan", pk=episode.pk)
    choices = _intervention_choices(episode, plan)
    stale = False
    if request.method == "POST":
        form = _intervention_form(request.POST, choices)
        if form.is_valid():
            try:
                services.intervention_update(
                    intervention=intervention,
                    expected_version=_version(form),
                    by=user,
                    **_intervention_kwargs(form, episode),
                )
            except StaleEdit:
                current = selectors.intervention_for_user(pk=intervention.pk, user=user)
                form = _keep_input(
                    form,
                    current,
                    lambda data: _intervention_form(data, choices),
                    _intervention_conflicts,
                )
                stale = True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Intervention saved.")
                return redirect("treatment:care_plan", pk=episode.pk)
    else:
        audit_view(user, intervention, episode.person_id, SECTION)
        form = _intervention_form(
            None,
            choices,
            initial={
                "kind": intervention.kind,
                "detail": intervention.detail,
                "goals": [str(g.pk) for g in intervention.goals.all()],
                "lead": str(intervention.lead_id) if intervention.lead_id else "",
                "family_member": str(intervention.family_member_id)
                if intervention.family_member_id
                else NO_FAMILY,
                "version": intervention.version,
            },
        )
    return _intervention_page(
        request,
        title="Edit an intervention",
        episode=episode,
        form=form,
        choices=choices,
        stale=stale,
        intervention=intervention,
    )


@require_http_methods(["GET", "POST"])
def intervention_stop(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    intervention = _intervention_or_refuse(user, pk)
    episode = intervention.care_plan.episode
    if intervention.stopped_at is not None:
        messages.info(request, "This intervention has already stopped.")
        return redirect("treatment:care_plan", pk=episode.pk)
    stale = False
    if request.method == "POST":
        form = StopForm(request.POST)
        if form.is_valid():
            try:
                services.intervention_stop(
                    intervention=intervention, expected_version=_version(form), by=user
                )
            except StaleEdit:
                intervention = selectors.intervention_for_user(pk=intervention.pk, user=user)
                form, stale = StopForm(initial={"version": intervention.version}), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Intervention stopped. It stays in the plan's history.")
                return redirect("treatment:care_plan", pk=episode.pk)
    else:
        audit_view(user, intervention, episode.person_id, SECTION)
        form = StopForm(initial={"version": intervention.version})
    return _form_page(
        request,
        "intervention_stop.jinja",
        title="Stop an intervention",
        episode=episode,
        form=form,
        stale=stale,
        intervention=intervention,
        kind=p.kind_label(intervention.kind),
        stale_message=(
            "Someone changed this intervention while you were looking at it, so it has not "
            "been stopped. Check it below, then stop it again if you still want to."
        ),
    )


# -- The written treatment plan -----------------------------------------------------------


def _written_plan_context(episode: Episode, plan: CarePlan) -> dict[str, Any]:
    """What the plan the person keeps says: the same for the page, the PDF and the snapshot
    kept when it is given."""
    cards = p.goal_cards(plan)
    active = p.active_interventions(plan)
    today = timezone.localdate()
    return {
        "episode": episode,
        "person": episode.person,
        "team": episode.team,
        "plan": plan,
        "today": today,
        "goals": [c for c in cards if c.goal.status == GoalStatus.ACTIVE],
        "achieved": [c for c in cards if c.goal.status == GoalStatus.ACHIEVED],
        "interventions": [p.written_intervention(i) for i in active],
        "named_worker": p.named_worker_text(episode),
        "crisis_help": p.crisis_help_lines(directory_selectors.crisis_help_services()),
        "visits": [p.visit_line(v) for v in selectors.planned_visits(episode=episode)],
        "medication": [p.medication_line(m) for m in selectors.current_medication(episode=episode)],
    }


def _written_plan_body(context: dict[str, Any]) -> str:
    return render_to_string("treatment/careplan/_written_plan_body.jinja", {**context, "level": 2})


@require_http_methods(["GET"])
def written_plan(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    episode = episode_or_refuse(user, pk, WRITTEN_SECTION)
    plan = _plan_or_redirect(request, episode)
    if plan is None:
        return redirect("treatment:care_plan", pk=episode.pk)
    audit_view(user, plan, episode.person_id, WRITTEN_SECTION, format="page")
    context = _written_plan_context(episode, plan)
    contacts = selectors.contacts_for_person(person=episode.person)
    given = list(plan.given.all())
    return render(
        request,
        "treatment/careplan/written_plan.jinja",
        {
            **context,
            "title": "My home treatment plan",
            "can": _can(user),
            "due": p.written_plan_due(started_at=episode.started_at, given=given),
            "given": [p.given_summary(g) for g in reversed(given)],
            "sharing": [p.contact_name(c) for c in contacts if services.may_see_care_plan(c)],
            "not_sharing": p.contacts_not_sharing(contacts),
            "paused": [i for i in p.active_interventions(plan) if p.family_role_paused(i)],
            "back_link": _back_to_plan(episode),
        },
    )


@require_http_methods(["GET"])
def written_plan_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    episode = episode_or_refuse(user, pk, WRITTEN_SECTION)
    plan = selectors.care_plan_for_episode(episode=episode)
    if plan is None:
        raise Http404("There is no care plan yet")
    audit_view(user, plan, episode.person_id, WRITTEN_SECTION, format="pdf")
    context = _written_plan_context(episode, plan)
    html = render_to_string(
        "treatment/careplan/written_plan_pdf.jinja",
        {**context, "title": p.pdf_title(episode, context["today"]), "level": 2},
    )
    response = HttpResponse(referral_letters.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{p.pdf_filename(context["today"])}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
def written_plan_given(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.WRITE_CARE_PLAN)
    episode = episode_or_refuse(user, pk, WRITTEN_SECTION)
    plan = _plan_or_redirect(request, episode)
    if plan is None:
        return redirect("treatment:care_plan", pk=episode.pk)
    contacts = selectors.contacts_for_person(person=episode.person)
    sharing = [(str(c.pk), p.contact_name(c)) for c in contacts if services.may_see_care_plan(c)]
    form = WrittenPlanGivenForm(
        request.POST if request.method == "POST" else None,
        contacts=sharing,
        initial={"given_on": timezone.localdate(), "to_person": "yes"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.written_plan_given_record(
                care_plan=plan,
                given_on=data["given_on"],
                method=data["method"],
                to_person=data["to_person"],
                contact_ids=data["to_contacts"],
                snapshot_html=_written_plan_body(_written_plan_context(episode, plan)),
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Recorded that the written treatment plan was given.")
            return redirect("treatment:care_plan", pk=episode.pk)
    if request.method == "GET":
        audit_view(user, plan, episode.person_id, WRITTEN_SECTION, format="record given")
    return _form_page(
        request,
        "given_form.jinja",
        title="Record that the written plan was given",
        episode=episode,
        form=form,
        method_params=form_params.choice_params(form["method"]),
        to_person_params=form_params.choice_params(
            form["to_person"], {"classes": "nhsuk-radios--inline"}
        ),
        contacts_params=form_params.choice_params(form["to_contacts"]),
        has_sharing=bool(sharing),
        not_sharing=p.contacts_not_sharing(contacts),
        due=p.written_plan_due(started_at=episode.started_at, given=list(plan.given.all())),
        back_link={
            "href": reverse("treatment:written_plan", args=[episode.pk]),
            "text": "Back to the written plan",
        },
    )


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:pk>/care-plan/", care_plan, name="care_plan"),
    path("episodes/<uuid:pk>/care-plan/start/", care_plan_create, name="care_plan_create"),
    path("episodes/<uuid:pk>/care-plan/about/", care_plan_edit, name="care_plan_edit"),
    path("episodes/<uuid:pk>/care-plan/goals/new/", goal_add, name="goal_add"),
    path("care-plan/goals/<uuid:pk>/edit/", goal_edit, name="goal_edit"),
    path("care-plan/goals/<uuid:pk>/status/", goal_status, name="goal_status"),
    path("care-plan/goals/<uuid:pk>/progress/", goal_progress, name="goal_progress"),
    path(
        "episodes/<uuid:pk>/care-plan/interventions/new/",
        intervention_add,
        name="intervention_add",
    ),
    path("care-plan/interventions/<uuid:pk>/edit/", intervention_edit, name="intervention_edit"),
    path("care-plan/interventions/<uuid:pk>/stop/", intervention_stop, name="intervention_stop"),
    path("episodes/<uuid:pk>/written-plan/", written_plan, name="written_plan"),
    path("episodes/<uuid:pk>/written-plan.pdf", written_plan_pdf, name="written_plan_pdf"),
    path("episodes/<uuid:pk>/written-plan/given/", written_plan_given, name="written_plan_given"),
]

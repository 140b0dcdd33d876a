"""Aftercare planning (CORE item 25 a–d): the aftercare page with its checklist, the other
services involved, the referrals on and the discharge meeting. One URL per action.

Reading needs DischargeAction.VIEW, every change PLAN_AFTERCARE; the episode must be held by
one of the user's teams (another team's is an audited 403) and be open for any change (a
discharged episode's page is shown read-only). Every page is audited as a view of the person's
record; every change is audited by its service. Edits are version-checked: a stale save is
refused with a message and what was typed is kept.
"""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from crisis_care.core.clock import LONDON
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.people.models import Contact
from crisis_care.treatment.models import Episode, EpisodeStatus
from crisis_care.treatment.selectors.carers import may_share_care_plan

from ..forms.aftercare import (
    SERVICE_FIELDS,
    InvolvedServiceForm,
    MeetingArrangeForm,
    MeetingCancelForm,
    MeetingRecordForm,
    OnwardReferralForm,
    OnwardReferralStatusForm,
)
from ..models import (
    DischargeMeeting,
    InvolvedService,
    MeetingStatus,
    OnwardReferral,
    OnwardReferralStatus,
)
from ..presenters import aftercare as p
from ..rules import DischargeAction, role_may
from ..selectors import aftercare as selectors
from ..selectors.checklist import aftercare_checklist
from ..services import aftercare as services
from .common import audit_view, episode_or_refuse, refuse, require, require_open, user_of

SECTION = "aftercare"

M = TypeVar("M", bound=models.Model)


# -- Shared -------------------------------------------------------------------------------


def _aftercare_url(episode: Episode, anchor: str = "") -> str:
    url = reverse("discharge:aftercare", args=[episode.pk])
    return f"{url}#{anchor}" if anchor else url


def _back(episode: Episode) -> dict[str, str]:
    return {"href": _aftercare_url(episode), "text": "Back to aftercare and discharge"}


def _episode_for_change(request: HttpRequest, pk: uuid.UUID) -> tuple[User, Episode]:
    user = user_of(request)
    require(user, DischargeAction.PLAN_AFTERCARE)
    return user, require_open(episode_or_refuse(user, pk, SECTION))


def _child_or_refuse(
    user: User,
    pk: uuid.UUID,
    *,
    found: Callable[..., M],
    exists: Callable[..., bool],
    object_type: str,
    what: str,
) -> M:
    """A record in an episode one of the user's teams holds; 404 if there is none; an audited
    403 if another team holds it."""
    try:
        return found(pk=pk, user=user)
    except models.ObjectDoesNotExist:
        if not exists(pk=pk):
            raise Http404(f"No such {what}") from None
    refuse(user, object_type=object_type, pk=pk, section=SECTION)


def _form_page(
    request: HttpRequest,
    template: str,
    *,
    user: User,
    episode: Episode,
    form: forms.Form,
    title: str,
    obj: Any = None,
    stale: bool = False,
    **extra: Any,
) -> HttpResponse:
    audit_view(
        user, obj or episode, episode.person_id, SECTION, page=template.removesuffix(".jinja")
    )
    return render(
        request,
        f"discharge/aftercare/{template}",
        {
            "title": title,
            "episode": episode,
            "person": episode.person,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": _back(episode),
            "p": p,
            **extra,
        },
    )


def _version(form: forms.Form) -> int:
    return int(form.cleaned_data.get("version") or 0)


def _service_params(form: forms.Form) -> dict[str, Any]:
    """The directory's services as a select, "not in the directory" first."""
    return form_params.select_params(form["service"])


def _not_arranged(request: HttpRequest, meeting: DischargeMeeting) -> HttpResponseBase | None:
    """A held or cancelled meeting cannot be recorded or cancelled again: back to the page."""
    if request.method == "GET" and meeting.status != MeetingStatus.ARRANGED:
        messages.info(
            request, f"That discharge meeting was {meeting.get_status_display().lower()}."
        )
        return redirect(_aftercare_url(meeting.episode, "discharge-meeting"))
    return None


# -- The aftercare page -------------------------------------------------------------------


@require_http_methods(["GET"])
def aftercare(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, DischargeAction.VIEW)
    episode = episode_or_refuse(user, pk, SECTION)
    person = episode.person
    checklist = aftercare_checklist(episode=episode)
    records = selectors.aftercare_records(episode=episode)
    read_only = episode.status != EpisodeStatus.OPEN
    can_plan = not read_only and role_may(user.role, DischargeAction.PLAN_AFTERCARE)
    audit_view(user, episode, person.pk, SECTION, page="aftercare")
    return render(
        request,
        "discharge/aftercare/page.jinja",
        {
            "title": "Aftercare and discharge",
            "episode": episode,
            "person": person,
            "progress": p.progress(checklist),
            "task_items": p.checklist_task_items(
                checklist,
                episode,
                can_plan=can_plan,
                read_only=read_only,
                meeting_arranged=records.arranged_meeting is not None,
            ),
            "records": records,
            "arranged": records.arranged_meeting,
            "discharge": records.discharge,
            "read_only": read_only,
            "can_plan": can_plan,
            "can_discharge": not read_only and role_may(user.role, DischargeAction.DISCHARGE),
            "p": p,
            "back_link": {
                "href": reverse("treatment:episode", args=[episode.pk]),
                "text": "Back to home treatment",
            },
        },
    )


# -- Other services involved (25a, 25d) ------------------------------------------------------


def _involved_args(form: InvolvedServiceForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "service": data["service"],
        "name": data["name"],
        "secondary_mental_health": data["secondary_mental_health"],
        "contact_name": data["contact_name"],
        "contact_phone": data["contact_phone"],
        "contact_email": data["contact_email"],
        "plan_agreed": data["plan_agreed"],
        "plan_agreed_on": data["plan_agreed_on"],
        "plan_agreed_with": data["plan_agreed_with"],
    }


def _involved_form_page(
    request: HttpRequest,
    *,
    user: User,
    episode: Episode,
    form: InvolvedServiceForm,
    title: str,
    involved: InvolvedService | None = None,
    stale: bool = False,
) -> HttpResponse:
    return _form_page(
        request,
        "involved_form.jinja",
        user=user,
        episode=episode,
        form=form,
        title=title,
        obj=involved,
        stale=stale,
        involved=involved,
        service_params=_service_params(form),
        secondary_params=form_params.choice_params(
            form["secondary_mental_health"], {"classes": "nhsuk-radios--inline"}
        ),
    )


@require_http_methods(["GET", "POST"])
def involved_service_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _episode_for_change(request, pk)
    form = InvolvedServiceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            involved = services.involved_service_add(
                episode=episode, by=user, **_involved_args(form)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{involved.name} is recorded as involved.")
            return redirect(_aftercare_url(episode, "involved-services"))
    return _involved_form_page(
        request, user=user, episode=episode, form=form, title="Add a service that is involved"
    )


def _involved_initial(involved: InvolvedService) -> dict[str, Any]:
    return {
        "service": str(involved.service_id) if involved.service_id else "",
        "name": "" if involved.service_id else involved.name,
        "secondary_mental_health": "yes" if involved.secondary_mental_health else "no",
        "contact_name": involved.contact_name,
        "contact_phone": involved.contact_phone,
        "contact_email": involved.contact_email,
        "plan_agreed": involved.plan_agreed,
        "plan_agreed_on": involved.plan_agreed_on,
        "plan_agreed_with": involved.plan_agreed_with,
        "version": involved.version,
    }


def _involved_conflicts(form: InvolvedServiceForm, current: InvolvedService) -> list[str]:
    data = form.cleaned_data
    compare = {
        "service": (data.get("service"), current.service),
        "secondary_mental_health": (
            data.get("secondary_mental_health"),
            current.secondary_mental_health,
        ),
        "contact_name": (data.get("contact_name", ""), current.contact_name),
        "contact_phone": (data.get("contact_phone", ""), current.contact_phone),
        "contact_email": (data.get("contact_email", ""), current.contact_email),
        "plan_agreed": ((data.get("plan_agreed") or "").strip(), current.plan_agreed),
        "plan_agreed_on": (data.get("plan_agreed_on"), current.plan_agreed_on),
        "plan_agreed_with": (data.get("plan_agreed_with", ""), current.plan_agreed_with),
    }
    return [str(form.fields[name].label) for name, (a, b) in compare.items() if a != b]


@require_http_methods(["GET", "POST"])
def involved_service_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, DischargeAction.PLAN_AFTERCARE)
    involved = _child_or_refuse(
        user,
        pk,
        found=selectors.involved_service_for_user,
        exists=selectors.involved_service_exists,
        object_type="discharge.InvolvedService",
        what="involved service",
    )
    episode = require_open(involved.episode)
    stale = False
    if request.method == "POST":
        form = InvolvedServiceForm(request.POST)
        if form.is_valid():
            try:
                involved = services.involved_service_update(
                    involved=involved,
                    expected_version=_version(form),
                    by=user,
                    **_involved_args(form),
                )
            except ValidationError as error:
                add_service_error(form, error)
            except StaleEdit:
                involved = selectors.involved_service_current(pk=involved.pk)
                form = keep_input_at_current_version(form, involved, conflicts=_involved_conflicts)
                stale = True
            else:
                messages.success(request, f"The details of {involved.name} are saved.")
                return redirect(_aftercare_url(episode, "involved-services"))
    else:
        form = InvolvedServiceForm(initial=_involved_initial(involved))
    return _involved_form_page(
        request,
        user=user,
        episode=episode,
        form=form,
        title=f"Change {involved.name}",
        involved=involved,
        stale=stale,
    )


# -- Referrals on (25b) --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def onward_referral_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _episode_for_change(request, pk)
    form = OnwardReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.onward_referral_make(
                episode=episode,
                kind=data["kind"],
                service=data["service"],
                reason=data["reason"],
                sent_on=data["sent_on"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, SERVICE_FIELDS)
        else:
            messages.success(request, f"The referral to {referral.service_name} is recorded.")
            return redirect(_aftercare_url(episode, "referrals-on"))
    return _form_page(
        request,
        "referral_form.jinja",
        user=user,
        episode=episode,
        form=form,
        title="Make a referral on",
        service_params=_service_params(form),
        gp_name=services.gp_default_name(episode),
    )


def _referral_initial(referral: OnwardReferral) -> dict[str, Any]:
    appointment = referral.first_appointment_at
    local = appointment.astimezone(LONDON) if appointment else None
    return {
        "status": referral.status if referral.status != OnwardReferralStatus.SENT else "",
        "worker_name": referral.worker_name,
        "worker_phone": referral.worker_phone,
        "appointment_on": local.date() if local else None,
        "appointment_time": local.strftime("%H:%M") if local else "",
        "first_appointment_place": referral.first_appointment_place,
        "version": referral.version,
    }


def _referral_conflicts(form: OnwardReferralStatusForm, current: OnwardReferral) -> list[str]:
    data = form.cleaned_data
    labels = []
    if data.get("status") != current.status:
        labels.append(str(form.fields["status"].label))
    for name in ("worker_name", "worker_phone", "first_appointment_place"):
        if (data.get(name) or "") != getattr(current, name):
            labels.append(str(form.fields[name].label))
    if data.get("first_appointment_at") != current.first_appointment_at:
        labels.append(str(form.fields["appointment_on"].label))
    return labels


@require_http_methods(["GET", "POST"])
def onward_referral_status(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, DischargeAction.PLAN_AFTERCARE)
    referral = _child_or_refuse(
        user,
        pk,
        found=selectors.onward_referral_for_user,
        exists=selectors.onward_referral_exists,
        object_type="discharge.OnwardReferral",
        what="referral on",
    )
    episode = require_open(referral.episode)
    stale = False
    if request.method == "POST":
        form = OnwardReferralStatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.onward_referral_status_change(
                    referral=referral,
                    expected_version=_version(form),
                    status=data["status"],
                    note=data["note"],
                    worker_name=data["worker_name"],
                    worker_phone=data["worker_phone"],
                    first_appointment_at=data["first_appointment_at"],
                    first_appointment_place=data["first_appointment_place"],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error, SERVICE_FIELDS)
            except StaleEdit:
                referral = selectors.onward_referral_for_user(pk=referral.pk, user=user)
                form = keep_input_at_current_version(form, referral, conflicts=_referral_conflicts)
                stale = True
            else:
                messages.success(request, f"The referral to {referral.service_name} is updated.")
                return redirect(_aftercare_url(episode, "referrals-on"))
    else:
        form = OnwardReferralStatusForm(initial=_referral_initial(referral))
    return _form_page(
        request,
        "referral_status.jinja",
        user=user,
        episode=episode,
        form=form,
        title=f"Update the referral to {referral.service_name}",
        obj=referral,
        stale=stale,
        referral=referral,
    )


# -- The discharge meeting (25c, 25d) --------------------------------------------------------


def _family_choices(contacts: list[Contact]) -> list[tuple[str, str]]:
    return [(str(c.pk), f"{c.name} ({c.get_relationship_display().lower()})") for c in contacts]


@require_http_methods(["GET", "POST"])
def meeting_arrange(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _episode_for_change(request, pk)
    contacts = selectors.family_contacts(episode=episode)
    invitable = [c for c in contacts if may_share_care_plan(c)]
    not_invitable = [c for c in contacts if not may_share_care_plan(c)]
    involved = selectors.involved_services(episode=episode)
    # Every contact of the person is a valid choice, so that the service names anyone who may
    # not be invited; only those who may are offered.
    form = MeetingArrangeForm(
        request.POST if request.method == "POST" else None,
        family=_family_choices(contacts),
        services=[(str(s.pk), s.name) for s in involved],
    )
    arranged = selectors.arranged_meeting(episode=episode)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_arrange(
                episode=episode,
                starts_at=data["starts_at"],
                place=data["place"],
                person_invited=data["person_invited"],
                contact_ids=data["family"],
                involved_service_ids=data["services"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, SERVICE_FIELDS)
        else:
            messages.success(request, "The discharge meeting is arranged.")
            warning = p.short_notice_warning(meeting, episode.person.given_name)
            if warning:
                messages.warning(request, warning)
            return redirect(_aftercare_url(episode, "discharge-meeting"))
    family_params = form_params.choice_params(form["family"])
    family_params["items"] = [
        i for i in family_params["items"] if i["value"] in {str(c.pk) for c in invitable}
    ]
    if not invitable:
        family_params = {}
    return _form_page(
        request,
        "meeting_arrange.jinja",
        user=user,
        episode=episode,
        form=form,
        title="Arrange the discharge meeting",
        arranged=arranged,
        family_params=family_params,
        not_invitable=not_invitable,
        services_params=form_params.choice_params(form["services"]) if involved else {},
        person_params=form_params.choice_params(
            form["person_invited"], {"classes": "nhsuk-radios--inline"}
        ),
    )


def _meeting(user: User, pk: uuid.UUID) -> DischargeMeeting:
    return _child_or_refuse(
        user,
        pk,
        found=selectors.meeting_for_user,
        exists=selectors.meeting_exists,
        object_type="discharge.DischargeMeeting",
        what="discharge meeting",
    )


def _invitee_choices(meeting: DischargeMeeting) -> list[tuple[str, str]]:
    return [(str(i.pk), p.invitee_label(i)) for i in meeting.invitees.all()]


@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, DischargeAction.PLAN_AFTERCARE)
    meeting = _meeting(user, pk)
    episode = require_open(meeting.episode)
    if (done := _not_arranged(request, meeting)) is not None:
        return done
    invitees = _invitee_choices(meeting)
    stale = False
    conflicts: list[str] = []
    if request.method == "POST":
        form = MeetingRecordForm(request.POST, invitees=invitees)
        if form.is_valid():
            try:
                services.meeting_record_held(
                    meeting=meeting,
                    expected_version=_version(form),
                    person_attended=form.cleaned_data["person_attended"],
                    attended=form.attended(),
                    agreed=form.cleaned_data["agreed"],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            except StaleEdit:
                meeting = _meeting(user, pk)
                data = request.POST.copy()
                data["version"] = str(meeting.version)
                form = MeetingRecordForm(data, invitees=invitees)
                form.is_valid()
                stale = True
                conflicts = [f"the meeting is now {meeting.get_status_display().lower()}"]
            else:
                messages.success(request, "The discharge meeting is recorded as held.")
                return redirect(_aftercare_url(episode, "discharge-meeting"))
    else:
        form = MeetingRecordForm(initial={"version": meeting.version}, invitees=invitees)
    name = episode.person.given_name
    form.fields["person_attended"].label = f"Did {name} come?"
    return _form_page(
        request,
        "meeting_record.jinja",
        user=user,
        episode=episode,
        form=form,
        title="Record the discharge meeting",
        obj=meeting,
        stale=stale,
        conflicts=conflicts,
        meeting=meeting,
        invitee_params=[
            form_params.choice_params(form[n], {"classes": "nhsuk-radios--inline"})
            for n in form.invitee_fields
        ],
        person_params=form_params.choice_params(
            form["person_attended"], {"classes": "nhsuk-radios--inline"}
        ),
    )


@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, DischargeAction.PLAN_AFTERCARE)
    meeting = _meeting(user, pk)
    episode = require_open(meeting.episode)
    if (done := _not_arranged(request, meeting)) is not None:
        return done
    stale = False
    if request.method == "POST":
        form = MeetingCancelForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_cancel(
                    meeting=meeting,
                    expected_version=_version(form),
                    reason=form.cleaned_data["reason"],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            except StaleEdit:
                meeting = _meeting(user, pk)
                form = keep_input_at_current_version(form, meeting, conflicts=lambda f, m: [])
                stale = True
            else:
                messages.success(request, "The discharge meeting is cancelled.")
                return redirect(_aftercare_url(episode, "discharge-meeting"))
    else:
        form = MeetingCancelForm(initial={"version": meeting.version})
    return _form_page(
        request,
        "meeting_cancel.jinja",
        user=user,
        episode=episode,
        form=form,
        title="Cancel the discharge meeting",
        obj=meeting,
        stale=stale,
        meeting=meeting,
    )


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:pk>/", aftercare, name="aftercare"),
    path(
        "episodes/<uuid:pk>/involved-services/add/",
        involved_service_add,
        name="involved_service_add",
    ),
    path("involved-services/<uuid:pk>/", involved_service_edit, name="involved_service_edit"),
    path("episodes/<uuid:pk>/referrals-on/add/", onward_referral_add, name="onward_referral_add"),
    path("referrals-on/<uuid:pk>/", onward_referral_status, name="onward_referral_status"),
    path("episodes/<uuid:pk>/meeting/", meeting_arrange, name="meeting_arrange"),
    path("meetings/<uuid:pk>/record/", meeting_record, name="meeting_record"),
    path("meetings/<uuid:pk>/cancel/", meeting_cancel, name="meeting_cancel"),
]

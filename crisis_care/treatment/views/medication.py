"""Medication (CORE item 15): what the person takes, the changes the team's prescribers make,
and the deliveries the team collects and brings.

Anyone in the team's care staff may read the page (TreatmentAction.VIEW). Care staff record
a medicine the person already takes and a delivery (RECORD_MEDICATION). Starting, changing
the dose of, reviewing and stopping a medicine is prescribing: it needs a prescribing role
(PRESCRIBE) and a prescribing profession (rules.is_prescriber), and the prescriber is written
on the change row. Every page is for an episode one of the user's teams holds; another team's
episode is refused (403) and the attempt audited.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from crisis_care.core.clock import local_instant
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version

from ..forms.medication import (
    DeliveryForm,
    DoseForm,
    RecordMedicineForm,
    ReviewForm,
    StartMedicineForm,
    StopForm,
)
from ..models import Episode, EpisodeStatus, Medication
from ..presenters import medication as presenters
from ..rules import TreatmentAction, role_may
from ..selectors import medication as selectors
from ..services import medication as services
from .common import audit_view, episode_or_refuse, require, user_of

SECTION = "medication"


def _require_prescriber(user: User) -> None:
    require(user, TreatmentAction.PRESCRIBE)
    if selectors.prescriber_for(user=user) is None:
        raise PermissionDenied(
            "Only a prescriber (a doctor or non-medical prescriber) can start, change, review "
            "or stop a medicine."
        )


def _medication_or_404(episode: Episode, pk: uuid.UUID) -> Medication:
    try:
        return selectors.medication_for_episode(episode=episode, pk=pk)
    except Medication.DoesNotExist:
        raise Http404("No such medicine for this person") from None


def _page_url(episode: Episode) -> str:
    return reverse("treatment:medication", args=[episode.pk])


def _back(episode: Episode) -> dict[str, str]:
    return {"href": _page_url(episode), "text": "Back to medication"}


def _version(form: Form) -> int:
    return int(form.data.get("version") or 0)


# -- The page ----------------------------------------------------------------------------------


@require_http_methods(["GET"])
def medication(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    episode = episode_or_refuse(user, pk, SECTION)
    audit_view(user, episode, episode.person_id, SECTION)
    current, stopped = presenters.split_current(selectors.medications_for_episode(episode=episode))
    deliveries = selectors.deliveries_for_episode(episode=episode)
    return render(
        request,
        "treatment/medication/page.jinja",
        {
            "title": "Medication",
            "episode": episode,
            "person": episode.person,
            "current": [presenters.medicine_card(m) for m in current],
            "stopped": [presenters.medicine_card(m) for m in stopped],
            "deliveries": presenters.delivery_rows(deliveries),
            "open": episode.status == EpisodeStatus.OPEN,
            "may_record": role_may(user.role, TreatmentAction.RECORD_MEDICATION),
            "may_prescribe": selectors.prescriber_for(user=user) is not None,
            "back_link": {
                "href": reverse("treatment:episode", args=[episode.pk]),
                "text": "Back to home treatment",
            },
        },
    )


# -- Forms -------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    episode: Episode,
    form: Form,
    title: str,
    fields: list[dict[str, Any]],
    button: str,
    medication: Medication | None = None,
    stale: bool = False,
    lede: str = "",
) -> HttpResponse:
    return render(
        request,
        "treatment/medication/form.jinja",
        {
            "title": title,
            "episode": episode,
            "person": episode.person,
            "form": form,
            "fields": fields,
            "button_text": button,
            "medication": presenters.medicine_card(medication) if medication else None,
            "lede": lede,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": _back(episode),
        },
    )


_MEDICINE_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "kind": "input", "params": {"spellcheck": False}},
    {"name": "dose", "kind": "input", "params": {"classes": "nhsuk-input--width-10"}},
    {"name": "route", "kind": "input", "params": {"classes": "nhsuk-input--width-20"}},
    {"name": "frequency", "kind": "input"},
]


@require_http_methods(["GET", "POST"])
def medication_record(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Record a medicine the person already takes."""
    user = user_of(request)
    require(user, TreatmentAction.RECORD_MEDICATION)
    episode = episode_or_refuse(user, pk, SECTION)
    form = RecordMedicineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.medication_record(
                episode=episode,
                by=user,
                name=data["name"],
                dose=data["dose"],
                route=data["route"],
                frequency=data["frequency"],
                started_on=data["started_on"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{data['name']} recorded.")
            return redirect(_page_url(episode))
    return _form_page(
        request,
        episode=episode,
        form=form,
        title="Record a medicine they already take",
        lede="For medicines prescribed by someone else, such as their GP.",
        fields=[
            *_MEDICINE_FIELDS,
            {"name": "started_on", "kind": "date"},
            {"name": "note", "kind": "textarea"},
        ],
        button="Record the medicine",
    )


@require_http_methods(["GET", "POST"])
def medication_start(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """A prescriber starts a medicine today."""
    user = user_of(request)
    _require_prescriber(user)
    episode = episode_or_refuse(user, pk, SECTION)
    form = StartMedicineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.medication_start(
                episode=episode,
                by=user,
                name=data["name"],
                dose=data["dose"],
                route=data["route"],
                frequency=data["frequency"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"{data['name']} started. You are recorded as the prescriber."
            )
            return redirect(_page_url(episode))
    return _form_page(
        request,
        episode=episode,
        form=form,
        title="Start a medicine",
        lede="It starts today, and you are recorded as the prescriber.",
        fields=[*_MEDICINE_FIELDS, {"name": "note", "kind": "textarea"}],
        button="Start the medicine",
    )


def _prescribing_change(
    request: HttpRequest,
    pk: uuid.UUID,
    medication_pk: uuid.UUID,
    *,
    form_class: type[DoseForm] | type[ReviewForm] | type[StopForm],
    initial: Callable[[Medication], dict[str, Any]],
    save: Callable[[Medication, Episode, User, dict[str, Any], int], Medication],
    title: str,
    fields: list[dict[str, Any]],
    button: str,
    done: str,
) -> HttpResponseBase:
    """Change the dose of, review or stop a medicine: a prescriber only, version-checked."""
    user = user_of(request)
    _require_prescriber(user)
    episode = episode_or_refuse(user, pk, SECTION)
    medicine = _medication_or_404(episode, medication_pk)
    if medicine.stopped_on is not None:
        messages.info(request, f"{medicine.name} has been stopped.")
        return redirect(_page_url(episode))
    stale = False
    if request.method == "POST":
        form: Form = form_class(request.POST)
        if form.is_valid():
            try:
                save(medicine, episode, user, form.cleaned_data, _version(form))
            except StaleEdit:
                medicine = _medication_or_404(episode, medication_pk)
                # The medicine as it is now is shown above the form; the user's input is kept.
                form, stale = (
                    keep_input_at_current_version(form, medicine, conflicts=lambda f, m: []),
                    True,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{medicine.name}: {done}")
                return redirect(_page_url(episode))
    else:
        form = form_class(initial={**initial(medicine), "version": medicine.version})
    return _form_page(
        request,
        episode=episode,
        form=form,
        title=f"{title} {medicine.name}",
        fields=fields,
        button=button,
        medication=medicine,
        stale=stale,
    )


@require_http_methods(["GET", "POST"])
def medication_dose(
    request: HttpRequest, pk: uuid.UUID, medication_pk: uuid.UUID
) -> HttpResponseBase:
    return _prescribing_change(
        request,
        pk,
        medication_pk,
        form_class=DoseForm,
        initial=lambda m: {"dose": m.dose, "route": m.route, "frequency": m.frequency},
        save=lambda m, e, u, data, version: services.medication_change_dose(
            medication=m,
            episode=e,
            by=u,
            dose=data["dose"],
            route=data["route"],
            frequency=data["frequency"],
            reason=data["reason"],
            expected_version=version,
        ),
        title="Change the dose of",
        fields=[
            {"name": "dose", "kind": "input", "params": {"classes": "nhsuk-input--width-10"}},
            {"name": "route", "kind": "input", "params": {"classes": "nhsuk-input--width-20"}},
            {"name": "frequency", "kind": "input"},
            {"name": "reason", "kind": "textarea"},
        ],
        button="Change the dose",
        done="dose changed.",
    )


@require_http_methods(["GET", "POST"])
def medication_review(
    request: HttpRequest, pk: uuid.UUID, medication_pk: uuid.UUID
) -> HttpResponseBase:
    return _prescribing_change(
        request,
        pk,
        medication_pk,
        form_class=ReviewForm,
        initial=lambda m: {},
        save=lambda m, e, u, data, version: services.medication_review(
            medication=m, episode=e, by=u, note=data["note"], expected_version=version
        ),
        title="Review",
        fields=[{"name": "note", "kind": "textarea"}],
        button="Record the review",
        done="review recorded.",
    )


@require_http_methods(["GET", "POST"])
def medication_stop(
    request: HttpRequest, pk: uuid.UUID, medication_pk: uuid.UUID
) -> HttpResponseBase:
    return _prescribing_change(
        request,
        pk,
        medication_pk,
        form_class=StopForm,
        initial=lambda m: {},
        save=lambda m, e, u, data, version: services.medication_stop(
            medication=m,
            episode=e,
            by=u,
            stopped_on=data["stopped_on"],
            reason=data["reason"],
            expected_version=version,
        ),
        title="Stop",
        fields=[{"name": "stopped_on", "kind": "date"}, {"name": "reason", "kind": "textarea"}],
        button="Stop the medicine",
        done="stopped.",
    )


@require_http_methods(["GET", "POST"])
def medication_delivery(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Record medicines the team collected and delivered (CORE item 15c)."""
    user = user_of(request)
    require(user, TreatmentAction.RECORD_MEDICATION)
    episode = episode_or_refuse(user, pk, SECTION)
    current = list(selectors.current_medications(episode=episode))
    if not current:
        messages.info(request, "Record the medicines they take before recording a delivery.")
        return redirect(_page_url(episode))
    staff = list(selectors.delivery_staff(episode=episode))
    visits = list(selectors.delivery_visits(episode=episode))
    choices = {
        "medicines": [(str(m.pk), presenters.medicine_text(m)) for m in current],
        "staff": [(str(s.pk), str(s)) for s in staff],
        "visits": [(str(v.pk), presenters.visit_choice_text(v)) for v in visits],
    }
    if request.method == "POST":
        form = DeliveryForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            chosen = set(data["medications"])
            try:
                services.delivery_record(
                    episode=episode,
                    by=user,
                    medications=[m for m in current if str(m.pk) in chosen],
                    delivered_at=local_instant(data["delivered_on"], data["delivered_time"]),
                    delivered_by=next(s for s in staff if str(s.pk) == data["delivered_by"]),
                    supply=data["supply"],
                    visit=next((v for v in visits if str(v.pk) == data["visit"]), None),
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Delivery recorded.")
                return redirect(_page_url(episode))
    else:
        own = next((s for s in staff if s.user_id == user.pk), None)
        form = DeliveryForm(initial={"delivered_by": str(own.pk) if own else ""}, **choices)
    return _form_page(
        request,
        episode=episode,
        form=form,
        title="Record a delivery",
        fields=[
            {"name": "medications", "kind": "checkboxes"},
            {"name": "delivered_on", "kind": "date"},
            {
                "name": "delivered_time",
                "kind": "input",
                "params": {"classes": "nhsuk-input--width-5", "inputmode": "numeric"},
            },
            {"name": "delivered_by", "kind": "select"},
            {"name": "supply", "kind": "input", "params": {"classes": "nhsuk-input--width-20"}},
            {"name": "visit", "kind": "select"},
            {"name": "note", "kind": "textarea"},
        ],
        button="Record the delivery",
    )


_MEDICINE = "episodes/<uuid:pk>/medication/<uuid:medication_pk>"

urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:pk>/medication/", medication, name="medication"),
    path("episodes/<uuid:pk>/medication/record/", medication_record, name="medication_record"),
    path("episodes/<uuid:pk>/medication/start/", medication_start, name="medication_start"),
    path(
        "episodes/<uuid:pk>/medication/deliveries/new/",
        medication_delivery,
        name="medication_delivery",
    ),
    path(f"{_MEDICINE}/dose/", medication_dose, name="medication_dose"),
    path(f"{_MEDICINE}/review/", medication_review, name="medication_review"),
    path(f"{_MEDICINE}/stop/", medication_stop, name="medication_stop"),
]

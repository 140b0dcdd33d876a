"""The directory: find a service, see its details, add or change one, export as ORUK JSON.

Everyone signed in may read the directory; rules.py says who may change it.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version

from . import oruk, presenters, selectors, services
from .forms import ServiceFilterForm, ServiceForm
from .models import Service
from .rules import DirectoryAction, role_may


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require(request: HttpRequest, action: DirectoryAction) -> None:
    if not role_may(_user(request).role, action):
        raise PermissionDenied(f"Your role ({_user(request).role_label}) does not allow this.")


def _service_or_404(pk: uuid.UUID) -> Service:
    try:
        return selectors.service_detail(pk=pk)
    except Service.DoesNotExist as error:
        raise Http404("No such service") from error


def _version(form: ServiceForm) -> int:
    return int(form.data.get("version") or 0)


def _conflicts(form: ServiceForm, current: Service) -> list[str]:
    """Labels of the fields where the user's form differs from the record as it now is."""
    data = form.cleaned_data
    labels = []
    for name in services.SERVICE_FIELDS:
        if name in data and name in form.fields and getattr(current, name) != data[name]:
            labels.append(str(form.fields[name].label))
    if data.get("phones") is not None and services.phone_rows(current) != data["phones"]:
        labels.append("Phone numbers")
    if data.get("schedules") is not None and services.schedule_rows(current) != sorted(
        data["schedules"]
    ):
        labels.append("Opening times")
    if sorted(data.get("categories", [])) != services.category_codes(current):
        labels.append(str(form.fields["categories"].label))
    return labels


@require_http_methods(["GET"])
def service_list(request: HttpRequest) -> HttpResponse:
    _require(request, DirectoryAction.VIEW)
    form = ServiceFilterForm(request.GET)
    filters = form.filters()
    results = selectors.services_list(**filters)
    filtered = any(v not in ("", None) for v in filters.values())
    return render(
        request,
        "directory/list.jinja",
        {
            "title": "Directory of services",
            "form": form,
            "results": results,
            "filtered": filtered,
            "p": presenters,
            "can_change": role_may(_user(request).role, DirectoryAction.CHANGE),
        },
    )


@require_http_methods(["GET"])
def service_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    _require(request, DirectoryAction.VIEW)
    service = _service_or_404(pk)
    return render(
        request,
        "directory/detail.jinja",
        {
            "title": service.name,
            "service": service,
            "p": presenters,
            "can_change": role_may(_user(request).role, DirectoryAction.CHANGE),
            "back_link": {"href": reverse("directory:list"), "text": "Back to the directory"},
        },
    )


def _render_form(request: HttpRequest, form: ServiceForm, **context: Any) -> HttpResponse:
    stale = context.get("stale", False)
    return render(
        request,
        "directory/service_form.jinja",
        {
            "form": form,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            **context,
        },
    )


@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponseBase:
    _require(request, DirectoryAction.CHANGE)
    form = ServiceForm(request.POST) if request.method == "POST" else ServiceForm()
    if request.method == "POST" and form.is_valid():
        service = services.service_create(data=form.cleaned_data, by=_user(request))
        messages.success(request, f"{service.name} added to the directory.")
        return redirect("directory:detail", pk=service.pk)
    return _render_form(
        request,
        form,
        title="Add a service to the directory",
        submit="Add service",
        back_link={"href": reverse("directory:list"), "text": "Back to the directory"},
    )


@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    _require(request, DirectoryAction.CHANGE)
    service = _service_or_404(pk)
    stale = False
    if request.method == "POST":
        form = ServiceForm(request.POST)
        if form.is_valid():
            try:
                services.service_update(
                    service=service,
                    data=form.cleaned_data,
                    expected_version=_version(form),
                    by=_user(request),
                )
            except StaleEdit:
                service = _service_or_404(pk)
                form, stale = (
                    keep_input_at_current_version(form, service, conflicts=_conflicts),
                    True,
                )
            else:
                messages.success(request, f"{service.name}: changes saved.")
                return redirect("directory:detail", pk=service.pk)
    else:
        form = ServiceForm.for_service(service)
    return _render_form(
        request,
        form,
        title=f"Change {service.name}",
        submit="Save changes",
        service=service,
        stale=stale,
        back_link={
            "href": reverse("directory:detail", args=[service.pk]),
            "text": "Back to the service",
        },
    )


@require_http_methods(["GET"])
def export_json(request: HttpRequest) -> JsonResponse:
    """Every service in the directory, in the ORUK `/services` shape."""
    _require(request, DirectoryAction.VIEW)
    response = JsonResponse(
        oruk.services_page(selectors.services_for_export()),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = 'inline; filename="directory-oruk.json"'
    return response

"""People: search, the record, details, contacts, consent, break-glass and the access log.

Every page that shows a person checks the role rule and the legitimate relationship
(selectors.person_access) and writes an audit row, whether access is given or refused.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditEvent, User
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.workforce.selectors import teams_for_user

from . import presenters, selectors, services
from .forms import (
    AccessReviewForm,
    BreakGlassForm,
    ConsentForm,
    ContactForm,
    PersonForm,
    PersonSearchForm,
)
from .models import Contact, Person
from .panels import record_panels
from .rules import PersonAction, role_may
from .selectors import Access


class RecordAccessRefused(Exception):
    def __init__(self, person: Person, decision: selectors.AccessDecision) -> None:
        self.person = person
        self.decision = decision


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_role(request: HttpRequest, action: PersonAction) -> None:
    if not role_may(_user(request).role, action):
        raise PermissionDenied(f"Your role ({_user(request).role_label}) does not allow this.")


def _person_or_404(pk: uuid.UUID, *, record: bool = False) -> Person:
    try:
        return selectors.person_record(pk=pk) if record else selectors.person_get(pk=pk)
    except Person.DoesNotExist as error:
        raise Http404("No such person") from error


def _open(
    request: HttpRequest, pk: uuid.UUID, action: PersonAction, *, section: str, record: bool = False
) -> tuple[Person, selectors.AccessDecision]:
    """Load a person and check access; a refusal is audited and shown as a 403 page."""
    person = _person_or_404(pk, record=record)
    decision = selectors.person_access(user=_user(request), person=person, action=action)
    if not decision.allowed:
        services.record_access_refused(
            user=_user(request), person=person, decision=decision, section=section
        )
        raise RecordAccessRefused(person, decision)
    return person, decision


def _refused(request: HttpRequest, refusal: RecordAccessRefused) -> HttpResponse:
    can_break_glass = refusal.decision.access is Access.NEEDS_BREAK_GLASS
    return render(
        request,
        "people/access_refused.jinja",
        {
            "title": "You cannot open this record",
            "reason": refusal.decision.reason,
            "person": refusal.person,
            "can_break_glass": can_break_glass,
        },
        status=403,
    )


def _version(form: Any) -> int:
    return int(form.data.get("version") or 0)


@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    _require_role(request, PersonAction.SEARCH)
    searched = any(k in request.GET for k in ("nhs_number", "family_name", "date_of_birth[year]"))
    form = PersonSearchForm(request.GET if searched else None)
    results: list[Person] | None = None
    if searched and form.is_valid():
        results = selectors.person_search(
            user=_user(request),
            nhs_number=form.cleaned_data["nhs_number"],
            family_name=form.cleaned_data["family_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
        services.search_logged(
            user=_user(request),
            by_nhs_number=bool(form.cleaned_data["nhs_number"]),
            results=len(results),
        )
    return render(
        request,
        "people/search.jinja",
        {
            "title": "Find a person",
            "form": form,
            "has_errors": bool(form.errors),
            "results": results,
            "can_register": role_may(_user(request).role, PersonAction.REGISTER),
        },
    )


@require_http_methods(["GET"])
def person_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        person, decision = _open(
            request, pk, PersonAction.VIEW_RECORD, section="record", record=True
        )
    except RecordAccessRefused as refusal:
        return _refused(request, refusal)
    services.record_viewed(user=_user(request), person=person, decision=decision)
    role = _user(request).role
    return render(
        request,
        "people/detail.jinja",
        {
            "title": person.full_name,
            "person": person,
            "contacts": list(person.contacts.all()),
            "via_break_glass": decision.access is Access.BREAK_GLASS,
            # Sections from later stages (safety plan, assessments): see people/panels.py.
            "panels": record_panels(person=person, user=_user(request)),
            "p": presenters,
            "can": {
                "edit": role_may(role, PersonAction.EDIT_DETAILS),
                "contacts": role_may(role, PersonAction.EDIT_CONTACTS),
                "consent": role_may(role, PersonAction.RECORD_CONSENT),
                "access_log": role_may(role, PersonAction.VIEW_ACCESS_LOG),
            },
        },
    )


@require_http_methods(["GET", "POST"])
def person_register(request: HttpRequest) -> HttpResponseBase:
    _require_role(request, PersonAction.REGISTER)
    team = teams_for_user(user=_user(request)).first()
    if team is None:
        raise PermissionDenied("You are not a member of a team, so you cannot register people.")
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(data=form.cleaned_data, team=team, by=_user(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{person.full_name} has been registered with {team.name}.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_form.jinja",
        {
            "title": "Register a new person",
            "form": form,
            "has_errors": bool(form.errors),
            "back_link": {"href": reverse("people:search"), "text": "Back to find a person"},
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    try:
        person, _ = _open(request, pk, PersonAction.EDIT_DETAILS, section="details")
    except RecordAccessRefused as refusal:
        return _refused(request, refusal)
    stale = False
    if request.method == "POST":
        form = PersonForm(request.POST)
        if form.is_valid():
            try:
                services.person_update(
                    person=person,
                    data=form.cleaned_data,
                    expected_version=_version(form),
                    by=_user(request),
                )
            except StaleEdit:
                person = selectors.person_get(pk=person.pk)
                form, stale = keep_input_at_current_version(form, person), True
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Details saved.")
                return redirect("people:detail", pk=person.pk)
    else:
        initial = {f: getattr(person, f) for f in services.PERSON_FIELDS}
        form = PersonForm(initial={**initial, "version": person.version})
    return render(
        request,
        "people/person_form.jinja",
        {
            "title": f"Change details for {person.full_name}",
            "form": form,
            "person": person,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": {
                "href": reverse("people:detail", args=[person.pk]),
                "text": "Back to the record",
            },
        },
    )


@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    try:
        person, _ = _open(request, pk, PersonAction.EDIT_CONTACTS, section="contacts")
    except RecordAccessRefused as refusal:
        return _refused(request, refusal)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = services.contact_create(person=person, data=form.cleaned_data, by=_user(request))
        messages.success(request, f"{contact.name} added to {person.full_name}'s contacts.")
        return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/contact_form.jinja",
        {
            "title": f"Add a contact for {person.full_name}",
            "form": form,
            "person": person,
            "has_errors": bool(form.errors),
            "back_link": {
                "href": reverse("people:detail", args=[person.pk]),
                "text": "Back to the record",
            },
        },
    )


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponseBase:
    try:
        person, _ = _open(request, pk, PersonAction.EDIT_CONTACTS, section="contacts")
    except RecordAccessRefused as refusal:
        return _refused(request, refusal)
    contact = _contact_or_404(person, contact_pk)
    stale = False
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.contact_update(
                    contact=contact,
                    data=form.cleaned_data,
                    expected_version=_version(form),
                    by=_user(request),
                )
            except StaleEdit:
                contact = _contact_or_404(person, contact.pk)
                form, stale = keep_input_at_current_version(form, contact), True
            else:
                messages.success(request, f"{contact.name}'s details saved.")
                return redirect("people:detail", pk=person.pk)
    else:
        initial = {f: getattr(contact, f) for f in services.CONTACT_FIELDS}
        form = ContactForm(initial={**initial, "version": contact.version})
    return render(
        request,
        "people/contact_form.jinja",
        {
            "title": f"Change {contact.name}'s details",
            "form": form,
            "person": person,
            "contact": contact,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": {
                "href": reverse("people:detail", args=[person.pk]),
                "text": "Back to the record",
            },
        },
    )


def _contact_or_404(person: Person, contact_pk: uuid.UUID) -> Contact:
    try:
        return selectors.contact_get(person=person, pk=contact_pk)
    except Contact.DoesNotExist as error:
        raise Http404("No such contact") from error


@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponseBase:
    try:
        person, _ = _open(request, pk, PersonAction.RECORD_CONSENT, section="consent")
    except RecordAccessRefused as refusal:
        return _refused(request, refusal)
    contact = _contact_or_404(person, contact_pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(contact=contact, by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Consent to share with {contact.name} recorded.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/consent_form.jinja",
        {
            "title": f"What can be shared with {contact.name}",
            "form": form,
            "person": person,
            "contact": contact,
            "history": list(selectors.consent_history(contact=contact)),
            "has_errors": bool(form.errors),
            "back_link": {
                "href": reverse("people:detail", args=[person.pk]),
                "text": "Back to the record",
            },
        },
    )


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    _require_role(request, PersonAction.BREAK_GLASS)
    person = _person_or_404(pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_grant(
                user=_user(request), person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/break_glass.jinja",
        {
            "title": "Emergency access to a record",
            "form": form,
            "person": person,
            "has_errors": bool(form.errors),
            "back_link": {"href": reverse("people:search"), "text": "Back to find a person"},
        },
    )


@require_http_methods(["GET"])
def access_log(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        person, decision = _open(request, pk, PersonAction.VIEW_ACCESS_LOG, section="access log")
    except RecordAccessRefused as refusal:
        return _refused(request, refusal)
    services.record_viewed(
        user=_user(request), person=person, decision=decision, section="access log"
    )
    rows = presenters.access_log_rows(selectors.access_log(person=person))
    return render(
        request,
        "people/access_log.jinja",
        {
            "title": f"Access log for {person.full_name}",
            "person": person,
            "rows": rows,
            "back_link": {"href": reverse("people:search"), "text": "Back to find a person"},
        },
    )


@require_http_methods(["GET"])
def access_reviews(request: HttpRequest) -> HttpResponse:
    _require_role(request, PersonAction.REVIEW_ACCESS)
    events = list(selectors.flagged_events_to_review())
    reviewed = list(selectors.recently_reviewed_events())
    people = selectors.people_by_ids({e.person_id for e in events + reviewed if e.person_id})
    return render(
        request,
        "people/access_reviews.jinja",
        {"title": "Access reviews", "events": events, "reviewed": reviewed, "people": people},
    )


@require_http_methods(["GET", "POST"])
def access_review(request: HttpRequest, event_pk: uuid.UUID) -> HttpResponseBase:
    _require_role(request, PersonAction.REVIEW_ACCESS)
    try:
        event = selectors.flagged_event_get(pk=event_pk)
    except AuditEvent.DoesNotExist as error:
        raise Http404("No such flagged access") from error
    form = AccessReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_review_record(event=event, by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Review recorded.")
            return redirect("people:access_reviews")
    people = selectors.people_by_ids({event.person_id} if event.person_id else set())
    return render(
        request,
        "people/access_review_form.jinja",
        {
            "title": "Review an access",
            "event": event,
            "people": people,
            "form": form,
            "has_errors": bool(form.errors),
            "back_link": {
                "href": reverse("people:access_reviews"),
                "text": "Back to access reviews",
            },
        },
        status=400 if form.errors else 200,
    )

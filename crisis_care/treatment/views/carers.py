"""Carers and family involvement (CORE items 13 and 14; Care Act 2014 s.10), one page per
episode with a page per action.

Reading needs TreatmentAction.VIEW, recording needs SUPPORT_CARERS; the episode must be held by
one of the user's teams (another team's is an audited 403) and a contact must be one of the
episode's person's contacts (404 otherwise). Every page is audited as a view of the person's
record; every change is audited by its service.

The consent boundary: what is given to a carer (the written copy of their support plan, on
screen and as a PDF, and the general information) is built only from what may reach them (see
presenters.carers); the person's care plan goals go in only if the person agreed to share their
care plan with that carer.
"""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.directory import presenters as directory_presenters
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.people.models import Contact
from crisis_care.referrals import letters as referral_letters
from crisis_care.referrals.eligibility import locality

from ..forms import carers as carer_forms
from ..models import CarerAssessmentReferral, CarerSupportPlan, Episode
from ..presenters import carers as p
from ..rules import TreatmentAction, role_may
from ..selectors import carers as selectors
from ..services import carers as services
from .common import audit_view, episode_or_refuse, require, user_of

SECTION = "carers"
PLAN_SECTION = "carer support plan"


def _open(request: HttpRequest, pk: uuid.UUID, action: TreatmentAction) -> tuple[User, Episode]:
    user = user_of(request)
    require(user, action)
    return user, episode_or_refuse(user, pk, SECTION)


def _contact(episode: Episode, contact_pk: uuid.UUID) -> Contact:
    try:
        return selectors.contact_for_episode(episode=episode, pk=contact_pk)
    except Contact.DoesNotExist:
        raise Http404("No such contact for this person") from None


def _url_or_none(name: str, *args: Any) -> str | None:
    """A link to a page that may not be built yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _carers_url(episode: Episode) -> str:
    return reverse("treatment:carers", args=[episode.pk])


def _back(episode: Episode) -> dict[str, str]:
    return {"href": _carers_url(episode), "text": "Back to carers and family"}


def _render_form(
    request: HttpRequest,
    template: str,
    *,
    user: User,
    episode: Episode,
    contact: Contact | None,
    form: forms.Form,
    title: str,
    **extra: Any,
) -> HttpResponse:
    audit_view(
        user,
        episode,
        episode.person_id,
        SECTION,
        page=template.removesuffix(".jinja"),
        **({"contact": str(contact.pk)} if contact else {}),
    )
    return render(
        request,
        f"treatment/carers/{template}",
        {
            "title": title,
            "episode": episode,
            "person": episode.person,
            "contact": contact,
            "form": form,
            "has_errors": bool(form.errors) or bool(extra.get("stale")),
            "back_link": _back(episode),
            **extra,
        },
    )


# -- The carers page ---------------------------------------------------------------------


@require_http_methods(["GET"])
def carers(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user, episode = _open(request, pk, TreatmentAction.VIEW)
    person = episode.person
    contacts = selectors.contacts_for_episode(episode=episode)
    histories = selectors.histories_for_episode(episode=episode)
    today = timezone.localdate()
    cards = [
        {
            "contact": contact,
            "rows": p.contact_rows(contact, person, today),
            "history": histories[contact.pk],
            "may_invite": p.may_invite(contact),
            "review_overdue": p.consent_review_overdue(contact, today),
        }
        for contact in contacts
    ]
    audit_view(user, episode, person.pk, SECTION, page="carers")
    return render(
        request,
        "treatment/carers/index.jinja",
        {
            "title": "Carers and family",
            "episode": episode,
            "person": person,
            "cards": cards,
            "has_carer": any(c.is_carer for c in contacts),
            "can_write": role_may(user.role, TreatmentAction.SUPPORT_CARERS),
            "p": p,
            "care_plan_url": _url_or_none("treatment:care_plan", episode.pk),
            "add_contact_url": reverse("people:contact_create", args=[person.pk]),
            "back_link": {
                "href": reverse("treatment:episode", args=[episode.pk]),
                "text": "Back to home treatment",
            },
        },
    )


# -- A conversation of their own ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    contact = _contact(episode, contact_pk)
    form = carer_forms.OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.carer_offer_record(
                episode=episode,
                carer=contact,
                response=form.cleaned_data["response"],
                offered_at=form.cleaned_data["offered_at"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, carer_forms.TIME_FIELDS)
        else:
            messages.success(request, f"The offer of a conversation with {contact.name} is saved.")
            return redirect(_carers_url(episode))
    return _render_form(
        request,
        "offer.jinja",
        user=user,
        episode=episode,
        contact=contact,
        form=form,
        title=f"Offer {contact.name} a conversation of their own",
    )


@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    contact = _contact(episode, contact_pk)
    form = carer_forms.ConversationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.carer_conversation_record(
                episode=episode,
                carer=contact,
                held_at=data["held_at"],
                separate_from_person=data["separate_from_person"],
                carer_needs=data["carer_needs"],
                notes=data["notes"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, carer_forms.TIME_FIELDS)
        else:
            messages.success(request, f"The conversation with {contact.name} is saved.")
            return redirect(_carers_url(episode))
    return _render_form(
        request,
        "conversation.jinja",
        user=user,
        episode=episode,
        contact=contact,
        form=form,
        title=f"Record the conversation with {contact.name}",
    )


# -- The carer's support plan ------------------------------------------------------------


def _plan_conflicts(form: carer_forms.SupportPlanForm, plan: CarerSupportPlan) -> list[str]:
    labels = [
        str(form.fields[name].label)
        for name in services.PLAN_FIELDS
        if form.cleaned_data.get(name, "").strip() != getattr(plan, name)
    ]
    chosen = set(form.cleaned_data.get("services") or [])
    if chosen != {str(s.pk) for s in plan.services.all()}:
        labels.append(str(form.fields["services"].label))
    return labels


def _services_params(form: carer_forms.SupportPlanForm) -> dict[str, Any]:
    """The directory's services as checkboxes, each with its area and numbers, and 'Carer
    support' on those in the directory's carer support category (listed first)."""
    hints: dict[str, str] = {}
    for service in selectors.services_for_carer_plan():
        categories = directory_presenters.category_names(service)
        hint = referral_letters.service_choice_hint(service)
        if "Carer support" in categories:
            hint = f"Carer support. {hint}".strip()
        hints[str(service.pk)] = hint
    params = form_params.choice_params(form["services"])
    for item in params["items"]:
        if hints.get(item["value"]):
            item["hint"] = {"text": hints[item["value"]]}
    return params


@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    contact = _contact(episode, contact_pk)
    existing = selectors.support_plan_for(episode=episode, carer=contact)
    stale = False
    if request.method == "POST":
        form = carer_forms.SupportPlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            fields = {name: data[name] for name in services.PLAN_FIELDS}
            try:
                if existing is None:
                    services.carer_plan_create(
                        episode=episode,
                        carer=contact,
                        service_ids=data["services"],
                        by=user,
                        **fields,
                    )
                else:
                    services.carer_plan_update(
                        plan=existing,
                        expected_version=data["version"] or 0,
                        service_ids=data["services"],
                        by=user,
                        **fields,
                    )
            except ValidationError as error:
                add_service_error(form, error, carer_forms.TIME_FIELDS)
            except StaleEdit:
                current = selectors.support_plan_for(episode=episode, carer=contact)
                assert current is not None
                existing = current
                form = keep_input_at_current_version(form, current, conflicts=_plan_conflicts)
                stale = True
            else:
                messages.success(
                    request,
                    f"{contact.name}'s support plan is saved. Give them the written copy.",
                )
                return redirect("treatment:carer_plan_print", pk=episode.pk, contact_pk=contact.pk)
    elif existing is not None:
        form = carer_forms.SupportPlanForm(
            initial={
                **{name: getattr(existing, name) for name in services.PLAN_FIELDS},
                "services": [str(s.pk) for s in existing.services.all()],
                "version": existing.version,
            }
        )
    else:
        form = carer_forms.SupportPlanForm()
    return _render_form(
        request,
        "plan_form.jinja",
        user=user,
        episode=episode,
        contact=contact,
        form=form,
        title=(
            f"Change {contact.name}'s support plan"
            if existing
            else f"Write {contact.name}'s support plan"
        ),
        plan=existing,
        stale=stale,
        stale_message=StaleEdit.message,
        services_params=_services_params(form),
    )


def _plan_or_404(episode: Episode, contact: Contact) -> CarerSupportPlan:
    found = selectors.support_plan_for(episode=episode, carer=contact)
    if found is None:
        raise Http404("No support plan has been written for this carer")
    return found


def _plan_copy(episode: Episode, contact: Contact, found: CarerSupportPlan) -> str:
    """The carer's copy as letter text, from only what may reach this carer."""
    return p.carer_plan_text(
        plan=found,
        carer=contact,
        person=episode.person,
        team=episode.team,
        crisis_help=selectors.crisis_help_services(),
        services=list(found.services.all()),
        goals=selectors.goals_to_share_with(episode=episode, carer=contact),
    )


def _render_plan_copy(
    request: HttpRequest,
    *,
    user: User,
    episode: Episode,
    contact: Contact,
    found: CarerSupportPlan,
    given_form: carer_forms.PlanGivenForm,
    stale: bool = False,
) -> HttpResponse:
    audit_view(user, found, episode.person_id, PLAN_SECTION, format="page")
    return render(
        request,
        "treatment/carers/plan_copy.jinja",
        {
            "title": f"Support plan for {contact.name}",
            "episode": episode,
            "contact": contact,
            "plan": found,
            "status": p.plan_status(found, contact),
            "blocks": referral_letters.letter_blocks(_plan_copy(episode, contact, found)),
            "given_form": given_form,
            "can_write": role_may(user.role, TreatmentAction.SUPPORT_CARERS),
            "stale": stale,
            "has_errors": bool(given_form.errors) or stale,
            "back_link": _back(episode),
        },
    )


@require_http_methods(["GET"])
def plan_print(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponse:
    user, episode = _open(request, pk, TreatmentAction.VIEW)
    contact = _contact(episode, contact_pk)
    found = _plan_or_404(episode, contact)
    return _render_plan_copy(
        request,
        user=user,
        episode=episode,
        contact=contact,
        found=found,
        given_form=carer_forms.PlanGivenForm(initial={"version": found.version}),
    )


def _pdf_response(html: str, filename: str) -> HttpResponse:
    response = HttpResponse(referral_letters.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET"])
def plan_pdf(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponse:
    user, episode = _open(request, pk, TreatmentAction.VIEW)
    contact = _contact(episode, contact_pk)
    found = _plan_or_404(episode, contact)
    audit_view(user, found, episode.person_id, PLAN_SECTION, format="pdf")
    html = render_to_string(
        "treatment/carers/copy_pdf.jinja",
        {
            "title": p.plan_pdf_title(found, episode.team),
            "description": "A carer's own support plan: what they need, what will help, what to "
            "do if things get worse, crisis help and support for carers.",
            "heading": f"Support plan for {contact.name}",
            "team": episode.team,
            "blocks": referral_letters.letter_blocks(_plan_copy(episode, contact, found)),
        },
    )
    return _pdf_response(html, p.plan_pdf_filename(found))


@require_http_methods(["POST"])
def plan_given(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    contact = _contact(episode, contact_pk)
    found = _plan_or_404(episode, contact)
    form = carer_forms.PlanGivenForm(request.POST)
    stale = False
    if form.is_valid():
        try:
            services.carer_plan_given(
                plan=found,
                given_on=form.cleaned_data["given_on"],
                expected_version=form.cleaned_data["version"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, carer_forms.TIME_FIELDS)
        except StaleEdit:
            found = _plan_or_404(episode, contact)
            form = keep_input_at_current_version(form, found, conflicts=lambda f, c: [])
            stale = True
        else:
            messages.success(request, f"Recorded: the support plan was given to {contact.name}.")
            return redirect(_carers_url(episode))
    return _render_plan_copy(
        request,
        user=user,
        episode=episode,
        contact=contact,
        found=found,
        given_form=form,
        stale=stale,
    )


# -- A statutory carer's assessment -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_referral(
    request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID
) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    contact = _contact(episode, contact_pk)
    person = episode.person
    default_council = p.council_for_locality(locality(person.postcode) or episode.locality)
    if request.method == "POST":
        form = carer_forms.AssessmentReferralForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.carer_assessment_refer(
                    episode=episode,
                    carer=contact,
                    council=data["council_name"],
                    carer_agreed=data["carer_agreed"],
                    note=data["note"],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error, carer_forms.TIME_FIELDS)
            else:
                messages.success(
                    request,
                    f"{contact.name} is referred to {data['council_name']} for a carer's "
                    "assessment.",
                )
                return redirect(_carers_url(episode))
    else:
        form = carer_forms.AssessmentReferralForm(
            initial={"council": default_council} if default_council else None
        )
    return _render_form(
        request,
        "assessment_referral.jinja",
        user=user,
        episode=episode,
        contact=contact,
        form=form,
        title=f"Refer {contact.name} for a carer's assessment",
        default_council=default_council,
    )


@require_http_methods(["GET", "POST"])
def assessment_status(
    request: HttpRequest, pk: uuid.UUID, referral_pk: uuid.UUID
) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    try:
        referral = selectors.assessment_referral_for(episode=episode, pk=referral_pk)
    except CarerAssessmentReferral.DoesNotExist:
        raise Http404("No such referral in this episode") from None
    if request.method == "POST":
        form = carer_forms.AssessmentStatusForm(request.POST)
        if form.is_valid():
            try:
                services.carer_assessment_status_update(
                    referral=referral,
                    status=form.cleaned_data["status"],
                    expected_status=form.cleaned_data["expected_status"],
                    note=form.cleaned_data["note"],
                    by=user,
                )
            except ValidationError as error:
                # The form now carries the status as it is, so saving again (after reading the
                # message) is a knowing change.
                referral = selectors.assessment_referral_for(episode=episode, pk=referral_pk)
                data = request.POST.copy()
                data["expected_status"] = referral.status
                form = carer_forms.AssessmentStatusForm(data)
                form.is_valid()
                add_service_error(form, error, carer_forms.TIME_FIELDS)
            else:
                messages.success(request, "The referral for a carer's assessment is updated.")
                return redirect(_carers_url(episode))
    else:
        form = carer_forms.AssessmentStatusForm(
            initial={"status": referral.status, "expected_status": referral.status}
        )
    return _render_form(
        request,
        "assessment_status.jinja",
        user=user,
        episode=episode,
        contact=referral.carer,
        form=form,
        title=f"Update the referral for {referral.carer.name}'s carer's assessment",
        referral=referral,
        referral_text=p.referral_text(referral),
        referral_tag=p.referral_tag(referral),
    )


# -- Family involvement ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def contact_attempt(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    contact = _contact(episode, contact_pk)
    form = carer_forms.ContactAttemptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.family_contact_attempt_record(
                episode=episode,
                contact=contact,
                attempted_at=data["attempted_at"],
                method=data["method"],
                outcome=data["outcome"],
                note=data["note"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, carer_forms.TIME_FIELDS)
        else:
            messages.success(request, f"The attempt to contact {contact.name} is saved.")
            return redirect(_carers_url(episode))
    return _render_form(
        request,
        "contact_attempt.jinja",
        user=user,
        episode=episode,
        contact=contact,
        form=form,
        title=f"Record an attempt to contact {contact.name}",
    )


@require_http_methods(["GET", "POST"])
def review_invitation(
    request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID
) -> HttpResponseBase:
    user, episode = _open(request, pk, TreatmentAction.SUPPORT_CARERS)
    contact = _contact(episode, contact_pk)
    allowed = p.may_invite(contact)
    form = carer_forms.ReviewInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_invitation_record(
                episode=episode,
                contact=contact,
                meeting_at=form.cleaned_data["meeting_at"],
                purpose=form.cleaned_data["purpose"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, carer_forms.TIME_FIELDS)
        else:
            messages.success(request, f"The invitation to {contact.name} is saved.")
            return redirect(_carers_url(episode))
    return _render_form(
        request,
        "review_invitation.jinja",
        user=user,
        episode=episode,
        contact=contact,
        form=form,
        title=f"Invite {contact.name} to a care-planning or review meeting",
        allowed=allowed,
        consent_sentence=p.consent_sentence(contact, episode.person),
    )


# -- General information, whatever the consent ---------------------------------------------


def _general_text(episode: Episode) -> str:
    return p.general_information_text(
        team=episode.team,
        crisis_help=selectors.crisis_help_services(),
        carer_services=selectors.carer_support_services(),
    )


@require_http_methods(["GET", "POST"])
def general_information(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user, episode = _open(
        request,
        pk,
        TreatmentAction.SUPPORT_CARERS if request.method == "POST" else TreatmentAction.VIEW,
    )
    contacts = selectors.contacts_for_episode(episode=episode)
    choices = [(str(c.pk), f"{c.name} ({p.contact_roles(c)})") for c in contacts]
    form = carer_forms.GeneralInformationForm(
        request.POST if request.method == "POST" else None, contacts=choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = _contact(episode, uuid.UUID(data["contact"]))
        try:
            services.general_information_given(
                episode=episode,
                contact=contact,
                given_at=data["given_at"],
                method=data["method"],
                note=data["note"],
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, carer_forms.TIME_FIELDS)
        else:
            messages.success(request, f"Recorded: general information given to {contact.name}.")
            return redirect(_carers_url(episode))
    audit_view(user, episode, episode.person_id, SECTION, page="general information")
    return render(
        request,
        "treatment/carers/general_information.jinja",
        {
            "title": "Help and support for carers, family and friends",
            "episode": episode,
            "blocks": referral_letters.letter_blocks(_general_text(episode)),
            "form": form,
            "has_contacts": bool(contacts),
            "can_write": role_may(user.role, TreatmentAction.SUPPORT_CARERS),
            "add_contact_url": reverse("people:contact_create", args=[episode.person_id]),
            "has_errors": bool(form.errors),
            "back_link": _back(episode),
        },
    )


@require_http_methods(["GET"])
def general_information_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user, episode = _open(request, pk, TreatmentAction.VIEW)
    audit_view(user, episode, episode.person_id, SECTION, page="general information", format="pdf")
    today = timezone.localdate()
    html = render_to_string(
        "treatment/carers/copy_pdf.jinja",
        {
            "title": p.general_information_pdf_title(episode.team, today),
            "description": "General information for carers, family and friends: what a crisis "
            "team does, how to get crisis help and support for carers.",
            "heading": "Help and support for carers, family and friends",
            "team": episode.team,
            "blocks": referral_letters.letter_blocks(_general_text(episode)),
        },
    )
    return _pdf_response(html, p.general_information_pdf_filename(today))


urlpatterns = [
    path("episodes/<uuid:pk>/carers/", carers, name="carers"),
    path(
        "episodes/<uuid:pk>/carers/general-information/",
        general_information,
        name="carer_general_information",
    ),
    path(
        "episodes/<uuid:pk>/carers/general-information.pdf",
        general_information_pdf,
        name="carer_general_information_pdf",
    ),
    path("episodes/<uuid:pk>/carers/<uuid:contact_pk>/offer/", offer, name="carer_offer"),
    path(
        "episodes/<uuid:pk>/carers/<uuid:contact_pk>/conversation/",
        conversation,
        name="carer_conversation",
    ),
    path("episodes/<uuid:pk>/carers/<uuid:contact_pk>/plan/", plan, name="carer_plan"),
    path(
        "episodes/<uuid:pk>/carers/<uuid:contact_pk>/plan/copy/",
        plan_print,
        name="carer_plan_print",
    ),
    path("episodes/<uuid:pk>/carers/<uuid:contact_pk>/plan.pdf", plan_pdf, name="carer_plan_pdf"),
    path(
        "episodes/<uuid:pk>/carers/<uuid:contact_pk>/plan/given/",
        plan_given,
        name="carer_plan_given",
    ),
    path(
        "episodes/<uuid:pk>/carers/<uuid:contact_pk>/carers-assessment/",
        assessment_referral,
        name="carer_assessment_referral",
    ),
    path(
        "episodes/<uuid:pk>/carers/carers-assessment/<uuid:referral_pk>/",
        assessment_status,
        name="carer_assessment_status",
    ),
    path(
        "episodes/<uuid:pk>/carers/<uuid:contact_pk>/contact-attempt/",
        contact_attempt,
        name="family_contact_attempt",
    ),
    path(
        "episodes/<uuid:pk>/carers/<uuid:contact_pk>/review-invitation/",
        review_invitation,
        name="review_invitation",
    ),
]

"""Public self-referral pages: no login (the 2019 commitment, DOMAIN.md §1.2).

A member of the public, or a carer, family member or friend, refers; the referral lands
in the team's triage queue as a self-referral, not matched to any record. Nothing on
these pages depends on whether the person is known to the service.

Protection: CSRF (the middleware), a size limit on the request body, a honeypot field
(filled in: the normal confirmation, nothing created) and an hourly limit per address.
"""

import logging
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services
from ..self_referral import (
    MAX_BODY_BYTES,
    REASON_MAX_LENGTH,
    EasyReadSelfReferralForm,
    SelfReferralForm,
    crisis_numbers,
    honeypot_filled,
    self_referral_team,
    throttle_allows,
    when_we_will_contact,
)

logger = logging.getLogger(__name__)

FORM_TITLES = {
    False: "Refer yourself or someone else to the crisis team",
    True: "Ask the crisis team for help",
}


def _client_address(request: HttpRequest) -> str:
    # The address of whoever connected. A forwarded-for header is not trusted: anyone
    # can write one. Behind a reverse proxy, have it pass the client address as REMOTE_ADDR.
    return str(request.META.get("REMOTE_ADDR") or "")


def _body_too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


def _sent_url(*, not_safe: bool, easy_read: bool) -> str:
    query = {}
    if not_safe:
        query["safe"] = "no"
    if easy_read:
        query["easy-read"] = "1"
    return reverse("public:self_referral_sent") + (f"?{urlencode(query)}" if query else "")


def _page(
    request: HttpRequest, template: str, context: dict[str, object], *, status: int = 200
) -> HttpResponse:
    return render(request, template, {"numbers": crisis_numbers(), **context}, status=status)


def _unavailable(request: HttpRequest) -> HttpResponse:
    response = _page(
        request,
        "referrals/self_referral_unavailable.jinja",
        {"title": "Sorry, you cannot refer online at the moment"},
        status=503,
    )
    response["Retry-After"] = "3600"
    return response


def _form_page(request: HttpRequest, *, easy_read: bool) -> HttpResponseBase:
    team = self_referral_team()
    if team is None:
        return _unavailable(request)
    form_class = EasyReadSelfReferralForm if easy_read else SelfReferralForm
    if request.method == "POST":
        if _body_too_large(request):
            return _page(
                request,
                "referrals/self_referral_too_large.jinja",
                {
                    "title": "Your referral is too long to send",
                    "easy_read": easy_read,
                    "has_errors": True,
                },
                status=400,
            )
        not_safe = request.POST.get("safe_now") == "no"
        if honeypot_filled(request.POST):
            # Looks exactly like success to whatever filled it in; nothing is kept.
            logger.warning("Self-referral honeypot filled in: nothing recorded")
            throttle_allows(_client_address(request))
            return redirect(_sent_url(not_safe=not_safe, easy_read=easy_read))
        form = form_class(request.POST)
        if form.is_valid():
            if not throttle_allows(_client_address(request)):
                response = _page(
                    request,
                    "referrals/self_referral_limited.jinja",
                    {
                        "title": "We cannot take another referral from you online just now",
                        "easy_read": easy_read,
                    },
                    status=429,
                )
                response["Retry-After"] = "3600"
                return response
            try:
                services.referral_create(
                    team=team, received_at=timezone.now(), **form.referral_arguments()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(_sent_url(not_safe=not_safe, easy_read=easy_read))
    else:
        form = form_class()
    return _page(
        request,
        "referrals/self_referral_easy_read.jinja" if easy_read else "referrals/self_referral.jinja",
        {
            "title": FORM_TITLES[easy_read],
            "form": form,
            "has_errors": bool(form.errors),
            "reason_max_length": REASON_MAX_LENGTH,
        },
        status=400 if form.errors else 200,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def self_referral(request: HttpRequest) -> HttpResponseBase:
    return _form_page(request, easy_read=False)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def self_referral_easy_read(request: HttpRequest) -> HttpResponseBase:
    return _form_page(request, easy_read=True)


@login_not_required
@never_cache
@require_http_methods(["GET"])
def self_referral_sent(request: HttpRequest) -> HttpResponse:
    """What happens next. The same page whatever was sent (and for the honeypot)."""
    easy_read = request.GET.get("easy-read") == "1"
    return _page(
        request,
        "referrals/self_referral_sent_easy_read.jinja"
        if easy_read
        else "referrals/self_referral_sent.jinja",
        {
            "title": "We have your message" if easy_read else "Referral sent",
            "not_safe": request.GET.get("safe") == "no",
            "contact_by": when_we_will_contact(timezone.now()),
        },
    )

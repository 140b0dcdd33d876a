"""Taking a referral (phone, letter, e-mail, message) in one form, with the duplicate check."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render

from crisis_care.people import selectors as people_selectors
from crisis_care.people import services as people_services
from crisis_care.people.models import Person
from crisis_care.workforce.models import Team, TeamType

from .. import selectors, services
from ..forms import ReferralForm
from ..rules import ReferralAction
from .common import require

REFERRAL_FIELDS = (
    "channel", "source", "referrer_name", "referrer_organisation", "referrer_phone", "reason",
    "presenting_crisis", "person_agrees", "current_location", "current_postcode", "known_risks",
    "crs_criteria", "reablement_needed",
)  # fmt: skip


def _team(request: HttpRequest, teams: list[Team]) -> Team:
    wanted = request.POST.get("team") or request.GET.get("team")
    return next((t for t in teams if str(t.pk) == wanted), teams[0])


def referral_new(request: HttpRequest) -> HttpResponseBase:
    user = require(request, ReferralAction.CREATE)
    teams = selectors.user_teams(user=user)
    if not teams:
        raise PermissionDenied("You are not a member of a team, so you cannot take referrals.")
    team = _team(request, teams)
    crs = team.team_type == TeamType.COUNCIL_CRISIS_RESPONSE
    form = ReferralForm(request.POST or None, crs=crs)
    matches: list[Person] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person, matches = _resolve_person(data)
        if person is not None or data.get("person_choice") == "new" or not matches:
            try:
                with transaction.atomic():
                    if person is None:
                        person = people_services.person_create(data=_person_data(data), by=user)
                    referral = services.referral_create(
                        team=team,
                        person=person,
                        data={k: data[k] for k in REFERRAL_FIELDS if k in data},
                        received_at=data["received_at"],
                        priority=data["priority"],
                        priority_reason=data["priority_reason"],
                        by=user,
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"Referral for {person.full_name} recorded. Its clocks have started."
                )
                return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/intake.jinja",
        {
            "title": "Take a referral",
            "form": form,
            "team": team,
            "teams": teams,
            "crs": crs,
            "matches": matches,
            "has_errors": bool(form.errors) or bool(matches),
            "back_link": {
                "href": f"/referrals/?team={team.pk}",
                "text": "Back to the triage queue",
            },
        },
    )


def _person_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "nhs_number": data.get("nhs_number", ""),
        "given_name": data["given_name"],
        "family_name": data["family_name"],
        "date_of_birth": data["date_of_birth"],
        "phone": data.get("person_phone", ""),
        "postcode": data.get("current_postcode", ""),
    }


def _resolve_person(data: dict[str, Any]) -> tuple[Person | None, list[Person]]:
    """An exact NHS number match is the person. Otherwise possible matches (same name and
    date of birth) are shown for the user to choose from, or to confirm a new record."""
    matches = people_selectors.possible_matches(
        nhs_number=data.get("nhs_number", ""),
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
    )
    choice = data.get("person_choice") or ""
    chosen = next((p for p in matches if str(p.pk) == choice), None)
    if chosen is not None:
        return chosen, matches
    exact = [p for p in matches if data.get("nhs_number") and p.nhs_number == data["nhs_number"]]
    if exact:
        return exact[0], matches
    return None, matches

"""Setting the team's red/amber/green rating outside a meeting: a clinician's judgement in the
team's words, with a reason, kept as immutable history (ADR 0014)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.models import AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.treatment.models import Rating, RiskRating
from crisis_care.treatment.services import mdt as services

from .test_mdt_board import build_caseload

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor(staff_user) -> User:
    return staff_user(Role.DOCTOR)


@pytest.fixture
def people(team, doctor):
    """Adams (not rated) and Brook (amber)."""
    return build_caseload(team=team, by=doctor, count=2, names=[("Ana", "Adams"), ("Ben", "Brook")])


def url(episode):
    return reverse("treatment:risk_rating_set", args=[episode.pk])


def test_the_board_links_to_setting_a_rating_between_meetings(signed_in, doctor, people):
    response = signed_in(doctor).get(reverse("treatment:mdt_board"))

    assert f'href="{url(people[0])}">Set rating' in response.text
    assert f'href="{url(people[1])}">Change rating' in response.text


def test_a_first_rating_is_set_with_the_teams_summary_and_a_reason(signed_in, doctor, people):
    response = signed_in(doctor).post(
        url(people[0]),
        {"rating": "red", "summary": "Plans to overdose; lives alone", "reason": "Assessed today"},
    )

    assert response.status_code == 302
    rating = RiskRating.objects.get(episode=people[0])
    assert (rating.rating, rating.set_by, rating.meeting) == (Rating.RED, doctor, None)
    audit = AuditEvent.objects.get(section="risk rating", object_id=rating.pk)
    assert audit.action == "create" and audit.person_id == people[0].person_id


def test_the_reason_is_required(signed_in, doctor, people):
    current = RiskRating.objects.get(episode=people[1])

    response = signed_in(doctor).post(
        url(people[1]),
        {"rating": "red", "summary": current.summary, "reason": " ", "seen": str(current.pk)},
    )

    assert response.status_code == 200
    assert "Enter the reason for the rating" in page_text(response)
    assert RiskRating.objects.filter(episode=people[1]).count() == 1


def test_saving_the_same_rating_and_words_is_not_a_change(doctor, people):
    current = RiskRating.objects.get(episode=people[1])

    with pytest.raises(ValidationError) as error:
        services.risk_rating_set(
            episode=people[1],
            given=services.RatingInput(
                rating=current.rating, summary=current.summary, reason="No change", seen=current.pk
            ),
            by=doctor,
        )

    assert "change one of them" in error.value.messages[0]


def test_a_change_is_a_new_row_and_the_history_is_shown(signed_in, doctor, people):
    client = signed_in(doctor)
    first = RiskRating.objects.get(episode=people[1])
    client.post(
        url(people[1]),
        {
            "rating": "green",
            "summary": "Settled; back at work part time",
            "reason": "No thoughts of self-harm for a week",
            "seen": str(first.pk),
        },
    )

    text = page_text(client.get(url(people[1])))

    assert RiskRating.objects.filter(episode=people[1]).count() == 2
    first_again = RiskRating.objects.get(pk=first.pk)
    assert (first_again.rating, first_again.summary) == (first.rating, first.summary)
    assert text.index("Settled; back at work part time") < text.index(first.summary)
    assert "Reason: No thoughts of self-harm for a week" in text


def test_a_change_on_a_stale_page_is_refused_and_the_input_kept(
    signed_in, doctor, staff_user, people
):
    seen = RiskRating.objects.get(episode=people[1])
    colleague = staff_user(Role.REGISTERED_PRACTITIONER)
    newer = RiskRating.objects.create(
        episode=people[1],
        rating=Rating.RED,
        summary="Went missing overnight",
        reason="Police found her at the bridge",
        set_by=colleague,
        set_at=timezone.now(),
    )

    response = signed_in(doctor).post(
        url(people[1]),
        {"rating": "green", "summary": "Settled", "reason": "Calm at visit", "seen": str(seen.pk)},
    )

    assert f"{colleague} changed the rating to red" in page_text(response)
    assert "Calm at visit" in page_text(response)
    assert f'name="seen" value="{newer.pk}"' in response.text
    assert RiskRating.objects.filter(episode=people[1]).count() == 2


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_only_qualified_clinicians_set_the_rating(signed_in, staff_user, people, role):
    client = signed_in(staff_user(role))

    assert client.get(url(people[0])).status_code == 403
    response = client.post(url(people[0]), {"rating": "red", "summary": "x", "reason": "y"})

    assert response.status_code == 403
    assert not RiskRating.objects.filter(episode=people[0]).exists()


def test_another_teams_person_is_refused_and_audited(signed_in, staff_user, people, other_team):
    outsider = staff_user(Role.DOCTOR, in_team=other_team)

    response = signed_in(outsider).post(
        url(people[0]), {"rating": "red", "summary": "x", "reason": "y"}
    )

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access_denied", object_id=people[0].pk).exists()
    assert not RiskRating.objects.filter(episode=people[0]).exists()


def test_viewing_the_rating_page_is_audited(signed_in, doctor, people):
    signed_in(doctor).get(url(people[1]))

    event = AuditEvent.objects.get(section="risk rating", action="view")
    assert event.person_id == people[1].person_id

"""The public 'How did we do?' form: no login, CSRF, the honeypot, an unknown team's 404,
messages in the error summary that keep what was typed, nothing kept that links to a person,
and the crisis numbers on the thank-you page."""

import re
import uuid

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.testing import page_text
from crisis_care.directory.models import Phone, Service
from crisis_care.discharge.models import Experience, FeedbackResponse, Respondent
from crisis_care.discharge.services.feedback import COMMENT_MAX_LENGTH
from crisis_care.nonprod import factories

pytestmark = pytest.mark.django_db

THANKS = "/feedback/thanks/"


def form_url(team) -> str:  # type: ignore[no-untyped-def]
    return reverse("feedback:form", args=[team.pk])


def answers(**changes: str) -> dict[str, str]:
    data = {
        "experience": Experience.VERY_GOOD.value,
        "respondent": Respondent.CARER.value,
        "what_went_well": "They came every day and listened to my son.",
        "what_could_be_better": "It was hard to get through on the phone at night.",
        "website": "",
    }
    data.update(changes)
    return data


def without_nonce(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


# --- The page ------------------------------------------------------------------------------


def test_the_form_opens_without_signing_in_for_the_team_in_the_address(team):
    response = Client().get(form_url(team))

    assert response.status_code == 200
    text = page_text(response)
    assert "How did we do?" in text
    assert team.name in text
    assert "Overall, how was your experience of the crisis team?" in text
    for label in Experience.labels:
        assert label in text
    assert "Are you…" in text
    assert "What went well? (optional)" in text
    assert "What could we do better? (optional)" in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_says_it_keeps_nothing_that_shows_who_you_are_and_asks_for_no_name(team):
    response = Client().get(form_url(team))
    body = response.content.decode()

    assert "We do not keep anything that shows who you are" in page_text(response)
    form = body[body.index('<form method="post"') : body.index("</form>")]
    fields = set(re.findall(r'name="([^"]+)"', form))
    assert fields == {
        "csrfmiddlewaretoken",
        "experience",
        "respondent",
        "what_went_well",
        "what_could_be_better",
        "website",
    }


def test_the_page_says_where_to_get_help_now(team):
    text = page_text(Client().get(form_url(team)))

    assert "This form is not for getting help" in text
    assert "0808 800 3302" in text
    assert "999" in text


def test_an_unknown_team_gets_the_same_not_found_page_whatever_the_id(team):
    first = Client().get(reverse("feedback:form", args=[uuid.uuid4()]))
    second = Client().get(reverse("feedback:form", args=[uuid.uuid4()]))
    malformed = Client().get("/feedback/not-a-team/")

    assert first.status_code == second.status_code == malformed.status_code == 404
    assert without_nonce(first) == without_nonce(second) == without_nonce(malformed)
    assert team.name not in page_text(first)


def test_posting_to_an_unknown_team_keeps_nothing(team):
    response = Client().post(reverse("feedback:form", args=[uuid.uuid4()]), answers())

    assert response.status_code == 404
    assert not FeedbackResponse.objects.exists()


# --- Sending it --------------------------------------------------------------------------------


def test_an_answer_is_kept_for_the_team_and_the_sender_thanked(team, other_team):
    response = Client().post(form_url(team), answers())

    assert response.status_code == 302
    assert response["Location"] == THANKS
    kept = FeedbackResponse.objects.get()
    assert kept.team == team
    assert kept.experience == Experience.VERY_GOOD
    assert kept.respondent == Respondent.CARER
    assert kept.what_went_well == "They came every day and listened to my son."
    assert kept.what_could_be_better == "It was hard to get through on the phone at night."


def test_the_comments_are_optional(team):
    response = Client().post(
        form_url(team),
        answers(experience=Experience.DONT_KNOW, what_went_well="", what_could_be_better=""),
    )

    assert response.status_code == 302
    kept = FeedbackResponse.objects.get()
    assert (kept.experience, kept.what_went_well, kept.what_could_be_better) == ("6", "", "")


def test_nothing_that_links_to_a_person_is_stored(team):
    client = Client()
    client.post(
        form_url(team),
        answers(),
        REMOTE_ADDR="198.51.100.20",
        HTTP_USER_AGENT="Mozilla/5.0 (identifying browser)",
    )

    kept = FeedbackResponse.objects.get()
    stored = {f.attname for f in FeedbackResponse._meta.concrete_fields}
    assert stored == {
        "id",
        "created_at",
        "updated_at",
        "team_id",
        "experience",
        "respondent",
        "what_went_well",
        "what_could_be_better",
        "submitted_at",
    }
    assert "198.51.100.20" not in str(vars(kept))
    event = AuditEvent.objects.get(object_id=kept.pk)
    assert event.action == AuditAction.CREATE
    assert event.actor is None
    assert event.person_id is None
    assert event.ip_address is None
    assert "198.51.100.20" not in str(event.detail)
    assert "identifying browser" not in str(event.detail)
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_a_missing_answer_is_explained_in_the_error_summary_and_what_was_typed_is_kept(team):
    response = Client().post(
        form_url(team), answers(experience="", respondent="", what_went_well="The nurse Jo")
    )

    assert response.status_code == 400
    text = page_text(response)
    assert text.startswith("Error: How did we do?") or "There is a problem" in text
    summary = re.search(
        r'class="nhsuk-error-summary".*?</div>', response.content.decode(), flags=re.S
    )
    assert summary is not None
    assert "Select how your experience of the crisis team was overall" in summary.group(0)
    assert 'href="#id_experience"' in summary.group(0)
    assert "Select whether you had care from the team" in summary.group(0)
    assert 'href="#id_respondent"' in summary.group(0)
    assert "The nurse Jo" in response.content.decode()
    assert "<title>Error: " in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_an_answer_not_on_the_list_is_refused(team):
    response = Client().post(form_url(team), answers(experience="9"))

    assert response.status_code == 400
    assert "Select how your experience of the crisis team was overall" in page_text(response)
    assert not FeedbackResponse.objects.exists()


def test_a_comment_can_be_2000_characters_and_no_more(team):
    too_long = Client().post(form_url(team), answers(what_went_well="a" * 2001))

    assert too_long.status_code == 400
    assert "What went well must be 2,000 characters or fewer" in page_text(too_long)
    assert not FeedbackResponse.objects.exists()

    just_right = Client().post(
        form_url(team), answers(what_could_be_better="b" * COMMENT_MAX_LENGTH)
    )
    assert just_right.status_code == 302
    assert len(FeedbackResponse.objects.get().what_could_be_better) == 2000


def test_a_line_break_counts_as_one_character_as_the_counter_on_the_page_does(team):
    text = ("x" * 99 + "\r\n") * 20  # 2,000 characters once each break is one

    response = Client().post(form_url(team), answers(what_went_well=text))

    assert response.status_code == 302
    assert FeedbackResponse.objects.get().what_went_well == text.replace("\r\n", "\n").strip()


def test_a_robot_that_fills_in_the_hidden_box_is_thanked_but_nothing_is_kept(team):
    response = Client().post(form_url(team), answers(website="http://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == THANKS
    assert not FeedbackResponse.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_the_hidden_box_is_hidden_from_people(team):
    body = Client().get(form_url(team)).content.decode()

    honeypot = re.search(r'<div class="nhsuk-u-visually-hidden">\s*<label for="website">', body)
    assert honeypot is not None
    assert 'tabindex="-1"' in body


def test_a_post_without_the_csrf_token_is_refused(team):
    client = Client(enforce_csrf_checks=True)

    response = client.post(form_url(team), answers())

    assert response.status_code == 403
    assert not FeedbackResponse.objects.exists()


def test_a_post_with_the_csrf_token_from_the_form_is_kept(team):
    client = Client(enforce_csrf_checks=True)
    page = client.get(form_url(team)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    response = client.post(form_url(team), {**answers(), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert FeedbackResponse.objects.count() == 1


def test_a_body_far_larger_than_any_honest_answer_is_refused_without_reading_it(team):
    response = Client().post(form_url(team), answers(what_went_well="é" * 40_000))

    assert response.status_code == 400
    assert "Your feedback is too long to send" in page_text(response)
    assert not FeedbackResponse.objects.exists()


def test_only_get_and_post_are_allowed(team):
    assert Client().put(form_url(team)).status_code == 405


# --- Thank you ---------------------------------------------------------------------------------


def test_the_thank_you_page_opens_without_signing_in_and_lists_the_crisis_numbers(team):
    response = Client().get(THANKS)

    assert response.status_code == 200
    text = page_text(response)
    assert "Thank you for your feedback" in text
    assert "If you need help now" in text
    for service in Service.objects.filter(is_crisis_help=True, status="active"):
        assert service.name in text
    assert "0808 800 3302" in text
    assert 'href="tel:999"' in response.content.decode()


def test_the_thank_you_page_takes_its_numbers_from_the_directory(team):
    line = Service.objects.get(name__startswith="24/7 mental health line")
    Phone.objects.filter(service=line).update(number="0808 800 9999")

    text = page_text(Client().get(THANKS))

    assert "call the 24/7 mental health line on 0808 800 9999" in text


def test_a_signed_in_member_of_staff_can_open_the_form_too(team, signed_in, practitioner):
    assert signed_in(practitioner).get(form_url(team)).status_code == 200


def test_any_team_has_its_own_form(team):
    elsewhere = factories.TeamFactory(name="Rutland Crisis Team", code="rutland-crisis")

    response = Client().post(form_url(elsewhere), answers())

    assert response.status_code == 302
    assert FeedbackResponse.objects.get().team == elsewhere

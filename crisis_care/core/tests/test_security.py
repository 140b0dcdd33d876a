"""Sign-in, lockout, session timeout and security headers."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import Client, override_settings
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.testing import page_text

pytestmark = pytest.mark.django_db


def test_every_page_needs_a_login_except_public_ones(client: Client, person_in_care):
    for url in [
        reverse("workforce:home"),
        reverse("people:search"),
        reverse("people:detail", args=[person_in_care.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))
    assert client.get(reverse("core:login")).status_code == 200
    assert client.get(reverse("core:accessibility")).status_code == 200


def test_signing_in_takes_you_home_and_is_audited(client: Client, practitioner):
    response = client.post(
        reverse("core:login"),
        {"username": practitioner.username, "password": "correct-horse-battery-staple"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workforce:home")
    assert AuditEvent.objects.filter(actor=practitioner, action=AuditAction.LOGIN).exists()


def test_a_wrong_password_gets_an_error_summary(client: Client, practitioner):
    response = client.post(
        reverse("core:login"), {"username": practitioner.username, "password": "wrong"}
    )

    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter a correct username and password" in text
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    client: Client, practitioner
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("core:login"), {"username": practitioner.username, "password": "wrong"})

    response = client.post(
        reverse("core:login"),
        {"username": practitioner.username, "password": "correct-horse-battery-staple"},
    )

    assert response.status_code == 429
    assert "Your account is locked" in page_text(response)


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from crisis_care.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make_password("a long passphrase", hasher=Argon2PasswordHasher()).startswith("argon2")


def test_sessions_end_after_30_minutes_idle():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_pages_send_security_headers_and_a_csp_without_unsafe_inline(client: Client):
    response = client.get(reverse("core:login"))

    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text


def test_sign_out_needs_a_post_with_a_csrf_token(practitioner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)

    assert client.get(reverse("core:logout")).status_code == 200
    assert client.post(reverse("core:logout")).status_code == 403
    assert client.get(reverse("workforce:home")).status_code == 200


@override_settings(DEBUG=False)
def test_debug_is_off_outside_local_settings():
    from crisis_care.config.settings import base

    assert base.DEBUG is False


def test_a_form_without_a_csrf_token_gets_a_clear_page_and_saves_nothing(practitioner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)

    response = client.post(reverse("people:register"), {"given_name": "Sam"})

    assert response.status_code == 403
    assert "Your form could not be sent" in page_text(response)
    assert "Nothing has been saved" in page_text(response)

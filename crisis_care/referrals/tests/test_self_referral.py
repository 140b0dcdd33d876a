"""The public self-referral pages: no login, CSRF, the honeypot, the hourly limit per
address, size limits, clear messages that keep what was typed, escaping, and no way to
tell whether a person is known to the service."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory.models import Phone, Service
from crisis_care.nonprod import factories
from crisis_care.people.models import CareTeamLink
from crisis_care.referrals import selectors
from crisis_care.referrals.models import Referral, SelfReferralThrottle
from crisis_care.referrals.self_referral import (
    MAX_BODY_BYTES,
    NOT_SAFE_RISK,
    address_key,
    throttle_allows,
    when_we_will_contact,
)

pytestmark = pytest.mark.django_db

FORM = "/self-referral/"
EASY_READ = "/self-referral/easy-read/"
SENT = "/self-referral/sent/"


def myself(**changes: str) -> dict[str, str]:
    data = {
        "referred_by": "self",
        "given_name": "Jordan",
        "family_name": "Pell",
        "date_of_birth[day]": "14",
        "date_of_birth[month]": "6",
        "date_of_birth[year]": "1990",
        "phone": "07700 900 982",
        "email": "",
        "postcode": "le1 5ww",
        "reason": "I have not slept for four nights and the voices are getting worse.",
        "safe_now": "yes",
        "website": "",
    }
    data.update(changes)
    return data


def for_someone(**changes: str) -> dict[str, str]:
    data = myself(
        referred_by="carer",
        carer_name="Alex Pell",
        carer_phone="0116 496 0123",
        person_agrees="does_not_know",
        phone="",
        reason="My brother has stopped eating and talks about ending his life.",
    )
    data.update(changes)
    return data


def post(
    data: dict[str, str],
    *,
    url: str = FORM,
    address: str = "198.51.100.20",
    client: Client | None = None,
):
    return (client or Client()).post(url, data, REMOTE_ADDR=address)


def without_nonce(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


# --- No login, and the same message at the top of every page --------------------------------


@pytest.mark.parametrize("url", [FORM, EASY_READ, SENT, f"{SENT}?safe=no", f"{SENT}?easy-read=1"])
def test_every_page_opens_without_signing_in_and_starts_with_the_emergency_numbers(team, url):
    response = Client().get(url)

    assert response.status_code == 200
    text = page_text(response)
    assert "999" in text
    assert "0808 800 3302" in text
    assert "111" in text
    assert 'href="tel:999"' in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_callout_reads_exactly_as_agreed(team):
    text = page_text(Client().get(FORM))

    assert "If life is at risk, call 999 now" in text
    assert (
        "For urgent help, call the 24/7 mental health line on 0808 800 3302 or NHS 111 "
        "(choose the mental health option)"
    ) in text


def test_the_numbers_come_from_the_directory(team):
    line = Service.objects.get(name__startswith="24/7 mental health line")
    Phone.objects.filter(service=line).update(number="0808 800 9999")

    text = page_text(Client().get(FORM))

    assert "call the 24/7 mental health line on 0808 800 9999" in text


def test_the_published_numbers_are_shown_when_the_directory_has_none(team):
    Service.objects.update(is_crisis_help=False)

    for url in (FORM, SENT):
        text = page_text(Client().get(url))
        assert "If life is at risk, call 999 now" in text
        assert "0808 800 3302" in text
        assert "NHS 111" in text


def test_the_confirmation_says_what_happens_next_and_lists_the_crisis_numbers(team):
    text = page_text(Client().get(SENT))

    assert "Referral sent" in text
    assert "The crisis team will contact you" in text
    assert "If we cannot reach you, we will try again" in text
    assert "Samaritans" in text
    assert "0300 300 1010" in text
    assert "You told us the person is not safe" not in text


def test_the_confirmation_repeats_the_999_message_when_the_person_is_not_safe(team):
    response = post(myself(safe_now="no"))

    assert response.status_code == 302
    assert response["Location"] == f"{SENT}?safe=no"
    text = page_text(Client().get(response["Location"]))
    assert "You told us the person is not safe right now. Do not wait for us to contact you" in text
    assert Referral.objects.get().known_risks == NOT_SAFE_RISK


def test_the_team_contacts_today_or_by_midday_tomorrow_after_the_evening_cut_off():
    day = dt.date(2026, 3, 28)
    assert when_we_will_contact(local_instant(day, dt.time(9, 0))) == "today"
    assert when_we_will_contact(local_instant(day, dt.time(17, 59))) == "today"
    assert when_we_will_contact(local_instant(day, dt.time(18, 0))) == "by midday tomorrow"
    assert when_we_will_contact(local_instant(day, dt.time(23, 30))) == "by midday tomorrow"


def test_without_the_receiving_team_the_form_says_to_phone_and_takes_nothing(db):
    response = Client().get(FORM)

    assert response.status_code == 503
    text = page_text(response)
    assert "Sorry, you cannot refer online at the moment" in text
    assert "0808 800 3302" in text

    response = post(myself())
    assert response.status_code == 503
    assert not Referral.objects.exists()


def test_other_methods_are_refused(team):
    assert Client().put(FORM).status_code == 405
    assert Client().post(SENT).status_code == 405


# --- It lands in the queue ----------------------------------------------------------------------


def test_a_self_referral_lands_in_the_team_triage_queue_as_new_and_unmatched(team, practitioner):
    response = post(myself())

    assert response.status_code == 302
    assert response["Location"] == SENT
    referral = Referral.objects.get()
    assert referral.team == team
    assert referral.person is None
    assert referral.source == "self"
    assert referral.channel == "online"
    assert referral.status == "new"
    assert referral.priority == "2"
    assert referral.priority_reason == "Self-referral: to be triaged by the duty clinician"
    assert referral.created_by is None
    assert referral.referrer_name == "Jordan Pell"
    assert referral.referrer_phone == "07700 900 982"
    assert referral.person_agrees == "agrees"
    assert referral.current_postcode == "LE1 5WW"
    assert referral.area_check == "in"
    assert referral.age_check == "in"
    assert referral.submitted_details == {
        "given_name": "Jordan",
        "family_name": "Pell",
        "date_of_birth": "1990-06-14",
        "phone": "07700 900 982",
        "email": "",
        "postcode": "LE1 5WW",
        "referred_by": "self",
        "carer_name": "",
        "carer_phone": "",
        "safe_now": "yes",
    }
    queue = selectors.triage_queue(team=team)
    assert [row.referral for row in queue.rows] == [referral]


def test_a_carer_referral_records_the_carer_as_the_referrer(team):
    response = post(for_someone())

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.source == "carer_family"
    assert referral.channel == "online"
    assert referral.referrer_name == "Alex Pell"
    assert referral.referrer_phone == "0116 496 0123"
    assert referral.person_agrees == "does_not_know"
    assert referral.submitted_details["referred_by"] == "carer"
    assert referral.submitted_details["carer_name"] == "Alex Pell"
    assert referral.display_name == "Jordan Pell"


def test_a_carer_need_not_know_the_date_of_birth_or_the_persons_phone(team):
    response = post(
        for_someone(
            **{"date_of_birth[day]": "", "date_of_birth[month]": "", "date_of_birth[year]": ""}
        )
    )

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert "date_of_birth" not in referral.submitted_details
    assert referral.age_check == "unknown"


def test_an_email_address_alone_is_enough_to_contact_someone_referring_themselves(team):
    response = post(myself(phone="", email="jordan@example.com"))

    assert response.status_code == 302
    assert Referral.objects.get().referrer_email == "jordan@example.com"


def test_the_easy_read_form_refers_in_the_same_way(team):
    response = post(myself(), url=EASY_READ)

    assert response.status_code == 302
    assert response["Location"] == f"{SENT}?easy-read=1"
    assert Referral.objects.get().source == "self"
    text = page_text(Client().get(response["Location"]))
    assert "We have your message" in text
    assert "The crisis team will get in touch with you" in text


# --- Protection against abuse -----------------------------------------------------------------


def test_a_post_without_a_csrf_token_is_refused(team):
    client = Client(enforce_csrf_checks=True)

    response = client.post(FORM, myself(), REMOTE_ADDR="198.51.100.20")

    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_a_post_with_the_csrf_token_from_the_form_is_accepted(team):
    client = Client(enforce_csrf_checks=True)
    page = client.get(FORM).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    response = client.post(
        FORM, {**myself(), "csrfmiddlewaretoken": token}, REMOTE_ADDR="198.51.100.20"
    )

    assert response.status_code == 302
    assert Referral.objects.count() == 1


def test_the_honeypot_is_hidden_and_labelled_to_be_left_empty(team):
    html = Client().get(FORM).content.decode()

    hidden = re.search(r'<div class="nhsuk-u-visually-hidden">(.*?)</div>', html, flags=re.S)
    assert hidden is not None
    assert '<label for="website">Leave this empty</label>' in hidden.group(1)
    assert 'name="website"' in hidden.group(1)
    assert 'autocomplete="off"' in hidden.group(1)
    assert 'tabindex="-1"' in hidden.group(1)


def test_a_filled_in_honeypot_looks_like_success_but_creates_nothing(team):
    genuine = post(myself(safe_now="no"), address="198.51.100.1")
    Referral.objects.all().delete()

    robot = post(
        myself(safe_now="no", website="https://cheap-pills.example"), address="198.51.100.2"
    )

    assert robot.status_code == genuine.status_code == 302
    assert robot["Location"] == genuine["Location"]
    assert not Referral.objects.exists()
    # Even a robot that fills the honeypot and nothing else sees success.
    robot = post({"website": "https://cheap-pills.example"}, address="198.51.100.2")
    assert robot.status_code == 302
    assert robot["Location"] == SENT
    assert not Referral.objects.exists()


def test_the_sixth_referral_in_an_hour_from_one_address_is_refused_with_the_phone_line(
    team, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for number in range(5):
        assert post(myself(given_name=f"Jordan{number}"), address="203.0.113.7").status_code == 302

    response = post(myself(), address="203.0.113.7")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    text = page_text(response)
    assert "We cannot take another referral from you online just now" in text
    assert "call the 24/7 mental health line on 0808 800 3302" in text
    assert "Your referral has not been sent" in text
    assert Referral.objects.count() == 5

    assert post(myself(), address="203.0.113.8").status_code == 302
    assert Referral.objects.count() == 6

    time_machine.shift(dt.timedelta(minutes=61))
    assert post(myself(), address="203.0.113.7").status_code == 302


def test_the_limit_follows_settings(team, settings):
    settings.CRISIS_CARE = {**settings.CRISIS_CARE, "SELF_REFERRAL_PER_HOUR": 1}

    assert post(myself(), address="203.0.113.9").status_code == 302
    assert post(myself(), address="203.0.113.9").status_code == 429


def test_mistakes_on_the_form_do_not_use_up_the_limit(team):
    for _ in range(8):
        assert post(myself(reason=""), address="203.0.113.10").status_code == 400

    assert post(myself(), address="203.0.113.10").status_code == 302


def test_the_limit_counts_addresses_by_a_keyed_hash_never_the_address(team, settings):
    post(myself(), address="203.0.113.11")

    row = SelfReferralThrottle.objects.get()
    assert row.count == 1
    assert "203.0.113.11" not in row.key
    assert len(row.key) == 64
    assert row.key == address_key("203.0.113.11")
    settings.SECRET_KEY = "another-secret"
    assert address_key("203.0.113.11") != row.key


def test_ipv6_addresses_in_one_64_block_share_a_count(settings):
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:203.0.113.5") == address_key("203.0.113.5")


def test_old_counts_are_cleared_away(db):
    long_ago = timezone.now() - dt.timedelta(hours=3)
    throttle_allows("203.0.113.12", now=long_ago)

    throttle_allows("203.0.113.13")

    assert SelfReferralThrottle.objects.count() == 1


def test_an_over_large_request_is_refused_with_a_clear_page(team):
    response = post(myself(reason="x" * (MAX_BODY_BYTES + 1)))

    assert response.status_code == 400
    text = page_text(response)
    assert "Your referral is too long to send" in text
    assert "Use your browser's back button to go back to your answers" in text
    assert "0808 800 3302" in text
    assert not Referral.objects.exists()


# --- Bad input gets a clear message and keeps what was typed -------------------------------------


def test_an_over_long_what_is_happening_is_explained_and_kept(team):
    typed = "Please help. " + "a" * 3000

    response = post(myself(reason=typed))

    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "What is happening must be 3,000 characters or fewer" in text
    assert typed in response.content.decode()
    assert 'value="Jordan"' in response.content.decode()
    assert not Referral.objects.exists()


def test_line_breaks_count_as_one_character_like_the_character_count(team):
    typed = "\r\n".join(["a" * 99] * 30)  # 2,970 letters and 29 line breaks: 2,999 characters

    response = post(myself(reason=typed))

    assert response.status_code == 302
    assert Referral.objects.get().reason == typed.replace("\r\n", "\n")


def test_missing_contact_details_are_explained(team):
    response = post(myself(phone="", email=""))

    assert response.status_code == 400
    assert "Enter a phone number or email address so we can contact you" in page_text(response)
    html = response.content.decode()
    assert 'value="Jordan"' in html
    assert "the voices are getting worse" in html
    assert not Referral.objects.exists()


def test_a_carer_must_say_how_to_reach_them_and_whether_the_person_knows(team):
    response = post(for_someone(carer_name="", carer_phone="", person_agrees=""))

    assert response.status_code == 400
    text = page_text(response)
    assert "Enter your name" in text
    assert "Enter your phone number so we can contact you" in text
    assert "Select whether the person knows about this referral and agrees to it" in text


def test_an_empty_form_lists_every_problem_in_page_order_with_working_links(team):
    response = post({})

    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'class="nhsuk-error-summary".*?</ul>', html, flags=re.S).group(0)  # type: ignore[union-attr]
    messages = [
        (anchor, " ".join(text.split()))
        for anchor, text in re.findall(r'<a href="#([^"]+)"\s*>([^<]+)</a>', summary)
    ]
    assert [text for _, text in messages] == [
        "Select whether you are referring yourself or someone else",
        "Enter the person&#39;s first name",
        "Enter the person&#39;s last name",
        "Tell us what is happening",
        "Select whether the person is safe right now",
    ]
    for anchor, _ in messages:
        assert f'id="{anchor}"' in html, (
            f"the error summary links to #{anchor}, which is not on the page"
        )


def test_someone_referring_themselves_is_asked_for_their_own_details(team):
    response = post(
        myself(
            given_name="",
            family_name="",
            phone="",
            **{"date_of_birth[day]": "", "date_of_birth[month]": "", "date_of_birth[year]": ""},
        )
    )

    text = page_text(response)
    assert "Enter your first name" in text
    assert "Enter your last name" in text
    assert "Enter your date of birth" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"phone": "call me"},
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        ),
        (
            {"phone": "123"},
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        ),
        (
            {"email": "jordan.example.com"},
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"postcode": "LE99 ZZZZ"}, "Enter a real postcode, like LE1 5WW"),
        (
            {"date_of_birth[day]": "31", "date_of_birth[month]": "2"},
            "Date of birth must be a real date",
        ),
        ({"date_of_birth[year]": "2999"}, "Date of birth must be today or in the past"),
        ({"given_name": "J" * 101}, "First name must be 100 characters or fewer"),
        ({"referred_by": "robot"}, "Select a valid choice"),
        ({"safe_now": "maybe"}, "Select a valid choice"),
    ],
)
def test_malformed_answers_are_explained_and_kept(team, changes, message):
    response = post(myself(**changes))

    assert response.status_code == 400
    assert message in page_text(response)
    html = response.content.decode()
    assert "the voices are getting worse" in html
    for value in changes.values():
        if value not in ("robot", "maybe"):
            assert f'value="{value}"' in html
    assert not Referral.objects.exists()


def test_the_easy_read_form_explains_problems_in_plain_words(team):
    response = post({}, url=EASY_READ)

    assert response.status_code == 400
    text = page_text(response)
    assert "Choose who needs help" in text
    assert "Write their first name" in text
    assert "Tell us what is happening" in text
    assert "Choose if the person is safe now" in text


# --- Escaping -----------------------------------------------------------------------------------------


SCRIPT = "<script>alert(1)</script>"


def test_script_typed_into_a_field_is_shown_back_as_text(team):
    response = post(myself(reason=SCRIPT, given_name=SCRIPT, phone=""))

    assert response.status_code == 400
    html = response.content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_is_stored_as_typed_and_shown_escaped_to_the_duty_clinician(
    team, staff_user, signed_in
):
    post(myself(reason=SCRIPT, family_name=SCRIPT))
    referral = Referral.objects.get()
    assert referral.reason == SCRIPT
    assert referral.submitted_details["family_name"] == SCRIPT

    client = signed_in(staff_user(Role.REGISTERED_PRACTITIONER))
    for url in (reverse("referrals:detail", args=[referral.pk]), reverse("referrals:queue")):
        page = client.get(url)
        assert page.status_code == 200
        assert SCRIPT not in page.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


# --- No enumeration ----------------------------------------------------------------------------


def test_the_response_is_the_same_whether_or_not_the_person_is_known(team):
    known = factories.PersonFactory(
        given_name="Morgan",
        family_name="Hale",
        date_of_birth=dt.date(1985, 2, 3),
        phone="07700 900 111",
    )
    factories.CareTeamLinkFactory(team=team, person=known)
    links_before = CareTeamLink.objects.count()
    details = {
        "given_name": "Morgan",
        "family_name": "Hale",
        "date_of_birth[day]": "3",
        "date_of_birth[month]": "2",
        "date_of_birth[year]": "1985",
        "phone": "07700 900 111",
    }
    unknown = {**details, "given_name": "Quinn", "family_name": "Ashdown", "phone": "07700 900 222"}

    for_known = post(myself(**details), address="198.51.100.30")
    for_unknown = post(myself(**unknown), address="198.51.100.31")

    assert for_known.status_code == for_unknown.status_code == 302
    assert for_known["Location"] == for_unknown["Location"]
    assert sorted(for_known.headers) == sorted(for_unknown.headers)
    page_known = Client().get(for_known["Location"])
    page_unknown = Client().get(for_unknown["Location"])
    assert without_nonce(page_known) == without_nonce(page_unknown)
    for page in (page_known, page_unknown):
        text = page_text(page)
        for word in ("Morgan", "Hale", "Quinn", "Ashdown", "known", "record", "already"):
            assert word not in text
    # Neither referral is matched to a record, and no one gains access to the known person.
    assert list(Referral.objects.values_list("person", flat=True)) == [None, None]
    assert CareTeamLink.objects.count() == links_before


def test_form_errors_are_the_same_whether_or_not_the_person_is_known(team):
    factories.PersonFactory(
        given_name="Morgan", family_name="Hale", date_of_birth=dt.date(1985, 2, 3)
    )
    dob = {"date_of_birth[day]": "3", "date_of_birth[month]": "2", "date_of_birth[year]": "1985"}

    known = post(myself(given_name="Morgan", family_name="Hale", reason="", **dob))
    unknown = post(myself(given_name="Quinn", family_name="Hale", reason="", **dob))

    assert known.status_code == unknown.status_code == 400
    strip = lambda r: re.sub(r'value="[^"]*"', "", without_nonce(r))  # noqa: E731
    assert strip(known).replace("Morgan", "") == strip(unknown).replace("Quinn", "")

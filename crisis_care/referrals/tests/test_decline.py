"""Declining a referral with reasons and signposting, and the letter (CORE item 8)."""

import datetime as dt
import io

import pypdf
import pytest
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory.models import Service
from crisis_care.directory.tests.factories import (
    PhoneFactory,
    RegularScheduleFactory,
    ServiceFactory,
)
from crisis_care.nonprod import factories
from crisis_care.people.models import CareTeamLink
from crisis_care.referrals import letters
from crisis_care.referrals.letters import BlockKind
from crisis_care.referrals.models import (
    AreaCheck,
    DeclineCategory,
    Referral,
    ReferralSignpost,
    Status,
)

pytestmark = pytest.mark.django_db

REASON = "The address you gave is in Nottingham, so the Nottinghamshire crisis team can help."


@pytest.fixture
def drop_in() -> Service:
    service = ServiceFactory(name="Beacon evening drop-in", area="national")
    PhoneFactory(service=service, number="0300 123 7777", description="Evenings")
    for day in ("MO", "TU", "WE"):
        RegularScheduleFactory(
            service=service, byday=day, opens_at=dt.time(18), closes_at=dt.time(22)
        )
    return service


@pytest.fixture
def helpline() -> Service:
    service = ServiceFactory(name="Harbour support line", area="national")
    PhoneFactory(service=service, number="0800 555 0199")
    return service


@pytest.fixture
def out_of_area(make_referral) -> Referral:
    return make_referral(
        person=factories.PersonFactory(postcode="NG1 1AA"), current_postcode="NG1 1AA"
    )


def decline_url(referral: Referral) -> str:
    return reverse("referrals:decline", args=[referral.pk])


def decline_post(*services: Service, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": DeclineCategory.OUT_OF_AREA,
        "reason": REASON,
        "services": [str(s.pk) for s in services],
    }
    data.update(overrides)
    return data


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_form_shows_the_eligibility_checks_and_services_from_the_directory(
    signed_in, practitioner, out_of_area, drop_in
):
    response = signed_in(practitioner).get(decline_url(out_of_area))

    assert response.status_code == 200
    text = page_text(response)
    assert "Eligibility checks" in text
    assert AreaCheck.OUT_OF_AREA.label in text
    assert "NG1 1AA" in text
    assert "Beacon evening drop-in" in text
    assert "Phone: 0300 123 7777" in text
    # The category the checks point to is chosen already.
    assert 'value="out_of_area" checked' in response.content.decode()


def test_it_needs_a_category_a_reason_and_at_least_one_service(
    signed_in, practitioner, out_of_area
):
    response = signed_in(practitioner).post(decline_url(out_of_area), {})

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Select why the referral is being declined" in text
    assert "Enter why the referral is being declined" in text
    assert "Choose at least one service to signpost to" in text
    assert response.content.decode().count('href="#id_services"') == 1
    assert 'id="id_services"' in response.content.decode()
    out_of_area.refresh_from_db()
    assert out_of_area.status == Status.NEW


def test_what_was_typed_is_kept_when_no_service_is_chosen(signed_in, practitioner, out_of_area):
    response = signed_in(practitioner).post(decline_url(out_of_area), decline_post())

    assert "Choose at least one service to signpost to" in page_text(response)
    assert REASON in page_text(response)
    assert Referral.objects.get(pk=out_of_area.pk).is_open


def test_declining_keeps_the_referral_on_record_closed_with_its_signposts(
    signed_in, practitioner, team, out_of_area, drop_in, helpline
):
    link = CareTeamLink.objects.get(source="referral", source_id=out_of_area.pk)
    assert link.closed_at is None

    response = signed_in(practitioner).post(
        decline_url(out_of_area), decline_post(drop_in, helpline)
    )

    assert response.status_code == 302
    assert response.url == reverse("referrals:letter", args=[out_of_area.pk])
    referral = Referral.objects.get(pk=out_of_area.pk)
    assert referral.status == Status.DECLINED
    assert referral.closed_at is not None
    assert referral.decline_category == DeclineCategory.OUT_OF_AREA
    assert referral.decline_reason == REASON
    assert REASON in referral.decline_letter
    assert set(
        ReferralSignpost.objects.filter(referral=referral).values_list("service_id", flat=True)
    ) == {drop_in.pk, helpline.pk}
    assert referral.status_history.last().status == Status.DECLINED
    link.refresh_from_db()
    assert link.closed_at is not None


def test_the_letter_page_shows_the_letter_with_a_pdf_link(
    signed_in, practitioner, team, out_of_area, drop_in
):
    client = signed_in(practitioner)
    client.post(decline_url(out_of_area), decline_post(drop_in))

    response = client.get(reverse("referrals:letter", args=[out_of_area.pk]))

    assert response.status_code == 200
    text = page_text(response)
    assert "Letter to the referrer" in text
    assert "Dear Dr Amara Shah," in text
    assert "Why we cannot help" in text
    assert REASON in text
    assert "Beacon evening drop-in" in text
    assert "Monday to Wednesday, 6pm to 10pm" in text
    assert "How to get crisis help" in text
    assert f"Phone: {team.phone}" in text
    assert "Download the letter (PDF)" in text
    assert reverse("referrals:letter_pdf", args=[out_of_area.pk]) in response.content.decode()


def test_the_pdf_contains_the_reason_and_every_chosen_service_with_its_phone(
    signed_in, practitioner, out_of_area, drop_in, helpline
):
    client = signed_in(practitioner)
    client.post(decline_url(out_of_area), decline_post(drop_in, helpline))

    response = client.get(reverse("referrals:letter_pdf", args=[out_of_area.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    referral = Referral.objects.get(pk=out_of_area.pk)
    assert response["Content-Disposition"] == (
        f'inline; filename="{letters.pdf_filename(referral)}"'
    )
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert REASON in text
    for name, phone in (
        ("Beacon evening drop-in", "0300 123 7777"),
        ("Harbour support line", "0800 555 0199"),
    ):
        assert name in text
        assert phone in text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == letters.pdf_title(referral)
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_the_pdf_filename_has_the_date_and_no_name_or_nhs_number(
    signed_in, practitioner, out_of_area, drop_in
):
    client = signed_in(practitioner)
    client.post(decline_url(out_of_area), decline_post(drop_in))

    response = client.get(reverse("referrals:letter_pdf", args=[out_of_area.pk]))

    disposition = response["Content-Disposition"]
    person = out_of_area.person
    assert "referral-response-20" in disposition
    assert person.family_name not in disposition
    assert person.nhs_number not in disposition
    assert person.family_name not in letters.pdf_title(Referral.objects.get(pk=out_of_area.pk))


def test_every_view_of_the_letter_is_audited(signed_in, practitioner, out_of_area, drop_in):
    client = signed_in(practitioner)
    client.post(decline_url(out_of_area), decline_post(drop_in))

    client.get(reverse("referrals:letter", args=[out_of_area.pk]))
    client.get(reverse("referrals:letter_pdf", args=[out_of_area.pk]))

    views = AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="decline letter", object_id=out_of_area.pk
    )
    assert views.count() == 2
    assert {v.person_id for v in views} == {out_of_area.person_id}
    assert {v.actor for v in views} == {practitioner}
    assert sorted(v.detail["format"] for v in views) == ["page", "pdf"]


def test_script_in_the_reason_is_escaped_on_the_letter_page(
    signed_in, practitioner, out_of_area, drop_in
):
    client = signed_in(practitioner)
    client.post(
        decline_url(out_of_area),
        decline_post(drop_in, reason="<script>alert('x')</script> Lives in Derby."),
    )

    body = client.get(reverse("referrals:letter", args=[out_of_area.pk])).content.decode()

    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(" in body


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_roles_that_may_not_decline_are_refused(signed_in, staff_user, out_of_area, drop_in, role):
    client = signed_in(staff_user(role))

    assert client.get(decline_url(out_of_area)).status_code == 403
    assert client.post(decline_url(out_of_area), decline_post(drop_in)).status_code == 403
    assert Referral.objects.get(pk=out_of_area.pk).is_open


@pytest.mark.parametrize("role", [Role.REGISTERED_PRACTITIONER, Role.DOCTOR, Role.TEAM_MANAGER])
def test_clinicians_may_decline(signed_in, staff_user, out_of_area, drop_in, role):
    response = signed_in(staff_user(role)).post(decline_url(out_of_area), decline_post(drop_in))

    assert response.status_code == 302
    assert Referral.objects.get(pk=out_of_area.pk).status == Status.DECLINED


def test_the_team_administrator_may_read_the_letter_to_send_it(
    signed_in, practitioner, staff_user, out_of_area, drop_in
):
    signed_in(practitioner).post(decline_url(out_of_area), decline_post(drop_in))
    client = signed_in(staff_user(Role.ADMINISTRATOR))

    assert client.get(reverse("referrals:letter", args=[out_of_area.pk])).status_code == 200


def test_a_referral_of_another_team_is_refused_and_the_attempt_audited(
    signed_in, staff_user, other_team, out_of_area, drop_in
):
    from crisis_care.core.models import AuditAction, AuditEvent

    outsider = signed_in(staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team))

    assert outsider.get(decline_url(out_of_area)).status_code == 403
    assert outsider.post(decline_url(out_of_area), decline_post(drop_in)).status_code == 403
    assert outsider.get(reverse("referrals:letter", args=[out_of_area.pk])).status_code == 403
    assert outsider.get(reverse("referrals:letter_pdf", args=[out_of_area.pk])).status_code == 403
    assert Referral.objects.get(pk=out_of_area.pk).is_open
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, object_id=out_of_area.pk
        ).count()
        == 4
    )


def test_an_open_referral_has_no_letter(signed_in, practitioner, out_of_area):
    client = signed_in(practitioner)

    assert client.get(reverse("referrals:letter", args=[out_of_area.pk])).status_code == 404
    assert client.get(reverse("referrals:letter_pdf", args=[out_of_area.pk])).status_code == 404


def test_a_declined_referral_cannot_be_declined_again(
    signed_in, practitioner, out_of_area, drop_in, helpline
):
    client = signed_in(practitioner)
    client.post(decline_url(out_of_area), decline_post(drop_in))

    response = client.post(decline_url(out_of_area), decline_post(helpline, reason="Again"))

    assert response.status_code == 302
    assert response.url == reverse("referrals:letter", args=[out_of_area.pk])
    referral = Referral.objects.get(pk=out_of_area.pk)
    assert "Again" not in referral.decline_letter
    assert [s.service_id for s in referral.signposts.all()] == [drop_in.pk]


def test_a_service_not_in_the_directory_is_refused(signed_in, practitioner, out_of_area):
    response = signed_in(practitioner).post(
        decline_url(out_of_area),
        decline_post(services=["8f14e45f-ceea-467f-a0e6-3b6a0e2c1a11"]),
    )

    assert response.status_code == 200
    assert "Choose services from the directory" in page_text(response)
    assert Referral.objects.get(pk=out_of_area.pk).is_open


# -- The letter's words --------------------------------------------------------------


def build(
    referral: Referral,
    *services: Service,
    category=DeclineCategory.OUT_OF_AREA,
    crisis_help=None,
    by=None,
):
    return letters.build_letter(
        referral=referral,
        category=category,
        reason=REASON,
        services=list(services),
        crisis_help=crisis_help if crisis_help is not None else [],
        by=by or referral.created_by,
        on=dt.date(2026, 3, 3),
    )


def test_the_letter_is_addressed_to_the_referrer_and_names_the_person(out_of_area, drop_in):
    text = build(out_of_area, drop_in)
    person = out_of_area.person

    assert text.startswith("3 March 2026\n\nDr Amara Shah\nHollybank Medical Centre\n\n")
    assert f"About: {person.full_name}" in text
    assert "Dear Dr Amara Shah," in text
    assert f"You asked us to help {person.full_name}" in text
    assert "Low mood, not eating" in text  # what was asked
    assert "live in Leicester, Leicestershire or Rutland" in text
    assert f"{person.full_name} lives outside this area" in text
    assert "How to refer" not in text  # the drop-in takes no referrals


def test_a_self_referral_is_answered_to_the_person(make_referral, drop_in):
    referral = make_referral(source="self", referrer_name="", referrer_organisation="")
    text = build(referral, drop_in)
    name = referral.person.full_name

    assert f"Dear {name}," in text
    assert "You live outside this area" in text
    assert "Where you can get help instead" in text
    assert "If you are in crisis, or your life is at risk" in text
    assert "About:" not in text
    assert letters.letter_heading(referral) == f"Letter to {name}"


def test_the_letter_always_says_how_to_get_crisis_help_from_the_directory(out_of_area, drop_in):
    crisis = ServiceFactory(name="Lighthouse crisis line", is_crisis_help=True, area="national")
    PhoneFactory(service=crisis, number="0800 000 1111", description="Free, 24 hours")

    text = build(out_of_area, drop_in, crisis_help=[crisis])

    assert "## How to get crisis help" in text
    assert "- Lighthouse crisis line: 0800 000 1111 (Free, 24 hours)" in text


def test_without_crisis_help_in_the_directory_the_letter_still_gives_999_and_111(
    out_of_area, drop_in
):
    text = build(out_of_area, drop_in, crisis_help=[])

    assert "- 999: call if a life is at risk." in text
    assert "NHS 111" in text


def test_the_seeded_crisis_help_services_are_in_the_letter(out_of_area, drop_in):
    from crisis_care.directory.selectors import crisis_help_services

    crisis_help = crisis_help_services()
    if not crisis_help:
        pytest.skip("directory seed data not present (a transactional test flushed it)")

    text = build(out_of_area, drop_in, crisis_help=crisis_help)

    for number in ("999", "111", "0808 800 3302", "116 123"):
        assert number in text


def test_the_letter_is_signed_by_the_team_with_its_phone_number(out_of_area, practitioner, drop_in):
    text = build(out_of_area, drop_in, by=practitioner)

    assert text.rstrip().endswith(
        f"Yours sincerely,\n\n{practitioner.get_full_name()}\nRegistered practitioner\n"
        f"{out_of_area.team.name}\nPhone: {out_of_area.team.phone}"
    )


def test_a_service_that_takes_referrals_says_how_to_refer(out_of_area):
    service = ServiceFactory(
        name="Community wellbeing team", takes_referrals=True, referral_how="Call the duty worker."
    )

    assert "- How to refer: Call the duty worker." in build(out_of_area, service)


@pytest.mark.parametrize(
    ("category", "words"),
    [
        (DeclineCategory.UNDER_18, "CAMHS crisis team"),
        (DeclineCategory.OVER_65, "older people's mental health team"),
        (DeclineCategory.NOT_CRISIS, "other help is better suited"),
    ],
)
def test_each_category_explains_itself(out_of_area, drop_in, category, words):
    assert words in build(out_of_area, drop_in, category=category)


def test_other_keeps_only_the_words_given(out_of_area, drop_in):
    text = build(out_of_area, drop_in, category=DeclineCategory.OTHER)
    assert "We are sorry, but our team is not the right service" in text


def test_the_stored_letter_reads_back_as_headings_paragraphs_and_lists():
    blocks = letters.letter_blocks(
        "3 March 2026\n\nDr A\nSurgery\n\n## Why\n\nBecause.\n\n### Service\n\n- Phone: 1\n- Open: 2\n"
    )

    assert [(b.kind, b.lines) for b in blocks] == [
        (BlockKind.PARAGRAPH, ("3 March 2026",)),
        (BlockKind.PARAGRAPH, ("Dr A", "Surgery")),
        (BlockKind.HEADING, ("Why",)),
        (BlockKind.PARAGRAPH, ("Because.",)),
        (BlockKind.SUBHEADING, ("Service",)),
        (BlockKind.LIST, ("Phone: 1", "Open: 2")),
    ]


def test_the_category_suggested_follows_the_eligibility_checks(make_referral):
    assert letters.suggested_category(
        make_referral(person=factories.PersonFactory(postcode="NG1 1AA"))
    ) == (DeclineCategory.OUT_OF_AREA)
    young = factories.PersonFactory(date_of_birth=dt.date.today() - dt.timedelta(days=365 * 16))
    assert letters.suggested_category(make_referral(person=young)) == DeclineCategory.UNDER_18


def test_an_out_of_area_letter_lists_only_crisis_help_they_can_use():
    national = ServiceFactory(name="National line", is_crisis_help=True, area="national")
    local = ServiceFactory(name="LLR-only line", is_crisis_help=True, area="llr")

    assert letters.crisis_help_for(DeclineCategory.OUT_OF_AREA, [national, local]) == [national]
    assert letters.crisis_help_for(DeclineCategory.OVER_65, [national, local]) == [national, local]

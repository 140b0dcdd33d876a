"""Lone working pages: check in and out, the team screen with its alerts, the coordinator's
action, and the alert banner on every page (core/alerts.py and its treatment provider)."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from crisis_care.core import alerts
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.navigation import NAVIGATION, nav_items
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment.models import AlertAction, CheckInStatus, LoneWorkingCheck, Visit
from crisis_care.treatment.rules import PERMISSIONS, TreatmentAction
from crisis_care.treatment.services import lone_working as services
from crisis_care.treatment.tests.test_lone_working import make_overdue, make_visit
from crisis_care.treatment.views import lone_working as views
from crisis_care.workforce import services as workforce_services

pytestmark = pytest.mark.django_db


def _after_check_in_url() -> str:
    try:
        return reverse("treatment:my_visits")
    except NoReverseMatch:
        return reverse("treatment:lone_working")


@pytest.fixture
def support_worker(staff_user) -> User:
    return staff_user(Role.SUPPORT_WORKER)


@pytest.fixture
def coordinator(team, staff_user, practitioner) -> User:
    """A registered practitioner down as coordinator on a shift running now."""
    user = staff_user(Role.REGISTERED_PRACTITIONER)
    start = (timezone.localtime() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    shift_type = factories.ShiftTypeFactory(
        team=team,
        name="Coordinating",
        starts=start.time(),
        ends=(start + dt.timedelta(hours=9)).time(),
    )
    shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=start.date())
    workforce_services.shift_assign(
        shift=shift, staff=user.staff, by=practitioner, is_coordinator=True
    )
    return user


@pytest.fixture
def visit(episode, practitioner) -> Visit:
    return make_visit(episode, by=practitioner)


@pytest.fixture
def checked_in(visit, support_worker) -> LoneWorkingCheck:
    return services.check_in(
        by=support_worker, team=visit.episode.team, visit=visit, location="12 Elm Road", minutes=45
    )


# -- Checking in and out -------------------------------------------------------------------------


def test_the_check_in_page_offers_the_visits_length_and_the_persons_address(
    signed_in, support_worker, episode, practitioner
):
    person = episode.person
    person.address_line_1, person.town, person.postcode = "12 Elm Road", "Leicester", "LE2 1AB"
    person.save()
    visit = make_visit(episode, by=practitioner, minutes=50)

    response = signed_in(support_worker).get(reverse("treatment:lone_check_in", args=[visit.pk]))

    assert response.status_code == 200
    assert 'value="12 Elm Road, Leicester, LE2 1AB"' in response.text
    assert 'value="50"' in response.text
    assert "Visit to Sam Ellison" in page_text(response)


def test_checking_in_saves_and_goes_back_to_the_visits(signed_in, support_worker, visit):
    response = signed_in(support_worker).post(
        reverse("treatment:lone_check_in", args=[visit.pk]),
        {"minutes": "30", "location": "12 Elm Road"},
    )

    assert response.status_code == 302
    assert response["Location"] == _after_check_in_url()
    check = LoneWorkingCheck.objects.get(staff=support_worker.staff)
    assert check.visit == visit
    assert check.expected_end_at - check.checked_in_at == dt.timedelta(minutes=30)


def test_bad_input_is_shown_with_what_was_typed(signed_in, support_worker, visit):
    response = signed_in(support_worker).post(
        reverse("treatment:lone_check_in", args=[visit.pk]),
        {"minutes": "300", "location": "12 Elm Road"},
    )

    text = page_text(response)
    assert "There is a problem" in text
    assert "240 minutes (4 hours) or less" in text
    assert 'value="12 Elm Road"' in response.text
    assert not LoneWorkingCheck.objects.exists()


def test_a_second_check_in_is_refused_on_the_page(signed_in, support_worker, checked_in, visit):
    client = signed_in(support_worker)

    page = client.get(reverse("treatment:lone_check_in", args=[visit.pk]))
    assert "You are already checked in" in page_text(page)
    response = client.post(
        reverse("treatment:lone_check_in", args=[visit.pk]), {"minutes": "30", "location": "Here"}
    )

    assert "already checked in at 12 Elm Road" in page_text(response)
    assert LoneWorkingCheck.objects.count() == 1


def test_checking_in_on_another_teams_visit_is_refused_and_audited(
    signed_in, staff_user, other_team, visit
):
    outsider = staff_user(Role.SUPPORT_WORKER, in_team=other_team)

    response = signed_in(outsider).get(reverse("treatment:lone_check_in", args=[visit.pk]))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=visit.pk
    ).exists()


def test_a_visit_that_does_not_exist_is_not_found(signed_in, support_worker, episode):
    response = signed_in(support_worker).get(reverse("treatment:lone_check_in", args=[episode.pk]))
    assert response.status_code == 404


def test_clerical_staff_cannot_check_in(signed_in, staff_user, visit):
    clerk = staff_user(Role.ADMINISTRATOR)
    assert (
        signed_in(clerk).get(reverse("treatment:lone_check_in", args=[visit.pk])).status_code == 403
    )


def test_an_ad_hoc_check_in_asks_what_it_is_for(signed_in, support_worker, team):
    client = signed_in(support_worker)

    response = client.post(reverse("treatment:lone_check_in_adhoc"), {"minutes": "60"})
    text = page_text(response)
    assert "Enter what the visit is for" in text
    assert "Enter where you are" in text

    response = client.post(
        reverse("treatment:lone_check_in_adhoc"),
        {
            "minutes": "60",
            "location": "4 Mill Lane",
            "purpose": "Assessment of a new referral",
            "team": str(team.pk),
        },
    )
    assert response.status_code == 302
    check = LoneWorkingCheck.objects.get(staff=support_worker.staff)
    assert (check.team, check.purpose, check.visit) == (team, "Assessment of a new referral", None)


def test_the_member_of_staff_checks_out_with_one_button(signed_in, support_worker, checked_in):
    response = signed_in(support_worker).post(
        reverse("treatment:lone_check_out", args=[checked_in.pk])
    )

    assert response.status_code == 302
    assert response["Location"] == _after_check_in_url()
    checked_in.refresh_from_db()
    assert checked_in.status == CheckInStatus.CHECKED_OUT


def test_another_support_worker_cannot_check_someone_out(signed_in, staff_user, checked_in):
    colleague = staff_user(Role.SUPPORT_WORKER)

    response = signed_in(colleague).post(reverse("treatment:lone_check_out", args=[checked_in.pk]))

    assert response.status_code == 403
    checked_in.refresh_from_db()
    assert checked_in.status == CheckInStatus.CHECKED_IN


def test_a_coordinator_checks_someone_out_with_a_note(signed_in, coordinator, checked_in):
    client = signed_in(coordinator)
    url = reverse("treatment:lone_check_out", args=[checked_in.pk])

    response = client.post(url, {"note": ""})
    assert "Say how you know they have left safely" in page_text(response)

    response = client.post(url, {"note": "Phoned, back at base"})
    assert response.status_code == 302
    checked_in.refresh_from_db()
    assert checked_in.checked_out_by == coordinator


def test_another_teams_check_in_is_refused_and_audited(
    signed_in, staff_user, other_team, checked_in
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    for name in ("treatment:lone_check_out", "treatment:alert_action"):
        response = signed_in(outsider).get(reverse(name, args=[checked_in.pk]))
        assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=checked_in.pk
        ).count()
        == 2
    )


# -- The team screen ---------------------------------------------------------------------------


def test_the_screen_shows_overdue_first_then_checked_in_then_checked_out(
    signed_in, coordinator, checked_in, staff_user, team, episode
):
    make_overdue(checked_in, minutes=25)
    on_time = staff_user(Role.REGISTERED_PRACTITIONER, in_team=team)
    services.check_in(by=on_time, team=team, location="The café", minutes=60, purpose="Review")
    done = staff_user(Role.SUPPORT_WORKER, in_team=team)
    gone = services.check_in(by=done, team=team, location="The library", minutes=60, purpose="Walk")
    services.check_out(check=gone, by=done)

    response = signed_in(coordinator).get(reverse("treatment:lone_working"))

    text = page_text(response)
    staff = checked_in.staff
    overdue_at = text.index("Overdue by 25 minutes".lower())
    assert overdue_at < text.index("Checked in now") < text.index("The café")
    assert text.index("Checked out today") < text.index("The library")
    assert f"{staff}: overdue by 25 minutes" in text
    assert staff.phone in text
    assert "12 Elm Road" in text
    assert episode.person.full_name in text
    assert "1 overdue, 2 checked in, 1 checked out today" in text
    assert f"Shift coordinator now: {coordinator}" in text
    assert "Record the action taken" in text
    assert 'id="lone-working-live"' in response.text
    assert "js/lone_working.js" in response.text
    assert AuditEvent.objects.filter(
        actor=coordinator, action=AuditAction.VIEW, object_type="treatment.lone_working"
    ).exists()


def test_support_workers_see_the_screen_but_cannot_act_on_alerts(
    signed_in, support_worker, checked_in
):
    make_overdue(checked_in)

    text = page_text(signed_in(support_worker).get(reverse("treatment:lone_working")))

    assert "overdue by 30 minutes" in text
    assert "Record the action taken" not in text


def test_the_screen_says_when_no_one_is_coordinating(signed_in, practitioner):
    text = page_text(signed_in(practitioner).get(reverse("treatment:lone_working")))
    assert "no one is down as coordinator" in text


@pytest.mark.parametrize("count", [1, 6])
def test_the_screen_issues_a_fixed_number_of_queries(
    signed_in, coordinator, staff_user, team, count, django_assert_num_queries
):
    for n in range(count):
        user = staff_user(Role.SUPPORT_WORKER, in_team=team)
        check = services.check_in(by=user, team=team, location=f"{n} Elm Road", minutes=30)
        if n % 2:
            make_overdue(check)
    client = signed_in(coordinator)

    # session, user, teams, own check-in, board (checks with staff, visit and person), its
    # alert actions, who is on now (shifts, assignments, registrations), audit insert (in a
    # savepoint), session update.
    with django_assert_num_queries(13):
        response = client.get(reverse("treatment:lone_working"))

    assert response.status_code == 200


# -- The coordinator's action ---------------------------------------------------------------------


def test_the_coordinator_records_a_safe_call_and_the_alert_clears(
    signed_in, coordinator, checked_in
):
    make_overdue(checked_in)
    client = signed_in(coordinator)
    url = reverse("treatment:alert_action", args=[checked_in.pk])

    page = client.get(url)
    assert "Overdue by 30 minutes" in page_text(page)
    response = client.post(url, {"action": AlertAction.PHONED_STAFF, "note": "Fine, leaving now"})

    assert response.status_code == 302
    board = page_text(client.get(response["Location"]))
    assert "No one is overdue" in board
    assert "Phoned the member of staff: safe" in board
    assert "Safe, still there" in board


def test_extending_without_a_time_is_shown_against_the_field(signed_in, coordinator, checked_in):
    make_overdue(checked_in)

    response = signed_in(coordinator).post(
        reverse("treatment:alert_action", args=[checked_in.pk]),
        {"action": AlertAction.EXTENDED, "note": "Still talking"},
    )

    text = page_text(response)
    assert "Enter the new time they expect to finish" in text
    assert 'href="#id_new_end"' in response.text
    assert "Still talking" in text


def test_extending_to_a_typed_time_moves_the_expected_end(signed_in, coordinator, checked_in):
    make_overdue(checked_in)
    new_end = (timezone.localtime() + dt.timedelta(minutes=40)).strftime("%H:%M")

    response = signed_in(coordinator).post(
        reverse("treatment:alert_action", args=[checked_in.pk]),
        {"action": AlertAction.EXTENDED, "new_end": new_end},
    )

    assert response.status_code == 302
    checked_in.refresh_from_db()
    assert timezone.localtime(checked_in.expected_end_at).strftime("%H:%M") == new_end
    assert checked_in.expected_end_at > timezone.now()


def test_support_workers_cannot_record_the_action(signed_in, support_worker, checked_in):
    make_overdue(checked_in)
    url = reverse("treatment:alert_action", args=[checked_in.pk])
    assert signed_in(support_worker).get(url).status_code == 403


def test_a_visit_that_is_not_overdue_sends_the_coordinator_back(signed_in, coordinator, checked_in):
    response = signed_in(coordinator).get(reverse("treatment:alert_action", args=[checked_in.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("treatment:lone_working"))


# -- The alert on every page ---------------------------------------------------------------------


def test_the_coordinator_sees_the_overdue_count_on_every_page(signed_in, coordinator, checked_in):
    make_overdue(checked_in)

    response = signed_in(coordinator).get(reverse("workforce:home"))

    text = page_text(response)
    assert "1 lone working visit overdue" in text
    assert f'href="{reverse("treatment:lone_working")}?team={checked_in.team_id}"' in response.text
    assert "nhsuk-notification-banner" in response.text


def test_the_member_of_staff_is_reminded_to_check_out_on_every_page(
    signed_in, support_worker, checked_in
):
    make_overdue(checked_in)

    response = signed_in(support_worker).get(reverse("workforce:home"))

    text = page_text(response)
    assert "You were due out of 12 Elm Road" in text
    assert "lone working visit overdue" not in text  # support workers do not respond to alerts
    assert reverse("treatment:lone_check_out", args=[checked_in.pk]) in response.text


def test_another_team_does_not_see_the_alert(signed_in, staff_user, other_team, checked_in):
    make_overdue(checked_in)
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(reverse("workforce:home"))

    assert "lone working visit" not in page_text(response)
    assert "nhsuk-notification-banner" not in response.text


def test_the_provider_costs_one_query_and_none_for_roles_without_lone_working(
    coordinator, staff_user, checked_in, django_assert_num_queries
):
    make_overdue(checked_in)
    clerk = staff_user(Role.ADMINISTRATOR)

    with django_assert_num_queries(1):
        banners = views.alert_banners(user=coordinator)
    with django_assert_num_queries(0):
        assert views.alert_banners(user=clerk) is None

    assert banners == [
        (
            "1 lone working visit overdue",
            f"{reverse('treatment:lone_working')}?team={checked_in.team_id}",
        )
    ]


def test_pages_without_a_signed_in_user_ask_no_provider(
    client, django_assert_num_queries, settings
):
    settings.CRISIS_CARE_ALERT_PROVIDERS = ["crisis_care.core.alerts.does_not_exist"]

    response = client.get(reverse("core:login"))  # the bad path would raise if it were asked

    assert response.status_code == 200
    assert "nhsuk-notification-banner" not in response.text


def test_the_banners_are_asked_for_once_per_request(
    coordinator, checked_in, django_assert_num_queries
):
    make_overdue(checked_in)
    request = RequestFactory().get("/")
    request.user = coordinator

    with django_assert_num_queries(1):
        first = alerts.alert_banners(request)
        second = alerts.alert_banners(request)

    assert (
        first
        == second
        == [
            alerts.AlertBanner(
                "1 lone working visit overdue",
                f"{reverse('treatment:lone_working')}?team={checked_in.team_id}",
            )
        ]
    )


def test_a_misspelt_provider_fails_loudly(coordinator, settings):
    settings.CRISIS_CARE_ALERT_PROVIDERS = ["crisis_care.nowhere.provider"]
    request = RequestFactory().get("/")
    request.user = coordinator

    with pytest.raises(ImproperlyConfigured, match="CRISIS_CARE_ALERT_PROVIDERS"):
        alerts.alert_banners(request)


def test_the_lone_working_link_is_for_those_who_respond_to_alerts(practitioner, support_worker):
    (roles,) = [roles for _, name, roles in NAVIGATION if name == "treatment:lone_working"]
    assert roles == PERMISSIONS[TreatmentAction.RESPOND_TO_ALERT]

    def links(user: User) -> list[str]:
        request = RequestFactory().get("/")
        request.user = user
        return [item["text"] for item in nav_items(request)]

    assert "Lone working" in links(practitioner)
    assert "Lone working" not in links(support_worker)

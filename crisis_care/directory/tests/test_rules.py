"""Who may read and who may change the directory, checked through the pages."""

import pytest
from django.test import Client
from django.urls import reverse

from crisis_care.core.roles import Role

pytestmark = pytest.mark.django_db

MAY_CHANGE = {Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.SYSTEM_ADMINISTRATOR}


@pytest.mark.parametrize("role", list(Role))
def test_everyone_signed_in_reads_the_directory_and_only_managers_and_admins_change_it(
    role, signed_in, staff_user, cafe
):
    client = signed_in(staff_user(role))

    assert client.get(reverse("directory:list")).status_code == 200
    assert client.get(reverse("directory:detail", args=[cafe.pk])).status_code == 200
    assert client.get(reverse("directory:export")).status_code == 200
    expected = 200 if role in MAY_CHANGE else 403
    assert client.get(reverse("directory:create")).status_code == expected
    assert client.get(reverse("directory:edit", args=[cafe.pk])).status_code == expected


def test_a_support_worker_cannot_post_a_change(signed_in, staff_user, cafe):
    from .conftest import service_post

    response = signed_in(staff_user(Role.SUPPORT_WORKER)).post(
        reverse("directory:edit", args=[cafe.pk]), service_post(cafe, description="Changed")
    )

    assert response.status_code == 403
    cafe.refresh_from_db()
    assert cafe.description != "Changed"


def test_the_directory_needs_a_login(client: Client, cafe):
    for url in (
        reverse("directory:list"),
        reverse("directory:detail", args=[cafe.pk]),
        reverse("directory:export"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


def test_only_people_who_may_change_it_see_the_links_to(signed_in, staff_user, cafe):
    support_worker = signed_in(staff_user(Role.SUPPORT_WORKER))
    detail = support_worker.get(reverse("directory:detail", args=[cafe.pk]))

    assert "Change the details" not in detail.text
    assert "Add a service" not in support_worker.get(reverse("directory:list")).text

"""The team's discharges list: the last 28 days, newest first, with the state of each summary
to the GP (sent on … / due by … / overdue), the count of overdue summaries, the "overdue
only" filter, the audit of the list, and a fixed number of queries however long it is."""

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.presenters import date_long
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text, people_audited_on
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Episode

from ..models import DischargeSummary
from .test_discharge_helpers import days_ago_at, discharge, started_days_ago, url

pytestmark = pytest.mark.django_db

GIVEN_NAMES = itertools.cycle(
    ["Ada", "Bilal", "Cerys", "Dev", "Esme", "Femi", "Gus", "Hana", "Ivo", "Jas", "Kit", "Lena"]
)


@pytest.fixture
def discharged(
    make_episode: Callable[..., Episode], staff_user: Callable[..., User]
) -> Callable[..., Episode]:
    """discharged(days_ago, outcome=) -> an episode of the team discharged at 10am London that
    day (each assessed by a different practitioner, so no one is booked twice at once)."""

    def make(days_ago: int, outcome: str = "gp") -> Episode:
        nurse = staff_user(Role.REGISTERED_PRACTITIONER)
        person = factories.PersonFactory(given_name=next(GIVEN_NAMES), family_name="Discharged")
        episode = started_days_ago(make_episode(person=person, by=nurse), days_ago + 5)
        discharge(episode, nurse, at=days_ago_at(days_ago), outcome=outcome)
        return episode

    return make


def send_summary(episode: Episode, by: User, on: dt.date) -> None:
    DischargeSummary.objects.create(
        episode=episode,
        sent_on=on,
        method="nhs_mail",
        recipients="Hollybank Medical Centre (GP practice)",
        snapshot_html="<p>Summary</p>",
        sent_by=by,
        recorded_at=timezone.now(),
    )


def test_the_list_shows_the_teams_discharges_newest_first_with_each_summarys_state(
    signed_in, practitioner, discharged
):
    today = local_date(timezone.now())
    overdue = discharged(4, outcome="cmht")
    due = discharged(3)
    sent = discharged(6)
    send_summary(sent, practitioner, today - dt.timedelta(days=5))

    response = signed_in(practitioner).get(url("discharges"))

    assert response.status_code == 200
    text = page_text(response)
    assert "1 summary to the GP overdue" in text
    names = [e.person.full_name for e in (due, overdue, sent)]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)  # newest first
    assert f"Due by {date_long(today)}" in text  # discharged 3 days ago: due today
    assert f"Overdue: was due by {date_long(today - dt.timedelta(days=1))}" in text
    assert f"Sent on {date_long(today - dt.timedelta(days=5))}" in text
    assert "Crisis resolved: handed to the community mental health team" in text
    assert url("aftercare", due) in response.content.decode()


def test_overdue_only_shows_just_the_overdue_summaries(signed_in, practitioner, discharged):
    overdue = discharged(5)
    due = discharged(1)
    sent_late = discharged(9)
    send_summary(sent_late, practitioner, local_date(timezone.now()) - dt.timedelta(days=1))

    text = page_text(signed_in(practitioner).get(url("discharges") + "?overdue=yes"))

    assert overdue.person.full_name in text
    assert due.person.full_name not in text
    assert sent_late.person.full_name not in text
    assert "Show all discharges" in text


def test_an_overdue_summary_stays_on_the_list_after_28_days_until_it_is_sent(
    signed_in, practitioner, discharged
):
    forgotten = discharged(35)
    sent_old = discharged(30)
    send_summary(sent_old, practitioner, local_date(timezone.now()) - dt.timedelta(days=29))

    text = page_text(signed_in(practitioner).get(url("discharges")))

    assert forgotten.person.full_name in text
    assert sent_old.person.full_name not in text
    assert "1 summary to the GP overdue" in text


def test_another_teams_discharges_are_not_listed(
    signed_in, practitioner, staff_user, other_team, make_episode
):
    theirs_by = staff_user(in_team=other_team)
    theirs = started_days_ago(make_episode(in_team=other_team, by=theirs_by), 3)
    discharge(theirs, theirs_by, at=days_ago_at(1))

    text = page_text(signed_in(practitioner).get(url("discharges")))

    assert theirs.person.full_name not in text
    assert "No one has been discharged in the last 28 days." in text


def test_the_list_is_audited_with_a_row_for_each_person_shown(signed_in, practitioner, discharged):
    shown = [discharged(1), discharged(2)]

    signed_in(practitioner).get(url("discharges"))

    assert people_audited_on("discharge.discharges") == sorted(str(e.person_id) for e in shown)
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="discharge.discharges", person_id__isnull=True
    ).exists()


def test_the_list_reads_the_same_number_of_queries_for_2_or_10_discharges(
    signed_in, practitioner, discharged, django_assert_num_queries
):
    shown = [discharged(days) for days in (1, 5)]
    client = signed_in(practitioner)
    client.get(url("discharges"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("discharges")).status_code == 200

    shown += [discharged(1 + days % 6) for days in range(8)]
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url("discharges"))
    body = response.content.decode()
    assert all(url("aftercare", e) in body for e in shown)
    assert len(shown) == 10


def test_it_counts_the_follow_ups_after_a_ward_discharge_not_yet_done(
    signed_in, practitioner, make_finalised_assessment
):
    from crisis_care.treatment import services as treatment_services

    from .test_discharge_helpers import early_discharge_episode

    episode = early_discharge_episode(
        make_finalised_assessment,
        practitioner,
        admitted_on=local_date(timezone.now()) - dt.timedelta(days=10),
    )
    assert episode.early_discharge_from is not None
    treatment_services.admission_discharge_record(
        admission=episode.early_discharge_from,
        discharged_at=timezone.now() - dt.timedelta(hours=5),
        by=practitioner,
    )

    text = page_text(signed_in(practitioner).get(url("discharges")))

    assert "1 follow-up after a ward discharge not yet done" in text


def test_who_may_see_the_list(signed_in, staff_user):
    for role in (Role.SUPPORT_WORKER, Role.ADMINISTRATOR, Role.DOCTOR, Role.TEAM_MANAGER):
        assert signed_in(staff_user(role)).get(url("discharges")).status_code == 200
    for role in (Role.IG_AUDITOR, Role.SYSTEM_ADMINISTRATOR):
        assert signed_in(staff_user(role)).get(url("discharges")).status_code == 403


def test_clerical_staff_do_not_see_the_follow_up_count(signed_in, staff_user):
    text = page_text(signed_in(staff_user(Role.ADMINISTRATOR)).get(url("discharges")))

    assert "summaries to the GP overdue" in text
    assert "follow-up" not in text


def test_the_header_links_to_the_discharges_list_for_care_staff(signed_in, staff_user):
    body = signed_in(staff_user(Role.SUPPORT_WORKER)).get(url("discharges")).content.decode()

    assert f'href="{url("discharges")}"' in body

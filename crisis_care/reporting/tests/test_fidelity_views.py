"""The fidelity pages: the team's reviews over time, running and saving a review, one saved
review with its CSV; roles, another team's reviews, and the audit trail."""

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.reporting import fidelity
from crisis_care.reporting.models import FidelityItemScore, FidelityReview
from crisis_care.reporting.period import Period
from crisis_care.reporting.selectors.fidelity import computed_criteria
from crisis_care.reporting.services.fidelity import fidelity_review_save
from crisis_care.workforce.models import Team

PERIOD_QUERY = (
    "first%5Bday%5D=19&first%5Bmonth%5D=10&first%5Byear%5D=2026"
    "&last%5Bday%5D=31&last%5Bmonth%5D=10&last%5Byear%5D=2026"
)
PERIOD = Period(dt.date(2026, 10, 19), dt.date(2026, 10, 31))
JUDGED = [c.code for i in fidelity.ITEMS for c in i.criteria if not c.is_computed]
DIRECT = [i.number for i in fidelity.ITEMS if i.judged_directly]


@pytest.fixture
def manager(staff_user: Callable[..., User]) -> User:
    return staff_user(Role.TEAM_MANAGER)


@pytest.fixture
def auditor(staff_user: Callable[..., User]) -> User:
    return staff_user(Role.IG_AUDITOR)


def answers(*, met: bool = True, score: str = "3") -> dict[str, str]:
    data = {f"c_{code}": "yes" if met else "no" for code in JUDGED}
    data |= {f"score_{n}": score for n in DIRECT}
    data |= {"evidence_2": "Referrers we spoke to phone the team directly.", "note": "First go"}
    return data


def saved(team: Team, by: User, *, met: bool = True, score: int = 3) -> FidelityReview:
    return fidelity_review_save(
        team=team,
        period=PERIOD,
        computed=computed_criteria(team=team, period=PERIOD, figures={}),
        judged=dict.fromkeys(JUDGED, met),
        direct=dict.fromkeys(DIRECT, score),
        evidence={},
        note="",
        by=by,
    )


def new_url() -> str:
    return f"{reverse('reporting:fidelity_new')}?{PERIOD_QUERY}"


def test_the_review_form_shows_computed_criteria_and_asks_for_the_rest(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    response = signed_in(manager).get(new_url())
    assert response.status_code == 200
    html = response.content.decode()
    # Computed: shown met or not with the figure, not a form field.
    assert 'id="criterion-12d"' in html
    assert 'name="c_12d"' not in html
    assert "Visits are booked for a set time or a window of an hour at most." in html
    # Judged: a yes/no; items without criteria: a 1 to 5 score.
    assert 'name="c_1a"' in html
    assert 'name="score_4"' in html
    assert 'name="evidence_25"' in html
    # Item 39 is wholly computed: its score is known already (no contacts: 1).
    assert 'id="item-39-score"' in html
    assert "our inference" in html
    # A figure from the shared measures links to the records behind it, for the same period.
    assert f"/reporting/figures/contacts_at_home/?team={team.pk}&amp;start%5Bday%5D=19" in html
    event = AuditEvent.objects.get(actor=manager, section="fidelity")
    assert event.action == AuditAction.VIEW
    assert event.detail["period"] == ["2026-10-19", "2026-10-31"]


def test_missing_answers_are_listed_and_what_was_typed_is_kept(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    data = answers()
    del data["c_1a"]
    del data["score_4"]
    data["evidence_7"] = "Half the ward discharges came home with us."
    response = signed_in(manager).post(new_url(), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_c_1a"' in html
    assert "Select yes if criterion 1a is met, or no if it is not" in html
    assert "Select the score for item 4 (1 to 5)" in html
    assert "Half the ward discharges came home with us." in html
    assert "<title>Error: " in html
    assert not FidelityReview.objects.exists()


def test_saving_writes_the_review_and_39_item_scores_as_they_stood(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    response = signed_in(manager).post(new_url(), answers())
    review = FidelityReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:fidelity_review", args=[review.pk])
    items = {i.item: i for i in FidelityItemScore.objects.filter(review=review)}
    assert sorted(items) == list(range(1, 40))
    assert review.total == sum(i.score for i in items.values())
    assert review.band == fidelity.band(review.total)
    assert (review.period_first, review.period_last) == (PERIOD.first, PERIOD.last)
    assert review.note == "First go"
    # Judged all yes: item 2 scores 5; item 4 given 3 directly; item 39 computed, no contacts: 1.
    assert (items[2].score, items[4].score, items[39].score) == (5, 3, 1)
    assert items[2].evidence == "Referrers we spoke to phone the team directly."
    # Item 12: a and c judged yes; b, d, e computed not met (no records); f met (nobody late).
    by_code = {c["code"]: c for c in items[12].criteria}
    assert by_code["12a"] == {"code": "12a", "met": True, "source": "judged", "evidence": ""}
    assert by_code["12d"]["source"] == "computed"
    assert by_code["12d"]["met"] is False
    assert by_code["12d"]["evidence"].startswith("No records in the period")
    assert by_code["12f"]["met"] is True
    assert items[12].score == 2  # 3 of 6, as item 1 scores it
    created = AuditEvent.objects.get(action=AuditAction.CREATE, section="fidelity")
    assert created.object_id == review.pk
    assert created.detail["total"] == review.total


def test_a_saved_review_is_shown_read_only_with_its_csv(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    review = saved(team, manager)
    client = signed_in(manager)
    response = client.get(reverse("reporting:fidelity_review", args=[review.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{review.total} out of 195" in html
    assert "Moderate fidelity" in html or "Low fidelity" in html or "High fidelity" in html
    assert "<form" not in html.split('id="maincontent"')[-1]
    assert "Scored directly by the reviewer." in html

    response = client.get(reverse("reporting:fidelity_review", args=[review.pk]) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0] == ["item", "item_title", "score", "criterion", "met", "source", "evidence"]
    assert ["1", "Quick response to new referrals", "2", "1a", "yes", "judged", ""] in rows
    assert rows[-1][:3] == ["total", "", str(review.total)]
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=review.pk)
    assert views.count() == 2


def test_the_reviews_page_shows_progress_over_time(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    low = saved(team, manager, met=False, score=1)
    high = saved(team, manager, met=True, score=5)
    FidelityReview.objects.filter(pk=low.pk).update(reviewed_on=dt.date(2026, 5, 1))
    client = signed_in(manager)
    response = client.get(reverse("reporting:fidelity"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 May 2026" in html
    assert 'id="progress-table"' in html
    # Oldest on the left: the low review's total comes first in the totals row.
    totals = html.split("Total (out of 195)")[1]
    assert totals.index(f"<strong>{low.total}</strong>") < totals.index(
        f"<strong>{high.total}</strong>"
    )
    assert "Start a new review" in html

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("reporting:fidelity") + "?format=csv")
                .content.decode()
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[0] == ["reviewed_on", "period_first", "period_last", "total", "band"]
    assert len(rows) == 3


def test_the_reviews_page_is_a_fixed_number_of_queries(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    client = signed_in(manager)
    saved(team, manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reporting:fidelity")).status_code == 200
        return len(queries)

    few = count()
    for _ in range(8):
        saved(team, manager)
    assert count() == few


def test_the_ig_auditor_reads_reviews_but_cannot_run_one(
    signed_in: Callable[[User], Client], auditor: User, manager: User, team: Team
) -> None:
    review = saved(team, manager)
    client = signed_in(auditor)
    assert client.get(reverse("reporting:fidelity")).status_code == 200
    assert "Start a new review" not in client.get(reverse("reporting:fidelity")).content.decode()
    assert client.get(reverse("reporting:fidelity_review", args=[review.pk])).status_code == 200
    assert client.get(new_url()).status_code == 403
    assert client.post(new_url(), answers()).status_code == 403
    assert FidelityReview.objects.count() == 1


@pytest.mark.parametrize("name", ["reporting:fidelity", "reporting:fidelity_new"])
def test_clinical_staff_who_are_not_managers_are_refused(
    signed_in: Callable[[User], Client], practitioner: User, name: str
) -> None:
    assert signed_in(practitioner).get(reverse(name)).status_code == 403


def test_another_teams_review_is_refused_and_audited(
    signed_in: Callable[[User], Client],
    staff_user: Callable[..., User],
    manager: User,
    team: Team,
    other_team: Team,
) -> None:
    review = saved(team, manager)
    outsider = staff_user(Role.TEAM_MANAGER, in_team=other_team)
    client = signed_in(outsider)
    assert client.get(reverse("reporting:fidelity_review", args=[review.pk])).status_code == 403
    refused = AuditEvent.objects.get(actor=outsider, action=AuditAction.ACCESS_DENIED)
    assert refused.object_id == team.pk
    response = client.get(f"{reverse('reporting:fidelity')}?team={team.pk}")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(actor=outsider, action=AuditAction.ACCESS_DENIED).count() == 2


def test_a_period_that_ends_before_it_starts_is_refused(
    signed_in: Callable[[User], Client], manager: User
) -> None:
    query: dict[str, Any] = {
        "first[day]": "31",
        "first[month]": "10",
        "first[year]": "2026",
        "last[day]": "19",
        "last[month]": "10",
        "last[year]": "2026",
    }
    response = signed_in(manager).get(reverse("reporting:fidelity_new"), query)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The last day must be the same as or after the first day" in html
    assert 'name="c_1a"' not in html


def test_unknown_review_is_not_found(signed_in: Callable[[User], Client], manager: User) -> None:
    url = reverse("reporting:fidelity_review", args=["00000000-0000-0000-0000-000000000000"])
    assert signed_in(manager).get(url).status_code == 404

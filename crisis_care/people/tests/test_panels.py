"""The record page's panels: sections later stages add without people importing them."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.urls import reverse

from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.people.panels import Panel, record_panels

pytestmark = pytest.mark.django_db

HERE = "crisis_care.people.tests.test_panels"
calls: list[tuple[str, object, object]] = []


def _template(source: str):  # type: ignore[no-untyped-def]
    """A compiled template: `{% include %}` takes one as well as a name."""
    return engines["jinja2"].env.from_string(source)  # type: ignore[attr-defined]


def first_panel(*, person, user):  # type: ignore[no-untyped-def]
    calls.append(("first", person, user))
    return Panel(
        title="First panel",
        template=_template("<p>{{ panel.context.message }} for {{ person.given_name }}</p>"),
        context={"message": "Hello from a later stage"},
    )


def nothing_to_show(*, person, user):  # type: ignore[no-untyped-def]
    calls.append(("nothing", person, user))
    return None


def second_panel(*, person, user):  # type: ignore[no-untyped-def]
    calls.append(("second", person, user))
    return Panel(title="Second panel", template=_template("<p>Second body</p>"))


@pytest.fixture(autouse=True)
def _clear_calls():  # type: ignore[no-untyped-def]
    calls.clear()


def test_there_are_no_panels_unless_configured(practitioner, person_in_care, settings):
    if hasattr(settings, "CRISIS_CARE_RECORD_PANELS"):
        del settings.CRISIS_CARE_RECORD_PANELS

    assert record_panels(person=person_in_care, user=practitioner) == []


def test_panels_come_in_the_configured_order_and_none_is_left_out(
    practitioner, person_in_care, settings
):
    settings.CRISIS_CARE_RECORD_PANELS = [
        f"{HERE}.second_panel",
        f"{HERE}.nothing_to_show",
        f"{HERE}.first_panel",
    ]

    panels = record_panels(person=person_in_care, user=practitioner)

    assert [p.title for p in panels] == ["Second panel", "First panel"]
    assert [name for name, _, _ in calls] == ["second", "nothing", "first"]
    assert all(person == person_in_care and user == practitioner for _, person, user in calls)


def test_a_misspelt_panel_path_names_the_setting(practitioner, person_in_care, settings):
    settings.CRISIS_CARE_RECORD_PANELS = [f"{HERE}.no_such_panel"]

    with pytest.raises(ImproperlyConfigured, match="CRISIS_CARE_RECORD_PANELS"):
        record_panels(person=person_in_care, user=practitioner)


def test_the_record_page_shows_each_panel_after_the_personal_details(
    signed_in, practitioner, person_in_care, settings
):
    settings.CRISIS_CARE_RECORD_PANELS = [f"{HERE}.first_panel", f"{HERE}.second_panel"]

    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    text = page_text(response)
    assert '<h2 id="record-panel-1">First panel</h2>' in response.text
    assert "Hello from a later stage for Sam" in text
    assert "Second body" in text
    assert text.index("Personal details") < text.index("First panel") < text.index("Second panel")
    assert text.index("Second panel") < text.index("Family, friends and carers")


def test_panels_are_not_asked_for_when_the_record_is_refused(
    signed_in, staff_user, other_team, person_in_care, settings
):
    settings.CRISIS_CARE_RECORD_PANELS = [f"{HERE}.first_panel"]
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(reverse("people:detail", args=[person_in_care.pk]))

    assert response.status_code == 403
    assert calls == []
    assert "Hello from a later stage" not in response.text


def test_the_people_app_imports_no_later_stage():
    from pathlib import Path

    later = ("referrals", "assessments", "treatment", "discharge", "reporting", "planning")
    app = Path(__file__).resolve().parents[1]
    for path in app.rglob("*.py"):
        if "tests" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for stage in later:
            assert f"crisis_care.{stage}" not in source, (path, stage)


def test_the_record_page_breaks_addresses_into_lines(signed_in, practitioner, person_in_care):
    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    assert "&lt;br&gt;" not in response.text
    assert f"{person_in_care.town}<br>{person_in_care.postcode}" in response.text

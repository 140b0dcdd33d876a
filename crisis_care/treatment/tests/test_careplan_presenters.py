"""Display rules for the care plan: the catalogue as grouped choices, the CORE 20c check, the
CORE 12b clock in working days, consent wording and the written plan's lines."""

import datetime as dt
from types import SimpleNamespace

from crisis_care.core.clock import local_instant
from crisis_care.people.models import ConsentRecord, Contact, ShareScope
from crisis_care.treatment.models import (
    MEDICATION_AND_RISK_ONLY,
    Intervention,
    InterventionKind,
    Medication,
    Visit,
    VisitLocation,
)
from crisis_care.treatment.presenters import careplans as p


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def started(text: str, at: dt.time = dt.time(15, 0)) -> dt.datetime:
    return local_instant(d(text), at)


def given(*days: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(given_on=d(day)) for day in days]


# -- The catalogue ----------------------------------------------------------------------


def test_every_intervention_kind_is_offered_once_with_a_hint():
    offered = [kind for _, kinds in p.KIND_GROUPS for kind in kinds]
    assert sorted(offered) == sorted(InterventionKind)
    assert len(offered) == len(set(offered))
    assert all(p.KIND_HINTS[kind] for kind in InterventionKind)


def test_the_chosen_kind_is_checked_in_its_group():
    groups = p.kind_choice_groups(InterventionKind.BENEFITS_DEBT)
    checked = [item["value"] for g in groups for item in g["items"] if item["checked"]]  # type: ignore[attr-defined]
    assert checked == [InterventionKind.BENEFITS_DEBT]
    assert groups[0]["heading"] == "Medication and safety"


def _interventions(*kinds: str) -> list[Intervention]:
    return [Intervention(kind=kind) for kind in kinds]


def test_a_plan_of_only_medication_and_risk_is_flagged():
    assert p.medication_and_risk_only(_interventions(*MEDICATION_AND_RISK_ONLY))


def test_one_intervention_beyond_medication_and_risk_clears_the_flag():
    assert not p.medication_and_risk_only(
        _interventions(InterventionKind.PRESCRIBING, InterventionKind.HOUSING)
    )


def test_a_plan_with_no_interventions_is_not_flagged_as_medication_only():
    assert not p.medication_and_risk_only([])


# -- CORE 12b: within 4 working days ------------------------------------------------------


def test_the_plan_is_due_four_working_days_after_the_start():
    due = p.written_plan_due(started_at=started("2026-03-02"), given=[], today=d("2026-03-02"))
    assert due.due_by == d("2026-03-06")
    assert due.within is None
    assert due.working_days == 4
    assert due.text == "Not yet given: 4 working days left, due by 6 March 2026."


def test_a_start_late_in_the_evening_counts_from_the_london_date():
    # 23:30 London on Sunday 29 March 2026 (after the clocks went forward) is 22:30 UTC.
    due = p.written_plan_due(
        started_at=started("2026-03-29", dt.time(23, 30)), given=[], today=d("2026-03-30")
    )
    assert due.started_on == d("2026-03-29")
    assert due.due_by == d("2026-04-02")


def test_a_plan_given_on_the_fourth_working_day_is_within():
    due = p.written_plan_due(
        started_at=started("2026-03-02"), given=given("2026-03-06"), today=d("2026-03-20")
    )
    assert due.within is True
    assert due.tag["text"] == "Given on time"
    assert "within 4 working days" in due.text


def test_a_plan_given_after_the_weekend_following_a_thursday_start_is_within():
    due = p.written_plan_due(
        started_at=started("2026-03-05"), given=given("2026-03-11"), today=d("2026-03-20")
    )
    assert due.within is True


def test_easter_makes_the_deadline_later():
    # Start Wednesday 1 April 2026; Good Friday 3 and Easter Monday 6 April are not working days.
    due = p.written_plan_due(started_at=started("2026-04-01"), given=[], today=d("2026-04-01"))
    assert due.due_by == d("2026-04-09")


def test_christmas_makes_the_deadline_later():
    due = p.written_plan_due(started_at=started("2025-12-23"), given=[], today=d("2025-12-23"))
    # Wed 24, (Christmas, Boxing Day, weekend), Mon 29, Tue 30, Wed 31.
    assert due.due_by == d("2025-12-31")


def test_a_plan_given_late_says_by_how_many_working_days():
    due = p.written_plan_due(
        started_at=started("2026-03-02"), given=given("2026-03-10"), today=d("2026-03-20")
    )
    assert due.within is False
    assert due.working_days == 2
    assert due.text == "Given on 10 March 2026, 2 working days late (due by 6 March 2026)."


def test_the_first_time_it_was_given_decides_12b():
    due = p.written_plan_due(
        started_at=started("2026-03-02"),
        given=given("2026-03-12", "2026-03-04"),
        today=d("2026-03-20"),
    )
    assert due.given_on == d("2026-03-04")
    assert due.within is True


def test_due_today_is_said_plainly():
    due = p.written_plan_due(started_at=started("2026-03-02"), given=[], today=d("2026-03-06"))
    assert due.text == "Not yet given: due today."
    assert due.tag["text"] == "Due today"


def test_working_days_left_skip_the_weekend():
    # Due Wednesday 11 March; on Saturday 7 March three working days are left (Mon-Wed).
    due = p.written_plan_due(started_at=started("2026-03-05"), given=[], today=d("2026-03-07"))
    assert due.working_days == 3


def test_an_overdue_plan_counts_working_days_overdue():
    due = p.written_plan_due(started_at=started("2026-03-02"), given=[], today=d("2026-03-10"))
    assert due.within is False
    assert due.working_days == 2
    assert due.tag == {"text": "Overdue", "classes": "nhsuk-tag--red"}
    assert due.text == "Not yet given: 2 working days overdue (it was due by 6 March 2026)."


# -- Consent ------------------------------------------------------------------------------


def _contact(scope: str | None) -> Contact:
    contact = Contact(name="Jo Ellison", relationship="sibling")
    contact.current_consent = ConsentRecord(scope=scope) if scope else None
    return contact


def test_consent_reasons_say_why_a_contact_cannot_see_the_plan():
    assert p.consent_reason(_contact(None)) == "no decision about sharing has been recorded"
    assert "general information only" in p.consent_reason(_contact(ShareScope.GENERAL))
    assert "does not want anything shared" in p.consent_reason(_contact(ShareScope.NOTHING))


def test_only_contacts_without_care_plan_consent_are_listed_as_not_sharing():
    contacts = [_contact(ShareScope.CARE_PLAN), _contact(ShareScope.GENERAL)]
    assert p.contacts_not_sharing(contacts) == [
        "Jo Ellison (brother or sister): the person agreed to share general information only"
    ]


def test_a_family_role_shows_only_while_consent_is_to_share_the_care_plan():
    intervention = Intervention(kind=InterventionKind.FAMILY_NETWORK)
    intervention.family_member = _contact(ShareScope.CARE_PLAN)
    assert p.family_role(intervention) == "Jo Ellison (brother or sister)"
    assert not p.family_role_paused(intervention)

    intervention.family_member = _contact(ShareScope.GENERAL)
    assert p.family_role(intervention) == ""
    assert p.family_role_paused(intervention)


# -- The written plan's lines --------------------------------------------------------------


def test_a_visit_reads_as_a_day_and_a_window_in_london_time():
    visit = Visit(
        window_start=local_instant(d("2026-03-31"), dt.time(10, 0)),
        window_end=local_instant(d("2026-03-31"), dt.time(11, 0)),
        location=VisitLocation.HOME,
    )
    assert p.visit_line(visit) == "Tuesday 31 March, between 10am and 11am, at home"


def test_a_visit_somewhere_else_says_where():
    visit = Visit(
        window_start=local_instant(d("2026-03-03"), dt.time(14, 30)),
        window_end=local_instant(d("2026-03-03"), dt.time(15, 30)),
        location=VisitLocation.OTHER,
        location_detail="the Crisis café, Belgrave",
    )
    assert p.visit_line(visit).endswith("between 2:30pm and 3:30pm, at the Crisis café, Belgrave")


def test_a_medicine_reads_as_name_dose_route_and_when():
    medicine = Medication(name="Sertraline", dose="50mg", route="By mouth", frequency="Once a day")
    assert p.medication_line(medicine) == "Sertraline, 50mg, by mouth, once a day"


def test_the_crisis_help_list_is_never_empty():
    assert p.crisis_help_lines([])[0].startswith("999")


def test_the_pdf_file_name_has_no_name_in_it():
    assert p.pdf_filename(d("2026-03-03")) == "home-treatment-plan-2026-03-03.pdf"


def test_free_text_ends_as_a_sentence():
    assert p.sentence("Call the landlord\non Monday") == "Call the landlord on Monday."
    assert p.sentence("Are you safe?") == "Are you safe?"


def test_the_written_plan_names_a_family_helper_only_with_consent():
    intervention = Intervention(kind=InterventionKind.FAMILY_NETWORK, detail="Stays over")
    intervention.family_member = _contact(ShareScope.CARE_PLAN)
    assert p.written_intervention(intervention) == {
        "kind": "Work with family and social network",
        "text": "Stays over. Jo Ellison will help with this.",
    }
    intervention.family_member = _contact(None)
    assert p.written_intervention(intervention)["text"] == "Stays over."

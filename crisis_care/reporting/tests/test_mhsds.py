"""The national data set's tables on hand-built facts: codes mapped as the data set wants them,
London dates and times, CSV headers and rows, and each kind of problem the validation finds."""

import csv
import datetime as dt
import io
import uuid
from dataclasses import replace

import pytest

from crisis_care.reporting import mhsds
from crisis_care.reporting.mhsds import (
    MHS001,
    MHS002,
    MHS101,
    MHS102,
    MHS201,
    MHS501,
    ContactFacts,
    PersonFacts,
    ReferralFacts,
    SpellFacts,
    build_table,
)

UTC = dt.UTC
PERSON = uuid.UUID("00000000-0000-0000-0000-000000000001")
REFERRAL = uuid.UUID("00000000-0000-0000-0000-0000000000a1")


def person(**changes: object) -> PersonFacts:
    base = PersonFacts(
        person_id=PERSON,
        nhs_number="9990000018",
        date_of_birth=dt.date(1990, 4, 2),
        gender="2",
        postcode="LE1 5WW",
        gp_practice_code="Y90001",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def referral(**changes: object) -> ReferralFacts:
    base = ReferralFacts(
        referral_id=REFERRAL,
        person_id=PERSON,
        nhs_number="9990000018",
        date_of_birth=dt.date(1990, 4, 2),
        received_at=dt.datetime(2026, 3, 10, 9, 5, tzinfo=UTC),
        source="gp",
        priority="4",
        team_code="llr-crht",
        team_type="A02",
        decision_to_treat_at=dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC),
        discharged_at=None,
        rejected_at=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def contact(**changes: object) -> ContactFacts:
    start = dt.datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    base = ContactFacts(
        contact_id=uuid.UUID("00000000-0000-0000-0000-0000000000c1"),
        referral_id=REFERRAL,
        person_id=PERSON,
        nhs_number="9990000018",
        referral_received_at=dt.datetime(2026, 3, 10, 9, 5, tzinfo=UTC),
        started_at=start,
        ended_at=start + dt.timedelta(minutes=45),
        medium="01",
        location="home",
        attendance="attended",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def spell(**changes: object) -> SpellFacts:
    base = SpellFacts(
        admission_id=uuid.UUID("00000000-0000-0000-0000-0000000000d1"),
        referral_id=REFERRAL,
        person_id=PERSON,
        nhs_number="9990000018",
        admitted_at=dt.datetime(2026, 3, 1, 18, 0, tzinfo=UTC),
        discharged_at=dt.datetime(2026, 3, 20, 11, 0, tzinfo=UTC),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def row_of(table: mhsds.Table, facts: object) -> dict[str, str]:
    return dict(zip(table.fields, table.row(facts), strict=True))


# -- Codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "code"), [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("9", "")]
)
def test_priority_is_the_clinical_response_priority_code(priority: str, code: str) -> None:
    assert row_of(MHS101, referral(priority=priority))["ClinRespPriorityType"] == code


@pytest.mark.parametrize(
    ("source", "code"),
    [("gp", "A3"), ("self", "A1"), ("ed_liaison", "H1"), ("carer_family", "A2")],
)
def test_source_of_referral_uses_the_referrals_mapping(source: str, code: str) -> None:
    assert row_of(MHS101, referral(source=source))["SourceOfReferralMH"] == code


@pytest.mark.parametrize(("medium", "code"), [("01", "01"), ("02", "02"), ("11", "11")])
def test_consultation_medium(medium: str, code: str) -> None:
    assert row_of(MHS201, contact(medium=medium))["ConsMechanismMH"] == code


@pytest.mark.parametrize(
    ("attendance", "code"),
    [
        ("attended", "5"),
        ("not_at_home", "3"),
        ("declined", "2"),
        ("cancelled_by_person", "2"),
        ("cancelled_by_team", "4"),
    ],
)
def test_attendance_codes(attendance: str, code: str) -> None:
    assert row_of(MHS201, contact(attendance=attendance))["AttendOrDNACode"] == code


def test_the_crisis_team_is_team_type_a02_in_both_referral_tables() -> None:
    facts = referral()
    assert row_of(MHS101, facts)["ServTeamType"] == "A02"
    service = row_of(MHS102, facts)
    assert service["ServTeamTypeRefToMH"] == "A02"
    assert service["UniqCareProfTeamID"] == "llr-crht"


def test_contact_location_at_home_and_elsewhere() -> None:
    assert row_of(MHS201, contact(location="home"))["ActLocTypeCode"] == "A01"
    assert row_of(MHS201, contact(location="team_base"))["ActLocTypeCode"] == ""


def test_person_and_gp_rows() -> None:
    mpi = row_of(MHS001, person())
    assert mpi == {
        "LocalPatientId": str(PERSON),
        "NHSNumber": "9990000018",
        "PersonBirthDate": "1990-04-02",
        "GenderIDCode": "2",
        "EthnicCategory": "99",
        "Postcode": "LE1 5WW",
    }
    assert row_of(MHS002, person()) == {"LocalPatientId": str(PERSON), "GMPCodeReg": "Y90001"}


# -- London dates and times ------------------------------------------------------------------


def test_a_contact_at_half_past_eleven_on_31_march_bst_is_dated_31_march() -> None:
    late = dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 23:30 in London (BST)
    row = row_of(MHS201, contact(started_at=late, ended_at=late + dt.timedelta(minutes=20)))
    assert row["CareContDate"] == "2026-03-31"
    assert row["CareContTime"] == "23:30:00"
    assert row["ClinContDurOfCareCont"] == "20"


def test_winter_times_are_gmt() -> None:
    received = dt.datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    row = row_of(MHS101, referral(received_at=received, decision_to_treat_at=None))
    assert row["ReferralRequestReceivedDate"] == "2026-01-15"
    assert row["ReferralRequestReceivedTime"] == "23:30:00"


def test_the_month_is_whole_london_days() -> None:
    march = mhsds.month_period(dt.date(2026, 3, 17))
    assert march.first == dt.date(2026, 3, 1)
    assert march.last == dt.date(2026, 3, 31)
    assert march.start == dt.datetime(2026, 3, 1, 0, 0, tzinfo=UTC)  # GMT
    assert march.end == dt.datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # midnight BST
    october = mhsds.month_period(dt.date(2026, 10, 1))
    assert october.start == dt.datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    assert october.end == dt.datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def test_ages_at_referral_and_discharge() -> None:
    row = row_of(
        MHS101,
        referral(
            date_of_birth=dt.date(1990, 3, 20),
            discharged_at=dt.datetime(2026, 3, 25, 12, 0, tzinfo=UTC),
        ),
    )
    assert row["AgeServReferRecDate"] == "35"
    assert row["AgeServReferDischDate"] == "36"


# -- CSV -------------------------------------------------------------------------------------


def test_the_csv_has_the_field_names_then_a_row_per_record() -> None:
    built = build_table(MHS101, [referral(), referral(referral_id=uuid.uuid4(), priority="2")])
    lines = list(csv.reader(io.StringIO(built.csv_text)))
    assert lines[0] == list(MHS101.fields)
    assert lines[0][:6] == [
        "UniqServReqID",
        "LocalPatientId",
        "ReferralRequestReceivedDate",
        "ReferralRequestReceivedTime",
        "SourceOfReferralMH",
        "ClinRespPriorityType",
    ]
    assert len(lines) == 3
    assert lines[1][:6] == [str(REFERRAL), str(PERSON), "2026-03-10", "09:05:00", "A3", "4"]
    assert lines[2][5] == "2"
    assert built.rows == 2
    assert built.problems == []


def test_an_empty_table_still_has_its_header() -> None:
    built = build_table(MHS501, [])
    assert built.csv_text == ",".join(MHS501.fields) + "\r\n"
    assert built.report() == {"title": "Hospital provider spells", "rows": 0, "problems": []}


# -- Validation ------------------------------------------------------------------------------


def problems(table: mhsds.Table, facts: object) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in table.check(facts)]


def test_complete_records_have_no_problems() -> None:
    assert MHS001.check(person()) == []
    assert MHS002.check(person()) == []
    assert MHS101.check(referral()) == []
    assert MHS102.check(referral()) == []
    assert MHS201.check(contact()) == []
    assert MHS501.check(spell()) == []


def test_missing_nhs_number_postcode_and_gp() -> None:
    facts = person(nhs_number="", postcode="", gp_practice_code="")
    assert problems(MHS001, facts) == [
        ("NHSNumber", "The person has no NHS number."),
        ("Postcode", "No postcode for the person's address."),
    ]
    assert problems(MHS002, facts) == [("GMPCodeReg", "No GP practice is recorded for the person.")]
    found = MHS001.check(facts)[0]
    assert found.table == "MHS001"
    assert found.record == f"Person with local patient ID {PERSON}"
    assert found.person_id == str(PERSON)


def test_missing_priority_and_source() -> None:
    found = problems(MHS101, referral(priority="", source=""))
    assert ("ClinRespPriorityType", "No triage priority is recorded.") in found
    assert ("SourceOfReferralMH", "No source of referral is recorded.") in found


def test_a_referral_not_matched_to_a_person() -> None:
    found = MHS101.check(referral(person_id=None, nhs_number=""))
    assert [p.field for p in found] == ["LocalPatientId"]
    assert found[0].record.endswith("for a person not yet matched to a record")


def test_the_record_is_named_in_words() -> None:
    found = MHS101.check(referral(priority=""))[0]
    assert found.record == "Referral received 10 March 2026 at 9:05am for NHS number 999 000 0018"


def test_discharge_before_the_referral_was_received() -> None:
    facts = referral(
        decision_to_treat_at=None, discharged_at=dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    )
    assert problems(MHS101, facts) == [
        (
            "ServDischDate",
            "Discharged (9 March 2026 at midday) before the referral was received.",
        )
    ]


def test_discharge_before_home_treatment_was_decided() -> None:
    facts = referral(discharged_at=dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    assert [f for f, _ in problems(MHS101, facts)] == ["ServDischDate"]


def test_a_team_type_that_is_not_in_the_data_set() -> None:
    assert problems(MHS102, referral(team_type="LA")) == [
        ("ServTeamTypeRefToMH", "The team's type 'LA' is not an MHSDS service or team type.")
    ]


def test_a_contact_before_the_referral_was_received() -> None:
    early = dt.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    found = problems(MHS201, contact(started_at=early, ended_at=early))
    assert found == [
        (
            "CareContDate",
            "The contact is before the referral was received (10 March 2026 at 9:05am).",
        )
    ]


def test_attended_with_no_medium() -> None:
    assert problems(MHS201, contact(medium="")) == [
        (
            "ConsMechanismMH",
            "The person was seen but how (face to face, phone or video) is not recorded.",
        )
    ]


def test_no_attendance_recorded() -> None:
    assert [f for f, _ in problems(MHS201, contact(attendance=""))] == ["AttendOrDNACode"]


def test_a_contact_ending_before_it_starts() -> None:
    facts = contact()
    backwards = replace(facts, ended_at=facts.started_at - dt.timedelta(minutes=5))
    assert problems(MHS201, backwards) == [
        ("ClinContDurOfCareCont", "The contact ends before it starts.")
    ]
    assert row_of(MHS201, backwards)["ClinContDurOfCareCont"] == "0"


def test_a_hospital_discharge_before_admission() -> None:
    facts = spell(discharged_at=dt.datetime(2026, 2, 27, 10, 0, tzinfo=UTC))
    assert [f for f, _ in problems(MHS501, facts)] == ["DischDateHospProvSpell"]
    assert MHS501.check(spell(discharged_at=None)) == []


def test_problems_are_counted_per_table_in_the_report() -> None:
    built = build_table(MHS001, [person(), person(person_id=uuid.uuid4(), nhs_number="")])
    report = built.report()
    assert report["rows"] == 2
    assert len(report["problems"]) == 1
    assert report["problems"][0]["field"] == "NHSNumber"

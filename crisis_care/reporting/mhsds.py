"""The national data set export: our records in the shape of the Mental Health Services Data
Set (DOMAIN.md §4.1), one CSV file per table for a team and a month, with a validation report.

Pure: the selector (`selectors.mhsds`) reads the records into the plain facts below; this module
turns facts into MHSDS rows (codes mapped, London dates and times) and finds missing or
inconsistent values. Column headers are the MHSDS field names as DOMAIN.md §4.1 gives them.
Nothing is pseudonymised beyond what the data set carries: it carries the NHS number, so the
export is for managers only (ReportingAction.EXPORT_DATA_SET).

Code mappings, and where they come from:
- ClinRespPriorityType: our priorities are stored as the MHSDS codes (§2.3: 1 emergency,
  2 urgent, 3 routine, 4 very urgent).
- SourceOfReferralMH: `referrals.models.MHSDS_SOURCE_CODE` (§4.3; detailed labels unverified).
- ServTeamTypeRefToMH: the team's type, stored as the §4.2 code (A02 for a crisis resolution and
  home treatment team); our "LA" (council crisis response) is not an MHSDS team type.
- ConsMechanismMH: care contact media are stored as the §4.4 codes (01, 02, 11).
- AttendOrDNACode (§4.4; the data dictionary meanings are marked unverified there): seen -> 5
  (attended on time), not at home -> 3 (did not attend), declined at the door or cancelled by
  the person -> 2 (cancelled by the patient), cancelled by the team -> 4 (cancelled by the
  provider).
- ActLocTypeCode: A01 (the person's own home) for contacts at home; the team base and other
  places are left blank until their codes are confirmed (not sourced in DOMAIN.md).
"""

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from crisis_care.core.clock import LONDON
from crisis_care.core.presenters import age_on, date_long, format_nhs_number, time_short
from crisis_care.referrals.models import MHSDS_SOURCE_CODE

from .period import Period

# -- Codes ---------------------------------------------------------------------------------

PRIORITY_CODES = frozenset({"1", "2", "3", "4"})
MEDIUM_CODES = frozenset({"01", "02", "11"})
TEAM_TYPE_CODES = frozenset(
    {f"A{n:02d}" for n in range(1, 26)}
    | {"B01", "B02"}
    | {f"C{n:02d}" for n in range(1, 11)}
    | {f"D{n:02d}" for n in range(1, 9)}
    | {f"E{n:02d}" for n in range(1, 5)}
    | {f"F{n:02d}" for n in range(1, 7)}
    | {"Z01", "Z02"}
) - {"A03", "A04"}  # retired after month 1458 (DOMAIN.md §4.2)
ATTENDANCE_CODES: dict[str, str] = {
    "attended": "5",
    "not_at_home": "3",
    "declined": "2",
    "cancelled_by_person": "2",
    "cancelled_by_team": "4",
}
ATTENDED_CODES = frozenset({"5", "6"})  # as NHS England analysts count attendance
LOCATION_CODES: dict[str, str] = {"home": "A01"}


def priority_code(priority: str) -> str:
    return priority if priority in PRIORITY_CODES else ""


def source_code(source: str) -> str:
    return MHSDS_SOURCE_CODE.get(source, "")  # type: ignore[call-overload]


def team_type_code(team_type: str) -> str:
    return team_type if team_type in TEAM_TYPE_CODES else ""


def medium_code(medium: str) -> str:
    return medium if medium in MEDIUM_CODES else ""


def attendance_code(attendance: str) -> str:
    return ATTENDANCE_CODES.get(attendance, "")


def location_code(location: str) -> str:
    return LOCATION_CODES.get(location, "")


def mhsds_date(value: dt.datetime | dt.date | None) -> str:
    """YYYY-MM-DD on the London calendar (a contact at 23:30 BST on 31 March is 31 March)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).date()
    return value.isoformat()


def mhsds_time(value: dt.datetime | None) -> str:
    """HH:MM:SS on the London clock."""
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime("%H:%M:%S")


def _id(value: uuid.UUID | None) -> str:
    return "" if value is None else str(value)


def _age(date_of_birth: dt.date | None, at: dt.datetime | None) -> str:
    if date_of_birth is None or at is None:
        return ""
    return str(age_on(date_of_birth, at.astimezone(LONDON).date()))


# -- Facts: what the selector reads from our records -----------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    person_id: uuid.UUID
    nhs_number: str
    date_of_birth: dt.date | None
    gender: str
    postcode: str
    gp_practice_code: str


@dataclass(frozen=True)
class ReferralFacts:
    referral_id: uuid.UUID
    person_id: uuid.UUID | None  # None: a self-referral not yet matched to a person's record
    nhs_number: str
    date_of_birth: dt.date | None
    received_at: dt.datetime
    source: str
    priority: str
    team_code: str
    team_type: str
    decision_to_treat_at: dt.datetime | None  # when home treatment was decided
    discharged_at: dt.datetime | None  # the end of the team's care (ServDischDate)
    rejected_at: dt.datetime | None  # a declined referral


@dataclass(frozen=True)
class ContactFacts:
    contact_id: uuid.UUID
    referral_id: uuid.UUID
    person_id: uuid.UUID
    nhs_number: str
    referral_received_at: dt.datetime
    started_at: dt.datetime
    ended_at: dt.datetime
    medium: str
    location: str
    attendance: str


@dataclass(frozen=True)
class SpellFacts:
    admission_id: uuid.UUID
    referral_id: uuid.UUID | None
    person_id: uuid.UUID
    nhs_number: str
    admitted_at: dt.datetime
    discharged_at: dt.datetime | None


Facts = PersonFacts | ReferralFacts | ContactFacts | SpellFacts


# -- Problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One missing or inconsistent value: which table, field and record, and what is wrong."""

    table: str
    field: str
    record: str  # the record in words, e.g. "Referral received 3 March 2026 at 9:05am"
    message: str
    person_id: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "table": self.table,
            "field": self.field,
            "record": self.record,
            "message": self.message,
            "person_id": self.person_id,
        }


def _when(value: dt.datetime) -> str:
    return f"{date_long(value)} at {time_short(value)}"


def _whose(nhs_number: str, person_id: uuid.UUID | None) -> str:
    if person_id is None:
        return "a person not yet matched to a record"
    if nhs_number:
        return f"NHS number {format_nhs_number(nhs_number)}"
    return f"local patient ID {person_id}"


# -- Tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    # What a row is, in plain words, for the page.
    rows_are: str
    fields: tuple[str, ...]
    row: Callable[[Any], list[str]] = field(repr=False)
    check: Callable[[Any], list[Problem]] = field(repr=False)

    @property
    def filename(self) -> str:
        return f"{self.code}.csv"


def _mpi_row(f: PersonFacts) -> list[str]:
    return [
        _id(f.person_id),
        f.nhs_number,
        mhsds_date(f.date_of_birth),
        f.gender,
        # Ethnicity is not recorded in Crisis Care: 99 is "not known" (ETHNIC CATEGORY).
        "99",
        f.postcode,
    ]


def _mpi_check(f: PersonFacts) -> list[Problem]:
    record = f"Person with {_whose(f.nhs_number, f.person_id)}"
    pid = _id(f.person_id)
    out: list[Problem] = []
    if not f.nhs_number:
        out.append(Problem("MHS001", "NHSNumber", record, "The person has no NHS number.", pid))
    if f.date_of_birth is None:
        out.append(
            Problem("MHS001", "PersonBirthDate", record, "No date of birth is recorded.", pid)
        )
    if not f.postcode:
        out.append(
            Problem("MHS001", "Postcode", record, "No postcode for the person's address.", pid)
        )
    return out


def _gp_row(f: PersonFacts) -> list[str]:
    return [_id(f.person_id), f.gp_practice_code]


def _gp_check(f: PersonFacts) -> list[Problem]:
    if f.gp_practice_code:
        return []
    record = f"Person with {_whose(f.nhs_number, f.person_id)}"
    return [
        Problem(
            "MHS002",
            "GMPCodeReg",
            record,
            "No GP practice is recorded for the person.",
            _id(f.person_id),
        )
    ]


def _referral_row(f: ReferralFacts) -> list[str]:
    return [
        _id(f.referral_id),
        _id(f.person_id),
        mhsds_date(f.received_at),
        mhsds_time(f.received_at),
        source_code(f.source),
        priority_code(f.priority),
        mhsds_date(f.decision_to_treat_at),
        mhsds_time(f.decision_to_treat_at),
        mhsds_date(f.discharged_at),
        mhsds_time(f.discharged_at),
        _age(f.date_of_birth, f.received_at),
        _age(f.date_of_birth, f.discharged_at),
        team_type_code(f.team_type),
        mhsds_date(f.rejected_at),
    ]


def _referral_record(f: ReferralFacts) -> str:
    return f"Referral received {_when(f.received_at)} for {_whose(f.nhs_number, f.person_id)}"


def _referral_check(f: ReferralFacts) -> list[Problem]:
    record = _referral_record(f)
    pid = _id(f.person_id)

    def problem(name: str, message: str) -> Problem:
        return Problem("MHS101", name, record, message, pid)

    out: list[Problem] = []
    if f.person_id is None:
        out.append(
            problem(
                "LocalPatientId",
                "The referral is not matched to a person's record, so it has no patient.",
            )
        )
    if not f.priority:
        out.append(problem("ClinRespPriorityType", "No triage priority is recorded."))
    elif not priority_code(f.priority):
        out.append(problem("ClinRespPriorityType", f"Priority '{f.priority}' has no MHSDS code."))
    if not f.source:
        out.append(problem("SourceOfReferralMH", "No source of referral is recorded."))
    elif not source_code(f.source):
        out.append(problem("SourceOfReferralMH", f"Source '{f.source}' has no MHSDS code."))
    if f.discharged_at is not None and f.discharged_at < f.received_at:
        out.append(
            problem(
                "ServDischDate",
                f"Discharged ({_when(f.discharged_at)}) before the referral was received.",
            )
        )
    if (
        f.discharged_at is not None
        and f.decision_to_treat_at is not None
        and f.discharged_at < f.decision_to_treat_at
    ):
        out.append(
            problem(
                "ServDischDate",
                f"Discharged ({_when(f.discharged_at)}) before home treatment was decided "
                f"({_when(f.decision_to_treat_at)}).",
            )
        )
    if f.decision_to_treat_at is not None and f.decision_to_treat_at < f.received_at:
        out.append(
            problem(
                "DecisionToTreatDate",
                "Home treatment was decided before the referral was received.",
            )
        )
    return out


def _service_row(f: ReferralFacts) -> list[str]:
    closed = f.rejected_at or f.discharged_at
    return [
        _id(f.referral_id),
        f.team_code,
        team_type_code(f.team_type),
        mhsds_date(closed),
        mhsds_time(closed),
        mhsds_date(f.rejected_at),
        mhsds_time(f.rejected_at),
    ]


def _service_check(f: ReferralFacts) -> list[Problem]:
    if team_type_code(f.team_type):
        return []
    message = (
        "The team has no team type."
        if not f.team_type
        else f"The team's type '{f.team_type}' is not an MHSDS service or team type."
    )
    return [
        Problem("MHS102", "ServTeamTypeRefToMH", _referral_record(f), message, _id(f.person_id))
    ]


def _contact_row(f: ContactFacts) -> list[str]:
    minutes = int((f.ended_at - f.started_at).total_seconds() // 60)
    return [
        _id(f.contact_id),
        _id(f.referral_id),
        _id(f.person_id),
        mhsds_date(f.started_at),
        mhsds_time(f.started_at),
        str(max(minutes, 0)),
        medium_code(f.medium),
        location_code(f.location),
        attendance_code(f.attendance),
    ]


def _contact_check(f: ContactFacts) -> list[Problem]:
    record = f"Care contact {_when(f.started_at)} with {_whose(f.nhs_number, f.person_id)}"
    pid = _id(f.person_id)

    def problem(name: str, message: str) -> Problem:
        return Problem("MHS201", name, record, message, pid)

    out: list[Problem] = []
    attendance = attendance_code(f.attendance)
    if not attendance:
        out.append(problem("AttendOrDNACode", "No attendance is recorded."))
    if not medium_code(f.medium):
        message = (
            "The person was seen but how (face to face, phone or video) is not recorded."
            if attendance in ATTENDED_CODES
            else "How the contact was made (face to face, phone or video) is not recorded."
        )
        out.append(problem("ConsMechanismMH", message))
    if f.started_at < f.referral_received_at:
        out.append(
            problem(
                "CareContDate",
                f"The contact is before the referral was received "
                f"({_when(f.referral_received_at)}).",
            )
        )
    if f.ended_at < f.started_at:
        out.append(problem("ClinContDurOfCareCont", "The contact ends before it starts."))
    return out


def _spell_row(f: SpellFacts) -> list[str]:
    return [
        _id(f.admission_id),
        _id(f.referral_id),
        _id(f.person_id),
        mhsds_date(f.admitted_at),
        mhsds_time(f.admitted_at),
        mhsds_date(f.discharged_at),
        mhsds_time(f.discharged_at),
    ]


def _spell_check(f: SpellFacts) -> list[Problem]:
    if f.discharged_at is None or f.discharged_at >= f.admitted_at:
        return []
    record = f"Hospital admission {_when(f.admitted_at)} of {_whose(f.nhs_number, f.person_id)}"
    return [
        Problem(
            "MHS501",
            "DischDateHospProvSpell",
            record,
            f"Discharged from hospital ({_when(f.discharged_at)}) before being admitted.",
            _id(f.person_id),
        )
    ]


MHS001 = Table(
    "MHS001",
    "Master patient index",
    "people",
    ("LocalPatientId", "NHSNumber", "PersonBirthDate", "GenderIDCode", "EthnicCategory",
     "Postcode"),
    _mpi_row,
    _mpi_check,
)  # fmt: skip
MHS002 = Table(
    "MHS002", "GP practice registration", "people", ("LocalPatientId", "GMPCodeReg"),
    _gp_row, _gp_check,
)  # fmt: skip
MHS101 = Table(
    "MHS101",
    "Referrals",
    "referrals",
    ("UniqServReqID", "LocalPatientId", "ReferralRequestReceivedDate",
     "ReferralRequestReceivedTime", "SourceOfReferralMH", "ClinRespPriorityType",
     "DecisionToTreatDate", "DecisionToTreatTime", "ServDischDate", "ServDischTime",
     "AgeServReferRecDate", "AgeServReferDischDate", "ServTeamType", "ReferRejectionDate"),
    _referral_row,
    _referral_check,
)  # fmt: skip
MHS102 = Table(
    "MHS102",
    "Service or team type referred to",
    "referrals",
    ("UniqServReqID", "UniqCareProfTeamID", "ServTeamTypeRefToMH", "ReferClosureDate",
     "ReferClosureTime", "ReferRejectionDate", "ReferRejectionTime"),
    _service_row,
    _service_check,
)  # fmt: skip
MHS201 = Table(
    "MHS201",
    "Care contacts",
    "care contacts",
    ("CareContactId", "UniqServReqID", "LocalPatientId", "CareContDate", "CareContTime",
     "ClinContDurOfCareCont", "ConsMechanismMH", "ActLocTypeCode", "AttendOrDNACode"),
    _contact_row,
    _contact_check,
)  # fmt: skip
MHS501 = Table(
    "MHS501",
    "Hospital provider spells",
    "hospital spells",
    ("HospProvSpellID", "UniqServReqID", "LocalPatientId", "StartDateHospProvSpell",
     "StartTimeHospProvSpell", "DischDateHospProvSpell", "DischTimeHospProvSpell"),
    _spell_row,
    _spell_check,
)  # fmt: skip

TABLES: tuple[Table, ...] = (MHS001, MHS002, MHS101, MHS102, MHS201, MHS501)
BY_CODE: dict[str, Table] = {t.code: t for t in TABLES}


def month_period(month: dt.date) -> Period:
    """The whole London calendar month that `month` falls in."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


# -- Building a table ----------------------------------------------------------------------


@dataclass
class BuiltTable:
    table: Table
    csv_text: str
    rows: int
    problems: list[Problem]

    def report(self) -> dict[str, Any]:
        """The table's part of DataSetExport.validation."""
        return {
            "title": self.table.title,
            "rows": self.rows,
            "problems": [p.as_dict() for p in self.problems],
        }


def build_table(table: Table, facts: Iterable[Any]) -> BuiltTable:
    """The CSV text (header row of MHSDS field names, then one row per record) and every
    problem found, in one pass over the facts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.fields)
    rows = 0
    problems: list[Problem] = []
    for item in facts:
        writer.writerow(table.row(item))
        problems.extend(table.check(item))
        rows += 1
    return BuiltTable(table, out.getvalue(), rows, problems)

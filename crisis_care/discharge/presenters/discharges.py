"""Display values for the discharge pages: tags for the summary to the GP and the 72-hour
follow-up, the discharge record, and the sections of the discharge summary. Pure functions
of what the selectors read."""

import datetime as dt
import math
from typing import Any

from crisis_care.core.models import User
from crisis_care.core.presenters import date_long, datetime_long, format_nhs_number
from crisis_care.treatment.models import Episode, GoalStatus, Medium
from crisis_care.treatment.presenters.careplans import kind_label, medication_line, person_name

from ..models import Discharge, DischargeSummary, OnwardReferral, OnwardReferralStatus
from ..selectors.checklist import TITLES, ItemState
from ..selectors.discharges import (
    FOLLOW_UP_HOURS,
    DischargeRow,
    FollowUp,
    FollowUpState,
    SummaryRecord,
    SummaryState,
)

Tag = dict[str, str]
Row = dict[str, Any]


def _tag(text: str, colour: str = "") -> Tag:
    return {"text": text, "classes": f"nhsuk-tag--{colour}" if colour else ""}


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# -- The summary to the GP ------------------------------------------------------------------


def summary_tag(
    state: SummaryState, *, due_on: dt.date | None, first_sent_on: dt.date | None
) -> Tag:
    """'Sent on 3 March 2026' / 'Due by 5 March 2026' / 'Overdue'."""
    if state == SummaryState.SENT_IN_TIME:
        return _tag(f"Sent on {date_long(first_sent_on)}", "green")
    if state == SummaryState.SENT_LATE:
        return _tag(f"Sent late, on {date_long(first_sent_on)}", "orange")
    if state == SummaryState.OVERDUE:
        return _tag(f"Overdue: was due by {date_long(due_on)}", "red")
    if state == SummaryState.DUE:
        return _tag(f"Due by {date_long(due_on)}", "blue")
    if first_sent_on is not None:
        return _tag(f"Sent on {date_long(first_sent_on)}", "green")
    return _tag("Not sent yet", "grey")


def row_summary_tag(row: DischargeRow) -> Tag:
    return summary_tag(
        row.state, due_on=row.discharge.summary_due_on, first_sent_on=row.first_sent_on
    )


def overdue_count_text(rows: list[DischargeRow]) -> str:
    n = sum(1 for r in rows if r.state == SummaryState.OVERDUE)
    return f"{_plural(n, 'summary', 'summaries')} to the GP overdue"


def is_overdue(row: DischargeRow) -> bool:
    return row.state == SummaryState.OVERDUE


def sent_summary_line(summary: DischargeSummary) -> str:
    recipients = ", ".join(line for line in summary.recipients.splitlines() if line.strip())
    return (
        f"Sent on {date_long(summary.sent_on)} {summary.get_method_display().lower()} "
        f"to {recipients}, recorded by {person_name(summary.sent_by)}"
    )


# -- The discharge record -------------------------------------------------------------------


def discharge_rows(discharge: Discharge) -> list[Row]:
    return [
        {"key": {"text": "Discharged"}, "value": {"text": datetime_long(discharge.discharged_at)}},
        {"key": {"text": "Outcome"}, "value": {"text": discharge.get_outcome_display()}},
        {"key": {"text": "Reason"}, "value": {"text": discharge.reason}},
        {"key": {"text": "Recorded by"}, "value": {"text": person_name(discharge.discharged_by)}},
        {
            "key": {"text": "Summary to the GP due by"},
            "value": {"text": date_long(discharge.summary_due_on)},
        },
    ]


CHECKLIST_STATE_TEXT = {
    str(ItemState.MET): "Done",
    str(ItemState.MISSING): "Not done",
    str(ItemState.NOT_APPLICABLE): "Not needed",
}


def checklist_snapshot_rows(discharge: Discharge) -> list[Row]:
    """The aftercare checklist as it stood at discharge, with the reason for each gap."""
    reasons = {gap.item: gap.reason for gap in discharge.gaps.all()}
    rows = []
    for code, title in TITLES.items():
        state = discharge.checklist.get(code)
        if state is None:
            continue
        text = CHECKLIST_STATE_TEXT.get(state, state)
        if code in reasons:
            text = f"{text}. Why: {reasons[code]}"
        rows.append({"key": {"text": title}, "value": {"text": text}})
    return rows


def checklist_tag(state: str) -> Tag:
    if state == ItemState.MET:
        return _tag("Done", "green")
    if state == ItemState.NOT_APPLICABLE:
        return _tag("Not needed", "grey")
    return _tag("Not done", "red")


def written_by_line(user: User, at: dt.datetime) -> str:
    return f"{person_name(user)}, {datetime_long(at)}"


def rereferral_line(days: int, received_at: dt.datetime) -> str:
    after = "the day of discharge" if days == 0 else f"{_plural(days, 'day')} after discharge"
    return f"Re-referred on {datetime_long(received_at)}, {after}"


# -- The 72-hour follow-up ------------------------------------------------------------------


def _hours(hours: float) -> str:
    whole = math.floor(hours)
    minutes = round((hours - whole) * 60)
    if minutes == 60:
        whole, minutes = whole + 1, 0
    if minutes:
        return f"{whole} hours {minutes} minutes"
    return _plural(whole, "hour")


def follow_up_tag(follow_up: FollowUp, now: dt.datetime) -> Tag:
    state = follow_up.state(now)
    if state == FollowUpState.IN_TIME:
        return _tag("Followed up in time", "green")
    if state == FollowUpState.LATE:
        return _tag("Followed up late", "orange")
    if state == FollowUpState.OVERDUE:
        return _tag("Overdue", "red")
    return _tag(f"Due: {_plural(follow_up.hours_left(now), 'hour')} left", "blue")


def follow_up_detail(follow_up: FollowUp, now: dt.datetime) -> str:
    taken = follow_up.hours_taken()
    if follow_up.followed_up_at is not None and taken is not None:
        return f"Seen {datetime_long(follow_up.followed_up_at)}, {_hours(taken)} after leaving"
    return f"Due by {datetime_long(follow_up.deadline)}"


def follow_ups_due_text(follow_ups: list[FollowUp], now: dt.datetime) -> str:
    n = sum(1 for f in follow_ups if f.state(now) in (FollowUpState.DUE, FollowUpState.OVERDUE))
    return f"{_plural(n, 'follow-up')} after a ward discharge not yet done"


def follow_ups_pending(follow_ups: list[FollowUp], now: dt.datetime) -> int:
    return sum(1 for f in follow_ups if f.state(now) in (FollowUpState.DUE, FollowUpState.OVERDUE))


FOLLOW_UP_RULE = (
    f"People who leave a ward into the team's care should be followed up within "
    f"{FOLLOW_UP_HOURS} hours: seen face to face, or spoken to by phone or video. The hours are "
    "counted from the time they left the ward, in real elapsed time."
)


# -- The discharge summary ------------------------------------------------------------------


MEDIUM_WORDS = {
    Medium.FACE_TO_FACE: "face to face",
    Medium.TELEPHONE: "by phone",
    Medium.VIDEO: "by video",
}


def contacts_sentence(record: SummaryRecord) -> str:
    total = record.contacts
    if not total:
        return "No contacts where the person was seen are recorded."
    parts = [
        f"{record.contacts_by_medium[medium]} {words}"
        for medium, words in MEDIUM_WORDS.items()
        if record.contacts_by_medium.get(medium)
    ]
    return f"The team had {_plural(total, 'contact')} with the person ({', '.join(parts)})."


def episode_dates(episode: Episode, discharge: Discharge | None) -> str:
    start = date_long(episode.started_at)
    if discharge is None:
        return f"From {start}; not yet discharged"
    return f"{start} to {date_long(discharge.discharged_at)}"


GOAL_STATUS_WORDS = {
    GoalStatus.ACTIVE: "still working on it",
    GoalStatus.ACHIEVED: "achieved",
    GoalStatus.NO_LONGER_NEEDED: "no longer needed",
}


def goal_lines(record: SummaryRecord) -> list[str]:
    return [
        f"{goal.goal} ({GOAL_STATUS_WORDS.get(GoalStatus(goal.status), goal.status)})"
        for goal in record.goals
    ]


def intervention_lines(record: SummaryRecord) -> list[str]:
    lines = []
    for intervention in record.interventions:
        line = f"{kind_label(intervention.kind)}: {intervention.detail}"
        if intervention.stopped_at is not None:
            line += f" (stopped {date_long(intervention.stopped_at)})"
        lines.append(line)
    return lines


REFERRAL_STATUS_WORDS = {
    OnwardReferralStatus.SENT: "referral sent",
    OnwardReferralStatus.ACCEPTED: "accepted",
    OnwardReferralStatus.DECLINED: "declined",
    OnwardReferralStatus.WITHDRAWN: "withdrawn",
}


def onward_referral_line(referral: OnwardReferral) -> str:
    parts = [
        f"{referral.service_name} ({referral.get_kind_display()}): "
        f"{REFERRAL_STATUS_WORDS.get(OnwardReferralStatus(referral.status), referral.status)} "
        f"on {date_long(referral.sent_on)}"
    ]
    if referral.worker_name:
        worker = referral.worker_name
        if referral.worker_phone:
            worker += f", {referral.worker_phone}"
        parts.append(f"worker: {worker}")
    if referral.first_appointment_at is not None:
        where = (
            f" at {referral.first_appointment_place}" if referral.first_appointment_place else ""
        )
        parts.append(f"first appointment {datetime_long(referral.first_appointment_at)}{where}")
    return "; ".join(parts)


def medication_lines(record: SummaryRecord) -> list[str]:
    return [medication_line(m) for m in record.medications]


def safety_plan_sentence(record: SummaryRecord) -> str:
    plan = record.safety_plan
    if plan is None:
        return "No safety plan is recorded."
    written_with = "written with the person" if plan.written_with_person else "written"
    return (
        f"A safety plan was {written_with} on {date_long(plan.written_at)} and is held in the "
        f"crisis team's record. Ask {record.episode.team.name} for a copy."
    )


def about_rows(record: SummaryRecord) -> list[Row]:
    person = record.episode.person
    address = ", ".join(
        part
        for part in (person.address_line_1, person.address_line_2, person.town, person.postcode)
        if part
    )
    gp = record.gp_practice
    return [
        {"key": {"text": "Name"}, "value": {"text": person.full_name}},
        {"key": {"text": "NHS number"}, "value": {"text": format_nhs_number(person.nhs_number)}},
        {"key": {"text": "Date of birth"}, "value": {"text": date_long(person.date_of_birth)}},
        {"key": {"text": "Address"}, "value": {"text": address or "Not known"}},
        {
            "key": {"text": "GP practice"},
            "value": {"text": f"{gp.name} ({gp.ods_code})" if gp else "Not known"},
        },
    ]


def episode_rows(record: SummaryRecord) -> list[Row]:
    episode = record.episode
    worker = episode.named_worker
    rows = [
        {
            "key": {"text": "Dates"},
            "value": {"text": episode_dates(episode, record.discharge)},
        },
        {"key": {"text": "Team"}, "value": {"text": episode.team.name}},
        {
            "key": {"text": "Named worker"},
            "value": {"text": person_name(worker.user) if worker else "None named"},
        },
        {
            "key": {"text": "Referred by"},
            "value": {
                "text": f"{episode.referral.get_source_display()}, "
                f"{date_long(episode.referral.received_at)}"
            },
        },
    ]
    if record.discharge is not None:
        rows.append(
            {
                "key": {"text": "Outcome"},
                "value": {"text": record.discharge.get_outcome_display()},
            }
        )
    return rows


def summary_context(record: SummaryRecord) -> dict[str, Any]:
    """What the summary's body template shows: the same for the page, the PDF and the copy
    kept when it is sent."""
    episode = record.episode
    return {
        "episode": episode,
        "person": episode.person,
        "team": episode.team,
        "discharge": record.discharge,
        "about_rows": about_rows(record),
        "episode_rows": episode_rows(record),
        "referral_reason": episode.referral.reason,
        "presenting_crisis": episode.referral.presenting_crisis,
        "contacts": contacts_sentence(record),
        "goals": goal_lines(record),
        "interventions": intervention_lines(record),
        "onward": [onward_referral_line(r) for r in record.onward_referrals],
        "medication_on": date_long(record.medication_on),
        "medications": medication_lines(record),
        "relapse_plan": record.relapse_plan,
        "safety_plan": safety_plan_sentence(record),
    }


def pdf_title(episode: Episode, on: dt.date) -> str:
    """The PDF's title: what it is, the team and the date, no names."""
    return f"Discharge summary, {episode.team.name}, {date_long(on)}"


def pdf_filename(on: dt.date) -> str:
    """'discharge-summary-2026-03-03.pdf': never a name or NHS number."""
    return f"discharge-summary-{on:%Y-%m-%d}.pdf"

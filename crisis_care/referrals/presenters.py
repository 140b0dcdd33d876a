"""Display values for referrals: clock and priority tags, durations in words."""

import datetime as dt

from .clocks import Clock, ClockState
from .models import AgeCheck, AreaCheck, Priority, Referral

_PRIORITY_TAG = {
    Priority.EMERGENCY: "nhsuk-tag--red",
    Priority.VERY_URGENT: "nhsuk-tag--orange",
    Priority.URGENT: "nhsuk-tag--yellow",
    Priority.ROUTINE: "nhsuk-tag--grey",
}
# Under this much time left, a running clock is shown as at risk.
AT_RISK = dt.timedelta(minutes=30)


def duration_words(delta: dt.timedelta) -> str:
    """'2 hours 5 minutes', '45 minutes', '3 days 4 hours' (absolute value)."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes and not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or "less than a minute"


def clock_text(clock: Clock) -> str:
    if clock.state is ClockState.RUNNING:
        return f"{duration_words(clock.remaining)} left"
    if clock.state is ClockState.MET:
        return "Met"
    if clock.state is ClockState.STOPPED:
        return "Not needed"
    if clock.stopped_at is not None:
        return f"Breached: {duration_words(clock.remaining)} late"
    return f"Breached {duration_words(clock.remaining)} ago"


def clock_tag(clock: Clock) -> dict[str, str]:
    if clock.state is ClockState.RUNNING:
        classes = "nhsuk-tag--orange" if clock.remaining <= AT_RISK else "nhsuk-tag--blue"
    elif clock.state is ClockState.MET:
        classes = "nhsuk-tag--green"
    elif clock.state is ClockState.BREACHED:
        classes = "nhsuk-tag--red"
    else:
        classes = "nhsuk-tag--grey"
    return {"text": f"{clock.label}: {clock_text(clock)}", "classes": classes}


def priority_tag(priority: str) -> dict[str, str]:
    return {"text": Priority(priority).label, "classes": _PRIORITY_TAG[Priority(priority)]}


def eligibility_concerns(referral: Referral) -> list[str]:
    """What a person must look at before accepting: empty when all is in order."""
    concerns = []
    if referral.area_check != AreaCheck.IN_AREA:
        concerns.append(AreaCheck(referral.area_check).label)
    if referral.age_check != AgeCheck.IN_RANGE:
        concerns.append(AgeCheck(referral.age_check).label)
    return concerns

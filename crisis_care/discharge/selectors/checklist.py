"""The aftercare checklist (CORE item 25 a–f, with the relapse prevention plan of item 24),
derived from what the team records, never ticked by hand: anyone can see what is missing
before discharge, and the discharge keeps the checklist as it stood."""

import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Prefetch

from crisis_care.core.clock import local_date
from crisis_care.core.presenters import date_long
from crisis_care.people.models import Contact, ShareScope
from crisis_care.treatment.models import Episode
from crisis_care.treatment.selectors.carers import may_share_care_plan

from ..models import (
    DischargeMeeting,
    DischargePlanGiven,
    InvolvedService,
    MeetingInvitee,
    MeetingStatus,
    OnwardReferral,
    OnwardReferralStatus,
    RelapsePreventionPlan,
)


class ItemState(StrEnum):
    MET = "met"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"


# Paraphrased from the CORE resource pack (DOMAIN.md §1.5), in the order a team works.
TITLES: dict[str, str] = {
    "25a": "Follow-on plans agreed with other mental health services involved",
    "25b": "Referrals made for support after discharge",
    "25c": "Discharge meeting arranged, with the person and family invited",
    "25d": "Other mental health services involved came to the discharge meeting",
    "25e": "Written discharge plan, naming who supports the person next, given to them",
    "25f": "How to get crisis help given to the person and their family",
    "24": "Relapse prevention plan written with the person",
}
CODES = tuple(TITLES)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    state: ItemState
    detail: str

    @property
    def title(self) -> str:
        return TITLES[self.code]

    @property
    def met(self) -> bool:
        return self.state != ItemState.MISSING


@dataclass(frozen=True)
class Checklist:
    items: list[ChecklistItem]

    @property
    def gaps(self) -> list[ChecklistItem]:
        return [i for i in self.items if not i.met]

    @property
    def complete(self) -> bool:
        return not self.gaps

    def as_record(self) -> dict[str, str]:
        """What the discharge keeps: {code: state}."""
        return {i.code: str(i.state) for i in self.items}


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def aftercare_checklist(*, episode: Episode) -> Checklist:
    """Each item from the records behind it, in a fixed number of queries (six)."""
    services = list(
        InvolvedService.objects.filter(episode=episode, secondary_mental_health=True).order_by(
            "name"
        )
    )
    referrals = list(
        OnwardReferral.objects.filter(
            episode=episode,
            status__in=[OnwardReferralStatus.SENT, OnwardReferralStatus.ACCEPTED],
        ).order_by("sent_on")
    )
    meetings = list(
        DischargeMeeting.objects.filter(episode=episode)
        .exclude(status=MeetingStatus.CANCELLED)
        .prefetch_related(
            Prefetch("invitees", queryset=MeetingInvitee.objects.select_related("contact"))
        )
        .order_by("-starts_at")
    )
    # Family the person agreed may see their care plan can be invited and given the plan;
    # family with consent to general information only can be given the crisis-help card.
    family = list(
        Contact.objects.filter(
            person_id=episode.person_id,
            current_consent__scope__in=[ShareScope.CARE_PLAN, ShareScope.GENERAL],
        ).select_related("current_consent")
    )
    # The same rule the invitation and copy services apply (the stricter answer wins).
    sharing_plan = {c.pk for c in family if may_share_care_plan(c)}
    # Every record of what was given: to the person, or a copy or card for family on its own.
    given = list(
        DischargePlanGiven.objects.filter(episode=episode).prefetch_related(
            "plan_to_contacts", "crisis_card_to_contacts"
        )
    )
    relapse = RelapsePreventionPlan.objects.filter(episode=episode).first()
    return Checklist(
        items=[
            _item_25a(services),
            _item_25b(referrals),
            _item_25c(meetings, sharing_plan),
            _item_25d(meetings, services),
            _item_25e(given),
            _item_25f(given, {c.pk for c in family}),
            _item_24(relapse),
        ]
    )


def _item_25a(services: list[InvolvedService]) -> ChecklistItem:
    if not services:
        return ChecklistItem(
            "25a",
            ItemState.NOT_APPLICABLE,
            "No other secondary mental health service is recorded as involved",
        )
    waiting = [s.name for s in services if not s.plan_agreed.strip()]
    if waiting:
        return ChecklistItem("25a", ItemState.MISSING, f"No plan agreed yet with {_names(waiting)}")
    return ChecklistItem(
        "25a", ItemState.MET, f"Plans agreed with {_names([s.name for s in services])}"
    )


def _item_25b(referrals: list[OnwardReferral]) -> ChecklistItem:
    if not referrals:
        return ChecklistItem("25b", ItemState.MISSING, "No referral on has been made")
    names = [f"{r.service_name} ({r.get_status_display().lower()})" for r in referrals]
    return ChecklistItem("25b", ItemState.MET, f"Referred to {_names(names)}")


def _item_25c(meetings: list[DischargeMeeting], sharing_plan: set[uuid.UUID]) -> ChecklistItem:
    if not meetings:
        return ChecklistItem("25c", ItemState.MISSING, "No discharge meeting has been arranged")
    meeting = meetings[0]
    if not meeting.person_invited:
        return ChecklistItem(
            "25c", ItemState.MISSING, "The person has not been invited to the discharge meeting"
        )
    invited_family = [i.contact for i in meeting.invitees.all() if i.contact is not None]
    if sharing_plan and not any(c.pk in sharing_plan for c in invited_family):
        return ChecklistItem(
            "25c",
            ItemState.MISSING,
            "Family who may see the care plan have not been invited to the meeting",
        )
    if invited_family:
        who = f"the person and {_names([c.name for c in invited_family])} invited"
    elif sharing_plan:
        who = "the person invited"
    else:
        who = "the person invited (no family has consent to be involved)"
    return ChecklistItem(
        "25c", ItemState.MET, f"Arranged for {date_long(local_date(meeting.starts_at))}, {who}"
    )


def _item_25d(meetings: list[DischargeMeeting], services: list[InvolvedService]) -> ChecklistItem:
    if not services:
        return ChecklistItem(
            "25d",
            ItemState.NOT_APPLICABLE,
            "No other secondary mental health service is recorded as involved",
        )
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    if not held:
        return ChecklistItem("25d", ItemState.MISSING, "The discharge meeting has not been held")
    came = {
        i.involved_service_id
        for m in held
        for i in m.invitees.all()
        if i.involved_service_id is not None and i.attended
    }
    absent = [s.name for s in services if s.pk not in came]
    if absent:
        return ChecklistItem("25d", ItemState.MISSING, f"{_names(absent)} did not attend")
    return ChecklistItem("25d", ItemState.MET, f"{_names([s.name for s in services])} attended")


def _item_25e(given: list[DischargePlanGiven]) -> ChecklistItem:
    given = [g for g in given if g.to_person]
    if not given:
        return ChecklistItem(
            "25e", ItemState.MISSING, "The written discharge plan has not been given to the person"
        )
    last = given[-1]
    return ChecklistItem(
        "25e",
        ItemState.MET,
        f"Given on {date_long(last.given_on)}, naming {last.follow_on_named}",
    )


def _item_25f(given: list[DischargePlanGiven], family: set[uuid.UUID]) -> ChecklistItem:
    if not any(g.to_person for g in given):
        return ChecklistItem(
            "25f", ItemState.MISSING, "Crisis help has not been given to the person in writing"
        )
    reached = {
        c.pk for g in given for c in [*g.plan_to_contacts.all(), *g.crisis_card_to_contacts.all()]
    }
    if family and not (reached & family):
        return ChecklistItem(
            "25f",
            ItemState.MISSING,
            "Given to the person, but not yet to family who have consent to be told",
        )
    if reached:
        return ChecklistItem("25f", ItemState.MET, "Given to the person and their family")
    return ChecklistItem(
        "25f", ItemState.MET, "Given to the person (no family has consent to be told)"
    )


def _item_24(relapse: RelapsePreventionPlan | None) -> ChecklistItem:
    if relapse is None:
        return ChecklistItem("24", ItemState.MISSING, "No relapse prevention plan yet")
    if not relapse.written_with_person:
        return ChecklistItem(
            "24", ItemState.MISSING, "The relapse prevention plan was not written with the person"
        )
    return ChecklistItem(
        "24",
        ItemState.MET,
        f"Written with the person, last changed {date_long(local_date(relapse.written_at))}",
    )

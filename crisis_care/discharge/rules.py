"""Who may do what in discharge and aftercare: the role x action matrix. As in treatment, a
role rule is necessary but not sufficient: the episode must be held by one of the user's teams
(views/common.episode_or_refuse)."""

from enum import StrEnum

from crisis_care.core.roles import CLINICAL_ROLES, Role


class DischargeAction(StrEnum):
    VIEW = "view"  # the aftercare checklist, referrals on, meeting, plans, summaries
    PLAN_AFTERCARE = "plan_aftercare"  # involved services, referrals on, the discharge meeting
    WRITE_PLANS = "write_plans"  # the relapse prevention plan; the written plan given
    SEND_SUMMARY = "send_summary"  # record the discharge summary sent to the GP
    DISCHARGE = "discharge"  # end the episode, with its outcome and any gap reasons
    ADDENDUM = "addendum"  # a later note on a discharged episode; re-referral
    FOLLOW_UP = "follow_up"  # the 72-hour follow-up list and why one was missed
    VIEW_FEEDBACK = "view_feedback"  # the anonymous feedback report


_QUALIFIED = frozenset(
    {Role.REGISTERED_PRACTITIONER, Role.DOCTOR, Role.PSYCHOLOGIST, Role.TEAM_MANAGER}
)

PERMISSIONS: dict[DischargeAction, frozenset[Role]] = {
    DischargeAction.VIEW: frozenset(CLINICAL_ROLES | {Role.ADMINISTRATOR}),
    # Support workers arrange meetings and make referrals on with the person.
    DischargeAction.PLAN_AFTERCARE: frozenset(CLINICAL_ROLES),
    DischargeAction.WRITE_PLANS: _QUALIFIED,
    # Clerical staff send letters, so they record the summary as sent.
    DischargeAction.SEND_SUMMARY: frozenset(_QUALIFIED | {Role.ADMINISTRATOR}),
    # Ending care is a clinical decision by a qualified member of the team.
    DischargeAction.DISCHARGE: _QUALIFIED,
    DischargeAction.ADDENDUM: frozenset(CLINICAL_ROLES),
    DischargeAction.FOLLOW_UP: frozenset(CLINICAL_ROLES),
    DischargeAction.VIEW_FEEDBACK: frozenset({Role.TEAM_MANAGER}),
}


def role_may(role: str, action: DischargeAction) -> bool:
    return role in PERMISSIONS[action]

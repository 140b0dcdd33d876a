"""Who may do what in home treatment: the role x action matrix. A role rule is necessary but
not sufficient: every episode page also needs the episode to be held by one of the user's
teams (selectors scope by team; views/common.episode_or_refuse)."""

from enum import StrEnum

from crisis_care.core.roles import CLINICAL_ROLES, Role
from crisis_care.workforce.models import Profession


class TreatmentAction(StrEnum):
    VIEW = "view"  # the caseload, an episode, its plan, visits and medication
    MANAGE_EPISODE = "manage_episode"  # named worker, six-week review, paired visits
    WRITE_CARE_PLAN = "write_care_plan"  # needs, goals, interventions; the written plan given
    RECORD_PROGRESS = "record_progress"  # progress against a goal
    PLAN_VISITS = "plan_visits"  # plan, staff and cancel visits
    RECORD_CONTACT = "record_contact"  # record a contact and write up its note
    LONE_WORKING = "lone_working"  # check in and out on a visit
    RESPOND_TO_ALERT = "respond_to_alert"  # record what was done about an overrunning visit
    RECORD_MEDICATION = "record_medication"  # record what the person takes; deliveries
    PRESCRIBE = "prescribe"  # start, change, review or stop a medicine
    RUN_MDT = "run_mdt"  # hold the daily review: attendance, reviews, decisions
    SET_RATING = "set_rating"  # set or change the team's red/amber/green risk rating
    MANAGE_ACTIONS = "manage_actions"  # add actions, mark them done or cancelled
    HANDOVER = "handover"  # give and receive the shift handover
    SUPPORT_CARERS = "support_carers"  # carers' conversations, plans, referrals; family contact


_QUALIFIED = frozenset(
    {Role.REGISTERED_PRACTITIONER, Role.DOCTOR, Role.PSYCHOLOGIST, Role.TEAM_MANAGER}
)

PERMISSIONS: dict[TreatmentAction, frozenset[Role]] = {
    # Clerical staff answer the phone about visits and book them, so they see the caseload.
    TreatmentAction.VIEW: frozenset(CLINICAL_ROLES | {Role.ADMINISTRATOR}),
    TreatmentAction.MANAGE_EPISODE: _QUALIFIED,
    # Support workers help people with their goals and record progress; the plan itself is
    # agreed with the person by a qualified member of staff.
    TreatmentAction.WRITE_CARE_PLAN: _QUALIFIED,
    TreatmentAction.RECORD_PROGRESS: frozenset(CLINICAL_ROLES),
    TreatmentAction.PLAN_VISITS: frozenset(CLINICAL_ROLES | {Role.ADMINISTRATOR}),
    TreatmentAction.RECORD_CONTACT: frozenset(CLINICAL_ROLES),
    TreatmentAction.LONE_WORKING: frozenset(CLINICAL_ROLES),
    TreatmentAction.RESPOND_TO_ALERT: _QUALIFIED,
    TreatmentAction.RECORD_MEDICATION: frozenset(CLINICAL_ROLES),
    # Prescribing also needs a prescribing profession (is_prescriber).
    TreatmentAction.PRESCRIBE: frozenset({Role.DOCTOR, Role.REGISTERED_PRACTITIONER}),
    TreatmentAction.RUN_MDT: _QUALIFIED,
    # The rating is a clinical judgement of the team, recorded by a qualified clinician.
    TreatmentAction.SET_RATING: _QUALIFIED,
    TreatmentAction.MANAGE_ACTIONS: frozenset(CLINICAL_ROLES),
    TreatmentAction.HANDOVER: frozenset(CLINICAL_ROLES),
    TreatmentAction.SUPPORT_CARERS: frozenset(CLINICAL_ROLES),
}

PRESCRIBING_PROFESSIONS = frozenset({Profession.PSYCHIATRIST, Profession.NON_MEDICAL_PRESCRIBER})


def role_may(role: str, action: TreatmentAction) -> bool:
    return role in PERMISSIONS[action]


def is_prescriber(profession: str) -> bool:
    return profession in PRESCRIBING_PROFESSIONS


def is_psychologist(profession: str) -> bool:
    return profession == Profession.PSYCHOLOGIST

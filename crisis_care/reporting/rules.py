"""Who may see which reports. Aggregate figures are for managers (and the IG auditor, who checks
how the service is run); the lists of records behind a figure only for those who may see the
records (clinical staff of the team); the national data set export for managers."""

from enum import StrEnum

from crisis_care.core.roles import CLINICAL_ROLES, Role


class ReportingAction(StrEnum):
    VIEW_FIGURES = "view_figures"  # the dashboard, SPC charts, fidelity reviews
    VIEW_RECORDS = "view_records"  # the records behind a figure (names, NHS numbers)
    REVIEW_FIDELITY = "review_fidelity"  # run and save a CORE fidelity self-review
    EXPORT_DATA_SET = "export_data_set"  # the MHSDS-shaped monthly export


PERMISSIONS: dict[ReportingAction, frozenset[Role]] = {
    ReportingAction.VIEW_FIGURES: frozenset({Role.TEAM_MANAGER, Role.IG_AUDITOR}),
    ReportingAction.VIEW_RECORDS: frozenset(CLINICAL_ROLES),
    ReportingAction.REVIEW_FIDELITY: frozenset({Role.TEAM_MANAGER}),
    ReportingAction.EXPORT_DATA_SET: frozenset({Role.TEAM_MANAGER}),
}


def role_may(role: str, action: ReportingAction) -> bool:
    return role in PERMISSIONS[action]

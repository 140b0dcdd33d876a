"""The teams a user may report on: their own (as for the caseload)."""

from crisis_care.core.models import User
from crisis_care.treatment.selectors.caseload import teams_for_caseload
from crisis_care.workforce.models import Team


def teams_for_reports(*, user: User) -> list[Team]:
    return list(teams_for_caseload(user=user))

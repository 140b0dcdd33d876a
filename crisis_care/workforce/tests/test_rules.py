import datetime as dt

import pytest

from crisis_care.core.roles import Role
from crisis_care.workforce.models import Profession, RegulatoryBody
from crisis_care.workforce.rules import can_edit_rota, is_registered_practitioner

ON = dt.date(2026, 3, 3)


def test_a_nurse_with_a_current_nmc_registration_is_a_registered_practitioner() -> None:
    assert is_registered_practitioner(
        profession=Profession.NURSE,
        registrations=[(RegulatoryBody.NMC, dt.date(2027, 1, 1))],
        on=ON,
    )


def test_a_registration_without_an_expiry_date_counts() -> None:
    assert is_registered_practitioner(
        profession=Profession.SOCIAL_WORKER, registrations=[(RegulatoryBody.SWE, None)], on=ON
    )


def test_a_registration_that_expires_today_still_counts() -> None:
    assert is_registered_practitioner(
        profession=Profession.NURSE, registrations=[(RegulatoryBody.NMC, ON)], on=ON
    )


def test_a_lapsed_registration_does_not_count() -> None:
    assert not is_registered_practitioner(
        profession=Profession.NURSE,
        registrations=[(RegulatoryBody.NMC, ON - dt.timedelta(days=1))],
        on=ON,
    )


def test_a_registration_with_the_wrong_regulator_does_not_count() -> None:
    # A nurse registered only with the HCPC is not a registered mental health nurse.
    assert not is_registered_practitioner(
        profession=Profession.NURSE, registrations=[(RegulatoryBody.HCPC, None)], on=ON
    )


def test_a_pharmacist_prescriber_is_not_a_registered_practitioner() -> None:
    assert not is_registered_practitioner(
        profession=Profession.NON_MEDICAL_PRESCRIBER,
        registrations=[(RegulatoryBody.GPHC, None)],
        on=ON,
    )


@pytest.mark.parametrize("profession", [Profession.SUPPORT_WORKER, Profession.PEER_SUPPORT_WORKER])
def test_a_support_worker_is_never_a_registered_practitioner(profession: str) -> None:
    assert not is_registered_practitioner(
        profession=profession, registrations=[(RegulatoryBody.NMC, None)], on=ON
    )


def test_no_registration_means_not_registered() -> None:
    assert not is_registered_practitioner(
        profession=Profession.PSYCHIATRIST, registrations=[], on=ON
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.TEAM_MANAGER, True),
        (Role.ADMINISTRATOR, True),
        (Role.SYSTEM_ADMINISTRATOR, True),
        (Role.REGISTERED_PRACTITIONER, False),
        (Role.SUPPORT_WORKER, False),
        (Role.DOCTOR, False),
        (Role.PSYCHOLOGIST, False),
        (Role.IG_AUDITOR, False),
    ],
)
def test_only_managers_and_administrators_edit_the_rota(role: Role, allowed: bool) -> None:
    assert can_edit_rota(role) is allowed

"""Discharge tests start from real home treatment episodes, built through the services exactly
as the treatment tests build them."""

from crisis_care.treatment.tests.conftest import (  # noqa: F401 (fixtures)
    episode,
    finalised_assessment,
    make_episode,
    make_finalised_assessment,
)

import datetime as dt

import pytest
from django.utils import timezone

from crisis_care.nonprod import factories
from crisis_care.referrals import services
from crisis_care.referrals.models import Referral


@pytest.fixture
def make_referral(team, practitioner):
    def make(*, person=None, received_at=None, priority="2", in_team=None, **data) -> Referral:
        person = person if person is not None else factories.PersonFactory()
        fields = {
            "channel": "phone",
            "source": "gp",
            "referrer_name": "Dr Amara Shah",
            "referrer_organisation": "Hollybank Medical Centre",
            "referrer_phone": "0116 496 0000",
            "reason": "Low mood, not eating, says life is not worth living",
            "person_agrees": "agrees",
        }
        fields.update(data)
        return services.referral_create(
            team=in_team or team,
            person=person,
            data=fields,
            received_at=received_at or timezone.now() - dt.timedelta(minutes=5),
            priority=priority,
            priority_reason="Expressing suicidal thoughts",
            by=practitioner,
        )

    return make

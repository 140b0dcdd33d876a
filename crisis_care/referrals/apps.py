from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "crisis_care.referrals"
    label = "referrals"
    verbose_name = "Referrals, triage and clocks"

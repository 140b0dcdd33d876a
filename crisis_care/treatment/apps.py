from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "crisis_care.treatment"
    label = "treatment"
    verbose_name = "Home treatment"

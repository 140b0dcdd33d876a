from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "crisis_care.planning"
    label = "planning"
    verbose_name = "Visit planning"

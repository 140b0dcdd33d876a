from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "crisis_care.workforce"
    label = "workforce"
    verbose_name = "Staff, teams and rota"

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "crisis_care.reporting"
    label = "reporting"
    verbose_name = "Reporting"

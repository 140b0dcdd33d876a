from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "crisis_care.assessments"
    label = "assessments"
    verbose_name = "Assessments, risk, safety plans and decisions"

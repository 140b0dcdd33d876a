from django.apps import AppConfig


class NhsukFormsConfig(AppConfig):
    name = "crisis_care.nhsuk_forms"
    label = "nhsuk_forms"

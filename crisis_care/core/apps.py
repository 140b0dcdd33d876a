from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "crisis_care.core"
    label = "core"
    verbose_name = "Core"

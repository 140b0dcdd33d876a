from django.apps import AppConfig


class NonprodConfig(AppConfig):
    """Demo data and the factories the tests share. Not installed in production."""

    name = "crisis_care.nonprod"
    label = "nonprod"

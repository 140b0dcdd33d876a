from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "crisis_care.people"
    label = "people"
    verbose_name = "People, contacts and consent"

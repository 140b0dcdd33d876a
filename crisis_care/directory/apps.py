from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "crisis_care.directory"
    label = "directory"
    verbose_name = "Directory of services"

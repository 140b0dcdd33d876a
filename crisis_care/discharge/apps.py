from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "crisis_care.discharge"
    label = "discharge"
    verbose_name = "Discharge and aftercare"

    def ready(self) -> None:
        # The episode page (treatment) shows the aftercare checklist through its panel hook,
        # so treatment never imports discharge (DESIGN.md: dependencies run one way).
        from crisis_care.treatment import extensions

        from .presenters.panel import aftercare_panel

        extensions.register_episode_panel(aftercare_panel)

from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from placements.selectors.start import start_figures
        from wpl import registry

        registry.register_start_context(start_figures)
        for order, dotted in enumerate(
            [
                "placements.demo_catalogue.seed",  # first: programmes that other seeders build on
                "placements.demo_workplaces.seed",
                "placements.demo_quality.seed",
                "placements.demo_matching.seed",  # after the other placements seeders
            ]
        ):
            registry.register_demo_seeder(dotted, order=10 + order)

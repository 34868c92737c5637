from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "chibo.reviews"
    label = "reviews"
    verbose_name = "Đánh giá, xếp loại chất lượng"

    def ready(self) -> None:
        # The packs register their parameters with core.params when imported; each area
        # registers its panels, agenda lines and deadline items with core.hooks.
        from . import packs  # noqa: F401
        from .panels import criteria, duties, history, orgs, reports, rounds

        for area in (duties, criteria, rounds, orgs, reports, history):
            area.register()

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "chibo.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self) -> None:
        # Imported here because models may load only once the app registry is ready.
        from chibo.core import hooks
        from chibo.org.services import restructuring_previewed

        from . import panels, services

        hooks.register(hooks.UNIT_PAGE_PANELS, panels.unit_links, order=20)

        def _previewed(sender, on, moves, **kwargs):
            return {"later": services.later_meetings(on=on, units=[u for u, _dest in moves])}

        restructuring_previewed.connect(_previewed, weak=False, dispatch_uid="meetings.preview")

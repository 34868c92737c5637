from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "chibo.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self) -> None:
        from chibo.org.services import restructuring_previewed

        from . import services

        def _previewed(sender, on, moves, **kwargs):
            return {"later": services.later_meetings(on=on, units=[u for u, _dest in moves])}

        restructuring_previewed.connect(_previewed, weak=False, dispatch_uid="meetings.preview")

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chibo.audit"
    label = "audit"

    def ready(self) -> None:
        # Imported here because models may load only once the app registry is ready.
        from chibo.core import hooks

        from . import jobs, views

        jobs.register_export("audit", views.log_export_of, nav="audit")
        hooks.register(hooks.STALE_JOBS, jobs.settle_stale_jobs)

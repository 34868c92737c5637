from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "chibo.org"
    label = "org"

    def ready(self) -> None:
        # Imported here because models may load only once the app registry is ready.
        from chibo.core import hooks
        from chibo.core import params as core_params

        from . import params
        from .services.text_keys import rebuild_text_keys

        hooks.register(hooks.REBUILD_TEXT_KEYS, rebuild_text_keys, order=10)
        core_params.register_source(params.lookup)

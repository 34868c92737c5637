from django.apps import AppConfig

from chibo.core.actors import SYSTEM


class AccountsConfig(AppConfig):
    name = "chibo.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from chibo.core import scope as gate
        from chibo.org.models import Lineage
        from chibo.org.services import restructuring_previewed, unit_absorbed, unit_ended

        from . import scope, services, signals  # noqa: F401
        from .models import Grant

        # The read gate asks this app what a user's grants cover.
        gate.register(scope.coverage)

        def _forget(sender, **kwargs):
            gate.forget()

        for model in (Grant, Lineage):
            post_save.connect(_forget, sender=model, weak=False, dispatch_uid=f"scope.{model}")
            post_delete.connect(_forget, sender=model, weak=False, dispatch_uid=f"scope-{model}")

        def _absorbed(sender, source, target, on, actor=SYSTEM, repoint_grants=True, **kwargs):
            if repoint_grants:
                services.repoint_grants(actor=actor, predecessor=source, successor=target, on=on)

        def _ended(sender, unit, on, actor=SYSTEM, **kwargs):
            services.end_grants(actor=actor, unit=unit, on=on)

        def _previewed(sender, on, absorbed, ended, **kwargs):
            return {"lines": services.restructuring_lines(on=on, absorbed=absorbed, ended=ended)}

        unit_absorbed.connect(_absorbed, weak=False, dispatch_uid="accounts.absorbed")
        unit_ended.connect(_ended, weak=False, dispatch_uid="accounts.ended")
        restructuring_previewed.connect(_previewed, weak=False, dispatch_uid="accounts.preview")

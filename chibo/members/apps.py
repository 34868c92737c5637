from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "chibo.members"
    label = "members"
    verbose_name = "Đảng viên"

    def ready(self) -> None:
        # Imported here because models may load only once the app registry is ready.
        from chibo.audit.jobs import register_export
        from chibo.core import hooks
        from chibo.org.services import (
            restructuring_previewed,
            subtree_leaving,
            unit_absorbed,
            unit_ending_checked,
            units_relocated,
        )

        from . import departures, exports, panels, services
        from .imports import jobs

        hooks.register(hooks.UNIT_PAGE_PANELS, panels.unit_counts, order=10)
        hooks.register(hooks.UNIT_PAGE_PANELS, panels.unit_links, order=10)
        hooks.register(hooks.REBUILD_TEXT_KEYS, services.rebuild_text_keys, order=20)
        hooks.register(hooks.STALE_JOBS, jobs.settle_stale_jobs)
        register_export("members", exports.member_list_export, nav="members")
        register_export("roll", exports.roll_export, nav="members")

        def _relocated(sender, unit_ids, **kwargs):
            services.refresh_denormalized(unit_ids)

        def _absorbed(sender, source, target, on, **kwargs):
            # A cell merged into another: its members leave it with a copy (the old commune
            # keeps them as they were when the cell went elsewhere), then continue there.
            departures.reorganized(root=source, on=on)
            services.move_placements(source=source, target=target, on=on)

        def _previewed(sender, on, moves, **kwargs):
            return {"later": services.later_events(on=on, units=[u for u, _dest in moves])}

        def _leaving(sender, root, on, **kwargs):
            departures.reorganized(root=root, on=on)

        def _ending(sender, unit, on, **kwargs):
            return services.still_placed(unit=unit, on=on)

        unit_ending_checked.connect(_ending, weak=False, dispatch_uid="members.ending")
        subtree_leaving.connect(_leaving, weak=False, dispatch_uid="members.leaving")
        units_relocated.connect(_relocated, weak=False, dispatch_uid="members.relocated")
        unit_absorbed.connect(_absorbed, weak=False, dispatch_uid="members.absorbed")
        restructuring_previewed.connect(_previewed, weak=False, dispatch_uid="members.preview")

"""Who a write is by. Every service takes `actor` keyword-only (ARCHITECTURE invariant 2): the
user at the page, the API or the import — or, for what no person does (the demo, a command, a
restructuring's consequences carried out by the receiving app), the explicit `SYSTEM`. There is
no silent third way: a missing actor (None) is refused, so a forgotten actor can never skip the
permission check or leave an audit row without an author."""

from __future__ import annotations


class SystemActor:
    """The system itself. Not a user: it logs in nowhere, holds no grant, and its audit rows
    name no person (source "hệ thống")."""

    is_authenticated = False
    is_anonymous = False
    is_active = True
    is_system = True
    pk = None
    id = None
    username = "system"

    def __str__(self) -> str:
        return "Hệ thống"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


class MissingActor(TypeError):
    pass


def is_system(actor) -> bool:
    """True for SYSTEM; False for a user; refuses None (a write must say who makes it)."""
    if actor is None:
        raise MissingActor(
            "actor is required: the user making the change, or chibo.core.actors.SYSTEM"
        )
    return actor is SYSTEM

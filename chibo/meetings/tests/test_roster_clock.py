"""A temporary attachment recorded in members ends by itself: the host cell's roster drops the
member on the expected return, with no job run (moved here from members' clock tests: meetings
reads members, not the other way)."""

import datetime as dt

from chibo.core.actors import SYSTEM
from chibo.meetings.selectors import roster
from tests.world import make_member


def test_a_temporary_attachment_ends_by_itself_on_the_expected_return(world, today):
    from chibo.members.models import Transfer
    from chibo.members.transfers import transfer_out

    m = make_member(world.cells_a[0], "Lường Thị Tạm", gender="f")
    back = today + dt.timedelta(days=60)
    transfer_out(
        actor=SYSTEM,
        member=m,
        kind=Transfer.Kind.TEMPORARY,
        reason=Transfer.Reason.RESIDENCE_WORK,
        to_unit=world.cell_b,
        departed_on=today - dt.timedelta(days=60),  # four months in all
        expected_return=back,
    )
    host = {r.member.pk for r in roster(world.cell_b, today)}
    assert m.pk in host
    assert m.pk not in {r.member.pk for r in roster(world.cell_b, back)}  # no job, no entry

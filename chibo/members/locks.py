"""Row locks of member writes (issue 11, point 5).

On PostgreSQL two transactions run side by side: each service that reads a member's history
to judge a write takes the member's row lock first, so that a second write on the same member
waits for the first to commit and then judges what it wrote. (SQLite runs one writing
transaction at a time and ignores the lock.)"""

from __future__ import annotations

from .models import Member


def lock(*members: Member) -> None:
    """Lock the members' rows until the transaction ends and reload them, before any check
    reads their history: a second write on one of them waits here for the first to commit,
    then sees what it wrote (two recognitions at once: the second finds an official member).
    Several members are locked in the order of their ids, as every writer does, so two
    writers touching the same pair never each hold one and wait for the other (a deadlock,
    which PostgreSQL would end by failing one of them). FOR NO KEY UPDATE, as
    aggregates.restate takes: the rows that point at the member (events, placements, count
    rows) do not wait for it. Called inside the caller's transaction."""
    locking = Member.objects.select_for_update(no_key=True)
    for m in sorted(members, key=lambda m: m.pk):
        m.refresh_from_db(from_queryset=locking)

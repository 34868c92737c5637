"""A member's state on any date, derived from their dated events (ARCHITECTURE invariant 3).

Pure functions, no database: the services store the result for today in Member (kept in step
inside the same transaction) and a Hypothesis test checks that the two never disagree.

The state has separate dimensions rather than one enum (issue: member registry, point 4):
- stage: probationary / official (None before admission);
- activity: active / exempt / suspended;
- ended: struck_off / expelled / resigned / deceased (None while a member).
"Transferred out" is a placement fact, not a state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    ADMISSION = "admission", _("Kết nạp")
    RECOGNITION = "recognition", _("Công nhận đảng viên chính thức")
    READMISSION = "readmission", _("Kết nạp lại")
    EXEMPTION = "exemption", _("Miễn công tác và sinh hoạt đảng")
    SUSPENSION = "suspension", _("Đình chỉ sinh hoạt")
    RETURN_TO_ACTIVITY = "return", _("Trở lại sinh hoạt")
    STRIKE_OFF = "strike_off", _("Xóa tên")
    EXPULSION = "expulsion", _("Khai trừ")
    RESIGNATION = "resignation", _("Xin ra khỏi Đảng")
    DEATH = "death", _("Từ trần")
    RESTORATION = "restoration", _("Phục hồi đảng tịch")
    # Facts that leave the state as it is (they need a living membership, or a deceased one for
    # a posthumous badge): the movement and service rows of Biểu 1 and Biểu 7.
    DISCIPLINE = "discipline", _("Kỷ luật")
    TRANSFER_OUT = "transfer_out", _("Chuyển đi")
    TRANSFER_IN = "transfer_in", _("Chuyển đến")
    CARD = "card", _("Thẻ đảng viên")
    BADGE = "badge", _("Huy hiệu Đảng")
    VOID = "void", _("Hủy sự kiện ghi nhầm")  # only as a correction of another event


# Events that do not change the state.
NEUTRAL = frozenset(
    {
        EventKind.DISCIPLINE,
        EventKind.TRANSFER_OUT,
        EventKind.TRANSFER_IN,
        EventKind.CARD,
        EventKind.BADGE,
    }
)


class Stage(models.TextChoices):
    PROBATIONARY = "probationary", _("Dự bị")
    OFFICIAL = "official", _("Chính thức")


class Activity(models.TextChoices):
    ACTIVE = "active", _("Đang sinh hoạt")
    EXEMPT = "exempt", _("Miễn sinh hoạt")
    SUSPENDED = "suspended", _("Đình chỉ sinh hoạt")


class Ended(models.TextChoices):
    STRUCK_OFF = "struck_off", _("Bị xóa tên")
    EXPELLED = "expelled", _("Bị khai trừ")
    RESIGNED = "resigned", _("Ra khỏi Đảng")
    DECEASED = "deceased", _("Từ trần")


ENDING = {
    EventKind.STRIKE_OFF: Ended.STRUCK_OFF,
    EventKind.EXPULSION: Ended.EXPELLED,
    EventKind.RESIGNATION: Ended.RESIGNED,
    EventKind.DEATH: Ended.DECEASED,
}


@dataclass(frozen=True)
class State:
    stage: str | None = None
    activity: str | None = None
    ended: str | None = None

    @property
    def is_member(self) -> bool:
        return self.stage is not None and self.ended is None


class EventLike(Protocol):
    id: int | None
    kind: str
    effective_date: dt.date
    corrects_id: int | None


def effective_events(events: Iterable[EventLike]) -> list[EventLike]:
    """The events that count: a correcting event replaces the one it corrects (a VOID removes
    it); corrections can themselves be corrected. Ordered by effective date, then entry order."""
    events = list(events)
    replaced = {e.corrects_id for e in events if e.corrects_id is not None}
    live = [e for e in events if e.id not in replaced and e.kind != EventKind.VOID]
    return sorted(live, key=lambda e: (e.effective_date, e.id or 0))


def apply(state: State, kind: str) -> State:
    """One event's effect. Raises ValueError when the event cannot happen in that state (the
    services turn it into a Vietnamese message)."""
    if kind == EventKind.BADGE and state.ended == Ended.DECEASED:
        return state  # truy tặng: awarded posthumously
    if state.ended == Ended.DECEASED and kind != EventKind.DEATH:
        raise ValueError("deceased")
    if state.ended is not None and kind not in (
        EventKind.RESTORATION,
        EventKind.DEATH,
        EventKind.READMISSION,
    ):
        raise ValueError("ended")
    if kind == EventKind.ADMISSION:
        if state.stage is not None:
            raise ValueError("already a member")
        return State(Stage.PROBATIONARY, Activity.ACTIVE, None)
    if kind == EventKind.READMISSION:
        if state.stage is not None and state.ended is None:
            raise ValueError("still a member")
        return State(Stage.PROBATIONARY, Activity.ACTIVE, None)
    if state.stage is None:
        raise ValueError("not admitted")
    if kind in NEUTRAL:
        return state
    if kind == EventKind.RECOGNITION:
        if state.stage != Stage.PROBATIONARY:
            raise ValueError("not probationary")
        return State(Stage.OFFICIAL, state.activity, None)
    if kind == EventKind.EXEMPTION:
        if state.activity != Activity.ACTIVE:
            raise ValueError("not active")
        return State(state.stage, Activity.EXEMPT, None)
    if kind == EventKind.SUSPENSION:
        if state.activity == Activity.SUSPENDED:
            raise ValueError("already suspended")
        return State(state.stage, Activity.SUSPENDED, None)
    if kind == EventKind.RETURN_TO_ACTIVITY:
        if state.activity == Activity.ACTIVE:
            raise ValueError("already active")
        return State(state.stage, Activity.ACTIVE, None)
    if kind in ENDING:
        if state.ended == Ended.DECEASED:
            raise ValueError("deceased")
        return State(state.stage, state.activity, ENDING[kind])
    if kind == EventKind.RESTORATION:
        if state.ended not in (Ended.STRUCK_OFF, Ended.EXPELLED, Ended.RESIGNED):
            raise ValueError("nothing to restore")
        return State(state.stage, Activity.ACTIVE, None)
    raise ValueError(f"unknown event kind {kind!r}")


# An exemption with a term or a suspension with an end date ("until" in its data: the last day,
# as the form's "Đến ngày" says) ends by itself the day after: back to ordinary activity, as a
# return would (unless an explicit change of activity came first). Probation never ends by
# itself.
ENDS_BY_ITSELF = frozenset({EventKind.EXEMPTION, EventKind.SUSPENSION})
CHANGES_ACTIVITY = frozenset(
    {EventKind.EXEMPTION, EventKind.SUSPENSION, EventKind.RETURN_TO_ACTIVITY}
)


def term_end(e) -> dt.date | None:
    """The first day after the event's term (None: no term)."""
    raw = (getattr(e, "data", None) or {}).get("until")
    if not raw:
        return None
    last = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(raw)
    return last + dt.timedelta(days=1)


def _ended_by_itself(state: State) -> State:
    if state.activity in (Activity.EXEMPT, Activity.SUSPENDED):
        return State(state.stage, Activity.ACTIVE, state.ended)
    return state


def fold(events: Iterable[EventLike], d: dt.date | None = None) -> tuple[State, dt.date | None]:
    """(the state on day `d` — every effective event up to and including it, in order, with
    the ends that come by themselves — and the day the activity of that state will end by
    itself, if it will). Raises ValueError at the first event that cannot happen."""
    state, pending = State(), None
    for e in effective_events(events):
        if d is not None and e.effective_date > d:
            break
        if pending is not None and e.effective_date >= pending:
            if not (e.kind in CHANGES_ACTIVITY and e.effective_date == pending):
                state = _ended_by_itself(state)
            pending = None
        try:
            state = apply(state, e.kind)
        except ValueError as exc:
            raise ValueError(f"{e.kind}@{e.effective_date}: {exc}") from None
        if e.kind in ENDS_BY_ITSELF:
            pending = term_end(e)
        elif e.kind in CHANGES_ACTIVITY:
            pending = None
    if pending is not None and d is not None and pending <= d:
        state, pending = _ended_by_itself(state), None
    return state, pending


def state_on(events: Iterable[EventLike], d: dt.date) -> State:
    """The state on day `d`: the effective events up to and including `d`, in order, with the
    ends that come by themselves."""
    return fold(events, d)[0]


def history_is_valid(events: Iterable[EventLike]) -> str | None:
    """None if every effective event can happen where it stands, else the first problem."""
    try:
        fold(events)
    except ValueError as exc:
        return str(exc)
    return None

"""Pages of the review: rounds (the round's page: its roll, proposals and explained results)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path

from chibo.org.models import Unit

from .. import packs
from ..choices import SHORT, Step
from ..models import Assessment, Rating, Round
from ..services import facts as F
from ..services import rounds


@login_required
def round_detail(request, pk: int):
    """The round of a cell: who is rated, the cell's proposal, the decided result with its
    explanation (cited details only for readers of sensitive data)."""
    rnd = get_object_or_404(Round.objects.restrict(request.user).select_related("unit"), pk=pk)
    proposals = {
        a.member_id: a
        for a in Assessment.objects.filter(round=rnd, step=Step.PROPOSAL, member__isnull=False)
    }
    ratings = {
        r.member_id: r
        for r in Rating.objects.filter(round=rnd, current=True).select_related("member")
    }
    rated, apart = [], []
    for m in F.roll(rnd):
        r = ratings.get(m.pk)
        p = proposals.get(m.pk)
        row = {
            "member": m,
            "proposed": SHORT.get(p.level, "") if p else "",
            "votes": f"{p.votes_for}/{p.votes_base}" if p and p.votes_base else "",
            "level": SHORT.get(r.level, "") if r else "",
            "lines": rounds.explain(r, request.user) if r else [],
        }
        (apart if r is not None and r.not_rated else rated).append(row)
    decider: Unit = rounds.decider_of(rnd)
    return render(
        request,
        "reviews/round.html",
        {
            "round": rnd,
            "pack": packs.get(rnd.pack),
            "decider": decider,
            "rated": rated,
            "apart": apart,
        },
    )


urls = [path("rounds/<int:pk>/", round_detail, name="round")]

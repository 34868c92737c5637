"""The reusable scope test's cases: one per route (page or API operation).

Every route is checked four ways (NetBox's pattern): anonymous → login redirect / 401; a user
whose scope does not cover the object → 404 (or, for lists, the object absent); a read-only user
→ 403 on writes; an allowed user → success. test_scope_meta.py fails when a route has no case.

Object routes act on commune A of `World` (or on something inside it); official_b holds commune B
only, viewer_a reads commune A, official_a administers commune A.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from chibo.accounts import services
from chibo.audit.exports import write_xlsx
from chibo.audit.models import ExportJob
from chibo.core.actors import SYSTEM
from chibo.members.models import ImportJob
from tests.scope_case import Case
from tests.scope_cases_reviews import REVIEW_CASES
from tests.scope_cases_reviews import prime as prime_reviews
from tests.world import World, make_member


def _d() -> str:
    return "2025-07-01"


PAGE_CASES = [
    Case("audit:export", lambda w: reverse("audit:export"), list_marker=lambda w: "Đồng Tâm"),
    Case(
        "audit:export_job",
        lambda w: reverse("audit:export_job", args=[_export_job(w)]),
        self_service=True,
    ),
    Case(
        "audit:export_download",
        lambda w: reverse("audit:export_download", args=[_export_job(w)]),
        self_service=True,
    ),
    Case("accounts:export", lambda w: reverse("accounts:export"), list_marker=lambda w: "xem.a"),
    Case(
        "org:tree", lambda w: reverse("org:tree") + "?q=dong+tam", list_marker=lambda w: "Đồng Tâm"
    ),
    Case("org:children", lambda w: reverse("org:children", args=[w.commune_a.pk])),
    Case("org:unit", lambda w: reverse("org:unit", args=[w.commune_a.pk])),
    Case(
        "org:restructure",
        lambda w: reverse("org:restructure", args=[w.commune_a.pk, "rename"]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {
            "effective_date": _d(),
            "decision_no": "15-QĐ/TU",
            "issuer": "Ban Thường vụ Tỉnh ủy",
            "name": "Đảng bộ xã Đồng Tâm 2",
            "apply": "1",
        },
    ),
    Case(
        "org:add_term",
        lambda w: reverse("org:add_term", args=[w.commune_a.pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"label": "2025–2030", "start": "2025-08-16"},
    ),
    Case("org:export", lambda w: reverse("org:export"), list_marker=lambda w: "Đồng Tâm"),
    Case(
        "org:import",
        lambda w: reverse("org:import"),
        method="post",
        write=True,
        form_scoped=True,
        body=lambda w: {"effective_date": _d()},
    ),
    Case("org:import_template", lambda w: reverse("org:import_template"), self_service=True),
    Case("accounts:list", lambda w: reverse("accounts:list"), list_marker=lambda w: "xem.a"),
    Case(
        "accounts:create",
        lambda w: reverse("accounts:create"),
        method="post",
        write=True,
        form_scoped=True,
        body=lambda w: {
            "username": "bithu.moi",
            "full_name": "Lò Văn Mới",
            "unit": w.cells_a[0].pk,
            "role": "secretary",
            "valid_from": _d(),
        },
    ),
    Case("accounts:detail", lambda w: reverse("accounts:detail", args=[w.viewer_a.pk])),
    Case(
        "accounts:detail#post",
        lambda w: reverse("accounts:detail", args=[w.viewer_a.pk]),
        method="post",
        write=True,
        body=lambda w: {"op": "reset"},
    ),
    Case(
        "accounts:tokens",
        lambda w: reverse("accounts:tokens"),
        method="post",
        body=lambda w: {"name": "script"},
        self_service=True,
    ),
    # Issue 11: the login lock, one's own password, sessions, token revocation.
    Case(
        "accounts:unlock",
        lambda w: reverse("accounts:unlock", args=[w.viewer_a.pk]),
        method="post",
        write=True,
        ok_status=302,
    ),
    Case("accounts:password", lambda w: reverse("accounts:password"), self_service=True),
    Case(
        "accounts:sessions_end",
        lambda w: reverse("accounts:sessions_end"),
        method="post",
        ok_status=302,
        self_service=True,
    ),
    Case(
        "accounts:token_revoke",
        lambda w: reverse("accounts:token_revoke", args=[_own_token(w).pk]),
        method="post",
        ok_status=302,
        self_service=True,
    ),
    Case("audit:list", lambda w: reverse("audit:list"), list_marker=lambda w: "Đồng Tâm"),
]


def _own_token(w: World):
    """A token of official_a (the allowed user of self-service cases), made once per world."""
    if "token" not in w.extra:
        services.create_token(actor=w.official_a, name="script")
        w.extra["token"] = w.official_a.api_tokens.get()
    return w.extra["token"]


def _member(w: World):
    """A member of commune A's first cell (made once per world)."""
    if "member" not in w.extra:
        w.extra["member"] = make_member(w.cells_a[0], "Lò Văn Đôi")
    return w.extra["member"]


def _incoming(w: World):
    """An official transfer from commune B into commune A, awaiting arrival."""
    if "incoming" not in w.extra:
        import datetime as dt

        from chibo.members.models import Transfer
        from chibo.members.transfers import transfer_out

        m = make_member(w.cell_b, "Quàng Thị Xuân", gender="f")
        w.extra["incoming"] = transfer_out(
            actor=SYSTEM,
            member=m,
            kind=Transfer.Kind.OFFICIAL,
            to_unit=w.cells_a[1],
            departed_on=dt.date(2025, 6, 2),
        )
    return w.extra["incoming"]


def _outgoing(w: World):
    """A transfer from commune A abroad: only commune A's side sees its letter."""
    if "outgoing" not in w.extra:
        import datetime as dt

        from chibo.members.models import Transfer
        from chibo.members.transfers import transfer_out

        m = make_member(w.cells_a[2], "Lường Văn Chiến")
        w.extra["outgoing"] = transfer_out(
            actor=SYSTEM,
            member=m,
            kind=Transfer.Kind.ABROAD,
            destination="Đảng ủy ngoài nước",
            departed_on=dt.date(2025, 6, 2),
        )
    return w.extra["outgoing"]


def _import_job(w: World) -> str:
    """An import job of official_a's (jobs belong to the user who uploaded the file)."""
    token = "scope-case-job"
    ImportJob.objects.get_or_create(
        token=token,
        defaults={
            "owner": w.official_a,
            "unit": w.commune_a,
            "path": "/nonexistent.xlsx",
            "name": "danh-sach.xlsx",
            "headers": ["Họ tên"],
            "rows": 1,
            "mapping": {"full_name": 0},
            "state": ImportJob.UPLOADED,
        },
    )
    return token


def _export_job(w: World) -> str:
    """A finished export job of official_a's (jobs belong to the user who asked for them): the
    member list of commune A, its file in the test's temporary media folder."""
    token = "scope-case-export"
    if not ExportJob.objects.filter(token=token).exists():
        path = Path(settings.MEDIA_ROOT) / "scope-case-export.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(path, title="Đảng viên", headers=["Họ và tên"], rows=[["Lò Văn Pọm"]])
        ExportJob.objects.create(
            token=token,
            owner=w.official_a,
            kind="members",
            params={"unit": [str(w.commune_a.pk)]},
            title="Danh sách đảng viên",
            filename="danh-sach-dang-vien.xlsx",
            unit_ref=w.commune_a.pk,
            path=str(path),
            rows=1,
            state=ExportJob.READY,
        )
    return token


def _twin(w: World):
    """A second record of _member's person (a likely duplicate)."""
    if "twin" not in w.extra:
        w.extra["twin"] = make_member(w.cells_a[1], "Lò Văn Đôi")
    return w.extra["twin"]


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
    b"\x02\xfe\xa7\x9a\xa0\x80\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _with_photo(w: World):
    from django.core.files.base import ContentFile

    m = _member(w)
    if not m.photo:
        m.photo.save(f"{m.pk}.png", ContentFile(PNG), save=True)
    return m


def _decision(w: World):
    """A received admission decision in commune A, ceremony not yet held."""
    if "decision" not in w.extra:
        import datetime as dt

        from chibo.members.admission import record_admission_decision

        w.extra["decision"] = record_admission_decision(
            actor=SYSTEM,
            unit=w.cells_a[0],
            family_name="Giàng",
            middle_name="A",
            given_name="Chớ",
            gender="m",
            birth_date=dt.date(2001, 8, 9),
            considered_on=dt.date(2025, 1, 6),
            decision_no="12-QĐ/ĐU",
            issuer="Đảng ủy xã Đồng Tâm",
            decision_received_on=dt.date(2025, 1, 13),
        )
    return w.extra["decision"]


def _meeting(w: World):
    """A planned regular meeting of commune A's first cell."""
    if "meeting" not in w.extra:
        import datetime as dt

        from chibo.meetings.models import Meeting

        w.extra["meeting"] = Meeting.objects.create(
            unit=w.cells_a[0],
            kind="regular",
            planned_on=dt.date(2025, 7, 3),
            held_on=dt.date(2025, 7, 3),
            place="Nhà văn hóa thôn Đông",
            starts_at=dt.time(7, 30),
        )
        # One member present, so that votes and minutes have an attendance to stand on.
        from chibo.meetings.holding import record_attendance

        present = make_member(w.cells_a[0], "Lò Văn Điểm")
        record_attendance(
            actor=SYSTEM, meeting=w.extra["meeting"], marks={present.pk: ("present", "")}
        )
    return w.extra["meeting"]


PDF = b"%PDF-1.4\n%%EOF\n"


def _meeting_doc(w: World):
    """A document posted for that meeting."""
    if "meeting_doc" not in w.extra:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from chibo.meetings.preparation import add_document

        w.extra["meeting_doc"] = add_document(
            actor=SYSTEM,
            meeting=_meeting(w),
            title="Dự thảo",
            upload=SimpleUploadedFile("d.pdf", PDF),
        )
    return w.extra["meeting_doc"]


def _paper(w: World):
    """A draft of that meeting's minutes."""
    if "paper" not in w.extra:
        from chibo.meetings.models import Paper

        w.extra["paper"] = Paper.objects.create(
            meeting=_meeting(w),
            kind="minutes",
            issuer=w.cells_a[0],
            summary="sinh hoạt chi bộ thường kỳ",
            body="Hôm nay …",
        )
    return w.extra["paper"]


def _prepared(w: World):
    """A meeting of commune A's first cell with its own agenda, the notices sent."""
    if "prepared" not in w.extra:
        from chibo.meetings.models import Meeting

        w.extra["prepared"] = Meeting.objects.create(
            unit=w.cells_a[0],
            kind="regular",
            planned_on=dt.date(2025, 8, 3),
            agenda=["Khai mạc", "Kiểm điểm việc làm đường", "Bế mạc"],
            notices_sent_at=dt.datetime(2025, 8, 1, 8, 0, tzinfo=dt.UTC),
        )
    return w.extra["prepared"]


def _follow_up(w: World):
    """An assignment: a follower of commune A follows its first cell."""
    if "follow_up" not in w.extra:
        from chibo.accounts.choices import Role
        from chibo.meetings.models import FollowUp
        from tests.world import make_user

        w.extra["follower"] = make_user("theodoi.a", w.commune_a, Role.FOLLOWER)
        w.extra["follow_up"] = FollowUp.objects.create(
            user=w.extra["follower"],
            unit=w.cells_a[0],
            role="upper",
            valid_from=dt.date(2025, 1, 1),
        )
    return w.extra["follow_up"]


def _matter(w: World):
    """An opinion raised at that meeting, routed to commune A's committee."""
    if "matter" not in w.extra:
        from chibo.meetings.models import RaisedMatter

        w.extra["matter"] = RaisedMatter.objects.create(
            meeting=_meeting(w), text="Đề nghị sửa đường", routed_to=w.commune_a
        )
    return w.extra["matter"]


def _upload(w: World) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"title": "Báo cáo", "kind": "material", "file": SimpleUploadedFile("b.pdf", PDF)}


def prime(w: World) -> None:
    """Make the objects the cases act on before the test counts changes."""
    _meeting(w)
    _meeting_doc(w)
    _paper(w)
    _prepared(w)
    _follow_up(w)
    _matter(w)
    _decision(w)
    _with_photo(w)
    _twin(w)
    _incoming(w)
    _outgoing(w)
    prime_reviews(w)


MEMBER_CASES = [
    Case("members:list", lambda w: reverse("members:list") + f"?unit={w.commune_a.pk}"),
    # One's own record: official_a is the user of the review's member (scope_cases_reviews).
    Case("members:me", lambda w: reverse("members:me"), self_service=True, ok_status=302),
    Case("members:export", lambda w: reverse("members:export") + f"?unit={w.commune_a.pk}"),
    Case("members:deadlines", lambda w: reverse("members:deadlines") + f"?unit={w.commune_a.pk}"),
    Case("members:roll", lambda w: reverse("members:roll", args=[w.commune_a.pk])),
    Case(
        "members:import",
        lambda w: reverse("members:import") + f"?unit={w.commune_a.pk}",
        method="post",
        write=True,
        body=lambda w: {},
    ),
    Case(
        "members:import_template",
        lambda w: reverse("members:import_template") + f"?unit={w.commune_a.pk}",
    ),
    Case(
        "members:import_job",
        lambda w: reverse("members:import_job", args=[_import_job(w)]),
        self_service=True,
    ),
    Case(
        "members:admit",
        lambda w: reverse("members:admit") + f"?unit={w.commune_a.pk}",
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {
            "cell": w.cells_a[0].pk,
            "full_name": "Giàng A Páo",
            "gender": "m",
            "birth_date": "2000-05-02",
            "considered_on": "2025-01-06",
            "decision_no": "12-QĐ/ĐU",
            "issuer": "Đảng ủy xã Đồng Tâm",
            "decision_received_on": "2025-01-13",
            "ceremony_on": "2025-02-19",
            "save": "1",
        },
    ),
    Case(
        "members:ceremony",
        lambda w: reverse("members:ceremony", args=[_decision(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"ceremony_on": "2025-02-19"},
    ),
    Case(
        "members:duplicates",
        lambda w: reverse("members:duplicates") + f"?unit={w.commune_a.pk}",
    ),
    Case(
        "members:merge",
        lambda w: reverse("members:merge", args=[_member(w).pk, _twin(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"choice_admission": "keep", "choice_recognition": "keep"},
    ),
    Case("members:stats", lambda w: reverse("members:stats", args=[w.commune_a.pk]) + "?form=1"),
    Case(
        "members:reconciliation",
        lambda w: reverse("members:reconciliation", args=[w.commune_a.pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"year": "2025", "quarter": "2"},
    ),
    Case("members:detail", lambda w: reverse("members:detail", args=[_member(w).pk])),
    Case("members:photo", lambda w: reverse("members:photo", args=[_member(w).pk])),
    Case(
        "members:party_group",
        lambda w: reverse("members:party_group", args=[_member(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"group": "", "on": "2025-07-01"},
    ),
    Case(
        "members:edit",
        lambda w: reverse("members:edit", args=[_member(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {
            "family_name": "Lò",
            "middle_name": "Văn",
            "given_name": "Đôi",
            "gender": "m",
            "ethnicity": "03",
            "position": "Trưởng bản",
        },
    ),
    Case(
        "members:event",
        lambda w: reverse("members:event", args=[_member(w).pk, "card"]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"effective_date": "2025-07-01", "card_no": "51000123", "reason": "new"},
    ),
    Case(
        "members:transfer",
        lambda w: reverse("members:transfer", args=[_member(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {
            "kind": "internal",
            "to_unit": w.cells_a[1].pk,
            "departed_on": "2025-07-01",
        },
    ),
    Case("members:letter", lambda w: reverse("members:letter", args=[_outgoing(w).pk])),
    Case(
        "members:arrive",
        lambda w: reverse("members:arrive", args=[_incoming(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"arrived_on": "2025-06-20"},
    ),
    Case(
        "members:seat_add",
        lambda w: reverse("members:seat_add", args=[w.cells_a[0].pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"member": _member(w).pk, "role": "committee", "valid_from": "2025-07-01"},
    ),
]

MEETING_CASES = [
    Case("meetings:plan", lambda w: reverse("meetings:plan", args=[w.cells_a[0].pk])),
    Case(
        "meetings:set_day",
        lambda w: reverse("meetings:set_day", args=[w.cells_a[0].pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"day": "3", "valid_from": "2025-01-01"},
    ),
    Case(
        "meetings:plan_year",
        lambda w: reverse("meetings:plan_year", args=[w.cells_a[0].pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"year": "2026"},
    ),
    Case(
        "meetings:add",
        lambda w: reverse("meetings:add", args=[w.cells_a[0].pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"kind": "thematic", "planned_on": "2025-08-10", "topic": "Học tập"},
    ),
    Case(
        "meetings:held",
        lambda w: reverse("meetings:held", args=[_meeting(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"held_on": "2025-07-03"},
    ),
    Case("meetings:mine", lambda w: reverse("meetings:mine"), self_service=True),
    Case("meetings:detail", lambda w: reverse("meetings:detail", args=[_meeting(w).pk])),
    Case("meetings:hold", lambda w: reverse("meetings:hold", args=[_meeting(w).pk])),
    Case("meetings:document", lambda w: reverse("meetings:document", args=[_meeting_doc(w).pk])),
    Case(
        "meetings:print_notice", lambda w: reverse("meetings:print_notice", args=[_meeting(w).pk])
    ),
    Case("meetings:print_sheet", lambda w: reverse("meetings:print_sheet", args=[_meeting(w).pk])),
    *[
        Case(
            f"meetings:{name}",
            lambda w, name=name: reverse(f"meetings:{name}", args=[_meeting(w).pk]),
            method="post",
            write=True,
            ok_status=302,
            body=body,
        )
        for name, body in (
            ("prepare", lambda w: {"place": "Nhà văn hóa", "starts_at": "07:30"}),
            ("agenda_template", None),
            ("document_add", _upload),
            ("notices", None),
            ("attendance", lambda w: {}),
            ("holding", lambda w: {"held_on": "2025-07-03", "quality": "good"}),
            ("speech", lambda w: {"name": "Khách", "points": "Ý kiến"}),
            ("vote", lambda w: {"kind": "ordinary", "title": "Nghị quyết", "yes": "0"}),
        )
    ],
    Case(
        "meetings:paper_start",
        lambda w: reverse("meetings:paper_start", args=[_meeting(w).pk, "resolution"]),
        method="post",
        write=True,
        ok_status=302,
    ),
    Case("meetings:paper", lambda w: reverse("meetings:paper", args=[_paper(w).pk])),
    Case(
        "meetings:paper_file", lambda w: reverse("meetings:paper_file", args=[_paper(w).pk, "docx"])
    ),
    *[
        Case(
            f"meetings:{name}",
            lambda w, name=name: reverse(f"meetings:{name.split('#')[0]}", args=[_paper(w).pk]),
            method="post",
            write=True,
            ok_status=302,
            body=body,
        )
        for name, body in (
            ("paper_edit", lambda w: {"summary": "Biên bản", "body": "Nội dung"}),
            (
                "paper_issue#confirm",
                lambda w: {
                    "confirm": "1",
                    "number": "1",
                    "seen": type(_paper(w)).objects.get(pk=_paper(w).pk).updated_at.isoformat(),
                },
            ),
            ("paper_addendum", None),
        )
    ],
    # "Ban hành" saves what was typed, then asks with the number (a page, 200).
    Case(
        "meetings:paper_issue",
        lambda w: reverse("meetings:paper_issue", args=[_paper(w).pk]),
        method="post",
        write=True,
        body=lambda w: {"summary": "Biên bản", "body": "Nội dung đã gõ"},
    ),
    # The agenda template over a saved agenda: asks first (200), replaces when confirmed.
    Case(
        "meetings:agenda_template#ask",
        lambda w: reverse("meetings:agenda_template", args=[_prepared(w).pk]),
        method="post",
        write=True,
    ),
    Case(
        "meetings:agenda_template#replace",
        lambda w: reverse("meetings:agenda_template", args=[_prepared(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"replace": "1"},
    ),
    Case("meetings:follow_up", lambda w: reverse("meetings:follow_up", args=[w.commune_a.pk])),
    Case("meetings:matters", lambda w: reverse("meetings:matters", args=[w.commune_a.pk])),
    Case("meetings:stats", lambda w: reverse("meetings:stats", args=[w.commune_a.pk])),
    Case(
        "meetings:follow_up_assign",
        lambda w: reverse("meetings:follow_up_assign", args=[w.commune_a.pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"user": str(_follow_up(w).user_id), "unit": str(w.cells_a[1].pk)},
    ),
    Case(
        "meetings:follow_up_end",
        lambda w: reverse("meetings:follow_up_end", args=[_follow_up(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"on": "2026-01-01"},
    ),
    Case(
        "meetings:visit",
        lambda w: reverse("meetings:visit", args=[_meeting(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"user": str(w.official_a.pk)},
    ),
    Case(
        "meetings:matter_raise",
        lambda w: reverse("meetings:matter_raise", args=[_meeting(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"text": "Đề nghị", "routed_to": str(w.commune_a.pk)},
    ),
    Case(
        "meetings:matter_answer",
        lambda w: reverse("meetings:matter_answer", args=[_matter(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"answer": "Đã trả lời"},
    ),
]

API_CASES = [
    Case(
        "GET /api/v1/meetings/",
        lambda w: f"/api/v1/meetings/?unit_id={w.cells_a[0].pk}&year=2025",
    ),
    Case("GET /api/v1/meetings/{meeting_id}", lambda w: f"/api/v1/meetings/{_meeting(w).pk}"),
    Case(
        "GET /api/v1/meetings/follow-up",
        lambda w: f"/api/v1/meetings/follow-up?unit_id={w.commune_a.pk}&year=2025",
    ),
    Case(
        "GET /api/v1/meetings/stats",
        lambda w: f"/api/v1/meetings/stats?unit_id={w.commune_a.pk}&year=2025",
    ),
    *[
        Case(
            f"POST /api/v1/meetings/{{meeting_id}}/{name}",
            lambda w, name=name: f"/api/v1/meetings/{_meeting(w).pk}/{name}",
            method="post",
            write=True,
            body=body,
        )
        for name, body in (
            ("attendance", lambda w: {"marks": []}),
            ("holding", lambda w: {"held_on": "2025-07-03", "quality": "good"}),
            ("speeches", lambda w: {"name": "Khách", "points": "Ý kiến"}),
            ("votes", lambda w: {"kind": "ordinary", "title": "Nghị quyết", "yes": 1}),
            ("visits", lambda w: {"user_id": _follow_up(w).user_id}),
        )
    ],
    Case(
        "GET /api/v1/units/",
        lambda w: "/api/v1/units/?q=dong+tam",
        list_marker=lambda w: "Đồng Tâm",
    ),
    Case("GET /api/v1/units/{unit_id}", lambda w: f"/api/v1/units/{w.commune_a.pk}"),
    Case(
        "POST /api/v1/units/restructure/preview",
        lambda w: "/api/v1/units/restructure/preview",
        method="post",
        write=True,
        body=lambda w: {
            "kind": "rename",
            "unit_id": w.commune_a.pk,
            "effective_date": _d(),
            "decision_no": "15-QĐ/TU",
            "issuer": "Ban Thường vụ Tỉnh ủy",
            "name": "Đảng bộ xã Đồng Tâm 2",
        },
    ),
    Case(
        "POST /api/v1/units/restructure/apply",
        lambda w: "/api/v1/units/restructure/apply",
        method="post",
        write=True,
        ok_status=201,
        body=lambda w: {
            "kind": "rename",
            "unit_id": w.commune_a.pk,
            "effective_date": _d(),
            "decision_no": "15-QĐ/TU",
            "issuer": "Ban Thường vụ Tỉnh ủy",
            "name": "Đảng bộ xã Đồng Tâm 2",
        },
    ),
    Case("GET /api/v1/accounts/", lambda w: "/api/v1/accounts/", list_marker=lambda w: "xem.a"),
    Case("GET /api/v1/accounts/{account_id}", lambda w: f"/api/v1/accounts/{w.viewer_a.pk}"),
    Case(
        "POST /api/v1/accounts/",
        lambda w: "/api/v1/accounts/",
        method="post",
        write=True,
        ok_status=201,
        body=lambda w: {
            "username": "bithu.moi",
            "full_name": "Lò Văn Mới",
            "unit_id": w.cells_a[0].pk,
            "role": "secretary",
        },
    ),
    Case(
        "POST /api/v1/accounts/{account_id}/grants",
        lambda w: f"/api/v1/accounts/{w.viewer_a.pk}/grants",
        method="post",
        write=True,
        ok_status=201,
        body=lambda w: {"unit_id": w.cells_a[0].pk, "role": "follower", "valid_from": "2026-01-01"},
    ),
    Case("GET /api/v1/audit/", lambda w: "/api/v1/audit/", list_marker=lambda w: "Đồng Tâm"),
    Case("GET /api/v1/members/", lambda w: f"/api/v1/members/?unit_id={w.commune_a.pk}"),
    Case("GET /api/v1/members/{member_id}", lambda w: f"/api/v1/members/{_member(w).pk}"),
    Case(
        "POST /api/v1/members/{member_id}/events",
        lambda w: f"/api/v1/members/{_member(w).pk}/events",
        method="post",
        write=True,
        ok_status=201,
        body=lambda w: {"kind": "card", "effective_date": "2025-07-01", "card_no": "51000999"},
    ),
    Case(
        "POST /api/v1/members/{member_id}/transfers",
        lambda w: f"/api/v1/members/{_member(w).pk}/transfers",
        method="post",
        write=True,
        ok_status=201,
        body=lambda w: {
            "kind": "internal",
            "to_unit_id": w.cells_a[2].pk,
            "departed_on": "2025-07-01",
        },
    ),
    Case(
        "POST /api/v1/members/transfers/{transfer_id}/arrival",
        lambda w: f"/api/v1/members/transfers/{_incoming(w).pk}/arrival",
        method="post",
        write=True,
        body=lambda w: {"arrived_on": "2025-06-20"},
    ),
    Case(
        "GET /api/v1/members/units/{unit_id}/roll",
        lambda w: f"/api/v1/members/units/{w.commune_a.pk}/roll",
    ),
    Case(
        "GET /api/v1/members/units/{unit_id}/forms/{number}",
        lambda w: f"/api/v1/members/units/{w.commune_a.pk}/forms/1?start=2025-01-01&end=2025-12-31",
    ),
    Case(
        "GET /api/v1/members/units/{unit_id}/deadlines",
        lambda w: f"/api/v1/members/units/{w.commune_a.pk}/deadlines",
    ),
    Case(
        "GET /api/v1/members/units/{unit_id}/seats",
        lambda w: f"/api/v1/members/units/{w.commune_a.pk}/seats",
    ),
    Case(
        "POST /api/v1/members/units/{unit_id}/seats",
        lambda w: f"/api/v1/members/units/{w.cells_a[0].pk}/seats",
        method="post",
        write=True,
        ok_status=201,
        body=lambda w: {
            "member_id": _member(w).pk,
            "role": "committee",
            "valid_from": "2025-07-01",
        },
    ),
]

# Two-factor sign-in (issue 11): the user's own pages, and the staff reset of an account in
# commune A (viewer_a has no second factor: the allowed official is told so and sent back).
TWO_FACTOR_CASES = [
    Case("accounts:2fa", lambda w: reverse("accounts:2fa"), self_service=True),
    Case(
        "accounts:2fa_enrol",
        lambda w: reverse("accounts:2fa_enrol"),
        self_service=True,
        ok_status=302,  # already on: back to the page asked for
    ),
    Case("accounts:2fa_verify", lambda w: reverse("accounts:2fa_verify"), self_service=True),
    Case(
        "accounts:2fa_reset",
        lambda w: reverse("accounts:2fa_reset", args=[w.viewer_a.pk]),
        method="post",
        write=True,
        ok_status=302,
    ),
]

# Routes that are deliberately open (they show no data) — listed so the meta-test knows.
PUBLIC_ROUTES = {
    "accounts:login",
    "accounts:logout",
    "accounts:redeem",
    "<root redirect>",
    "api:openapi-json",
    "api:openapi-view",
    "set_language",  # stores the chosen UI language in a cookie; no data
    "service_worker",  # the offline script itself, like a static file; no data
}

ALL_CASES = PAGE_CASES + MEMBER_CASES + MEETING_CASES + API_CASES + TWO_FACTOR_CASES + REVIEW_CASES

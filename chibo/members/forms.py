"""Forms of the member pages: the list's filters, the record, each lifecycle event, transfers,
seats. Each event form calls its service; the service checks the rule."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from . import admission, records, rules, services, transfers
from . import choices as c
from .imports import split_name
from .lifecycle import Activity, Stage
from .models import Gender, Member, Seat, Transfer

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = [("", "—")]
AGE_BANDS = [
    ("18-30", "18–30"),
    ("31-35", "31–35"),
    ("36-40", "36–40"),
    ("41-45", "41–45"),
    ("46-50", "46–50"),
    ("51-55", "51–55"),
    ("56-60", "56–60"),
    ("61-200", _("trên 60")),
]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Danh sách"),
        required=False,
        choices=[
            ("current", _("Đang sinh hoạt ở đây")),
            ("former", _("Đã chuyển đi hoặc thôi là đảng viên")),
        ],
    )
    stage = forms.ChoiceField(label=_("Giai đoạn"), required=False, choices=BLANK + Stage.choices)
    activity = forms.ChoiceField(
        label=_("Sinh hoạt"), required=False, choices=BLANK + Activity.choices
    )
    gender = forms.ChoiceField(label=_("Giới tính"), required=False, choices=BLANK + Gender.choices)
    age = forms.ChoiceField(label=_("Độ tuổi"), required=False, choices=BLANK + AGE_BANDS)
    education = forms.ChoiceField(
        label=_("Giáo dục phổ thông"), required=False, choices=BLANK + c.EducationBand.choices
    )
    theory = forms.ChoiceField(
        label=_("Lý luận chính trị"),
        required=False,
        choices=BLANK + [(v or "none", label) for v, label in c.TheoryLevel.choices],
    )
    # Sensitive: only offered to readers with the "sensitive" action (removed otherwise).
    ethnicity = forms.ChoiceField(
        label=_("Dân tộc"),
        required=False,
        choices=BLANK + [("minority", _("Dân tộc thiểu số"))] + c.ETHNICITIES,
    )
    religion = forms.ChoiceField(
        label=_("Tôn giáo"),
        required=False,
        choices=BLANK + [("any", _("Có tôn giáo"))] + c.Religion.choices,
    )

    def __init__(self, *args, sensitive: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not sensitive:
            del self.fields["ethnicity"]
            del self.fields["religion"]


class RecordForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = list(records.EDITABLE)
        widgets = {"birth_date": DATE_INPUT}

    def __init__(self, *args, sensitive: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("birth_year")
        labels = {
            "hometown_era": _("Quê quán: danh mục hành chính"),
            "hometown_code": _("Quê quán: mã xã/phường"),
            "residence_era": _("Nơi cư trú: danh mục hành chính"),
            "residence_code": _("Nơi cư trú: mã xã/phường"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        for name in ("hometown_code", "residence_code"):
            self.fields[name].help_text = _(
                "Mã của Tổng cục Thống kê; theo danh mục trước 1/7/2025 (cũ) hoặc từ 1/7/2025."
            )
        if not sensitive:
            for name in c.SENSITIVE_FIELDS:
                self.fields.pop(name, None)

    def _post_clean(self):  # the service validates; the model's own checks would run twice
        pass


class EventForm(forms.Form):
    """Common fields: the date the event takes effect, its decision and issuer."""

    title = ""
    effective_date = forms.DateField(label=_("Ngày hiệu lực"), widget=DATE_INPUT)
    decision_no = forms.CharField(
        label=_("Số quyết định / nghị quyết"), max_length=80, required=False
    )
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255, required=False)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["effective_date"].initial = timezone.localdate()

    def common(self) -> dict:
        d = self.cleaned_data
        return {"decision_no": d.get("decision_no", ""), "issuer": d.get("issuer", "")}

    def save(self, actor):
        raise NotImplementedError


class ExemptionForm(EventForm):
    title = _("Miễn công tác và sinh hoạt đảng")
    ground = forms.ChoiceField(
        label=_("Lý do"),
        choices=[("age", _("Tuổi cao")), ("health", _("Sức yếu")), ("other", _("Khác"))],
    )
    health_reason = forms.CharField(
        label=_("Tình trạng sức khỏe, hoàn cảnh"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Thông tin nhạy cảm: chỉ người có thẩm quyền xem được."),
    )
    until = forms.DateField(
        label=_("Đến hết ngày (nếu có thời hạn)"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Hết thời hạn, đảng viên tự trở lại sinh hoạt, không cần ghi thêm."),
    )

    def save(self, actor):
        d = self.cleaned_data
        return services.exempt(
            actor=actor,
            member=self.member,
            effective_date=d["effective_date"],
            resolution_no=d["decision_no"],
            issuer=d["issuer"],
            ground=d["ground"],
            health_reason=d["health_reason"],
            until=d["until"],
        )


class ReturnForm(EventForm):
    title = _("Trở lại sinh hoạt")

    def save(self, actor):
        return services.return_to_activity(
            actor=actor,
            member=self.member,
            effective_date=self.cleaned_data["effective_date"],
            **self.common(),
        )


class SuspensionForm(EventForm):
    title = _("Đình chỉ sinh hoạt")
    until = forms.DateField(label=_("Đến ngày"), widget=DATE_INPUT, required=False)

    def save(self, actor):
        d = self.cleaned_data
        return services.suspend(
            actor=actor,
            member=self.member,
            effective_date=d["effective_date"],
            until=d["until"],
            **self.common(),
        )


class DisciplineForm(EventForm):
    title = _("Kỷ luật")
    form = forms.ChoiceField(
        label=_("Hình thức"),
        choices=[
            ("reprimand", _("Khiển trách")),
            ("warning", _("Cảnh cáo")),
            ("removal", _("Cách chức")),
            ("expulsion", _("Khai trừ")),
        ],
    )
    decided_by = forms.ChoiceField(
        label=_("Cấp quyết định"),
        choices=[
            ("cell", _("Chi bộ")),
            ("committee", _("Cấp ủy")),
            ("inspection", _("Ủy ban kiểm tra")),
        ],
    )
    reason = forms.CharField(label=_("Nội dung vi phạm"), required=False, max_length=500)

    def save(self, actor):
        d = self.cleaned_data
        return services.discipline(
            actor=actor,
            member=self.member,
            form=d["form"],
            decided_by=d["decided_by"],
            effective_date=d["effective_date"],
            reason=d["reason"],
            **self.common(),
        )


STRIKE_OFF_LABELS = {
    "quit_or_fee": _("Bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm"),
    "card_returned": _("Tự ý trả thẻ hoặc hủy thẻ đảng viên"),
    "no_progress": _("Được giáo dục 12 tháng nhưng không tiến bộ"),
    "standing_two_years": _("Vi phạm tư cách đảng viên 2 năm liền"),
    "political_standard": _("Không đủ tiêu chuẩn chính trị"),
    "not_recognized": _("Dự bị không được công nhận chính thức"),
}


class StrikeOffForm(EventForm):
    title = _("Xóa tên")
    ground = forms.ChoiceField(
        label=_("Trường hợp"), choices=[(g, STRIKE_OFF_LABELS[g]) for g in rules.STRIKE_OFF_GROUNDS]
    )

    def save(self, actor):
        d = self.cleaned_data
        return services.strike_off(
            actor=actor,
            member=self.member,
            ground=d["ground"],
            effective_date=d["effective_date"],
            **self.common(),
        )


class ResignationForm(EventForm):
    title = _("Xin ra khỏi Đảng")

    def save(self, actor):
        return services.resign(
            actor=actor,
            member=self.member,
            effective_date=self.cleaned_data["effective_date"],
            **self.common(),
        )


class DeathForm(EventForm):
    title = _("Từ trần")

    def save(self, actor):
        return services.record_death(
            actor=actor, member=self.member, died_on=self.cleaned_data["effective_date"]
        )


class RestorationForm(EventForm):
    title = _("Phục hồi đảng tịch")

    def save(self, actor):
        return services.restore(
            actor=actor,
            member=self.member,
            effective_date=self.cleaned_data["effective_date"],
            **self.common(),
        )


class RecognitionForm(EventForm):
    title = _("Công nhận đảng viên chính thức")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].label = _("Ngày chi bộ/cấp ủy quyết định")

    def save(self, actor):
        return admission.recognize(
            actor=actor,
            member=self.member,
            decided_on=self.cleaned_data["effective_date"],
            **self.common(),
        )


class CardForm(EventForm):
    title = _("Cấp thẻ đảng viên")
    card_no = forms.CharField(label=_("Số thẻ"), max_length=20)
    reason = forms.ChoiceField(
        label=_("Lý do"),
        choices=[
            ("new", _("Cấp mới")),
            ("lost", _("Cấp lại do mất")),
            ("damaged", _("Đổi do hỏng")),
        ],
    )

    def save(self, actor):
        d = self.cleaned_data
        return services.issue_card(
            actor=actor,
            member=self.member,
            card_no=d["card_no"],
            issued_on=d["effective_date"],
            reason=d["reason"],
            **self.common(),
        )


class BadgeForm(EventForm):
    title = _("Tặng Huy hiệu Đảng")
    years = forms.TypedChoiceField(
        label=_("Huy hiệu"),
        coerce=int,
        choices=[
            (y, _("%(y)d năm tuổi đảng") % {"y": y})
            for y in (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
        ],
    )
    badge_no = forms.CharField(label=_("Số huy hiệu"), max_length=20, required=False)
    serious_illness = forms.BooleanField(label=_("Tặng sớm do ốm nặng"), required=False)

    def save(self, actor):
        d = self.cleaned_data
        return services.award_badge(
            actor=actor,
            member=self.member,
            years=d["years"],
            awarded_on=d["effective_date"],
            badge_no=d["badge_no"],
            serious_illness=d["serious_illness"],
            **self.common(),
        )


EVENT_FORMS: dict[str, type[EventForm]] = {
    "recognition": RecognitionForm,
    "exemption": ExemptionForm,
    "return": ReturnForm,
    "suspension": SuspensionForm,
    "discipline": DisciplineForm,
    "strike_off": StrikeOffForm,
    "resignation": ResignationForm,
    "death": DeathForm,
    "restoration": RestorationForm,
    "card": CardForm,
    "badge": BadgeForm,
}


class CellChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class TransferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=Transfer.Kind.choices)
    to_unit = CellChoiceField(
        label=_("Chi bộ nơi đến (trong hệ thống)"), queryset=Unit.objects.none(), required=False
    )
    destination = forms.CharField(
        label=_("Hoặc tên tổ chức đảng nơi đến"), max_length=255, required=False
    )
    reason = forms.ChoiceField(
        label=_("Lý do"), choices=BLANK + Transfer.Reason.choices, required=False
    )
    moved_on = forms.DateField(
        label=_("Ngày có quyết định hoặc chuyển nơi ở"), widget=DATE_INPUT, required=False
    )
    departed_on = forms.DateField(
        label=_("Ngày chuyển đi (ngày giấy giới thiệu)"), widget=DATE_INPUT
    )
    expected_return = forms.DateField(
        label=_("Dự kiến trở về (sinh hoạt tạm thời)"), widget=DATE_INPUT, required=False
    )
    fee_paid_until = forms.DateField(
        label=_("Đã đóng đảng phí hết tháng"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        required=False,
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        # Any living cell may be the destination (a transfer goes anywhere); only names show.
        self.fields["to_unit"].queryset = Unit.objects.filter(
            kind__in=CELL_KINDS, valid_to__isnull=True
        ).order_by("name")
        self.fields["departed_on"].initial = timezone.localdate()

    def save(self, actor):
        d = self.cleaned_data
        return transfers.transfer_out(
            actor=actor,
            member=self.member,
            kind=d["kind"],
            to_unit=d["to_unit"],
            destination=d["destination"],
            reason=d["reason"],
            moved_on=d["moved_on"],
            departed_on=d["departed_on"],
            expected_return=d["expected_return"],
            fee_paid_until=d["fee_paid_until"],
        )


class ArrivalForm(forms.Form):
    arrived_on = forms.DateField(label=_("Ngày đảng viên trình giấy giới thiệu"), widget=DATE_INPUT)
    late_reason = forms.CharField(label=_("Lý do trình muộn (nếu quá hạn)"), required=False)


class SeatForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Đảng viên"), queryset=Member.objects.none())
    role = forms.ChoiceField(label=_("Chức danh"), choices=Seat.Role.choices)
    valid_from = forms.DateField(label=_("Từ ngày"), widget=DATE_INPUT)
    decision_no = forms.CharField(label=_("Số quyết định"), max_length=80, required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(
            home_unit__path__startswith=unit.path, ended=""
        ).order_by("sort_key")
        self.fields["valid_from"].initial = timezone.localdate()


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def parse_on(value: str | None) -> dt.date:
    """A page's "as of" date; today when absent or unreadable, and kept within 1900–2100 (date
    arithmetic on 0001-01-01 or 9999-12-31 would overflow)."""
    try:
        day = dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()
    return min(max(day, EARLIEST), LATEST)


class AdmitForm(forms.Form):
    cell = CellChoiceField(label=_("Chi bộ"), queryset=Unit.objects.none())
    full_name = forms.CharField(label=_("Họ và tên"), max_length=180)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Gender.choices)
    birth_date = forms.DateField(label=_("Ngày sinh"), widget=DATE_INPUT)
    considered_on = forms.DateField(label=_("Ngày chi bộ xét, đề nghị kết nạp"), widget=DATE_INPUT)
    decision_no = forms.CharField(label=_("Số quyết định kết nạp"), max_length=80)
    issuer = forms.CharField(label=_("Cấp ủy ra quyết định"), max_length=255)
    decision_received_on = forms.DateField(
        label=_("Ngày chi bộ nhận quyết định"), widget=DATE_INPUT
    )
    ceremony_on = forms.DateField(
        label=_("Ngày tổ chức lễ kết nạp"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Để trống nếu chưa tổ chức lễ: bấm “Lưu quyết định, chưa làm lễ”."),
    )
    late_ceremony_consent = forms.CharField(
        label=_("Văn bản đồng ý của cấp ủy cấp trên (nếu lễ kết nạp muộn)"),
        max_length=255,
        required=False,
    )
    decided_by_higher_committee = forms.BooleanField(
        label=_("Trên 60 tuổi: cấp ủy có thẩm quyền đã quyết định"), required=False
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].queryset = Unit.objects.filter(
            path__startswith=unit.path, kind__in=CELL_KINDS, valid_to__isnull=True
        ).order_by("path")

    def deadlines(self) -> dict:
        """The dates the rules give from what is filled in so far (shown before saving)."""
        d = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        out = {}
        if d.get("decision_received_on"):
            out["ceremony_deadline"] = rules.ceremony_deadline(d["decision_received_on"])
        if d.get("ceremony_on"):
            out["probation_end"] = rules.probation_end(d["ceremony_on"])
            out["recognition_deadline"] = rules.recognition_deadline(d["ceremony_on"])
        return out

    def _names(self):
        return split_name(" ".join(self.cleaned_data["full_name"].split()))

    def save_decision(self, actor):
        d = self.cleaned_data
        family, middle, given = self._names()
        return admission.record_admission_decision(
            actor=actor,
            unit=d["cell"],
            family_name=family,
            middle_name=middle,
            given_name=given,
            gender=d["gender"],
            birth_date=d["birth_date"],
            considered_on=d["considered_on"],
            decision_no=d["decision_no"],
            issuer=d["issuer"],
            decision_received_on=d["decision_received_on"],
            decided_by_higher_committee=d["decided_by_higher_committee"],
        )

    def save(self, actor):
        d = self.cleaned_data
        if d.get("ceremony_on") is None:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("Hãy ghi ngày tổ chức lễ kết nạp."))
        family, middle, given = self._names()
        return admission.admit(
            actor=actor,
            unit=d["cell"],
            family_name=family,
            middle_name=middle,
            given_name=given,
            gender=d["gender"],
            birth_date=d["birth_date"],
            considered_on=d["considered_on"],
            decision_no=d["decision_no"],
            issuer=d["issuer"],
            decision_received_on=d["decision_received_on"],
            ceremony_on=d["ceremony_on"],
            decided_by_higher_committee=d["decided_by_higher_committee"],
            late_ceremony_consent=d["late_ceremony_consent"],
        )


class CeremonyForm(forms.Form):
    ceremony_on = forms.DateField(label=_("Ngày tổ chức lễ kết nạp"), widget=DATE_INPUT)
    late_ceremony_consent = forms.CharField(
        label=_("Văn bản đồng ý của cấp ủy cấp trên (nếu lễ kết nạp muộn)"),
        max_length=255,
        required=False,
    )

"""The meetings app's forms: the plan (fixed day, a meeting, marking it held), the preparation
and its documents, the holding on a phone (times, speakers, votes) and the follow-up
assignments. The views only bind them; the services judge what they carry."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _l

from .models import FollowUp, MeetingDocument, MeetingKind, Quality, VoteKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _people(people) -> list[tuple]:
    return [("", "—"), *[(m.pk, m.full_name) for m in people]]


# --- The plan ------------------------------------------------------------------------------


class DayForm(forms.Form):
    day = forms.IntegerField(label=_l("Ngày sinh hoạt cố định"), min_value=1, max_value=31)
    valid_from = forms.DateField(label=_l("Áp dụng từ ngày"), widget=DATE_INPUT)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_l("Loại"), choices=MeetingKind.choices)
    planned_on = forms.DateField(label=_l("Ngày dự kiến"), widget=DATE_INPUT)
    topic = forms.CharField(
        label=_l("Chủ đề (sinh hoạt chuyên đề)"), max_length=255, required=False
    )


class HeldForm(forms.Form):
    held_on = forms.DateField(label=_l("Ngày họp"), widget=DATE_INPUT)


# --- Preparing and holding a meeting -------------------------------------------------------


class PrepareForm(forms.Form):
    place = forms.CharField(label=_l("Địa điểm"), max_length=255, required=False)
    starts_at = forms.TimeField(label=_l("Giờ họp"), widget=TIME_INPUT, required=False)
    topic = forms.CharField(label=_l("Chủ đề"), max_length=255, required=False)
    chair = forms.TypedChoiceField(label=_l("Chủ trì"), coerce=int, required=False)
    clerk = forms.TypedChoiceField(label=_l("Thư ký"), coerce=int, required=False)
    agenda = forms.CharField(
        label=_l("Chương trình (mỗi dòng một mục)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )
    draft_resolution = forms.CharField(
        label=_l("Dự thảo nghị quyết"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = _people(people)
        self.fields["chair"].choices = choices
        self.fields["clerk"].choices = choices


class DocumentForm(forms.Form):
    title = forms.CharField(label=_l("Tên tài liệu"), max_length=255, required=False)
    file = forms.FileField(label=_l("Tệp"))
    kind = forms.ChoiceField(
        choices=MeetingDocument.Kind.choices,
        initial=MeetingDocument.Kind.MATERIAL,
        widget=forms.HiddenInput,
    )


class HoldingForm(forms.Form):
    held_on = forms.DateField(label=_l("Ngày họp"), widget=DATE_INPUT)
    started_at = forms.TimeField(label=_l("Giờ bắt đầu"), widget=TIME_INPUT, required=False)
    ended_at = forms.TimeField(label=_l("Giờ kết thúc"), widget=TIME_INPUT, required=False)
    guests = forms.CharField(
        label=_l("Khách mời (mỗi dòng một người)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    conclusion = forms.CharField(
        label=_l("Kết luận của chủ trì"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    quality = forms.ChoiceField(
        label=_l("Tự đánh giá chất lượng buổi sinh hoạt"),
        choices=[("", "—"), *Quality.choices],
        required=False,
    )


class SpeechForm(forms.Form):
    member = forms.TypedChoiceField(label=_l("Người phát biểu"), coerce=int, required=False)
    name = forms.CharField(label=_l("hoặc tên khách"), max_length=180, required=False)
    points = forms.CharField(label=_l("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = _people(people)


class VoteForm(forms.Form):
    kind = forms.ChoiceField(label=_l("Loại biểu quyết"), choices=VoteKind.choices)
    title = forms.CharField(label=_l("Nội dung biểu quyết"), max_length=255)
    subject_member = forms.TypedChoiceField(
        label=_l("Đảng viên dự bị được xét"), coerce=int, required=False
    )
    subject_name = forms.CharField(
        label=_l("Người được xét kết nạp"), max_length=180, required=False
    )
    yes = forms.IntegerField(label=_l("Tán thành"), min_value=0)
    no = forms.IntegerField(label=_l("Không tán thành"), min_value=0, initial=0)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_member"].choices = _people(people)


# --- Follow-up -----------------------------------------------------------------------------


class AssignForm(forms.Form):
    user = forms.TypedChoiceField(label=_l("Người theo dõi"), coerce=int)
    unit = forms.TypedChoiceField(label=_l("Theo dõi"), coerce=int)
    role = forms.ChoiceField(
        label=_l("Vai trò (để trống: suy ra từ chức danh cấp ủy)"),
        choices=[("", "—"), *FollowUp.Role.choices],
        required=False,
    )
    valid_from = forms.DateField(label=_l("Từ ngày"), widget=DATE_INPUT)
    decision_no = forms.CharField(label=_l("Số quyết định"), max_length=80, required=False)

"""The review's forms (pages only parse; the services hold the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Level, Outcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DutyForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Đảng viên"), coerce=int)
    text = forms.CharField(
        label=_("Nhiệm vụ được phân công"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    area = forms.CharField(label=_("Địa bàn, hộ phụ trách"), max_length=255, required=False)
    target = forms.CharField(label=_("Chỉ tiêu đo được"), max_length=255, required=False)
    due_on = forms.DateField(label=_("Thời hạn"), widget=DATE)
    assigned_on = forms.DateField(label=_("Ngày phân công"), widget=DATE, required=False)


class DutyEditForm(forms.Form):
    text = forms.CharField(
        label=_("Nhiệm vụ được phân công"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    area = forms.CharField(label=_("Địa bàn, hộ phụ trách"), max_length=255, required=False)
    target = forms.CharField(label=_("Chỉ tiêu đo được"), max_length=255, required=False)
    due_on = forms.DateField(label=_("Thời hạn"), widget=DATE)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.choices)
    outcome_on = forms.DateField(label=_("Ngày có kết quả"), widget=DATE)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class PledgeForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Đảng viên"), coerce=int)
    level = forms.ChoiceField(label=_("Mức phấn đấu"), choices=Level.choices)
    text = forms.CharField(
        label=_("Cam kết tu dưỡng, rèn luyện"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pledged_on = forms.DateField(label=_("Ngày đăng ký"), widget=DATE, required=False)


class UnitPledgeForm(forms.Form):
    level = forms.ChoiceField(label=_("Mức phấn đấu của tổ chức"), choices=Level.choices)
    text = forms.CharField(
        label=_("Nội dung đăng ký"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pledged_on = forms.DateField(label=_("Ngày đăng ký"), widget=DATE, required=False)

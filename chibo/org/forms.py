from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CellType, GrassrootsType, UnitKind
from .models import Unit
from .services import (
    ChangeKind,
    CreateUnit,
    Decision,
    DissolveUnit,
    MergeUnits,
    MoveUnit,
    RenameUnit,
    SplitPart,
    SplitUnit,
    UnitSpec,
    live_children,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class DecisionForm(forms.Form):
    effective_date = forms.DateField(label=_("Ngày hiệu lực"), widget=DATE_INPUT)
    decision_no = forms.CharField(
        label=_("Số quyết định"), max_length=80, help_text=_("Ví dụ: 125-QĐ/TU")
    )
    issuer = forms.CharField(
        label=_("Cơ quan ban hành"), max_length=255, help_text=_("Ví dụ: Ban Thường vụ Tỉnh ủy")
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, unit: Unit, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit, self.scope = unit, scope
        self.fields["effective_date"].initial = timezone.localdate()

    def decision(self) -> Decision:
        c = self.cleaned_data
        return Decision(c["effective_date"], c["decision_no"], c["issuer"], c["note"])

    def action(self):
        raise NotImplementedError


class CreateChildForm(DecisionForm):
    title = _("Thành lập tổ chức trực thuộc")
    kind = forms.ChoiceField(label=_("Loại tổ chức"), choices=UnitKind.choices)
    name = forms.CharField(label=_("Tên"), max_length=255)
    code = forms.CharField(label=_("Mã"), max_length=40, required=False)
    grassroots_type = forms.ChoiceField(
        label=_("Loại hình cơ sở (Biểu 5)"),
        required=False,
        choices=[("", "—")] + GrassrootsType.choices,
    )
    cell_type = forms.ChoiceField(
        label=_("Loại chi bộ"), required=False, choices=[("", "—")] + CellType.choices
    )

    def action(self):
        c = self.cleaned_data
        return CreateUnit(
            self.decision(),
            parent=self.unit,
            spec=UnitSpec(
                kind=c["kind"],
                name=c["name"],
                code=c["code"],
                grassroots_type=c["grassroots_type"],
                cell_type=c["cell_type"],
            ),
        )


class RenameForm(DecisionForm):
    title = _("Đổi tên")
    name = forms.CharField(label=_("Tên mới"), max_length=255)
    short_name = forms.CharField(label=_("Tên ngắn"), max_length=120, required=False)
    code = forms.CharField(label=_("Mã"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = self.unit.name
        self.fields["short_name"].initial = self.unit.short_name
        self.fields["code"].initial = self.unit.code

    def action(self):
        c = self.cleaned_data
        return RenameUnit(
            self.decision(),
            unit=self.unit,
            name=c["name"],
            short_name=c["short_name"],
            code=c["code"],
        )


class ChangeKindForm(DecisionForm):
    title = _("Thay đổi loại hình tổ chức")
    new_kind = forms.ChoiceField(label=_("Loại tổ chức mới"), choices=UnitKind.choices)
    name = forms.CharField(label=_("Tên mới (nếu đổi)"), max_length=255, required=False)
    grassroots_type = forms.ChoiceField(
        label=_("Loại hình cơ sở (Biểu 5)"),
        required=False,
        choices=[("", "—")] + GrassrootsType.choices,
    )

    def action(self):
        c = self.cleaned_data
        return ChangeKind(
            self.decision(),
            unit=self.unit,
            new_kind=c["new_kind"],
            name=c["name"] or None,
            grassroots_type=c["grassroots_type"] or None,
        )


class MoveForm(DecisionForm):
    title = _("Điều chuyển sang tổ chức cấp trên khác")
    new_parent = UnitChoiceField(label=_("Trực thuộc"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = (
            self.scope.filter(valid_to__isnull=True)
            .exclude(path__startswith=self.unit.path)
            .exclude(kind__in=[UnitKind.CELL, UnitKind.PARTY_GROUP, UnitKind.GRASSROOTS_CELL])
            .order_by("path")
        )

    def action(self):
        return MoveUnit(self.decision(), unit=self.unit, new_parent=self.cleaned_data["new_parent"])


class MergeForm(DecisionForm):
    title = _("Hợp nhất, sáp nhập")
    MODE_INTO = "into"
    MODE_NEW = "new"
    others = UnitMultipleChoiceField(
        label=_("Các tổ chức hợp nhất cùng"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("Kết quả"),
        widget=forms.RadioSelect,
        initial=MODE_INTO,
        choices=[
            (MODE_INTO, _("Sáp nhập các tổ chức trên vào tổ chức này")),
            (MODE_NEW, _("Hợp nhất thành một tổ chức mới")),
        ],
    )
    new_name = forms.CharField(label=_("Tên tổ chức mới"), max_length=255, required=False)
    new_kind = forms.ChoiceField(
        label=_("Loại tổ chức mới"), choices=UnitKind.choices, required=False
    )
    new_parent = UnitChoiceField(
        label=_("Tổ chức mới trực thuộc"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        alive = self.scope.filter(valid_to__isnull=True)
        parent = Unit.objects.get_parent(self.unit)
        # Candidates: units of the same kind under the same grandparent (a district's communes,
        # a commune's cells), within the actor's scope.
        grand = Unit.objects.get_parent(parent) if parent is not None else None
        base = grand or parent
        cands = alive.filter(kind=self.unit.kind).exclude(pk=self.unit.pk)
        if base is not None:
            cands = cands.filter(path__startswith=base.path)
        self.fields["others"].queryset = cands.order_by("path")
        self.fields["new_kind"].initial = self.unit.kind
        self.fields["new_parent"].queryset = alive.exclude(
            kind__in=[UnitKind.CELL, UnitKind.PARTY_GROUP]
        ).order_by("path")
        if parent is not None:
            self.fields["new_parent"].initial = parent.pk

    def clean(self):
        c = super().clean()
        if c.get("mode") == self.MODE_NEW:
            if not c.get("new_name"):
                self.add_error("new_name", _("Hãy nhập tên tổ chức mới."))
            if not c.get("new_parent"):
                self.add_error("new_parent", _("Hãy chọn tổ chức cấp trên của tổ chức mới."))
        return c

    def action(self):
        c = self.cleaned_data
        sources = [self.unit, *c["others"]]
        if c["mode"] == self.MODE_INTO:
            return MergeUnits(self.decision(), sources=sources, into=self.unit)
        spec = UnitSpec(
            kind=c["new_kind"] or self.unit.kind,
            name=c["new_name"],
            grassroots_type=self.unit.grassroots_type,
            cell_type=self.unit.cell_type,
        )
        return MergeUnits(
            self.decision(), sources=sources, new_spec=spec, new_parent=c["new_parent"]
        )


class DissolveForm(DecisionForm):
    title = _("Giải thể")

    def action(self):
        return DissolveUnit(self.decision(), unit=self.unit)


class SplitForm(DecisionForm):
    """1 → 2 or 3 new units; each live child of the unit goes to one of them."""

    title = _("Chia tách")
    name_1 = forms.CharField(label=_("Tên tổ chức mới thứ nhất"), max_length=255)
    name_2 = forms.CharField(label=_("Tên tổ chức mới thứ hai"), max_length=255)
    name_3 = forms.CharField(
        label=_("Tên tổ chức mới thứ ba (nếu có)"), max_length=255, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.children = live_children(self.unit)
        choices = [
            ("1", _("Tổ chức mới thứ nhất")),
            ("2", _("Tổ chức mới thứ hai")),
            ("3", _("Tổ chức mới thứ ba")),
        ]
        for child in self.children:
            self.fields[f"child_{child.pk}"] = forms.ChoiceField(
                label=_("%(name)s chuyển về") % {"name": child.name}, choices=choices, initial="1"
            )

    def clean(self):
        c = super().clean()
        used = {c.get(f"child_{ch.pk}") for ch in self.children}
        if "3" in used and not c.get("name_3"):
            self.add_error(
                "name_3", _("Có tổ chức được giao cho tổ chức mới thứ ba: hãy nhập tên.")
            )
        return c

    def action(self):
        c = self.cleaned_data
        parent = Unit.objects.get_parent(self.unit)
        parts = []
        for i in ("1", "2", "3"):
            if not c.get(f"name_{i}"):
                continue
            spec = UnitSpec(
                kind=self.unit.kind,
                name=c[f"name_{i}"],
                grassroots_type=self.unit.grassroots_type,
                cell_type=self.unit.cell_type,
            )
            kids = [ch for ch in self.children if c.get(f"child_{ch.pk}") == i]
            parts.append(SplitPart(spec, parent, kids))
        return SplitUnit(self.decision(), source=self.unit, parts=parts)


ACTION_FORMS = {
    "create": CreateChildForm,
    "rename": RenameForm,
    "change_kind": ChangeKindForm,
    "move": MoveForm,
    "merge": MergeForm,
    "split": SplitForm,
    "dissolve": DissolveForm,
}


class AsOfForm(forms.Form):
    on = forms.DateField(label=_("Xem theo ngày"), required=False, widget=DATE_INPUT)
    q = forms.CharField(label=_("Tìm tổ chức"), required=False, max_length=100)

    def on_date(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("on"):
            return self.cleaned_data["on"]
        return timezone.localdate()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        help_text=_(
            "Các cột: Mã tổ chức, Tên tổ chức, Loại tổ chức, Mã tổ chức cấp trên, Loại hình."
        ),
    )
    effective_date = forms.DateField(label=_("Ngày hiệu lực"), widget=DATE_INPUT)
    decision_no = forms.CharField(label=_("Số quyết định"), max_length=80)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        return f


class TermForm(forms.Form):
    label = forms.CharField(label=_("Nhiệm kỳ"), max_length=40, help_text=_("Ví dụ: 2025–2030"))
    congress_date = forms.DateField(label=_("Ngày đại hội"), widget=DATE_INPUT, required=False)
    start = forms.DateField(label=_("Bắt đầu"), widget=DATE_INPUT)
    end = forms.DateField(label=_("Kết thúc"), widget=DATE_INPUT, required=False)

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.org.forms import DATE_INPUT, UnitChoiceField
from chibo.org.models import Unit

from .choices import Role
from .models import User
from .services import TOKEN_DAYS, TOKEN_DAYS_DEFAULT


class AccountCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"), max_length=150, help_text=_("Chữ không dấu, ví dụ: bithu.namcha")
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử (không bắt buộc)"), required=False)
    unit = UnitChoiceField(label=_("Tổ chức"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices, initial=Role.SECRETARY)
    valid_from = forms.DateField(label=_("Có hiệu lực từ"), widget=DATE_INPUT)

    def __init__(self, *args, scope, admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope.filter(valid_to__isnull=True).order_by("path")
        self.fields["valid_from"].initial = timezone.localdate()
        self.fields["role"].choices = role_choices(admin)


def role_choices(admin: bool) -> list[tuple[str, str]]:
    """The roles the actor may grant, least first (a form never starts on the widest one);
    the ADMIN role only for a system administrator (the service refuses it to others too)."""
    order = [Role.MEMBER, Role.FOLLOWER, Role.SECRETARY, Role.VIEWER, Role.INSPECTION]
    order += [Role.OFFICIAL] + ([Role.ADMIN] if admin else [])
    return [(r.value, r.label) for r in order]


class GrantForm(forms.Form):
    unit = UnitChoiceField(label=_("Tổ chức"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices, initial=Role.MEMBER)
    valid_from = forms.DateField(label=_("Từ ngày"), widget=DATE_INPUT)
    valid_to = forms.DateField(label=_("Đến trước ngày"), widget=DATE_INPUT, required=False)

    def __init__(self, *args, scope, admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope.filter(valid_to__isnull=True).order_by("path")
        self.fields["valid_from"].initial = timezone.localdate()
        self.fields["role"].choices = role_choices(admin)


class HandOverForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label=_("Bàn giao cho tài khoản"), queryset=User.objects.none()
    )
    on = forms.DateField(label=_("Từ ngày"), widget=DATE_INPUT)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = users
        self.fields["on"].initial = timezone.localdate()


class RedeemCodeForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    code = forms.CharField(label=_("Mã một lần (8 chữ số)"), max_length=16)
    new_password = forms.CharField(label=_("Mật khẩu mới"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("Nhập lại mật khẩu mới"), widget=forms.PasswordInput)

    def clean(self):
        c = super().clean()
        if c.get("new_password") and c.get("new_password") != c.get("new_password2"):
            self.add_error("new_password2", _("Hai lần nhập mật khẩu không khớp."))
        return c


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên khóa"), max_length=80, help_text=_("Ví dụ: script báo cáo"))
    days = forms.TypedChoiceField(
        label=_("Thời hạn"),
        choices=[(d, _("%(d)s ngày") % {"d": d}) for d in TOKEN_DAYS],
        coerce=int,
        initial=TOKEN_DAYS_DEFAULT,
        help_text=_("Hết hạn, khóa không dùng được nữa; tạo khóa mới khi cần."),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("Mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số, không phải mật khẩu quá phổ biến."),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        c = super().clean()
        if c.get("new_password") and c.get("new_password") != c.get("new_password2"):
            self.add_error("new_password2", _("Hai lần nhập mật khẩu không khớp."))
        return c

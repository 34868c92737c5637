from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """One box for the six digits from the app (or a ten-digit recovery code): large, the
    phone's number pad, filled in by the phone itself where it can (one-time-code)."""

    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "otp-code",
                "autofocus": True,
            }
        ),
    )

from django import forms
from django.core.exceptions import ValidationError

from chibo.core.forms import add_errors, attempt, messages_of


class F(forms.Form):
    day = forms.DateField(label="Ngày họp")


def test_a_refusal_lands_on_its_field_or_on_the_form():
    f = F({"day": "2026-11-16"})
    assert f.is_valid()
    add_errors(f, ValidationError({"day": "Ngày họp đã qua.", "other": "Chi bộ đã giải thể."}))
    assert f.errors["day"] == ["Ngày họp đã qua."]
    assert f.non_field_errors() == ["Chi bộ đã giải thể."]


def test_attempt_keeps_the_result_or_the_reason():
    f = F({"day": "2026-11-16"})
    f.is_valid()
    assert attempt(f, lambda: 7) == 7

    def refuse():
        raise ValidationError("Không đủ số đảng viên chính thức.")

    assert attempt(f, refuse) is None
    assert f.non_field_errors() == ["Không đủ số đảng viên chính thức."]


def test_messages_name_the_field():
    f = F({"day": "không phải ngày"})
    assert not f.is_valid()
    (msg,) = messages_of(f)
    assert msg.startswith("Ngày họp: ") and len(msg) > len("Ngày họp: ")

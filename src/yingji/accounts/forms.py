from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.forms import BoundedForm


class TotpCodeForm(BoundedForm, forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("Enter the digits your authenticator app shows."))
        return code

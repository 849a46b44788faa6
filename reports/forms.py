"""Forms: they validate and shape input, never change a report's status."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .text import clean_text


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt "
            "chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")

    def clean_username(self):
        # Usernames are stored NFKC (Django); drop invisible characters a paste
        # may carry so that "tanbien" with a zero-width space still logs in.
        username = clean_text(self.cleaned_data.get("username") or "")
        # AuthenticationForm sets max_length after the field is built, so it is
        # not enforced; an endless name would reach the lockout table.
        limit = self.fields["username"].max_length
        if limit and len(username) > limit:
            raise forms.ValidationError(
                _("Tên đăng nhập dài quá %(max)s ký tự."), params={"max": limit}
            )
        return username

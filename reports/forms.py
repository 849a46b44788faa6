"""Forms: they validate and shape input, never change a report's status."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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


class ExtensionForm(forms.Form):
    """A new due date (dd/mm/yyyy) after the current one, and why."""

    new_date = forms.DateField(
        label=_("Hạn mới (ngày/tháng/năm)"),
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"},
        ),
        error_messages={
            "required": _("Cần nhập hạn mới."),
            "invalid": _(
                "Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 22/12/2020."
            ),
        },
    )
    reason = forms.CharField(
        label=_("Lý do gia hạn"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Cần ghi lý do gia hạn.")},
    )

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Cần ghi lý do gia hạn."))
        return reason

    def clean_new_date(self):
        new_date = self.cleaned_data["new_date"]
        if self.current is not None and new_date <= self.current.due_date:
            raise forms.ValidationError(
                _("Hạn mới phải sau hạn hiện tại (%(due)s).")
                % {"due": f"{self.current.due_date:%d/%m/%Y}"}
            )
        return new_date


class IdsField(forms.TypedMultipleChoiceField):
    """A list of object ids; which ones the user may touch is the gate's business."""

    def valid_value(self, value):
        return str(value).isdigit()


class ReminderForm(forms.Form):
    """The units a reviewer ticked in the cockpit."""

    units = IdsField(
        coerce=int,
        error_messages={"required": _("Chọn ít nhất một đơn vị để nhắc.")},
    )

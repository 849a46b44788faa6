"""Forms: they validate and shape input, never change a report's status."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import attachments, deadlines, exemplary
from .models import AttachmentKind, Commendation, CommendationKind, ExemplaryModel
from .text import clean_form_text, clean_text


class TextField(forms.CharField):
    """Every text a person types into a form: NFC, without zero-width or
    control characters (line breaks kept), stripped, then held to its length
    limit. Forms use it for each text input; ``TextModelForm`` for the text
    columns of a model."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_form_text(value) if isinstance(value, str) else value


def is_free_text(model_field):
    """A column of free text: a plain ``CharField``/``TextField`` without
    choices (a slug, an e-mail or a URL keeps its own form field)."""
    plain = type(model_field) in (models.CharField, models.TextField)
    return plain and not model_field.choices


def text_formfield(model_field, **kwargs):
    """The form field of a model field, a ``TextField`` for a text column."""
    if is_free_text(model_field):
        kwargs.setdefault("form_class", TextField)
    return model_field.formfield(**kwargs)


class TextModelForm(forms.ModelForm):
    """A model form whose text columns are ``TextField``s (subclasses derive
    their ``Meta`` from this one's)."""

    class Meta:
        formfield_callback = text_formfield


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


LONG_TEXT_MAX = 20_000
FIRST_MODEL_YEAR = 1945

USUAL_AWARDS = [
    "Bằng khen của Ủy ban MTTQ Việt Nam tỉnh",
    "Giấy khen của Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh",
    "Giấy khen của Ủy ban MTTQ Việt Nam huyện",
    "Bằng khen của Ủy ban Trung ương MTTQ Việt Nam",
    "Bằng khen của Ủy ban nhân dân tỉnh",
    "Giấy khen của Ủy ban nhân dân huyện",
]


def _long_text(label, required=False):
    return TextField(
        label=label,
        required=required,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ExemplaryModelForm(TextModelForm):
    """An exemplary model of ``report``; the year stays within the round."""

    attachment = forms.FileField(
        label=_("Tài liệu về mô hình (không bắt buộc)"),
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": attachments.ACCEPT}),
    )

    class Meta(TextModelForm.Meta):
        model = ExemplaryModel
        fields = [
            "name",
            "content_area",
            "unit_in_charge",
            "year_started",
            "description",
            "results",
        ]

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.last_year = report.round.period_end
        self.fields["content_area"] = forms.ChoiceField(
            label=_("Nội dung Cuộc vận động"),
            choices=[("", _("— Chọn nội dung —"))]
            + exemplary.content_area_choices(report.template),
            error_messages={
                "required": _("Hãy chọn nội dung Cuộc vận động của mô hình."),
                "invalid_choice": _("Nội dung không có trong đề cương báo cáo."),
            },
        )
        self.fields["year_started"] = forms.IntegerField(
            label=_("Năm bắt đầu"),
            widget=forms.NumberInput(
                attrs={"min": FIRST_MODEL_YEAR, "max": self.last_year}
            ),
            error_messages={
                "required": _("Hãy nhập năm bắt đầu."),
                "invalid": _("Năm bắt đầu phải là số, ví dụ 2018."),
            },
        )
        self.fields["description"] = _long_text(_("Mô tả mô hình"))
        self.fields["results"] = _long_text(_("Kết quả đạt được (có số liệu)"))
        self.fields["attachment"].help_text = _("%(types)s, tối đa %(limit)s.") % {
            "types": attachments.allowed_types_label(),
            "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
        }

    def clean_year_started(self):
        year = self.cleaned_data["year_started"]
        if not FIRST_MODEL_YEAR <= year <= self.last_year:
            raise forms.ValidationError(
                _("Năm bắt đầu phải trong khoảng %(first)s–%(last)s.")
                % {"first": FIRST_MODEL_YEAR, "last": self.last_year}
            )
        return year

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            attachments.check_upload(upload, kind=AttachmentKind.MODEL)
        return upload or None


UPLOAD_KINDS = [
    AttachmentKind.SIGNED_SCAN,
    AttachmentKind.WRITTEN_REPORT,
    AttachmentKind.SUPPORTING,
]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại tệp"),
        choices=[(k.value, k.label) for k in UPLOAD_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn loại tệp.")},
    )
    file = forms.FileField(
        label=_("Tệp"),
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": attachments.ACCEPT}),
        error_messages={"required": _("Hãy chọn tệp để tải lên.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Bản ký, đóng dấu: chỉ PDF. Tài liệu khác: %(types)s. Tối đa %(limit)s."
        ) % {
            "types": attachments.allowed_types_label(),
            "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
        }

    def clean(self):
        cleaned = super().clean()
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload and kind:
            try:
                attachments.check_upload(upload, kind=kind)
            except forms.ValidationError as error:
                self.add_error("file", error)
        return cleaned


class CommendationForm(TextModelForm):
    """A commendation proposal; an individual needs a position and a unit."""

    class Meta(TextModelForm.Meta):
        model = Commendation
        fields = ["kind", "name", "position", "unit_name", "achievements", "award"]
        widgets = {
            "kind": forms.RadioSelect,
            "award": forms.TextInput(attrs={"list": "usual-awards"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = CommendationKind.choices
        choose = _("Hãy chọn tập thể hoặc cá nhân.")
        self.fields["kind"].error_messages.update(
            {"required": choose, "invalid_choice": choose}
        )
        self.fields["achievements"] = _long_text(_("Thành tích"), required=True)
        self.fields["position"].help_text = _("Bắt buộc với cá nhân.")
        self.fields["unit_name"].help_text = _("Bắt buộc với cá nhân.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == CommendationKind.INDIVIDUAL:
            if not cleaned.get("position", "").strip():
                self.add_error("position", _("Hãy nhập chức vụ của cá nhân."))
            if not cleaned.get("unit_name", "").strip():
                self.add_error("unit_name", _("Hãy nhập đơn vị công tác của cá nhân."))
        return cleaned


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
    reason = TextField(
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
        try:
            deadlines.check_new_date(self.current, new_date)
        except deadlines.ExtensionRefused as refused:
            raise forms.ValidationError(str(refused)) from refused
        return new_date


# The largest id a database column holds (a 64-bit signed integer); SQLite
# refuses a larger number with an OverflowError instead of finding nothing.
MAX_ID = 2**63 - 1


def parse_id(value):
    """``value`` (text from a request) as an object id or a version number, or
    None when it is not one (not digits, zero, or too large for the database)."""
    value = str(value) if value is not None else ""
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class IdsField(forms.TypedMultipleChoiceField):
    """A list of object ids; which ones the user may touch is the gate's business."""

    def valid_value(self, value):
        return parse_id(value) is not None


class ReminderForm(forms.Form):
    """The units a reviewer ticked in the cockpit."""

    units = IdsField(
        coerce=int,
        error_messages={"required": _("Chọn ít nhất một đơn vị để nhắc.")},
    )


class XlsxUploadForm(forms.Form):
    """A filled Excel template of the appendix tables (round trip)."""

    file = forms.FileField(
        label=_("Tệp Excel đã nhập số liệu (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.XLSX_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(kb)s KB).")
                % {"kb": settings.XLSX_IMPORT_MAX_BYTES // 1024}
            )
        return upload

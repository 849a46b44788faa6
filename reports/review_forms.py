"""Forms of the review pages: they validate input, the workflow changes state."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import MAX_ID, TextField
from .models import ReportStatus

ACTIONS = ("return", "approve", "reopen", "accept_reopen", "refuse_reopen")


class ActionForm(forms.Form):
    """One workflow action, with the state of the page it was taken on."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    expected_status = forms.ChoiceField(
        choices=ReportStatus.choices, widget=forms.HiddenInput
    )
    # Required for the verbs that act on a version (NEEDS_VERSION).
    expected_version = forms.IntegerField(
        min_value=0, max_value=MAX_ID, required=False, widget=forms.HiddenInput
    )
    reason = TextField(
        label=_("Lý do / ý kiến"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # Actions that cannot go without a reason.
    NEEDS_REASON = {
        "return": _("Cần ghi lý do trả lại báo cáo."),
        "reopen": _("Cần ghi lý do mở lại báo cáo."),
        "refuse_reopen": _("Cần ghi lý do không đồng ý mở lại."),
    }

    # Actions on a submitted version: the page must say which one it showed.
    NEEDS_VERSION = {"return", "approve"}

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in self.NEEDS_VERSION and data.get("expected_version") is None:
            self.add_error(
                None,
                _(
                    "Trang đã cũ (không rõ lần nộp đang xem): hãy tải lại trang "
                    "rồi làm lại."
                ),
            )
        if action in self.NEEDS_REASON and not (data.get("reason") or "").strip():
            self.add_error("reason", self.NEEDS_REASON[action])
        return data


class CommentForm(forms.Form):
    """A reviewer's comment on a section (``section``) or a cell (``column``)."""

    section = TextField(required=False, max_length=20, widget=forms.HiddenInput)
    column = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, label=_("Ô (cột)")
    )
    text = TextField(
        label=_("Góp ý"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Góp ý không được để trống.")},
    )


class AnswerForm(forms.Form):
    """The unit's answer to one comment: a short text, or "đã sửa"."""

    response = TextField(
        label=_("Trả lời"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fixed = forms.BooleanField(label=_("Đã sửa"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("fixed") and not (data.get("response") or "").strip():
            raise forms.ValidationError(
                _("Ghi câu trả lời ngắn hoặc đánh dấu “Đã sửa”.")
            )
        return data


class ReopenRequestForm(forms.Form):
    reason = TextField(
        label=_("Lý do đề nghị mở lại"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần ghi lý do đề nghị mở lại.")},
    )


class DiffForm(forms.Form):
    a = forms.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, label=_("Lần nộp")
    )
    b = forms.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, label=_("so với lần nộp")
    )

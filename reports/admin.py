"""The Vietnamese administration: units (with CSV import), users, rounds, outline."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .audit import AuditContextHelper
from .deadlines import ExtensionRefused, check_new_date, effective_deadline
from .forms import TextField, is_free_text
from .models import (
    AppendixTable,
    Campaign,
    Deadline,
    Extension,
    Level,
    Membership,
    QualityRule,
    ReminderLog,
    Report,
    ReportEvent,
    ReportTemplate,
    Round,
    Section,
    TableColumn,
    Unit,
)
from .outline import copy_template
from .quality.admin_forms import QualityRuleForm, QualityRuleFormSet
from .units import RetireRefused, UnitImportError, import_units, retire_units

admin.site.site_header = _("Sokket – Quản trị")
admin.site.site_title = _("Sokket")
admin.site.index_title = _("Quản trị hệ thống báo cáo sơ kết")


class AuditedAdmin(SimpleHistoryAdmin):
    """Admin of an audited model: its "Lịch sử" page lists who changed which
    field from what to what; secret values (password hashes) are not shown.
    Its text fields are cleaned like every form's (``forms.TextField``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_free_text(db_field):
            kwargs.setdefault("form_class", TextField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_historical_record_context_helper(self, request, historical_record):
        return AuditContextHelper(self.model, historical_record)

    def history_view_title(self, request, obj):
        return _("Lịch sử thay đổi: %s") % obj


class UnitCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV đơn vị"),
        help_text=_(
            "Các cột: code,name,type,parent_code, có thể thêm valid_from,valid_to "
            "(dd/mm/yyyy, để trống: không giới hạn) và predecessors (mã các đơn "
            "vị tiền thân, cách nhau bởi “;”); mã hóa UTF-8."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Chỉ xem trước (không lưu)"), required=False, initial=True
    )
    retire_missing_as_of = forms.DateField(
        label=_("Ngừng hiệu lực các đơn vị không có trong tệp từ ngày"),
        required=False,
        input_formats=["%d/%m/%Y"],
        help_text=_("dd/mm/yyyy; để trống: không ngừng hiệu lực đơn vị nào."),
    )


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name"]
    ordering = ["order"]


class RetireActionForm(ActionForm):
    # Text here: the action checks it (RetireForm) and says what is wrong.
    retire_date = forms.CharField(
        label=_("Ngừng hiệu lực từ ngày"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    dry_run = forms.BooleanField(label=_("Chỉ xem trước"), required=False)


class RetireForm(forms.Form):
    retire_date = forms.DateField(
        input_formats=["%d/%m/%Y"],
        error_messages={
            "required": _("Nhập ngày ngừng hiệu lực (dd/mm/yyyy)."),
            "invalid": _("Nhập ngày ngừng hiệu lực theo dạng dd/mm/yyyy."),
        },
    )
    dry_run = forms.BooleanField(required=False)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "unit_type",
        "level",
        "parent",
        "valid_from",
        "valid_to",
        "is_active",
    ]
    list_filter = [
        "level",
        "unit_type",
        "is_active",
        ("parent", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "name"]
    list_select_related = ["level", "parent"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent", "predecessors"]
    list_per_page = 100
    change_list_template = "admin/reports/unit/change_list.html"
    actions = ["retire_as_of"]
    action_form = RetireActionForm

    @admin.action(description=_("Ngừng hiệu lực (giải thể/sáp nhập) từ ngày…"))
    def retire_as_of(self, request, queryset):
        form = RetireForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("retire_date", []):
                self.message_user(request, error, messages.ERROR)
            return
        date, dry_run = form.cleaned_data["retire_date"], form.cleaned_data["dry_run"]
        try:
            result = retire_units(queryset, date, dry_run=dry_run)
        except RetireRefused as refused:
            for error in refused.errors:
                self.message_user(request, error, messages.ERROR)
            self.message_user(request, _("Không đơn vị nào bị thay đổi."))
            return
        head = _("Xem trước (chưa lưu): ") if dry_run else _("Đã ngừng hiệu lực: ")
        for line in result.lines:
            flag = (
                _(" — có %(n)s báo cáo (giữ nguyên ở các đợt trước ngày này)")
                % {"n": line.reports}
                if line.reports
                else ""
            )
            self.message_user(
                request,
                f"{head}{line.unit} {_('từ')} {date:%d/%m/%Y}{flag}",
                messages.WARNING if line.reports else messages.INFO,
            )

    def get_urls(self):
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv),
                name="reports_unit_import_csv",
            )
        ] + super().get_urls()

    def save_model(self, request, obj, form, change):
        from .units import set_parent

        set_parent(obj, obj.parent)

    def import_csv(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = UnitCsvForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 5 * 1024 * 1024:
                errors = [_("Tệp quá lớn (tối đa 5 MB).")]
            else:
                dry_run = form.cleaned_data["dry_run"]
                try:
                    result = import_units(
                        upload.read(),
                        dry_run=dry_run,
                        retire_missing_as_of=form.cleaned_data["retire_missing_as_of"],
                    )
                except UnitImportError as exc:
                    errors = exc.errors
                else:
                    self._report_import(request, result, dry_run)
                    if not dry_run:
                        return redirect("admin:reports_unit_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
            "title": _("Nhập đơn vị từ tệp CSV"),
        }
        return render(request, "admin/reports/unit/import_csv.html", context)

    def _report_import(self, request, result, dry_run):
        head = _("Xem trước (chưa lưu): ") if dry_run else ""
        self.message_user(
            request,
            head
            + _("%(c)s đơn vị mới, %(u)s đơn vị cập nhật.")
            % {"c": len(result.created), "u": len(result.updated)},
            messages.INFO if dry_run else messages.SUCCESS,
        )
        lines = [(code, _("chuyển đơn vị cấp trên")) for code in result.moved]
        lines += [(line.unit.code, _("ngừng hiệu lực")) for line in result.retired]
        for code, change in lines:
            reports = result.flagged.get(code)
            flag = _(" — có %(n)s báo cáo") % {"n": reports} if reports else ""
            self.message_user(
                request,
                f"{head}{code}: {change}{flag}",
                messages.WARNING if reports else messages.INFO,
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit"]


# Django stores the default permissions' names in English ("Can add log entry");
# the choices show them from the codename and the model's Vietnamese name.
PERMISSION_ACTIONS = {
    "add": _("Thêm"),
    "change": _("Sửa"),
    "delete": _("Xóa"),
    "view": _("Xem"),
}


def permission_label(permission):
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    name = permission.name
    if action in PERMISSION_ACTIONS and model and model_name == model._meta.model_name:
        name = f"{PERMISSION_ACTIONS[action]} {model._meta.verbose_name}"
    return f"{permission.content_type} | {name}"


class VietnamesePermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django 5.2 appends this warning in English, outside its catalogue.
    usable_password_help_text = format_lazy(
        "{}{}",
        SetUnusablePasswordMixin.usable_password_help_text,
        format_lazy(
            '<ul id="id_unusable_warning" class="messagelist">'
            '<li class="warning">{}</li></ul>',
            _("Nếu tắt, mật khẩu hiện tại của tài khoản sẽ bị xóa."),
        ),
    )


admin.site.unregister(Group)


@admin.register(Group)
class SokketGroupAdmin(VietnamesePermissionsMixin, GroupAdmin):
    pass


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class SokketUserAdmin(VietnamesePermissionsMixin, UserAdmin, AuditedAdmin):
    change_password_form = PasswordChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "unit", "role", "title"]
    list_filter = ["role", "unit__level"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0
    autocomplete_fields = ["set_by"]


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = [
        "name",
        "campaign",
        "period_start",
        "period_end",
        "plan_number",
        "plan_date",
        "is_open",
    ]
    inlines = [DeadlineInline]


@admin.register(Deadline)
class DeadlineAdmin(AuditedAdmin):
    list_display = ["round", "level", "unit_type", "set_by", "due_date"]
    list_filter = ["round", "level"]
    autocomplete_fields = ["set_by"]


class ExtensionAdminForm(forms.ModelForm):
    """An extension's date is bounded as in the cockpit (``check_new_date``)."""

    def clean(self):
        data = super().clean()
        unit, round_, new_date = (data.get(k) for k in ("unit", "round", "new_date"))
        if unit and round_ and new_date and self.instance.pk is None:
            try:
                check_new_date(effective_deadline(unit, round_), new_date)
            except ExtensionRefused as exc:
                self.add_error("new_date", str(exc))
        return data


@admin.register(Extension)
class ExtensionAdmin(AuditedAdmin):
    form = ExtensionAdminForm
    list_display = ["unit", "round", "new_date", "granted_by", "granted_at"]
    list_filter = ["round"]
    search_fields = ["unit__name", "unit__code", "reason"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["granted_by", "granted_at"]

    def get_readonly_fields(self, request, obj=None):
        # A granted extension is a record: a later date is a new extension.
        if obj is not None:
            return ["round", "unit", "new_date", "reason", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """The record of reminders sent; written only by the reminder service."""

    list_display = ["unit", "round", "step", "due_date", "sent_at", "sent_by"]
    list_filter = ["round", "step"]
    search_fields = ["unit__name", "unit__code", "recipients"]
    list_select_related = ["unit", "round", "sent_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


FROZEN_MESSAGE = _(
    "Mẫu báo cáo này đã có báo cáo nộp theo nên đã bị khóa: chỉ xem, không sửa "
    "được. Để thay đổi, chọn mẫu ở danh sách và dùng thao tác “Tạo phiên bản mới "
    "để chỉnh sửa”; các báo cáo đã có vẫn giữ mẫu cũ."
)


def _is_frozen(template):
    return template is not None and template.is_frozen


class FrozenTemplateMixin:
    """Read-only once the template (of the object, or the object itself) is frozen."""

    def template_of(self, obj):
        return getattr(obj, "template", obj)

    def _frozen(self, obj):
        return obj is not None and _is_frozen(self.template_of(obj))

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class FrozenInlineMixin(FrozenTemplateMixin):
    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)


class SameOwnerChoicesMixin:
    """Parent (and part) dropdowns offer only items of the template or table
    being edited; the models refuse anything else (``clean``)."""

    owner_field = ""
    same_owner_fields = ()

    def limit_to_owner(self, form_fields, owner):
        for name in self.same_owner_fields:
            field = form_fields.get(name)
            if field is None:
                continue
            if owner is None:
                field.queryset = field.queryset.none()
            else:
                field.queryset = field.queryset.filter(**{self.owner_field: owner})

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        self.limit_to_owner(formset.form.base_fields, obj)
        return formset


class SectionInline(SameOwnerChoicesMixin, FrozenInlineMixin, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["code", "order", "title", "shape", "required", "parent"]
    show_change_link = True
    owner_field = "template"
    same_owner_fields = ("parent",)


class TableInline(FrozenInlineMixin, admin.TabularInline):
    model = AppendixTable
    extra = 0
    fields = ["code", "order", "title", "source"]
    show_change_link = True


class FrozenChangeViewMixin(FrozenTemplateMixin):
    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if self._frozen(obj):
            self.message_user(request, FROZEN_MESSAGE, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "template":
            kwargs["queryset"] = ReportTemplate.objects.filter(frozen_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CopyToRoundActionForm(ActionForm):
    target_round = forms.ModelChoiceField(
        Round.objects.all(), required=False, label=_("Đợt đích")
    )


@admin.register(ReportTemplate)
class ReportTemplateAdmin(FrozenChangeViewMixin, AuditedAdmin):
    list_display = ["name", "round", "code", "version", "is_current", "frozen_at"]
    list_filter = ["round", "is_current"]
    readonly_fields = ["frozen_at", "previous"]
    inlines = [SectionInline, TableInline]
    actions = ["make_new_version", "copy_to_round"]
    action_form = CopyToRoundActionForm

    @admin.action(description=_("Sao chép sang đợt (chọn đợt đích)"))
    def copy_to_round(self, request, queryset):
        target = Round.objects.filter(
            pk=_int_or_none(request.POST.get("target_round"))
        ).first()
        if target is None:
            self.message_user(
                request, _("Chọn đợt đích để sao chép mẫu."), messages.ERROR
            )
            return
        for template in queryset:
            copy = copy_template(template, round_=target)
            self.message_user(
                request,
                _(
                    "Đã sao chép “%(t)s” sang đợt “%(r)s” (phiên bản %(v)s, đang "
                    "dùng ở đợt đó); các mẫu của đợt cũ giữ nguyên."
                )
                % {"t": template, "r": target, "v": copy.version},
                messages.SUCCESS,
            )

    @admin.action(description=_("Tạo phiên bản mới để chỉnh sửa"))
    def make_new_version(self, request, queryset):
        for template in queryset:
            if not template.is_frozen:
                self.message_user(
                    request,
                    _("“%(t)s” chưa bị khóa: sửa trực tiếp, không cần phiên bản mới.")
                    % {"t": template},
                    messages.WARNING,
                )
                continue
            copy = copy_template(template)
            self.message_user(
                request,
                _("Đã tạo “%(t)s”; phiên bản này đang dùng cho các báo cáo mới.")
                % {"t": copy},
                messages.SUCCESS,
            )


@admin.register(Section)
class SectionAdmin(FrozenChangeViewMixin, admin.ModelAdmin):
    list_display = ["code", "title", "template", "shape", "required"]
    list_filter = ["template"]
    search_fields = ["code", "title"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        parent = form.base_fields.get("parent")
        if parent is not None and obj is not None:
            # Only sections of the same template (the model refuses others).
            parent.queryset = parent.queryset.filter(template=obj.template_id)
        return form


class ColumnInline(SameOwnerChoicesMixin, FrozenInlineMixin, admin.TabularInline):
    model = TableColumn
    fk_name = "table"
    extra = 0
    owner_field = "table"
    same_owner_fields = ("parent", "numerator", "denominator")
    fields = [
        "code",
        "order",
        "parent",
        "label",
        "note",
        "col_type",
        "unit_label",
        "numerator",
        "denominator",
        "source_key",
        "required",
    ]


class QualityRuleInline(FrozenInlineMixin, admin.TabularInline):
    model = QualityRule
    form = QualityRuleForm
    formset = QualityRuleFormSet
    extra = 0


@admin.register(AppendixTable)
class AppendixTableAdmin(FrozenChangeViewMixin, admin.ModelAdmin):
    list_display = ["code", "title", "template", "source"]
    list_filter = ["template"]
    inlines = [ColumnInline, QualityRuleInline]


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "action",
        "from_status",
        "to_status",
        "actor",
        "comment",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    """Read-mostly: status changes only through the workflow pages."""

    list_display = ["unit", "round", "status", "submitted_at", "approved_at"]
    list_filter = ["round", "status", "unit__level"]
    search_fields = ["unit__name", "unit__code"]
    readonly_fields = [
        "unit",
        "round",
        "template",
        "status",
        "revision",
        "first_submitted_at",
        "submitted_at",
        "approved_at",
        "approved_version",
    ]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def update_last_login_unaudited(sender, user, **kwargs):
    """Django's ``update_last_login``, without an audit row for every login."""
    from django.contrib.auth.models import update_last_login

    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving


class ReportsConfig(AppConfig):
    default = True  # this module holds a second config (django-axes')
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Báo cáo sơ kết"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # A login is not a change to the account; the audit log would drown in them.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(
            update_last_login_unaudited, dispatch_uid="update_last_login"
        )


class AxesConfig(AxesAppConfig):
    """django-axes under a Vietnamese name in the admin (it ships none)."""

    verbose_name = _("Chống dò mật khẩu")

"""Logging in: sessions of reviewers and administrators end with the browser."""

from django.contrib.auth import views as auth_views

from .. import permissions
from ..models import Role


class LoginView(auth_views.LoginView):
    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        # Those who approve reports or manage users should not stay logged in
        # on a shared office computer after its browser is closed.
        if (
            user.is_staff
            or permissions.is_admin(user)
            or permissions.units_with_role(user, Role.REVIEWER)
        ):
            self.request.session.set_expiry(0)
        return response

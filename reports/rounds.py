"""Which round is the current one."""

from .models import Round


def current_round():
    """The latest open round, or None when none is open."""
    return Round.objects.filter(is_open=True).select_related("campaign").first()

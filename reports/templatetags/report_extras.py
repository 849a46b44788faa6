"""Template tags for a report's models, files and proposals."""

from django import template

from .. import exemplary

register = template.Library()


@register.inclusion_tag("includes/models_summary.html")
def models_summary(source, report_template=None):
    """Section II.2 for a report (draft models) or a ``ReportVersion``.

    ``{% models_summary report %}`` or ``{% models_summary version %}``.
    """
    report_template = report_template or source.template
    return {"summary": exemplary.models_summary(source, report_template)}

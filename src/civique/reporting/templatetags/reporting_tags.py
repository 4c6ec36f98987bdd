from django import template

from civique.reporting.tables import fr_cell

register = template.Library()


@register.filter
def fr(value) -> str:
    """A table cell in French: ``1 234``, ``12,5``, ``02/03/2026``, « — » when empty."""
    return fr_cell(value) or "—"

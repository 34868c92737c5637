import datetime as dt

from django import template

register = template.Library()


@register.filter
def add_days(value, days):
    """Periods are stored half-open; pages show the inclusive last day ("đến hết 30/6/2025")."""
    if not isinstance(value, dt.date):
        return value
    return value + dt.timedelta(days=int(days))

"""{% second_factor_panel account %}: on an account's page, its second factor — for the
account's own user a link to their page, for staff who administer it the reset button."""

from django import template

from ..scope import administers
from ..twofactor import policy

register = template.Library()


@register.inclusion_tag("accounts/twofactor/_panel.html", takes_context=True)
def second_factor_panel(context, account):
    viewer = context["request"].user
    own = viewer.pk == account.pk
    staff = not own and administers(viewer, account)
    return {
        "account": account,
        "own": own,
        "staff": staff,
        "enabled": (own or staff) and policy.enabled(account),
        "required": (own or staff) and policy.required(account),
        "csrf_token": context.get("csrf_token"),
    }

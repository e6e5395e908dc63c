"""The sign-in page's "Sign in with <institution>" buttons."""

from django import template

register = template.Library()


@register.inclusion_tag("account/_sso_buttons.html", takes_context=True)
def sso_buttons(context):
    from access.sso import active_configs

    return {"configs": list(active_configs()), "request": context.get("request")}

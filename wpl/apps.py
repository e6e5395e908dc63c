from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WplConfig(AppConfig):
    name = "wpl"
    verbose_name = _("Platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wpl import freshness, tokens

        # Setting up a second factor rotates the person's API token.
        tokens.connect_signals()
        # Cached figures (the start page's counts) follow changes to institutions and people.
        freshness.connect_signals()

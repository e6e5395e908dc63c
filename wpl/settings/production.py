"""Production settings: secure defaults; `manage.py check --deploy` passes without warnings.

Run behind a TLS-terminating proxy that sets X-Forwarded-Proto. Required environment:
SECRET_KEY (50+ random characters) and ALLOWED_HOSTS; see docs and docker-compose.yml.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if "SECRET_KEY" not in os.environ and not env_bool("WPL_ALLOW_DEV_KEY", False):
    raise ImproperlyConfigured("Set SECRET_KEY for production.")
# A placeholder (or the development key) signs sessions and tokens anyone could forge.
_WEAK_KEY_MARKERS = ("change-me", "changeme", "dev-only", "insecure", "secret-key")
if "SECRET_KEY" in os.environ and (
    len(set(SECRET_KEY)) < 5  # noqa: F405
    or len(SECRET_KEY) < 32  # noqa: F405
    or any(marker in SECRET_KEY.lower() for marker in _WEAK_KEY_MARKERS)  # noqa: F405
):
    raise ImproperlyConfigured("SECRET_KEY is a placeholder: set 50+ random characters for production.")

# --- HTTPS ----------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's liveness probe speaks plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Cookies --------------------------------------------------------------------------
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Headers --------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Sign-in --------------------------------------------------------------------------
# Coordinators, institution admins and superusers must set up TOTP (RequireMfaMiddleware).
WPL_REQUIRE_MFA_FOR_STAFF = env_bool("WPL_REQUIRE_MFA_FOR_STAFF", True)
# Sign-in codes and password-reset links must really leave the building.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

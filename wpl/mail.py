"""Who a mail comes from and in which language it is written.

A mail goes out in the recipient's language (`User.preferred_language`), else in the
institution's default language (Dutch unless the institution chose otherwise), and
"from" the institution through the platform: `"Odisee via WPL" <no-reply@…>`. The
address stays DEFAULT_FROM_EMAIL's so SPF/DKIM keep working; only the name changes.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings

from wpl.models import Institution, Membership, User

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def platform_name() -> str:
    return getattr(settings, "WPL_PLATFORM_NAME", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "WPL"


def from_address(institution: Institution | None) -> str:
    """`"<institution> via <platform>" <address>`, or the platform alone without an institution."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    name = platform_name()
    if institution is not None:
        name = f"{institution.name} via {name}"
    return formataddr((name, address))


def language_for(*, user: User | None = None, email: str = "", institution: Institution | None = None) -> str:
    """The recipient's own language, else the institution's default, else the platform's."""
    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    own = (getattr(user, "preferred_language", "") or "").lower()
    if own in SUPPORTED:
        return own
    if institution is not None and institution.default_language in SUPPORTED:
        return institution.default_language
    return settings.LANGUAGE_CODE


def institution_for(*, user: User | None, request=None) -> Institution | None:
    """The institution a mail to this person speaks for.

    The one active in the browser when the person is signed in; otherwise the institution of
    their only active role, or of their oldest one when they hold several.
    """
    membership = getattr(request, "membership", None) if request is not None else None
    if membership is not None and user is not None and membership.user_id == user.pk:
        return membership.institution
    if user is None or user.pk is None:
        return None
    first = (
        Membership.all_tenants.filter(user=user, is_active=True, institution__is_active=True)
        .select_related("institution")
        .order_by("created_at", "pk")
        .first()
    )
    return first.institution if first else None

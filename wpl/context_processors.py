import functools

from django.urls import reverse

from wpl import freshness, permissions, registry


def active_membership(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)

    # Counted when the page shows it, unless the view's context brings the count itself
    # (the start page has it among its cached figures). Templates call a callable.
    @functools.cache
    def unread() -> int:
        if membership is None or user is None or not user.is_authenticated:
            return 0
        from wpl.models import Notification

        # The active institution's, named explicitly: a template may render after the
        # request's tenant context ended (a response rendered late, a test's render).
        # Kept until the institution's data changes (a notification or its reading is a write).
        return freshness.cached(
            membership.institution_id,
            f"unread:{user.pk}",
            Notification.all_tenants.filter(
                institution_id=membership.institution_id, recipient_id=user.pk, read_at__isnull=True
            ).count,
        )

    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "institution": getattr(request, "institution", None),
        "is_staff_role": permissions.is_staff(membership),
        "is_school_role": permissions.is_school(membership),
        "extra_nav": [
            {"label": e.label, "url": reverse(e.url_name)} for e in registry.nav_entries(membership)
        ],
        "unread_notifications": unread,
    }

from django.urls import reverse

from wpl import permissions, registry


def active_membership(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    unread = 0
    if membership is not None and user is not None and user.is_authenticated:
        from wpl.models import Notification

        unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
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

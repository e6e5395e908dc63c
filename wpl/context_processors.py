from wpl import permissions


def active_membership(request):
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "institution": getattr(request, "institution", None),
        "is_staff_role": permissions.is_staff(membership),
        "is_school_role": permissions.is_school(membership),
    }

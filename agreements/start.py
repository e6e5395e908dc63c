"""Start-page items of the agreements app (counted with the other apps' items in one query)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.models import Agreement, Signature, State
from wpl.registry import StartItem


def start_items(membership) -> list[StartItem]:
    count = Signature.objects.filter(
        version__agreement__in=Agreement.objects.visible_to(membership),
        version__state=State.SENT,
        status=Signature.Status.PENDING,
        signer_id=membership.user_id,
    )  # counted by wpl.registry.start_items together with the other apps' counts
    return [
        StartItem(
            label=_("Agreements to sign"),
            url=reverse("agreement-list"),
            count=count,
            urgency="todo",
            order=30,
        )
    ]

"""Reminder sweep `agreements.unsigned`: documents sent for signature and still unsigned.

Registered with the core in `agreements.apps`; runs per institution inside
`wpl.tasks.run_reminder_sweeps(institution_id=...)`, in batches of versions. After N
calendar days since the version was sent, each party that still has to sign (only the
party whose turn it is when the programme signs in order) is reminded; every
`step_days` later the next step is told: the placement's supervisor, then the
coordinators. A sweep that did not run for a while sends every step that fell due, once
(the key names the version, the step and the recipient).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementVersion, Signature, SigningPolicy, State
from placements.reminders import due_steps, rules_for
from wpl.models import Membership, Role
from wpl.notifications import notify_many, recipient_key
from wpl.registry import ReminderKind

BATCH = int(os.environ.get("WPL_SWEEP_BATCH", "500"))
UNSIGNED = "agreements.unsigned"
ROLES = ("signer", "supervisor", "coordinator")

KIND = ReminderKind(
    kind=UNSIGNED,
    label=_("Agreements unsigned after N days"),
    days=7,
    steps=("signer", "supervisor", "coordinator"),
    step_days=5,
    roles=ROLES,
    unit="days",
    order=30,
)


def _waiting_signers(version: AgreementVersion, policy: SigningPolicy | None) -> list[Signature]:
    pending = [s for s in version.signatures.all() if not s.done]
    if policy is not None and policy.sequential and pending:
        first = min(s.order for s in pending)
        pending = [s for s in pending if s.order == first]
    return pending


def remind_unsigned(now: datetime) -> int:
    """Versions sent for signature and not signed by everybody after N days (see module)."""
    today = timezone.localdate(now)
    ids = list(
        AgreementVersion.objects.filter(state=State.SENT, sent_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    coordinators = None
    created = 0
    for start in range(0, len(ids), BATCH):
        versions = list(
            AgreementVersion.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related(
                "agreement__placement__student",
                "agreement__placement__organisation",  # the agreement's name in the text
                "agreement__placement__supervisor__user",
            )
            .prefetch_related("signatures__signer")
        )
        programme_ids = {v.agreement.placement.programme_id for v in versions}
        rules = rules_for(programme_ids, UNSIGNED)
        policies = {p.programme_id: p for p in SigningPolicy.objects.filter(programme_id__in=programme_ids)}
        items = []
        for version in versions:
            placement = version.agreement.placement
            waiting = _waiting_signers(version, policies.get(placement.programme_id))
            if not waiting:
                continue
            sent_on = timezone.localdate(version.sent_at)
            steps = due_steps(
                rules[placement.programme_id],
                nth_day=lambda n, s=sent_on: s + timedelta(days=n),
                today=today,
            )
            for step, role, _due in steps:
                if role == "signer":
                    people = [s.signer for s in waiting if s.signer_id]
                elif role == "supervisor":
                    people = [placement.supervisor.user] if placement.supervisor_id else []
                elif role == "coordinator":
                    if coordinators is None:
                        coordinators = [
                            m.user
                            for m in Membership.objects.filter(role=Role.COORDINATOR, is_active=True)
                            .select_related("user")
                            .order_by("pk")
                        ]
                    people = coordinators
                else:
                    people = []
                url = reverse(
                    "agreement-sign" if role == "signer" else "agreement-detail", args=[version.agreement_id]
                )
                for user in people:
                    items.append(
                        {
                            "recipient": user,
                            "key": f"agreements.unsigned:{version.pk}:{step}:{recipient_key(user)}",
                            "subject_key": f"version:{version.pk}",  # names the agreement only
                            "context": {
                                "agreement": str(version.agreement),
                                "version": version.number,
                                "sent_on": sent_on,
                                "role": role,
                                "waiting": [s.signer_name or s.get_party_display() for s in waiting],
                            },
                            "url": url,
                        }
                    )
        created += len(notify_many(template="agreements/notifications/unsigned", items=items))
    return created

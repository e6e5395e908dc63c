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

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, AgreementVersion, Signature, SigningPolicy, State
from placements.reminders import due_steps, rules_for
from wpl.models import Membership, Role
from wpl.notifications import notify_many, people, url_for_id
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


def _waiting_signers(signatures: list[tuple], sequential: bool) -> list[tuple]:
    """The pending (order, signer id, name) of a version; only the first in order when the
    programme signs in order."""
    pending = [s for s in signatures if s[3] == Signature.Status.PENDING]
    if sequential and pending:
        first = min(s[0] for s in pending)
        pending = [s for s in pending if s[0] == first]
    return pending


def remind_unsigned(now: datetime) -> int:
    """Versions sent for signature and not signed by everybody after N days (see module).

    One query finds the versions (with the names their text needs), one reads their
    signatures, two the programmes' rules and signing policies, one the coordinators when
    a step reaches them; then three per batch of BATCH versions with something due."""
    today = timezone.localdate(now)
    versions = list(
        AgreementVersion.objects.filter(state=State.SENT, sent_at__isnull=False)
        .order_by("pk")
        .values_list(
            "pk", "number", "sent_at", "agreement_id", "agreement__kind",
            "agreement__placement__programme_id",
            "agreement__placement__student__first_name", "agreement__placement__student__last_name",
            "agreement__placement__organisation__name", "agreement__placement__academic_year",
            "agreement__placement__supervisor__user_id",
        )
    )  # fmt: skip
    if not versions:
        return 0
    signatures: dict[int, list[tuple]] = {}
    for version_id, *signature in (
        Signature.objects.filter(version_id__in=[v[0] for v in versions])
        .order_by("version_id", "order", "pk")
        .values_list("version_id", "order", "signer_id", "signer_name", "status", "party")
    ):
        signatures.setdefault(version_id, []).append(signature)
    programme_ids = {v[5] for v in versions}
    rules = rules_for(programme_ids, UNSIGNED)
    sequential = set(
        SigningPolicy.objects.filter(programme_id__in=programme_ids, sequential=True).values_list(
            "programme_id", flat=True
        )
    )
    # Names as the agreement's and the party's __str__ / display give them, in the
    # language the sweep runs in (as before).
    kinds = dict(Agreement._meta.get_field("kind").flatchoices)
    parties = dict(Signature._meta.get_field("party").flatchoices)
    coordinators: list[int] | None = None
    sign_url, detail_url = url_for_id("agreement-sign"), url_for_id("agreement-detail")
    created = 0
    for start in range(0, len(versions), BATCH):
        items, user_ids = [], set()
        for (pk, number, sent_at, agreement_id, kind, programme_id, first, last, organisation, academic_year,
             supervisor) in versions[start : start + BATCH]:  # fmt: skip
            waiting = _waiting_signers(signatures.get(pk, []), programme_id in sequential)
            if not waiting:
                continue
            sent_on = timezone.localdate(sent_at)
            steps = due_steps(
                rules[programme_id], nth_day=lambda n, s=sent_on: s + timedelta(days=n), today=today
            )
            if not steps:
                continue
            agreement = f"{kinds.get(kind, kind)} · {first} {last} @ {organisation} ({academic_year})"
            names = ", ".join(name or str(parties.get(party, party)) for _o, _s, name, _st, party in waiting)
            for step, role, _due in steps:
                if role == "signer":
                    recipients = [signer for _o, signer, *_rest in waiting if signer]
                elif role == "supervisor":
                    recipients = [supervisor] if supervisor else []
                elif role == "coordinator":
                    if coordinators is None:
                        coordinators = list(
                            Membership.objects.filter(role=Role.COORDINATOR, is_active=True)
                            .order_by("pk")
                            .values_list("user_id", flat=True)
                        )
                    recipients = coordinators
                else:
                    recipients = []
                url = (sign_url if role == "signer" else detail_url)(agreement_id)
                for user_id in recipients:
                    user_ids.add(user_id)
                    items.append(
                        {
                            "recipient": user_id,
                            "key": f"agreements.unsigned:{pk}:{step}:u{user_id}",
                            "context": {"version": number, "sent_on": sent_on, "role": role},
                            "text": {"agreement": agreement, "waiting": names},
                            "url": url,
                        }
                    )
        if items:
            found = people(user_ids)
            items = [dict(i, recipient=found[i["recipient"]]) for i in items if i["recipient"] in found]
            created += len(notify_many(template="agreements/notifications/unsigned", items=items))
    return created

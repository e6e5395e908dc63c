"""Demo data for getting everyone in: students invited who have not signed in yet, and an
example single sign-on set-up (switched off: its identity provider does not exist)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from students.models import Student
from workplaces.invitations import hash_token, valid_days
from workplaces.models import AccessInvitation
from wpl.models import Institution, Role, SingleSignOn

INVITED = 3


def seed(institution: Institution) -> None:
    """Runs inside the institution's tenant context (see wpl.demo.seed_demo); safe to repeat."""
    SingleSignOn.objects.get_or_create(
        defaults={
            "name": f"{institution.name} (voorbeeld)",
            # A made-up Microsoft Entra ID tenant: the example shows the fields, it cannot sign anyone in.
            "issuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
            "client_id": "voorbeeld-client-id",
            "client_secret": "voorbeeld-geen-echt-secret",
            "email_domains": f"student.{institution.slug}.demo",
            "is_active": False,
        }
    )
    if AccessInvitation.objects.filter(role=Role.STUDENT).exists():
        return
    waiting = Student.objects.filter(user__isnull=True).order_by("last_name", "pk")[:INVITED]
    now = timezone.now()
    for student in waiting:
        # The token is thrown away: the demo sends no mail. "Invite again" sends a working link.
        AccessInvitation.objects.create(
            student=student,
            email=student.email.lower(),
            first_name=student.first_name,
            last_name=student.last_name,
            role=Role.STUDENT,
            purpose=AccessInvitation.Purpose.GENERAL,
            token_hash=hash_token(secrets.token_urlsafe(32)),
            expires_at=now + timedelta(days=valid_days()),
        )

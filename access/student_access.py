"""Access for imported students: bulk invitations and who has not signed in yet.

Students come from an import (or are added one by one) without an account. A coordinator
invites them in bulk, the whole import or a selection from the students list; each gets
an e-mailed single-use link (`AccessInvitation` with role student). Opening it gives them
the student role and links their student record; later they sign in with an e-mailed
code, a password they set, or their school account when the institution has single
sign-on (`access.sso`). Accepting the link is the general invitation flow
(`workplaces.invitations.accept_invitation`, which calls
`students.services.grant_student_access`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from students.models import Student
from students.selectors import not_signed_in
from workplaces.invitations import TOKEN_BYTES, hash_token, valid_days
from workplaces.models import AccessInvitation
from wpl import mail
from wpl.models import Membership, Role, User
from wpl.tenancy import tenant_context

MAX_BATCH = 2000  # one request; a larger import is invited in pages of the filtered list


@dataclass
class InviteResult:
    sent: list = field(default_factory=list)  # AccessInvitation
    skipped_signed_in: int = 0


# --- reads ------------------------------------------------------------------------------
def not_signed_in_count(*, membership: Membership) -> int:
    """For the coordinator's start page: one query."""
    return not_signed_in(Student.objects.visible_to(membership)).count()


# --- writes -----------------------------------------------------------------------------
@transaction.atomic
def invite_students(*, actor: Membership, student_ids, base_url: str) -> InviteResult:
    """E-mail each chosen student a single-use link; skips students who already signed in.

    Only students the actor may see are invited (ids of another institution are ignored).
    A student with a link still waiting gets a fresh one and the old link stops working,
    so "send again" is the same action. The mails go out over one connection after commit.
    """
    with tenant_context(actor.institution_id):
        return _invite(actor=actor, student_ids=student_ids, base_url=base_url)


def _invite(*, actor: Membership, student_ids, base_url: str) -> InviteResult:
    ids = list(dict.fromkeys(int(pk) for pk in student_ids))[:MAX_BATCH]
    students = list(
        Student.objects.visible_to(actor).filter(pk__in=ids).select_related("user", "institution")
    )
    result = InviteResult()
    now = timezone.now()
    to_invite = []
    for student in students:
        if student.user_id and student.user.last_login:
            result.skipped_signed_in += 1
        else:
            to_invite.append(student)
    AccessInvitation.objects.filter(
        role=Role.STUDENT, student__in=to_invite, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    links = []
    for student in to_invite:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = AccessInvitation.objects.create(
            student=student,
            email=User.objects.normalize_email(student.email).lower(),
            first_name=student.first_name,
            last_name=student.last_name,
            role=Role.STUDENT,
            purpose=AccessInvitation.Purpose.GENERAL,
            token_hash=hash_token(token),
            expires_at=now + timedelta(days=valid_days()),
            created_by=actor.user,
        )
        result.sent.append(invitation)
        links.append(
            (invitation, student, base_url.rstrip("/") + reverse("invite-accept", kwargs={"token": token}))
        )
    transaction.on_commit(lambda: _send_mails(links))
    return result


def _send_mails(links) -> None:
    messages = [_student_mail(invitation, student, link) for invitation, student, link in links]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)


def _student_mail(invitation: AccessInvitation, student, link: str) -> EmailMessage:
    institution = student.institution
    language = mail.language_for(user=student.user, email=invitation.email, institution=institution)
    with override(language):
        subject = _("%(institution)s: your access to workplace learning") % {"institution": institution.name}
        body = render_to_string(
            "access/email/student_invitation.txt",
            {"invitation": invitation, "institution": institution, "link": link, "valid_days": valid_days()},
        )
    return EmailMessage(subject, body, mail.from_address(institution), [invitation.email])

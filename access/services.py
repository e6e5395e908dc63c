"""Writes for getting everyone in: students invited in bulk, the institution's single
sign-on settings, and the account a single sign-on signs in.

Students come from an import (or are added one by one) without an account. A coordinator
invites them in bulk, the whole import or a selection from the students list; each gets
an e-mailed single-use link (`AccessInvitation` with role student). Opening it gives them
the student role and links their student record; later they sign in with an e-mailed
code, a password they set, or their school account when the institution has single
sign-on (`access.sso`). Accepting the link is the general invitation flow
(`workplaces.services.accept_invitation`, which calls
`students.services.grant_student_access`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from students.models import Student
from students.services import grant_student_access
from workplaces import invitations
from workplaces.models import AccessInvitation
from workplaces.services import mark_email_verified
from wpl import audit, mail
from wpl.models import Membership, Role, SingleSignOn, User
from wpl.tenancy import tenant_context

MAX_BATCH = 2000  # one request; a larger import is invited in pages of the filtered list


@dataclass
class InviteResult:
    sent: list = field(default_factory=list)  # AccessInvitation
    skipped_signed_in: int = 0


# --- students: bulk invitation ------------------------------------------------------------
@transaction.atomic
def invite_students(*, actor: Membership, student_ids, base_url: str) -> InviteResult:
    """E-mail each chosen student a single-use link; skips students who already signed in.

    Only students the actor may see are invited (ids of another institution are ignored).
    A student with a link still waiting gets a fresh one and the old link stops working,
    so "send again" is the same action. The mails go out over one connection after commit.
    """
    with tenant_context(actor.institution_id):
        result, links = _invite(actor=actor, student_ids=student_ids, base_url=base_url)
        audit.record(
            actor=actor,
            action="access.students.invite",
            summary=f"{len(result.sent)} invited, {result.skipped_signed_in} already signed in",
            data={"invited": [i.student_id for i in result.sent], "skipped": result.skipped_signed_in},
        )
    transaction.on_commit(lambda: _send_mails(links))
    return result


def _invite(*, actor: Membership, student_ids, base_url: str) -> tuple[InviteResult, list]:
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
        token, token_hash = invitations.new_token()
        invitation = AccessInvitation.objects.create(
            student=student,
            email=User.objects.normalize_email(student.email).lower(),
            first_name=student.first_name,
            last_name=student.last_name,
            role=Role.STUDENT,
            purpose=AccessInvitation.Purpose.GENERAL,
            token_hash=token_hash,
            expires_at=invitations.expiry(),
            created_by=actor.user,
        )
        result.sent.append(invitation)
        links.append((invitation, student, invitations.accept_link(base_url, token)))
    return result, links


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
            {
                "invitation": invitation,
                "institution": institution,
                "link": link,
                "valid_days": invitations.valid_days(),
            },
        )
    return EmailMessage(subject, body, mail.from_address(institution), [invitation.email])


# --- single sign-on: the settings (institution admin) -------------------------------------
@transaction.atomic
def save_single_sign_on(*, actor: Membership, config: SingleSignOn, data: Mapping[str, Any]) -> SingleSignOn:
    """Store the institution's identity provider settings (validated by the settings form).

    The secret is never written to the trail.
    """
    for name, value in data.items():
        setattr(config, name, value)
    creating = config.pk is None
    config.save()
    audit.record(
        actor=actor,
        action=f"access.sso.{'create' if creating else 'update'}",
        obj=config,
        summary=config.name,
        data={"issuer": config.issuer, "is_active": config.is_active},
    )
    return config


# --- single sign-on: who it signs in ------------------------------------------------------
class SsoRefused(Exception):
    """Single sign-on may not sign this person in; `reason` is a key of `access.sso.REASONS`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Resolved:
    user: User
    membership: Membership
    created: bool


@transaction.atomic
def resolve_sso_user(
    *,
    actor: Membership | None = None,
    config: SingleSignOn,
    email: str,
    verified: bool,
    first_name: str = "",
    last_name: str = "",
    linked_user: User | None = None,
) -> Resolved:
    """Who the identity provider's answer signs in, by the rules in `access.sso`'s docstring.

    `actor` is None: nobody is signed in yet, the provider vouches for the person. An
    account made, a role given or a student record linked is recorded as the system.
    """
    email = (email or "").strip().lower()
    if not email:
        raise SsoRefused("no_email")
    if not verified:
        raise SsoRefused("unverified")
    if not config.covers(email):
        raise SsoRefused("domain")
    institution = config.institution
    with tenant_context(institution.pk):
        user = linked_user or User.objects.filter(email__iexact=email).first()
        student = Student.objects.filter(email__iexact=email).first()
        created = False
        if user is not None:
            if not user.is_active:
                raise SsoRefused("inactive")
            others = Membership.all_tenants.filter(
                user=user, is_active=True, institution__is_active=True
            ).exclude(institution=institution)
            if others.exists():
                raise SsoRefused("other_institutions")
        elif student is not None or config.allow_new_accounts:
            user = User(email=email, first_name=first_name, last_name=last_name)
            if student is not None:
                user.first_name, user.last_name = student.first_name, student.last_name
            user.set_unusable_password()
            user.save()
            created = True
        else:
            raise SsoRefused("unknown")
        membership = Membership.objects.filter(user=user, is_active=True).order_by("pk").first()
        granted = membership is None
        if membership is None:
            if student is None and not created:
                raise SsoRefused("no_role")
            membership = (
                grant_student_access(student=student, user=user)
                if student is not None
                else Membership.objects.update_or_create(
                    user=user, role=Role.STUDENT, defaults={"is_active": True}
                )[0]
            )
        elif student is not None and student.user_id is None and membership.role == Role.STUDENT:
            student.user = user
            student.save(update_fields=["user"])
            granted = True
        mark_email_verified(user, email)
        if created or granted:
            # A plain sign-in of a known person changes nothing and records nothing.
            audit.record(
                actor=actor,
                action="access.sso.account",
                obj=membership,
                summary=email,
                data={"created": created},
            )
    return Resolved(user=user, membership=membership, created=created)

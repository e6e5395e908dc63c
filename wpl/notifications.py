"""The one way anything is sent to a person: durable, exactly-once notifications.

`notify()` creates a `Notification` row keyed by (recipient, subject, occasion). A second
call with the same key changes nothing and sends nothing. The e-mail is queued on commit
and `deliver()` marks the row sent only after the mail went out; the fixed beat entry
`wpl.tasks.deliver_pending_notifications` retries rows a dead worker left behind.

Texts are Django templates rendered in the recipient's language:
``<template>_subject.txt`` and ``<template>_body.txt``.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from wpl import tenancy
from wpl.models import Institution, Notification, User

# A row not delivered this long after it was created is retried by the sweep.
RETRY_AFTER = timedelta(minutes=5)
MAX_EMAIL_ATTEMPTS = 5


def recipient_language(user: User) -> str:
    """The language a person reads mail in: their own choice, else the platform default."""
    available = {code for code, _ in settings.LANGUAGES}
    return user.preferred_language if user.preferred_language in available else settings.LANGUAGE_CODE


def sender_for(institution: Institution) -> str:
    """From header: the institution's name in front of the platform's address."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{institution.name} via WPL", address))


def notify(
    *,
    recipient: User,
    key: str,
    template: str,
    context: dict | None = None,
    url: str = "",
    email: bool = True,
    attachment: tuple[str, str, str] | None = None,
) -> Notification | None:
    """Tell `recipient` about an occasion once; returns the new row, or None if already sent.

    `key` must identify the occasion completely (include ids and, for reminders, the due
    date or escalation step). `attachment` is (filename, mimetype, text content).
    Must run inside the recipient's institution (tenant context).
    """
    institution_id = tenancy.require_institution_id()
    with translation.override(recipient_language(recipient)):
        ctx = {"recipient": recipient, "url": url, **(context or {})}
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())[:255]
        body = render_to_string(f"{template}_body.txt", ctx).strip()
    name, mimetype, content = attachment or ("", "", "")
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                key=key[:200],
                kind=template.rsplit("/", 1)[-1][:80],
                subject=subject,
                body=body,
                url=url,
                channel=Notification.Channel.EMAIL if email else Notification.Channel.IN_APP,
                attachment_name=name,
                attachment_mimetype=mimetype,
                attachment_content=content,
            )
    except IntegrityError:
        return None  # this occasion was already notified
    if email and recipient.notification_digest == "immediate":
        from wpl.tasks import deliver_notification, enqueue_on_commit

        enqueue_on_commit(
            deliver_notification, institution_id=institution_id, notification_id=notification.pk
        )
    return notification


def deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail if it has not gone out yet. Idempotent.

    The row is locked while sending, so two workers never send the same mail; it is
    marked sent in the same transaction, after the mail server accepted it.
    """
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, channel=Notification.Channel.EMAIL, email_sent_at__isnull=True)
            .select_related("recipient", "institution")
            .first()
        )
        if n is None or not n.recipient.email or n.email_attempts >= MAX_EMAIL_ATTEMPTS:
            return False
        Notification.objects.filter(pk=n.pk).update(email_attempts=n.email_attempts + 1)
        body = n.body
        if n.url:
            body = f"{body}\n\n{absolute_url(n.url)}"
        message = EmailMessage(n.subject, body, sender_for(n.institution), [n.recipient.email])
        if n.attachment_name:
            message.attach(n.attachment_name, n.attachment_content, n.attachment_mimetype or "text/plain")
        message.send()
        Notification.objects.filter(pk=n.pk).update(email_sent_at=timezone.now())
    return True


def pending_ids(*, now=None) -> list[int]:
    """Immediate e-mails of the active institution still unsent after RETRY_AFTER."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL,
            email_sent_at__isnull=True,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
            created_at__lte=now - RETRY_AFTER,
            recipient__notification_digest="immediate",
        ).values_list("pk", flat=True)[:1000]
    )


def absolute_url(path: str) -> str:
    """Links in mails point at the platform's public address."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.WPL_BASE_URL.rstrip("/") + path


@transaction.atomic
def mark_read(*, recipient: User, notification_ids: list[int] | None = None) -> int:
    """Mark the recipient's notifications (all, or the given ones) as read."""
    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())

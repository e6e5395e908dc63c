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
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from wpl import tenancy
from wpl.models import Institution, Notification, User

# A row not delivered this long after it was created is retried by the sweep.
RETRY_AFTER = timedelta(seconds=settings.WPL_NOTIFICATION_RETRY_SECONDS)
MAX_EMAIL_ATTEMPTS = 5
# E-mails per delivery task (one mail connection each).
DELIVERY_BATCH = 200
KEYS_PER_QUERY = 500  # keys per IN (...) list: well inside every database's parameter limit


def recipient_language(user: User | None) -> str:
    """The language a person reads mail in: their own choice, else the platform default."""
    available = {code for code, _ in settings.LANGUAGES}
    language = user.preferred_language if user is not None else ""
    return language if language in available else settings.LANGUAGE_CODE


def sender_for(institution: Institution) -> str:
    """From header: the institution's name in front of the platform's address."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{institution.name} via WPL", address))


def recipient_key(recipient: User | None, email_address: str = "") -> str:
    """The recipient part of a notification key: the account, else the e-mail address."""
    return f"u{recipient.pk}" if recipient is not None else email_address.strip().lower()


def notify(
    *,
    recipient: User | None,
    key: str,
    template: str,
    context: dict | None = None,
    url: str = "",
    email: bool = True,
    attachment: tuple[str, str, str] | None = None,
    email_address: str = "",
) -> Notification | None:
    """Tell `recipient` about an occasion once; returns the new row, or None if already sent.

    `key` must identify the occasion completely (include ids, the recipient — see
    `recipient_key()` — and, for reminders, the due date or escalation step).
    `attachment` is (filename, mimetype, text content). A person without an account
    (`recipient=None`) is reached at `email_address`, by e-mail only, in the platform's
    default language. Must run inside the recipient's institution (tenant context).
    The e-mail goes out after commit (immediately), or in the person's daily / weekly
    digest when they chose one; every notification with an account also shows in the
    notification centre.
    """
    institution_id = tenancy.require_institution_id()
    address = recipient.email if recipient is not None else email_address.strip()
    if recipient is None and not address:
        return None  # nobody to tell
    with translation.override(recipient_language(recipient)):
        ctx = {"recipient": recipient, "url": url, **(context or {})}
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())[:255]
        body = render_to_string(f"{template}_body.txt", ctx).strip()
    name, mimetype, content = attachment or ("", "", "")
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                email=address[:254],
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
    if email and (recipient is None or recipient.notification_digest == "immediate"):
        from wpl.tasks import deliver_notification, enqueue_on_commit

        enqueue_on_commit(
            deliver_notification, institution_id=institution_id, notification_id=notification.pk
        )
    return notification


def _address(n: Notification) -> str:
    return n.recipient.email if n.recipient_id and n.recipient.email else n.email


def _message(n: Notification, address: str, connection) -> EmailMessage:
    body = n.body
    if n.url:
        body = f"{body}\n\n{absolute_url(n.url)}"
    message = EmailMessage(n.subject, body, sender_for(n.institution), [address], connection=connection)
    if n.attachment_name:
        message.attach(n.attachment_name, n.attachment_content, n.attachment_mimetype or "text/plain")
    return message


def deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail if it has not gone out yet. Idempotent."""
    return deliver_many(notification_ids=[notification_id]) == 1


def deliver_many(*, notification_ids: list[int]) -> int:
    """Send a batch of notifications' e-mails over one mail connection; how many went out.

    The batch is read in one query. Each row is then claimed and marked sent by a single
    ``UPDATE ... WHERE email_sent_at IS NULL`` in its own transaction, which commits only
    after the mail server accepted the message: the row stays locked while it is sent (a
    second worker waits, then finds it sent and skips it), and a worker that dies before
    the commit leaves it unsent for the retry sweep. A failed send rolls the claim back,
    counts an attempt and stops the batch (the retry sweep takes the rest).
    """
    rows = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            channel=Notification.Channel.EMAIL,
            email_sent_at__isnull=True,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
        )
        .select_related("recipient", "institution")
        .order_by("pk")
    )
    if not rows:
        return 0
    sent = 0
    with get_connection() as connection:  # one connection (SMTP session) for the batch
        for n in rows:
            address = _address(n)
            if not address:
                continue
            message = _message(n, address, connection)
            unsent = Notification.objects.filter(
                pk=n.pk, email_sent_at__isnull=True, email_attempts__lt=MAX_EMAIL_ATTEMPTS
            )
            try:
                with transaction.atomic():
                    claimed = unsent.update(
                        email_sent_at=timezone.now(), email_attempts=F("email_attempts") + 1
                    )
                    if not claimed:
                        continue  # another worker sent it meanwhile
                    message.send()
            except Exception:
                unsent.update(email_attempts=F("email_attempts") + 1)
                raise
            sent += 1
    return sent


def pending_ids(*, now=None) -> list[int]:
    """Immediate e-mails of the active institution still unsent after RETRY_AFTER."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL,
            email_sent_at__isnull=True,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
            created_at__lte=now - RETRY_AFTER,
        )
        .filter(Q(recipient__isnull=True) | Q(recipient__notification_digest="immediate"))
        .values_list("pk", flat=True)[:1000]
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


DIGEST_TEMPLATE = "wpl/notifications/digest"


def digest_recipient_ids(*, frequency: str) -> list[int]:
    """People of the active institution on a `frequency` digest with mail still waiting."""
    return list(
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL,
            email_sent_at__isnull=True,
            recipient__notification_digest=frequency,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


def send_digest(*, recipient_id: int, frequency: str) -> int:
    """One e-mail with every notification still waiting for this person; marks them sent.

    The rows are locked while the mail goes out and marked sent in the same transaction,
    so two workers never send the same digest and a dead worker leaves them for the next
    run (which also catches up on a digest missed while the beat was down). Returns the
    number of notifications the mail carried (0: nothing was sent).
    """
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(
                recipient_id=recipient_id,
                recipient__notification_digest=frequency,
                channel=Notification.Channel.EMAIL,
                email_sent_at__isnull=True,
            )
            .order_by("created_at", "id")
        )
        if not items:
            return 0
        recipient = User.objects.get(pk=recipient_id)
        institution = Institution.objects.get(pk=tenancy.require_institution_id())
        if not recipient.email:
            return 0
        with translation.override(recipient_language(recipient)):
            ctx = {
                "recipient": recipient,
                "frequency": frequency,
                "items": [(n, absolute_url(n.url) if n.url else "") for n in items],
                "centre_url": absolute_url("/notifications/"),
            }
            subject = " ".join(render_to_string(f"{DIGEST_TEMPLATE}_subject.txt", ctx).split())[:255]
            body = render_to_string(f"{DIGEST_TEMPLATE}_body.txt", ctx).strip()
        message = EmailMessage(subject, body, sender_for(institution), [recipient.email])
        for n in items:
            if n.attachment_name:
                message.attach(n.attachment_name, n.attachment_content, n.attachment_mimetype or "text/plain")
        message.send()
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(email_sent_at=timezone.now())
    return len(items)


@transaction.atomic
def set_digest(*, user: User, frequency: str) -> None:
    """The person's choice: every e-mail at once, or one daily / weekly digest."""
    if frequency not in {"immediate", "daily", "weekly"}:
        raise ValueError(frequency)
    User.objects.filter(pk=user.pk).update(notification_digest=frequency)
    user.notification_digest = frequency


def notify_many(
    *,
    template: str = "",
    items: list[dict],
    email: bool = True,
) -> list[int]:
    """`notify()` for a sweep's batch: the same guarantees, a few queries per batch.

    Each item has `recipient` (User or None), `email_address`, `key`, `context`, `url` and
    optionally `render_key`: items with the same render_key and language share one
    rendering (e.g. every participant of one meeting), `subject_key` the same for the
    subject alone (a subject that does not name the recipient), and `template`, for a
    batch that mixes texts (one insert for all of them). Occasions already notified are skipped
    before anything is rendered (the unique key decides, also against a concurrent run);
    the new rows are inserted with ON CONFLICT DO NOTHING in one transaction and their
    e-mails go out in batches of DELIVERY_BATCH after commit. Returns the ids of the rows
    created. Costs a fixed number of queries per batch, whatever its size.
    """
    institution_id = tenancy.require_institution_id()
    keys = list({item["key"][:200] for item in items})
    existing: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        existing.update(
            Notification.objects.filter(key__in=keys[start : start + KEYS_PER_QUERY]).values_list(
                "key", flat=True
            )
        )
    rendered: dict[tuple, tuple[str, str]] = {}
    subjects: dict[tuple, str] = {}
    rows, seen = [], set()
    # One creation time for the whole batch: it tells this call's rows from a concurrent
    # run's when reading back what was really inserted.
    stamp = timezone.now()
    for item in items:
        key = item["key"][:200]
        if key in existing or key in seen:
            continue
        seen.add(key)
        recipient = item.get("recipient")
        address = recipient.email if recipient is not None else item.get("email_address", "").strip()
        if recipient is None and not address:
            continue
        language = recipient_language(recipient)
        item_template = item.get("template") or template
        if not item_template:
            raise ValueError("notify_many: give a template (for the call or for each item)")
        cache_key = (item_template, item.get("render_key") or key, language)
        subject_key = (item_template, item.get("subject_key") or cache_key, language)
        if cache_key not in rendered:
            with translation.override(language):
                ctx = {"recipient": recipient, "url": item.get("url", ""), **(item.get("context") or {})}
                if subject_key not in subjects:
                    subject = render_to_string(f"{item_template}_subject.txt", ctx)
                    subjects[subject_key] = " ".join(subject.split())[:255]
                body = render_to_string(f"{item_template}_body.txt", ctx).strip()
            rendered[cache_key] = (subjects[subject_key], body)
        subject, body = rendered[cache_key]
        rows.append(
            Notification(
                institution_id=institution_id,
                recipient=recipient,
                email=address[:254],
                key=key,
                kind=item_template.rsplit("/", 1)[-1][:80],
                subject=subject,
                body=body,
                url=item.get("url", ""),
                channel=Notification.Channel.EMAIL if email else Notification.Channel.IN_APP,
                created_at=stamp,
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        created = _insert_batch(rows)
    immediate = [pk for pk, digest, rid in created if rid is None or digest == "immediate"]
    if email and immediate:
        from wpl.tasks import deliver_notifications, enqueue_on_commit

        for start in range(0, len(immediate), DELIVERY_BATCH):
            enqueue_on_commit(
                deliver_notifications,
                institution_id=institution_id,
                notification_ids=immediate[start : start + DELIVERY_BATCH],
            )
    return [pk for pk, _, _ in created]


def _insert_batch(rows: list[Notification]) -> list[tuple[int, str | None, int | None]]:
    """Insert a batch (ON CONFLICT DO NOTHING on the unique key); the rows really created.

    Runs inside the caller's transaction. Every row carries the same `created_at`, so
    reading back the keys with that time finds this call's rows and not the ones a
    concurrent run inserted first (that run sends those): (id, recipient's digest, recipient id).
    """
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    keys = [r.key for r in rows]
    created = []
    for start in range(0, len(keys), KEYS_PER_QUERY):
        created += Notification.objects.filter(
            key__in=keys[start : start + KEYS_PER_QUERY], created_at=rows[0].created_at
        ).values_list("pk", "recipient__notification_digest", "recipient_id")
    return created

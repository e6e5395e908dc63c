"""The one way anything is sent to a person: durable, exactly-once notifications.

`notify()` creates a `Notification` row keyed by (recipient, subject, occasion). A second
call with the same key changes nothing and sends nothing. The e-mail is queued on commit
and `deliver()` marks the row sent only after the mail went out; the fixed beat entry
`wpl.tasks.deliver_pending_notifications` retries rows a dead worker left behind.

Texts are Django templates rendered in the recipient's language:
``<template>_subject.txt`` and ``<template>_body.txt``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
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


# --- batches of notifications for the reminder sweeps ---------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """What a batch needs of a recipient with an account: read with `people()` in one
    query (no model instance). `language` is already `recipient_language()`."""

    pk: int
    email: str
    language: str
    digest: str
    short_name: str

    def get_short_name(self) -> str:
        return self.short_name


def _person(user: User) -> Person:
    return Person(
        user.pk, user.email, recipient_language(user), user.notification_digest, user.get_short_name()
    )


def people(user_ids) -> dict[int, Person]:
    """The recipients of a batch by user id (one query per KEYS_PER_QUERY ids)."""
    available = {code for code, _ in settings.LANGUAGES}
    found: dict[int, Person] = {}
    ids = sorted({pk for pk in user_ids if pk is not None})
    for start in range(0, len(ids), KEYS_PER_QUERY):
        rows = User.objects.filter(pk__in=ids[start : start + KEYS_PER_QUERY]).values_list(
            "pk", "email", "preferred_language", "notification_digest", "first_name"
        )
        for pk, email, language, digest, first_name in rows:
            language = language if language in available else settings.LANGUAGE_CODE
            found[pk] = Person(pk, email, language, digest, first_name or email)
    return found


_ID = 987654321


def url_for_id(name: str):
    """`reverse(name, args=[id])` for a whole batch: one reverse, then the id filled in."""
    pattern = reverse(name, args=[_ID])
    if pattern.count(str(_ID)) != 1:
        return lambda pk: reverse(name, args=[pk])
    before, after = pattern.split(str(_ID))
    return lambda pk: f"{before}{pk}{after}"


# A slot of a stencil: private-use characters around its number, with an "&" that shows
# whether the template escaped the value at that place ("&amp;") or not ("&").
_SLOT = re.compile("\ue000(\\d+)&(amp;)?z*\ue001")


def _render_marked(
    template_name: str, language: str, literals: tuple, slots: tuple[str, ...], pad: str
) -> list:
    context: dict = {}
    values = list(literals) + [(name, f"\ue000{index}&{pad}\ue001") for index, name in enumerate(slots)]
    for dotted, value in values:
        *path, last = dotted.split(".")
        node = context
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    with translation.override(language):
        return _SLOT.split(render_to_string(template_name, context))


@functools.lru_cache(maxsize=4096)
def _stencil(template_name: str, language: str, literals: tuple, slots: tuple[str, ...]) -> tuple:
    """A template rendered once with markers for the `slots`: (text, (slot, escaped), text, ...).

    `literals` decide the text's shape (counts choosing a plural, dates, roles in `if`s) and
    are rendered as they are; every slot is a plain string filled in per notification. The
    output is the one `render_to_string()` gives with the real values as long as the
    template only prints a slot: it is rendered a second time with longer markers, and a
    text that changed (a filter or a test on a slot's value) raises ValueError.
    """
    parts = _render_marked(template_name, language, literals, slots, "")
    if parts != _render_marked(template_name, language, literals, slots, "zzzz") or any(
        "\ue000" in part or "\ue001" in part for part in parts[::3]
    ):
        raise ValueError(f"{template_name}: a filter or test on a filled-in value; pass it as a literal")
    pieces = []
    for index, part in enumerate(parts):
        if index % 3 == 0:
            pieces.append(part)
        elif index % 3 == 1:
            pieces.append((int(part), parts[index + 1] is not None))
    return tuple(pieces)


def _fill(stencil: tuple, values: list[str]) -> str:
    return "".join(
        piece if type(piece) is str else (html.escape(values[piece[0]]) if piece[1] else values[piece[0]])
        for piece in stencil
    )


def render_text(template: str, language: str, context: dict, text: dict[str, str]) -> tuple[str, str]:
    """(subject, body) of `template` as `notify()` renders them, for a batch: the template is
    rendered once per language and `context` (literal values, hashable; dotted names for
    attributes, e.g. ``"meeting.starts_at"``) and the strings of `text` are filled in
    (dotted names too, e.g. ``"placement.student"``; escaped where the template escapes).
    An empty string in `text` is rendered as a literal (so ``{% if %}`` sees it)."""
    literals = list(context.items())
    slots, values = [], []
    for name, value in text.items():
        if value:
            slots.append(name)
            values.append(value)
        else:
            literals.append((name, value))
    literals.sort(key=lambda kv: kv[0])
    key = (tuple(literals), tuple(slots))
    subject = _fill(_stencil(f"{template}_subject.txt", language, *key), values)
    body = _fill(_stencil(f"{template}_body.txt", language, *key), values)
    return " ".join(subject.split())[:255], body.strip()


_deliveries: contextvars.ContextVar[list | None] = contextvars.ContextVar("wpl_deliveries", default=None)


@contextlib.contextmanager
def deferred_delivery() -> Iterator[None]:
    """Queue the e-mails of every `notify_many()` inside the block at its end, in batches of
    DELIVERY_BATCH (a sweep run publishes a few delivery tasks, not one per sweep and batch).

    The rows are committed before: a worker that dies before the end leaves them unsent
    for the retry sweep (`deliver_pending_notifications`), as with any lost task."""
    pending: list[int] = []
    token = _deliveries.set(pending)
    try:
        yield
    finally:
        _deliveries.reset(token)
        _queue_delivery(pending)


def _queue_delivery(ids: list[int]) -> None:
    if not ids:
        return
    collecting = _deliveries.get()
    if collecting is not None:
        collecting.extend(ids)
        return
    from wpl.tasks import deliver_notifications, enqueue_on_commit

    institution_id = tenancy.require_institution_id()
    for start in range(0, len(ids), DELIVERY_BATCH):
        enqueue_on_commit(
            deliver_notifications,
            institution_id=institution_id,
            notification_ids=ids[start : start + DELIVERY_BATCH],
        )


def notify_many(
    *,
    template: str = "",
    items: list[dict],
    email: bool = True,
) -> list[int]:
    """`notify()` for a sweep's batch: the same guarantees, a few queries per batch.

    Each item has `recipient` (a User, a `Person` from `people()`, or None), `email_address`,
    `key`, `url`, optionally `template` (for a batch that mixes texts: one insert for all of
    them), and its text in one of two ways:
    - `text` (strings filled into the template, e.g. names) and `context` (literal, hashable
      values: counts, dates, roles): rendered with `render_text()`, one rendering per
      template, language and context for the whole process; ``recipient.get_short_name``
      is filled in from the recipient;
    - or only `context` (any objects) for a full rendering, shared by the items with the
      same `render_key` and language (and, for the subject alone, `subject_key`).
    Occasions already notified are skipped before anything is rendered (the unique key
    decides, also against a concurrent run); the new rows are inserted with ON CONFLICT DO
    NOTHING in one transaction and their e-mails go out in batches of DELIVERY_BATCH after
    commit (or at the end of a `deferred_delivery()` block). Returns the ids of the rows
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
    rows, digests, seen = [], {}, set()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    channel = Notification.Channel.EMAIL if email else Notification.Channel.IN_APP
    for item in items:
        key = item["key"][:200]
        if key in existing or key in seen:
            continue
        seen.add(key)
        recipient = item.get("recipient")
        if recipient is not None and not isinstance(recipient, Person):
            original, recipient = recipient, _person(recipient)
        else:
            original = recipient
        address = recipient.email if recipient is not None else item.get("email_address", "").strip()
        if recipient is None and not address:
            continue
        language = recipient.language if recipient is not None else settings.LANGUAGE_CODE
        item_template = item.get("template") or template
        if not item_template:
            raise ValueError("notify_many: give a template (for the call or for each item)")
        if "text" in item:
            text = {"recipient.get_short_name": recipient.short_name if recipient is not None else "",
                    **item["text"]}  # fmt: skip
            subject, body = render_text(item_template, language, item.get("context") or {}, text)
        else:
            cache_key = (item_template, item.get("render_key") or key, language)
            subject_key = (item_template, item.get("subject_key") or cache_key, language)
            if cache_key not in rendered:
                with translation.override(language):
                    ctx = {"recipient": original, "url": item.get("url", ""), **(item.get("context") or {})}
                    if subject_key not in subjects:
                        subject = render_to_string(f"{item_template}_subject.txt", ctx)
                        subjects[subject_key] = " ".join(subject.split())[:255]
                    body = render_to_string(f"{item_template}_body.txt", ctx).strip()
                rendered[cache_key] = (subjects[subject_key], body)
            subject, body = rendered[cache_key]
        digests[key] = recipient.digest if recipient is not None else "immediate"
        rows.append(
            (
                institution_id,
                recipient.pk if recipient is not None else None,
                address[:254],
                key,
                item_template.rsplit("/", 1)[-1][:80],
                subject,
                body,
                item.get("url", ""),
                channel,
                stamp,
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        created = _insert_batch(rows)
    if email:
        _queue_delivery([pk for pk, key in created if digests[key] == "immediate"])
    return [pk for pk, _ in created]


_INSERT_COLUMNS = (
    "institution_id", "recipient_id", "email", "key", "kind", "subject", "body", "url", "channel",
    "created_at", "attachment_name", "attachment_mimetype", "attachment_content", "email_attempts",
)  # fmt: skip
INSERT_BATCH = 500


def _insert_batch(rows: list[tuple]) -> list[tuple[int, str]]:
    """Insert a batch, skipping keys already there; (id, key) of the rows really created.

    Rows are (institution_id, recipient_id, email, key, kind, subject, body, url, channel,
    created_at as the database takes it), all of the active institution. One
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per INSERT_BATCH rows (PostgreSQL and
    SQLite >= 3.35), inside the caller's transaction: a key a concurrent run inserted first
    is not returned (that run sends it), so every row is sent by exactly one run.
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholder = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    created: list[tuple[int, str]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            chunk = rows[start : start + INSERT_BATCH]
            params = [value for row in chunk for value in (*row, "", "", "", 0)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} "  # noqa: S608
                "ON CONFLICT DO NOTHING RETURNING id, key",
                params,
            )
            created += cursor.fetchall()
    created.sort()
    return created

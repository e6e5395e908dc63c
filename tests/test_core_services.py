"""The core's shared services: durable notifications, audit trail, PDF rendering, registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.conftest import login
from wpl import audit, notifications, registry
from wpl.models import AuditEvent, Notification
from wpl.pdf import PdfFetchRefused, html_to_pdf, url_fetcher
from wpl.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def _notify(personas, *, key="test:1", tenant="a", role="student", **kw):
    member = personas(tenant, role)
    with tenant_context(member.institution_id):
        return notifications.notify(
            recipient=member.user,
            key=key,
            template="wpl/notifications/message",
            context={"subject": "Onderwerp", "body": "Tekst"},
            **kw,
        )


def test_same_occasion_is_notified_once(personas, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(personas)
        second = _notify(personas)
    assert first is not None and second is None
    assert Notification.all_tenants.filter(key="test:1").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [personas("a", "student").user.email]
    assert mail.outbox[0].from_email.startswith("Hogeschool Alpha via WPL <")
    assert Notification.all_tenants.get(key="test:1").email_sent_at is not None


def test_same_key_in_two_institutions_are_two_occasions(personas):
    assert _notify(personas, tenant="a") is not None
    assert _notify(personas, tenant="b") is not None


def test_texts_in_recipients_language(personas):
    user = personas("a", "student").user
    user.preferred_language = "fr"
    user.first_name = "Zoé"
    user.save()
    n = _notify(personas)
    assert n.body.startswith("Bonjour Zoé")
    user.preferred_language = ""
    user.save()
    n = _notify(personas, key="test:2")
    assert n.body.startswith("Hallo Zoé")


def test_delivery_is_idempotent_and_sweep_retries_what_a_dead_worker_left(personas):
    n = _notify(personas)  # no on-commit delivery ran: as if the worker died
    with tenant_context(personas.a):
        assert notifications.pending_ids() == []  # too fresh to retry
        later = timezone.now() + notifications.RETRY_AFTER + timedelta(seconds=1)
        assert notifications.pending_ids(now=later) == [n.pk]
        assert notifications.deliver(notification_id=n.pk) is True
        assert notifications.deliver(notification_id=n.pk) is False
        assert notifications.pending_ids(now=later) == []
    assert len(mail.outbox) == 1


def test_a_batch_goes_out_over_one_connection_each_mail_once(personas, monkeypatch):
    roles = ["student", "mentor", "supervisor", "coordinator"]
    with tenant_context(personas.a):
        items = [
            {"recipient": personas("a", role).user, "key": f"batch:{role}", "subject_key": "same",
             "context": {"subject": "Onderwerp", "body": f"Tekst voor {role}"}}
            for role in roles
        ]  # fmt: skip
        ids = notifications.notify_many(template="wpl/notifications/message", items=items)
        assert len(ids) == 4
        # The same keys again: nothing new (the unique key decides).
        assert notifications.notify_many(template="wpl/notifications/message", items=items) == []
        opened = []
        real = notifications.get_connection
        monkeypatch.setattr(notifications, "get_connection", lambda: opened.append(1) or real())
        assert notifications.deliver_many(notification_ids=ids) == 4
        assert notifications.deliver_many(notification_ids=ids) == 0  # a redelivered task
    assert len(opened) == 1 and len(mail.outbox) == 4  # no connection when nothing is left
    assert sorted(m.to[0] for m in mail.outbox) == sorted(personas("a", r).user.email for r in roles)
    assert not Notification.all_tenants.filter(pk__in=ids, email_sent_at__isnull=True).exists()


def test_a_failed_send_stays_unsent_and_counts_an_attempt(personas, monkeypatch):
    n = _notify(personas)

    def refuse(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr(notifications.EmailMessage, "send", refuse)
    with tenant_context(personas.a), pytest.raises(OSError):
        notifications.deliver(notification_id=n.pk)
    n.refresh_from_db()
    assert n.email_sent_at is None and n.email_attempts == 1


def test_in_app_only_and_digest_recipients_get_no_immediate_mail(personas, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    n = _notify(personas, email=False)
    with tenant_context(personas.a):
        assert notifications.deliver(notification_id=n.pk) is False
    assert mail.outbox == []


def test_notification_centre_shows_own_notifications_and_marks_read(personas):
    mine = _notify(personas, key="mine")
    _notify(personas, key="other", role="mentor")
    client = login(personas("a", "student"))
    page = client.get("/notifications/").content.decode()
    assert "Onderwerp" in page and page.count('class="notification unread"') == 1
    client.post("/notifications/", {"notification": str(mine.pk)})
    mine.refresh_from_db()
    assert mine.read_at is not None
    other = Notification.all_tenants.get(key="other")
    assert other.read_at is None
    # Another person's notification id cannot be marked read.
    client.post("/notifications/", {"notification": str(other.pk)})
    other.refresh_from_db()
    assert other.read_at is None


def test_audit_trail_is_append_only(personas):
    actor = personas("a", "coordinator")
    with tenant_context(personas.a):
        event = audit.record(actor=actor, action="test.do", obj=actor, summary="did it")
        assert event.actor_user_id == actor.user_id and event.object_type == "wpl.membership"
        with pytest.raises(ValueError):
            event.save()
        assert list(AuditEvent.objects.for_object(actor)) == [event]


def test_pdf_fetches_only_static_files():
    assert url_fetcher("wpl-static:/css/wpl.css").read()
    for url in ("http://127.0.0.1:1/x.png", "file:///etc/passwd", "wpl-static:/../../etc/passwd"):
        with pytest.raises(PdfFetchRefused):
            url_fetcher(url)
    pdf = html_to_pdf('<p>Één</p><img src="file:///etc/passwd"><img src="http://example.org/x.png">')
    assert pdf.startswith(b"%PDF")


def test_registry_filters_nav_and_start_items(personas):
    entry = registry.NavEntry(
        label="X", url_name="home", visible=lambda m: m is not None and m.role == "student"
    )
    registry.register_nav(entry)
    try:
        assert entry in registry.nav_entries(personas("a", "student"))
        assert entry not in registry.nav_entries(personas("a", "mentor"))
    finally:
        registry._registry.nav.remove(entry)

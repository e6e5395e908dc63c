"""Mails speak the recipient's language and come from the institution, never from a host name."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, StudentFactory, UserFactory
from wpl.models import Role
from wpl.tenancy import tenant_context


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Notifications remember in the cache what they sent, keyed by ids that repeat between
    # tests; leave nothing behind for the next test in this process.
    cache.clear()
    yield
    cache.clear()


def _request_code(email: str, accept_language: str = "nl") -> mail.EmailMessage:
    mail.outbox.clear()
    Client(HTTP_ACCEPT_LANGUAGE=accept_language).post(reverse("account_request_login_code"), {"email": email})
    assert len(mail.outbox) == 1
    return mail.outbox[0]


@pytest.fixture
def alpha_mentor(personas):
    return personas("a", Role.MENTOR).user


def test_sign_in_code_mail_names_the_institution_not_the_host(alpha_mentor):
    message = _request_code(alpha_mentor.email)
    assert message.subject == "Hogeschool Alpha: Aanmeldcode"
    assert parseaddr(message.from_email) == ("Hogeschool Alpha via WPL", "no-reply@wpl.localhost")
    assert "testserver" not in message.body and "127.0.0.1" not in message.body
    assert "Hallo van" not in message.body
    assert message.body.startswith("Hallo,")
    assert "Hogeschool Alpha" in message.body


def test_sign_in_code_mail_in_the_recipients_language(alpha_mentor):
    alpha_mentor.preferred_language = "fr"
    alpha_mentor.save()
    # The browser asks for Dutch; the person chose French.
    message = _request_code(alpha_mentor.email, accept_language="nl")
    assert message.subject == "Hogeschool Alpha: Code de connexion"
    assert message.body.startswith("Bonjour,")


def test_without_a_preference_the_institutions_default_language(personas, alpha_mentor):
    personas.a.default_language = "fr"
    personas.a.save()
    message = _request_code(alpha_mentor.email, accept_language="en")
    assert message.subject == "Hogeschool Alpha: Code de connexion"


def test_person_without_a_role_gets_the_platform_name(db):
    user = UserFactory(email="nobody@example.test")
    message = _request_code(user.email)
    assert message.subject == "WPL: Aanmeldcode"
    assert parseaddr(message.from_email) == ("WPL", "no-reply@wpl.localhost")


def test_person_in_two_institutions_hears_from_the_oldest_role(personas):
    user = personas.shared_mentor[0].user
    message = _request_code(user.email)
    assert message.subject.startswith("Hogeschool Alpha:")


def test_workplace_invitation_in_the_recipients_language(
    personas, client_for, django_capture_on_commit_callbacks
):
    from tests.factories import OrganisationFactory

    existing = UserFactory(email="contact@host.test", preferred_language="fr")
    with tenant_context(personas.a):
        organisation = OrganisationFactory(institution=personas.a)
    client = client_for(personas("a", Role.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invitation-create"),
            {
                "organisation": organisation.pk,
                "email": existing.email,
                "role": "org_admin",
                "purpose": "offer",
            },
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert parseaddr(message.from_email)[0] == "Hogeschool Alpha via WPL"
    assert message.body.startswith("Bonjour,")


def test_student_invitation_in_the_institutions_language(
    personas, client_for, django_capture_on_commit_callbacks
):
    personas.a.default_language = "fr"
    personas.a.save()
    with tenant_context(personas.a):
        student = StudentFactory(institution=personas.a, first_name="Léa")
    client = client_for(personas("a", Role.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("student-invite"), {"student": [student.pk]})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.startswith("Chère/Cher Léa,") or "Léa" in mail.outbox[0].body.splitlines()[0]
    assert "Hogeschool Alpha" in mail.outbox[0].subject
    assert "stage" in mail.outbox[0].body.lower() or "apprentissage" in mail.outbox[0].body.lower()


def test_membership_in_one_institution_only_speaks_for_it(personas):
    user = UserFactory(email="solo@beta.test")
    MembershipFactory(institution=personas.b, user=user, role=Role.STUDENT)
    assert _request_code(user.email).subject.startswith("Hogeschool Beta:")


def test_placement_notifications_in_each_recipients_language(personas, django_capture_on_commit_callbacks):
    from matching.tasks import notify_placement_published
    from tests.factories import PlacementFactory

    with tenant_context(personas.a):
        placement = PlacementFactory(institution=personas.a)
        student_user = UserFactory(email=placement.student.email, preferred_language="fr")
        placement.student.user = student_user
        placement.student.save()
    mail.outbox.clear()
    # Mails are durable notifications, delivered once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        notify_placement_published(institution_id=personas.a.pk, placement_id=placement.pk)
    to_student = next(m for m in mail.outbox if m.to == [placement.student.email])
    assert to_student.subject == "Votre affectation d’apprentissage en milieu professionnel"
    assert parseaddr(to_student.from_email)[0] == "Hogeschool Alpha via WPL"
    others = [m for m in mail.outbox if m.to != [placement.student.email]]
    assert all(not m.subject.startswith("Votre") for m in others)

"""Shared personas: every role in two institutions, plus one mentor in both."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import InstitutionFactory, MembershipFactory, UserFactory
from wpl.middleware import SESSION_KEY
from wpl.models import Institution, Membership, Role
from wpl.tenancy import tenant_context

TENANTS = ("a", "b")
ROLES = [r.value for r in Role]


@dataclass
class Personas:
    a: Institution
    b: Institution
    members: dict[tuple[str, str], Membership]
    shared_mentor: tuple[Membership, Membership]

    def __call__(self, tenant: str, role: str) -> Membership:
        return self.members[(tenant, role)]

    def institution(self, tenant: str) -> Institution:
        return self.a if tenant == "a" else self.b


@pytest.fixture
def personas(db) -> Personas:
    a = InstitutionFactory(slug="alpha", name="Hogeschool Alpha")
    b = InstitutionFactory(slug="beta", name="Hogeschool Beta")
    members = {}
    for tenant, institution in (("a", a), ("b", b)):
        for role in ROLES:
            user = UserFactory(email=f"{role}@{institution.slug}.test")
            members[(tenant, role)] = MembershipFactory(institution=institution, user=user, role=role)
    shared_user = UserFactory(email="shared.mentor@both.test")
    shared = (
        MembershipFactory(institution=a, user=shared_user, role=Role.MENTOR),
        MembershipFactory(institution=b, user=shared_user, role=Role.MENTOR),
    )
    return Personas(a=a, b=b, members=members, shared_mentor=shared)


def login(membership: Membership) -> Client:
    """A browser client signed in with `membership` as the active role."""
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


@pytest.fixture
def client_for():
    return login


@pytest.fixture
def in_tenant():
    return tenant_context


def shown(text: str, **params) -> str:
    """What a person sees for a translatable message in the default language (Dutch)."""
    from django.utils import translation

    with translation.override("nl"):
        message = translation.gettext(text)
    return message % params if params else message


@pytest.fixture(autouse=True)
def _api_answers_follow_the_schema(monkeypatch):
    """Every API answer any test client gets is validated against the OpenAPI schema."""
    from tests.schema_check import wrap_client_request

    monkeypatch.setattr(Client, "request", wrap_client_request(Client.request))


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request's LocaleMiddleware leaves its
    language active in the worker thread, which would leak into the next test's services."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- browsers and Celery workers (helpers in tests/fixtures.py) ---------------------------------
@pytest.fixture
def browser():
    """Headless Chromium at a desktop size (browser tests only)."""
    from tests.fixtures import chrome

    yield from chrome("1400,1000")


@pytest.fixture
def phone():
    """Headless Chromium at a 375 px phone width."""
    from tests.fixtures import chrome

    yield from chrome("375,812")


@pytest.fixture
def eager_off():
    """Send this test's Celery tasks to the broker instead of running them in-process."""
    from tests.fixtures import celery_eager_off

    yield from celery_eager_off()

"""Demo data: two institutions with one demo login per role (`<role>@<slug>.demo`).

Idempotent: running it again updates the same rows. Feature apps register their demo
seeders with `wpl.registry.register_demo_seeder`; each runs inside its institution.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.db import transaction

from wpl import registry
from wpl.models import Institution, Membership, Role, User
from wpl.tenancy import tenant_context

DEMO_PASSWORD = "wpl-demo"  # noqa: S105 - published demo credential, demo users only

INSTITUTIONS = [
    ("odisee", "Odisee"),
    ("thomasmore", "Thomas More"),
]

ROLE_LOGINS = [
    (Role.INSTITUTION_ADMIN, "admin"),
    (Role.COORDINATOR, "coordinator"),
    (Role.SUPERVISOR, "supervisor"),
    (Role.MENTOR, "mentor"),
    (Role.ORG_ADMIN, "orgadmin"),
    (Role.STUDENT, "student"),
]

NAMES = {
    ("odisee", "admin"): ("Ann", "Peeters"),
    ("odisee", "coordinator"): ("Bram", "Janssens"),
    ("odisee", "supervisor"): ("Chloé", "Dubois"),
    ("odisee", "mentor"): ("Dirk", "Maes"),
    ("odisee", "orgadmin"): ("Els", "Claes"),
    ("odisee", "student"): ("Fatima", "El Amrani"),
    ("thomasmore", "admin"): ("Geert", "Wouters"),
    ("thomasmore", "coordinator"): ("Hanne", "Goossens"),
    ("thomasmore", "supervisor"): ("Ilse", "Mertens"),
    ("thomasmore", "mentor"): ("Jan", "Willems"),
    ("thomasmore", "orgadmin"): ("Karim", "Bennani"),
    ("thomasmore", "student"): ("Lotte", "Vermeulen"),
}


SHARED_MENTOR = "mentor@odisee.demo"  # also mentor at Thomas More


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    institutions: tuple[str, ...]


def demo_email(local: str, slug: str) -> str:
    return f"{local}@{slug}.demo"


def ensure_user(email: str, first_name: str = "", last_name: str = "") -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "is_demo": True}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.is_demo = True
        user.save()
    return user


def ensure_membership(user: User, institution: Institution, role: str) -> Membership:
    with tenant_context(institution):
        membership, _ = Membership.objects.get_or_create(user=user, role=role)
    return membership


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    institutions = {}
    for slug, name in INSTITUTIONS:
        institution, _ = Institution.objects.update_or_create(slug=slug, defaults={"name": name})
        institutions[slug] = institution
        for role, local in ROLE_LOGINS:
            first, last = NAMES[(slug, local)]
            user = ensure_user(demo_email(local, slug), first, last)
            ensure_membership(user, institution, role)
            logins.append(DemoLogin(user.email, role, (name,)))
    shared = User.objects.get(email=SHARED_MENTOR)
    ensure_membership(shared, institutions["thomasmore"], Role.MENTOR)
    logins = [
        DemoLogin(x.email, x.role, ("Odisee", "Thomas More")) if x.email == SHARED_MENTOR else x
        for x in logins
    ]
    for institution in institutions.values():
        with tenant_context(institution):
            for dotted in registry.demo_seeders():
                module_name, func_name = dotted.rsplit(".", 1)
                getattr(import_module(module_name), func_name)(institution)
    return logins

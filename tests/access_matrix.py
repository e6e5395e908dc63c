"""The access matrix: every named route, who may use it, and how to build its objects.

`test_isolation_sweep.py` enumerates every URL pattern and fails when a route is missing
here. Each feature adds its routes and object builders to this file.

Statuses are for personas of institution A requesting A's objects; for B's objects every
role that can use the route must get 404, and nothing seeded into B (its marker string)
may appear in any response to A.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wpl.models import Role

ALL_ROLES = frozenset(r.value for r in Role)
STAFF = frozenset({Role.INSTITUTION_ADMIN, Role.COORDINATOR})
SCHOOL = STAFF | {Role.SUPERVISOR}


@dataclass(frozen=True)
class Route:
    name: str
    allowed: frozenset[str]  # roles that get `ok` on their own institution's object
    obj: str | None = None  # key in OBJECT_BUILDERS, for routes with an object id
    ok: int = 200
    denied: int = 403  # status for roles not in `allowed`
    anonymous: int = 302  # pages redirect to sign-in; the API answers 403
    api: bool = False
    # Some roles may use the route but see only their own objects: A's (foreign) object -> 404.
    own_only: frozenset[str] = frozenset()
    kwargs: Callable[[object], dict] | None = None  # url kwargs from the built object
    note: str = ""


@dataclass(frozen=True)
class Exempt:
    """Routes swept by other tests, with the reason."""

    prefix: str
    reason: str


def api(name: str, allowed, **kw) -> Route:
    return Route(name=name, allowed=frozenset(allowed), api=True, anonymous=403, **kw)


def page(name: str, allowed, **kw) -> Route:
    return Route(name=name, allowed=frozenset(allowed), **kw)


# --- object builders: (institution, marker) -> object ------------------------------------
def build_membership(institution, marker):
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(
        institution=institution, role=Role.STUDENT, user=UserFactory(last_name=marker)
    )


OBJECT_BUILDERS: dict[str, Callable] = {
    "membership": build_membership,
}

ROUTES: list[Route] = [
    page("home", ALL_ROLES),
    page("people-list", SCHOOL),
    page("person-detail", ALL_ROLES, obj="membership", own_only=ALL_ROLES - SCHOOL),
    page("health", ALL_ROLES, anonymous=200),
    page("javascript-catalog", ALL_ROLES, anonymous=200),
    api("api-root", ALL_ROLES),
    api("api-me", ALL_ROLES),
    api("api-schema", ALL_ROLES),
    page("api-docs", ALL_ROLES, anonymous=403),
    api("membership-list", ALL_ROLES),
    api("membership-detail", ALL_ROLES, obj="membership", own_only=ALL_ROLES - SCHOOL),
]

# Routes whose access is tested elsewhere, with the reason.
EXEMPT: list[Exempt] = [
    Exempt("admin:", "Django admin: superusers only; scoped by TenantAdmin, see test_admin.py"),
    Exempt("account_", "sign-in, sign-out and password pages of allauth; see test_auth.py"),
    Exempt("mfa_", "MFA pages of allauth for the signed-in person; see test_auth.py"),
    Exempt("set_language", "POST-only language switch; see test_i18n.py"),
    Exempt("switch-membership", "POST-only role switch; see test_switcher.py"),
]

ROUTE_INDEX = {r.name: r for r in ROUTES}

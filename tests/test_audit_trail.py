"""One audit trail: every write service takes the acting membership as `actor=` and records
who did what, in the active institution (wpl/audit.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.conf import settings
from django.urls import reverse

from catalogue import services as catalogue_services
from matching import services as matching_services
from matching.models import Assignment
from tests.factories import ProgrammeFactory
from tests.fixtures import make_world
from wpl.models import AuditEvent

SERVICE_APPS = ["wpl", *settings.WPL_FEATURE_APPS]


def service_modules():
    """Every `<app>.services` module (or each module of a `services` package)."""
    for app in SERVICE_APPS:
        try:
            module = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.services":
                raise
            continue
        yield module
        if hasattr(module, "__path__"):
            for info in pkgutil.iter_modules(module.__path__):
                yield importlib.import_module(f"{module.__name__}.{info.name}")


def public_functions(module):
    for name, func in inspect.getmembers(module, inspect.isfunction):
        if not name.startswith("_") and func.__module__ == module.__name__:
            yield name, func


def test_there_are_service_modules_to_check():
    names = {m.__name__ for m in service_modules()}
    assert {"catalogue.services", "matching.services", "logbooks.services", "agreements.services"} <= names


@pytest.mark.parametrize("module", list(service_modules()), ids=lambda m: m.__name__)
def test_every_public_write_service_takes_actor_keyword_only(module):
    exempt = getattr(module, "NOT_ACTOR_SERVICES", {})
    missing = []
    for name, func in public_functions(module):
        if name in exempt:
            continue
        parameter = inspect.signature(func).parameters.get("actor")
        if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            missing.append(name)
    assert not missing, f"{module.__name__}: write services without a keyword-only actor: {missing}"


@pytest.mark.parametrize("module", list(service_modules()), ids=lambda m: m.__name__)
def test_exemptions_name_real_functions_with_a_reason(module):
    exempt = getattr(module, "NOT_ACTOR_SERVICES", {})
    functions = dict(public_functions(module))
    for name, reason in exempt.items():
        assert name in functions, f"{module.__name__}.NOT_ACTOR_SERVICES names {name!r}, which is gone"
        assert len(reason) > 10, f"{module.__name__}.{name}: say why it is no write service"
        assert "actor" not in inspect.signature(functions[name]).parameters, (
            f"{module.__name__}.{name} takes actor=: drop it from NOT_ACTOR_SERVICES"
        )


def test_a_page_write_records_the_actor_and_institution(personas, client_for, in_tenant):
    coordinator = personas("a", "coordinator")
    response = client_for(coordinator).post(
        reverse("programme-create"),
        {"name": "Graduaat HR-support", "code": "hr-support", "form": "graduate", "years": "2"},
    )
    assert response.status_code == 302, response.content
    event = AuditEvent.all_tenants.get(action="catalogue.programme.create")
    assert event.actor_user_id == coordinator.user_id
    assert event.actor_role == "coordinator"
    assert event.institution_id == personas.a.pk
    assert event.object_type == "catalogue.programme"
    with in_tenant(personas.a):
        assert event.object_id == catalogue_services.Programme.objects.get(code="hr-support").pk
    # Nothing leaks into the other institution's trail.
    assert not AuditEvent.all_tenants.filter(institution=personas.b).exists()


def test_an_api_write_records_the_actor(personas, client_for, in_tenant):
    coordinator = personas("a", "coordinator")
    programme = ProgrammeFactory(institution=personas.a, years=3)
    response = client_for(coordinator).post(
        reverse("api-student-list"),
        {
            "student_number": "r7654321",
            "first_name": "Ada",
            "last_name": "Peeters",
            "email": "ada@students.test",
            "programme": programme.pk,
            "year": 1,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.all_tenants.get(action="students.student.create")
    assert (event.actor_user_id, event.institution_id) == (coordinator.user_id, personas.a.pk)
    assert event.object_id == response.json()["id"]


def test_an_audited_service_records_its_target_and_a_system_actor(personas, in_tenant):
    world = make_world(personas.a, students=2, offers=1, places=1)
    coordinator = personas("a", "coordinator")
    with in_tenant(personas.a):
        matching_services.assign(
            round=world.round, student=world.students[0], offer_id=world.offers[0].pk, actor=coordinator
        )
        matching_services.unassign(round=world.round, student=world.students[0], actor=None)
    assign, unassign = AuditEvent.all_tenants.filter(action__startswith="matching.board.").order_by("id")
    assert assign.action == "matching.board.assign"
    assert (assign.actor_user_id, assign.actor_role) == (coordinator.user_id, "coordinator")
    assert (assign.object_type, assign.object_id) == ("students.student", world.students[0].pk)
    assert unassign.action == "matching.board.unassign"
    assert (unassign.actor_user_id, unassign.actor_role) == (None, "")  # the system
    assert {assign.institution_id, unassign.institution_id} == {personas.a.pk}


def test_a_refused_write_leaves_no_audit_event(personas, in_tenant):
    world = make_world(personas.a, students=2, offers=1, places=1)
    coordinator = personas("a", "coordinator")
    with in_tenant(personas.a):
        matching_services.assign(
            round=world.round, student=world.students[0], offer_id=world.offers[0].pk, actor=coordinator
        )
        with pytest.raises(matching_services.MatchingConflict):
            matching_services.assign(
                round=world.round, student=world.students[1], offer_id=world.offers[0].pk, actor=coordinator
            )
    assert Assignment.all_tenants.filter(round=world.round).count() == 1
    assert AuditEvent.all_tenants.filter(action="matching.board.assign").count() == 1


def test_a_delete_keeps_the_id_of_what_was_deleted(personas, client_for, in_tenant):
    from catalogue.models import AcademicCalendar, SchoolHoliday

    coordinator = personas("a", "coordinator")
    with in_tenant(personas.a):
        calendar = catalogue_services.save_calendar(
            actor=coordinator,
            academic_year="2026-2027",
            wpl_start="2026-09-21",
            wpl_end="2027-06-30",
        )
        holiday = catalogue_services.save_school_holiday(
            actor=coordinator, calendar=calendar, name="Krokus", start="2027-02-15", end="2027-02-19"
        )
    holiday_id = holiday.pk
    response = client_for(coordinator).post(reverse("holiday-delete", args=[holiday_id]))
    assert response.status_code == 302
    with in_tenant(personas.a):
        assert not SchoolHoliday.objects.filter(pk=holiday_id).exists()
        assert AcademicCalendar.objects.filter(pk=calendar.pk).exists()
    event = AuditEvent.all_tenants.get(action="catalogue.schoolholiday.delete")
    assert (event.object_id, event.actor_user_id) == (holiday_id, coordinator.user_id)

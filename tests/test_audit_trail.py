"""One audit trail: every write service takes the acting membership as `actor=` and records
who did what, in the active institution (wpl/audit.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from catalogue import services as catalogue_services
from matching import services as matching_services
from matching.models import Assignment
from tests.factories import ProgrammeFactory
from tests.fixtures import make_world
from workplaces.models import AccessInvitation
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


# --- writes happen in services -----------------------------------------------------------
ROOT = Path(settings.BASE_DIR)
WRITE_CALL = re.compile(
    r"\.(save|delete|bulk_create|bulk_update|get_or_create|update_or_create)\("
    r"|\b(objects|all_tenants)\.create\("
    r"|(\)|\bobjects|\ball_tenants)\.update\("
)
# Modules outside `services` that may write, each with the reason. Everything else that saves,
# creates, updates or deletes rows goes through a service (actor=, audit) instead.
WRITES_ALLOWED = {
    "wpl/tenancy.py": "the write guards themselves (TenantModel.save, the guarded querysets)",
    "wpl/models.py": "the user manager and the models' own save()",
    "wpl/audit.py": "the audit trail's own rows",
    "wpl/notifications.py": "the notification rows and their delivery state (core plumbing of notify())",
    "wpl/tokens.py": "API tokens of the signed-in person, revoked on sign-out or a new authenticator",
    "wpl/importers.py": "file storage of a staged upload (default_storage), no rows",
    "wpl/exports.py": "saves a workbook into a buffer, no rows",
    "wpl/registry.py": "merges sets of days, no rows",
    "students/imports.py": "the import spec's apply(), run only by imports.services.run_import (audited)",
    "workplaces/imports.py": "the import spec's apply(), run only by imports.services.run_import (audited)",
    "agreements/models.py": "the append-only acceptance log refuses writes in its own save()",
    "agreements/storage.py": "file storage of sealed PDFs (default_storage), no rows",
    "agreements/batch.py": "a batch ZIP task's progress on its own BatchExport row (the request was audited)",
    "logbooks/api.py": "serializer.save() runs the serializers' create()/update(): logbooks.services",
}


def python_modules_outside_services():
    for app in SERVICE_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            parts = path.relative_to(ROOT / app).parts
            if parts[0] in {"migrations", "services", "services.py", "demo.py", "management", "tests"}:
                continue  # services; seeders and commands run as the system
            yield relative, path


def test_writes_outside_services_are_few_and_named():
    offenders = {}
    seen = set()
    for relative, path in python_modules_outside_services():
        seen.add(relative)
        lines = [
            f"{number}: {line.strip()}"
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if WRITE_CALL.search(line) and not line.lstrip().startswith("#")
        ]
        if lines and relative not in WRITES_ALLOWED:
            offenders[relative] = lines
    assert not offenders, f"write through a service (actor=, audit), not here: {offenders}"
    gone = set(WRITES_ALLOWED) - seen
    assert not gone, f"WRITES_ALLOWED names modules that are gone: {gone}"


def test_an_invitation_is_audited_from_sending_to_accepting(
    personas, client_for, in_tenant, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.factories import OrganisationFactory

    coordinator = personas("a", "coordinator")
    organisation = OrganisationFactory(institution=personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            reverse("invitation-create"),
            {
                "organisation": organisation.pk,
                "email": "nora@host.example.org",
                "first_name": "Nora",
                "last_name": "Nieuw",
                "role": "org_admin",
                "purpose": "offer",
                "message": "",
            },
        )
    assert response.status_code == 302
    token = re.search(r"/invite/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body).group(1)
    created = AccessInvitation.all_tenants.get()
    sent = AuditEvent.all_tenants.get(action="workplaces.invitation.create")
    assert (sent.actor_user_id, sent.object_id, sent.institution_id) == (
        coordinator.user_id,
        created.pk,
        personas.a.pk,
    )
    assert Client().post(reverse("invite-accept", args=[token])).status_code == 302
    accepted = AuditEvent.all_tenants.get(action="workplaces.invitation.accept")
    created.refresh_from_db()
    # The person who used the link, in the invitation's institution.
    assert (accepted.actor_user_id, accepted.actor_role) == (created.accepted_by_id, "org_admin")
    assert (accepted.object_id, accepted.institution_id) == (created.pk, personas.a.pk)


def test_inviting_students_in_bulk_is_audited(personas, client_for, in_tenant):
    from tests.factories import StudentFactory

    coordinator = personas("a", "coordinator")
    student = StudentFactory(institution=personas.a)
    response = client_for(coordinator).post(reverse("student-invite"), {"student": [str(student.pk)]})
    assert response.status_code == 302
    event = AuditEvent.all_tenants.get(action="access.students.invite")
    assert (event.actor_user_id, event.institution_id) == (coordinator.user_id, personas.a.pk)
    assert event.data["invited"] == [student.pk]


def test_settings_pages_write_through_audited_services(personas, client_for, in_tenant):
    from logbooks.models import LogbookSettings
    from placements.reminders import ReminderRule

    coordinator = personas("a", "coordinator")
    programme = ProgrammeFactory(institution=personas.a)
    client = client_for(coordinator)
    response = client.post(
        reverse("logbook-settings", args=[programme.pk]),
        {
            "only_inside_placement": "on",
            "full_day_min_hours": "7",
            "day_max_hours": "9",
            "sunday_holiday_factor": "1",
            "behind_threshold_percent": "15",
            "not_logged_wpl_days": "4",
            "review_backlog_days": "5",
        },
    )
    assert response.status_code == 302, response.content
    with in_tenant(personas.a):
        stored = LogbookSettings.objects.get(programme=programme)
    assert (stored.day_max_hours, stored.not_logged_wpl_days, stored.allow_future) == (9, 4, False)
    event = AuditEvent.all_tenants.get(action="logbook.settings.save")
    assert (event.actor_user_id, event.object_id) == (coordinator.user_id, stored.pk)

    response = client.post(
        reverse("reminder-rules", args=[programme.pk]),
        {
            "kind": "logbook.gap",
            "logbook.gap-days": "5",
            "logbook.gap-step_days": "2",
            "logbook.gap-step_0": "student",
            "logbook.gap-step_1": "mentor",
        },
    )
    assert response.status_code == 302, response.content
    with in_tenant(personas.a):
        assert ReminderRule.objects.get(programme=programme, kind="logbook.gap").days == 5
    assert (
        AuditEvent.all_tenants.get(action="placements.reminder_rule.save").actor_user_id
        == coordinator.user_id
    )

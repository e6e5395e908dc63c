"""Tenancy guards writes: save, delete, bulk_create, bulk_update, queryset update/delete
and many-to-many changes refuse rows of another institution, foreign keys to another
institution's rows, and any write with no active institution outside `unscoped_writes()`.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import F

from catalogue.models import ProfessionalRole
from placements.models import Placement
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlacementFactory,
    ProfessionalRoleFactory,
    ProgrammeFactory,
    SiteFactory,
    StudentFactory,
    create_in_tenant,
)
from workplaces.models import Organisation, Site
from wpl import tasks
from wpl.models import Membership, Role
from wpl.tenancy import (
    CrossTenantWrite,
    TenantNotSet,
    get_current_institution_id,
    tenant_context,
    unscoped_writes,
    writes_unscoped,
)


@pytest.fixture
def world(personas):
    """An organisation with a site, a role and a student in each institution."""
    rows = {}
    for key, institution in (("a", personas.a), ("b", personas.b)):
        site = SiteFactory(institution=institution, organisation__name=f"Org {key}")
        rows[key] = {
            "institution": institution,
            "organisation": site.organisation,
            "site": site,
            "role": ProfessionalRoleFactory(institution=institution),
            "student": StudentFactory(institution=institution),
        }
    return rows


def refused(exception):
    """pytest.raises inside a savepoint: Django runs m2m changes in an atomic block without a
    savepoint of its own, so a refusal there would otherwise break the test's transaction."""
    import contextlib

    @contextlib.contextmanager
    def block():
        with pytest.raises(exception), transaction.atomic():
            yield

    return block()


def site_names(institution) -> list[str]:
    return sorted(Site.all_tenants.filter(institution=institution).values_list("name", flat=True))


# --- save ------------------------------------------------------------------------------------
def test_new_row_pointing_at_other_institution_is_refused(world):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        with pytest.raises(CrossTenantWrite):
            Site(organisation=b["organisation"], name="Filiaal").save()  # object in memory
        with pytest.raises(CrossTenantWrite):
            Site(organisation_id=b["organisation"].pk, name="Filiaal").save()  # bare id
        with pytest.raises(CrossTenantWrite):
            Site(organisation_id=str(b["organisation"].pk), name="Filiaal").save()
        with pytest.raises(CrossTenantWrite):
            Site.objects.create(organisation_id=b["organisation"].pk, name="Filiaal")
    assert not Site.all_tenants.filter(name="Filiaal").exists()


def test_existing_row_moved_to_other_institutions_parent_is_refused(world):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        site = Site.objects.get(pk=a["site"].pk)
        site.organisation_id = b["organisation"].pk
        with pytest.raises(CrossTenantWrite):
            site.save()
        with pytest.raises(CrossTenantWrite):
            site.save(update_fields=["organisation"])
    assert Site.all_tenants.get(pk=a["site"].pk).organisation_id == a["organisation"].pk


def test_every_foreign_key_is_checked_in_one_query(world, django_assert_num_queries):
    """A placement with four foreign keys given as ids: one lookup for all, then the insert."""
    a, b = world["a"], world["b"]
    programme = a["student"].programme
    fields = {
        "student_id": a["student"].pk,
        "organisation_id": a["organisation"].pk,
        "site_id": a["site"].pk,
        "programme_id": programme.pk,
        "academic_year": "2026-2027",
        "year": 1,
    }
    with tenant_context(a["institution"]):
        with django_assert_num_queries(2):
            Placement(**fields).save()
        # The stray one may be any of them.
        with pytest.raises(CrossTenantWrite, match="site"):
            Placement(**{**fields, "site_id": b["site"].pk}).save()
        with pytest.raises(CrossTenantWrite, match="supervisor"):
            Placement(**fields, supervisor=MembershipFactory(institution=b["institution"])).save()
    assert Placement.all_tenants.count() == 1


def test_cached_related_objects_cost_no_query(world, django_assert_num_queries):
    a = world["a"]
    with tenant_context(a["institution"]):
        with django_assert_num_queries(1):  # the INSERT only
            site = Site(organisation=a["organisation"], name="Filiaal")
            site.save()
        # A row read from the database and saved with the same foreign keys: the UPDATE only.
        loaded = Site.objects.get(pk=site.pk)
        loaded.name = "Filiaal Noord"
        with django_assert_num_queries(1):
            loaded.save()
        with django_assert_num_queries(1):
            loaded.save(update_fields=["name"])
        # Changing a foreign key to an id looks it up once.
        other = SiteFactory(institution=a["institution"]).organisation
        loaded.organisation_id = other.pk
        with django_assert_num_queries(2):
            loaded.save()
        with django_assert_num_queries(1):
            loaded.save()  # now stored and checked
    assert Site.all_tenants.get(pk=site.pk).organisation_id == other.pk


def test_same_institution_save_is_accepted(world):
    a = world["a"]
    with tenant_context(a["institution"]):
        site = Site.objects.create(organisation_id=a["organisation"].pk, name="Filiaal")
        site.name = "Filiaal 2"
        site.save()
    assert site.institution_id == a["institution"].pk
    assert Site.all_tenants.get(pk=site.pk).name == "Filiaal 2"


def test_other_institutions_row_cannot_be_saved_or_deleted(world):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        with pytest.raises(CrossTenantWrite):
            b["site"].save()
        with pytest.raises(CrossTenantWrite):
            b["site"].delete()
    assert Site.all_tenants.filter(pk=b["site"].pk).exists()


# --- no active institution -------------------------------------------------------------------
def test_every_write_without_institution_is_refused(world):
    a = world["a"]
    site, organisation, role = a["site"], a["organisation"], a["role"]
    site.name = "Zonder instelling"
    with pytest.raises(TenantNotSet):
        site.save()
    with pytest.raises(TenantNotSet):
        site.delete()
    with pytest.raises(TenantNotSet):
        Site(organisation=organisation, name="Nieuw").save()
    with pytest.raises(TenantNotSet):
        Site(institution=a["institution"], organisation=organisation, name="Nieuw").save()
    with pytest.raises(TenantNotSet):
        Site.all_tenants.bulk_create([Site(institution=a["institution"], organisation=organisation)])
    with pytest.raises(TenantNotSet):
        Site.all_tenants.bulk_update([site], ["name"])
    with pytest.raises(TenantNotSet):
        Site.all_tenants.filter(pk=site.pk).update(name="Zonder instelling")
    with pytest.raises(TenantNotSet):
        Site.all_tenants.filter(pk=site.pk).delete()
    with refused(TenantNotSet):
        organisation.roles.add(role)
    with refused(TenantNotSet):
        organisation.roles.clear()
    stored = Site.all_tenants.get(pk=site.pk)
    assert stored.name != "Zonder instelling"
    assert Site.all_tenants.filter(institution=a["institution"]).count() == 1
    with tenant_context(a["institution"]):
        assert not organisation.roles.exists()


# --- bulk_create and bulk_update -------------------------------------------------------------
def test_bulk_create_checks_every_row(world, django_assert_num_queries):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        with pytest.raises(CrossTenantWrite):
            Site.objects.bulk_create(
                [
                    Site(organisation_id=a["organisation"].pk, name="Goed"),
                    Site(organisation_id=b["organisation"].pk),
                ]
            )
        with pytest.raises(CrossTenantWrite):
            Site.objects.bulk_create([Site(institution=b["institution"], organisation=b["organisation"])])
        assert site_names(a["institution"]) == ["Hoofdzetel"]
        # Allowed: one lookup for the whole batch's foreign keys, then the insert.
        rows = [Site(organisation_id=a["organisation"].pk, name=f"Filiaal {n}") for n in range(20)]
        with django_assert_num_queries(2):
            Site.objects.bulk_create(rows)
        # With the parent in memory: the insert only.
        with django_assert_num_queries(1):
            Site.objects.bulk_create([Site(organisation=a["organisation"], name="Laatste")])
    assert len(site_names(a["institution"])) == 22
    assert {s.institution_id for s in rows} == {a["institution"].pk}
    assert site_names(b["institution"]) == ["Hoofdzetel"]


def test_bulk_update_checks_changed_foreign_keys(world):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        site = Site.objects.get(pk=a["site"].pk)
        site.organisation_id = b["organisation"].pk
        with pytest.raises(CrossTenantWrite):
            Site.objects.bulk_update([site], ["organisation"])
        site.organisation_id = a["organisation"].pk
        site.name = "Bijgewerkt"
        Site.objects.bulk_update([site], ["organisation", "name"])
        with pytest.raises(CrossTenantWrite):
            Site.all_tenants.bulk_update([b["site"]], ["name"])
    assert Site.all_tenants.get(pk=a["site"].pk).name == "Bijgewerkt"
    assert Site.all_tenants.get(pk=b["site"].pk).organisation_id == b["organisation"].pk


# --- queryset update and delete --------------------------------------------------------------
def test_update_pointing_at_other_institution_is_refused(world):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        sites = Site.objects.filter(pk=a["site"].pk)
        with pytest.raises(CrossTenantWrite):
            sites.update(organisation=b["organisation"])
        with pytest.raises(CrossTenantWrite):
            sites.update(organisation_id=b["organisation"].pk)
        with pytest.raises(CrossTenantWrite):
            sites.update(organisation_id=str(b["organisation"].pk))  # as a form would send it
        with pytest.raises(CrossTenantWrite):
            sites.update(organisation=F("organisation"))  # an expression cannot be checked
        with pytest.raises(CrossTenantWrite):
            Site.all_tenants.filter(pk=a["site"].pk).update(institution=b["institution"])
        # A reverse relation's add() is an update too.
        with pytest.raises(CrossTenantWrite):
            b["organisation"].sites.add(a["site"])
        # Allowed: same institution, object or id.
        other = OrganisationFactory(institution=a["institution"])
        assert sites.update(organisation=other) == 1
        assert sites.update(organisation_id=a["organisation"].pk, name="Terug") == 1
    assert Site.all_tenants.get(pk=a["site"].pk).organisation_id == a["organisation"].pk


def test_update_and_delete_reach_only_the_active_institution(world):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        assert Site.all_tenants.update(name="Overal") == 1
        assert Site.all_tenants.filter(pk=b["site"].pk).update(name="Overal") == 0
        deleted, _ = Site.all_tenants.all().delete()
        assert deleted == 1
    assert site_names(b["institution"]) == ["Hoofdzetel"]
    assert site_names(a["institution"]) == []


# --- many-to-many ----------------------------------------------------------------------------
def test_m2m_add_and_set_refuse_other_institution(world):
    a, b = world["a"], world["b"]
    organisation = a["organisation"]
    with tenant_context(a["institution"]):
        with refused(CrossTenantWrite):
            organisation.roles.add(b["role"])
        with refused(CrossTenantWrite):
            organisation.roles.add(b["role"].pk)
        with refused(CrossTenantWrite):
            organisation.roles.set([a["role"], b["role"]])
        # The reverse side is guarded the same way.
        with refused(CrossTenantWrite):
            b["role"].organisations.add(organisation)
        assert not organisation.roles.exists()
        organisation.roles.set([a["role"]])
        assert list(organisation.roles.all()) == [a["role"]]
        # Changing another institution's links from A is refused.
        with refused(CrossTenantWrite):
            b["organisation"].roles.clear()
        with refused(CrossTenantWrite):
            b["organisation"].roles.remove(b["role"])
        organisation.roles.remove(a["role"])
        assert not organisation.roles.exists()


# --- unscoped_writes() and nesting -----------------------------------------------------------
def test_unscoped_block_writes_across_institutions(world):
    a, b = world["a"], world["b"]
    with unscoped_writes():
        assert writes_unscoped()
        assert get_current_institution_id() is None
        a["site"].name = "Sweep A"
        a["site"].save()
        b["site"].delete()
        Site.all_tenants.create(institution=b["institution"], organisation=b["organisation"], name="Sweep B")
        assert Site.all_tenants.filter(name__startswith="Sweep").update(municipality="Gent") == 2
        # Foreign keys must still stay inside each row's institution.
        with pytest.raises(CrossTenantWrite):
            Site.all_tenants.create(institution=a["institution"], organisation=b["organisation"])
        with pytest.raises(CrossTenantWrite):
            Site.all_tenants.filter(name__startswith="Sweep").update(organisation=a["organisation"])
        with refused(CrossTenantWrite):
            a["organisation"].roles.add(b["role"])
        # A new row must name its institution: there is none to take.
        with pytest.raises(TenantNotSet):
            Site.all_tenants.create(organisation=a["organisation"])
    assert not writes_unscoped()
    assert site_names(a["institution"]) == ["Sweep A"]
    assert site_names(b["institution"]) == ["Sweep B"]
    assert set(Site.all_tenants.values_list("municipality", flat=True)) == {"Gent"}


def test_nested_contexts_innermost_wins(world):
    a, b = world["a"], world["b"]
    with tenant_context(a["institution"]):
        with unscoped_writes():
            assert get_current_institution_id() == a["institution"].pk  # reads stay scoped
            b["site"].save()  # allowed: unscoped
            new = Site.all_tenants.create(organisation=a["organisation"], name="Neemt A")
            assert new.institution_id == a["institution"].pk
            with tenant_context(b["institution"]):
                assert not writes_unscoped()
                with pytest.raises(CrossTenantWrite):
                    a["site"].save()
                b["site"].save()
                # A tenant task started inside the block runs scoped too.
                assert tasks.ping.apply(kwargs={"institution_id": a["institution"].pk}).get()
            assert writes_unscoped()
            a["site"].save()
        assert not writes_unscoped()
        with pytest.raises(CrossTenantWrite):
            b["site"].save()
        with tenant_context(None), pytest.raises(TenantNotSet):
            a["site"].save()
        a["site"].save()
    with pytest.raises(TenantNotSet):
        a["site"].save()


def test_factories_and_helper_create_inside_their_institution(world):
    b = world["b"]
    with tenant_context(world["a"]["institution"]):
        # A factory for B works inside A: it activates B while it creates.
        placement = PlacementFactory(institution=b["institution"], student=b["student"])
        assert get_current_institution_id() == world["a"]["institution"].pk
        with pytest.raises(CrossTenantWrite):
            SiteFactory(institution=b["institution"], organisation=world["a"]["organisation"])
    assert placement.institution_id == b["institution"].pk
    assert placement.organisation.institution_id == b["institution"].pk
    programme = ProgrammeFactory(institution=b["institution"])
    role = create_in_tenant(ProfessionalRole, b["institution"], programme=programme)
    assert role.institution_id == b["institution"].pk
    with pytest.raises(CrossTenantWrite):
        create_in_tenant(ProfessionalRole, b["institution"], programme=world["a"]["student"].programme)


def test_membership_in_other_institution_cannot_be_linked(world, personas):
    """Rows of the core (memberships) count as tenant rows for foreign keys."""
    a, b = world["a"], world["b"]
    supervisor_b = personas("b", Role.SUPERVISOR)
    with tenant_context(a["institution"]):
        placement = PlacementFactory(institution=a["institution"], student=a["student"])
        placement.supervisor = supervisor_b
        with pytest.raises(CrossTenantWrite):
            placement.save()
        with pytest.raises(CrossTenantWrite):
            Placement.objects.filter(pk=placement.pk).update(supervisor=supervisor_b.pk)
        placement.supervisor = personas("a", Role.SUPERVISOR)
        placement.save()
    assert Placement.all_tenants.get(pk=placement.pk).supervisor_id == personas("a", Role.SUPERVISOR).pk
    assert Membership.all_tenants.get(pk=supervisor_b.pk).institution_id == b["institution"].pk
    assert Organisation.all_tenants.count() == 3

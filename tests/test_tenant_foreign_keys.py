"""No row points at another institution's row: every foreign key (and many-to-many link)
between tenant-owned models is walked over the demo data and over a rich test world (both
institutions' personas and one object of every kind the access matrix builds), with one
query per relation that joins the two rows' institution ids.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import F, Q

from tests.access_matrix import OBJECT_BUILDERS
from wpl.tenancy import TenantModel, tenant_foreign_keys


def tenant_models() -> list[type[TenantModel]]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def tenant_m2m_fields(model) -> list:
    return [f for f in model._meta.local_many_to_many if issubclass(f.related_model, TenantModel)]


def relations() -> list[tuple[str, object]]:
    """(label, queryset of rows whose two ends differ in institution) for every relation."""
    found = []
    for model in tenant_models():
        for field in tenant_foreign_keys(model):
            other = f"{field.name}__institution_id"
            stray = model.all_tenants.filter(
                Q(**{f"{other}__lt": F("institution_id")}) | Q(**{f"{other}__gt": F("institution_id")})
            )
            found.append((f"{model._meta.label}.{field.name}", stray, field.attname, model))
        for field in tenant_m2m_fields(model):
            through = field.remote_field.through
            source = field.m2m_field_name()
            target = field.m2m_reverse_field_name()
            left, right = f"{source}__institution_id", f"{target}__institution_id"
            stray = through.objects.filter(Q(**{f"{left}__lt": F(right)}) | Q(**{f"{left}__gt": F(right)}))
            found.append((f"{model._meta.label}.{field.name} (m2m)", stray, f"{target}_id", through))
    return found


def walk() -> tuple[list[str], int]:
    """Every pair of rows from different institutions, and how many relations hold rows."""
    problems, filled = [], 0
    for label, stray, attname, model in relations():
        rows = list(stray.order_by().values_list("pk", attname)[:5])
        if rows:
            problems.append(f"{label}: rows {rows} point at another institution's rows")
        if model._base_manager.filter(**{f"{attname}__isnull": False}).exists():
            filled += 1
    return problems, filled


def test_every_relation_between_tenant_models_is_walked():
    """The walk covers the models it should (a guard against an empty walk)."""
    labels = {label for label, *_ in relations()}
    assert "workplaces.Site.organisation" in labels
    assert "placements.Placement.supervisor" in labels  # to a membership
    assert "workplaces.Organisation.roles (m2m)" in labels
    assert "logbooks.Entry.competences (m2m)" in labels
    assert len(labels) > 80


def test_demo_data_stays_inside_each_institution(db, django_assert_max_num_queries):
    from wpl.demo import seed_demo

    seed_demo()
    count = len(relations())
    with django_assert_max_num_queries(2 * count):  # one join per relation, one for its filling
        problems, filled = walk()
    assert not problems, "\n".join(problems)
    # The demo fills most relations: the walk compared real rows.
    assert filled >= count // 2, f"only {filled} of {count} relations hold rows in the demo"


def test_test_world_stays_inside_each_institution(personas):
    """Both institutions' personas plus one object of every kind the isolation sweep builds."""
    for build in OBJECT_BUILDERS.values():
        build(personas.a, "ZQXA")
        build(personas.b, "ZQXB")
    problems, filled = walk()
    assert not problems, "\n".join(problems)
    assert filled >= 40


def test_walk_finds_a_pair_across_institutions(personas):
    """The walk is honest: a foreign key changed behind the guards' back is reported."""
    from tests.factories import SiteFactory
    from workplaces.models import Site

    site_a = SiteFactory(institution=personas.a)
    site_b = SiteFactory(institution=personas.b)
    assert walk()[0] == []
    table = Site._meta.db_table
    with connection.cursor() as cursor:  # bypasses the ORM and its guards on purpose
        cursor.execute(
            f"UPDATE {table} SET organisation_id = %s WHERE id = %s",  # noqa: S608 - fixed names
            [site_b.organisation_id, site_a.pk],
        )
    problems = walk()[0]
    assert len(problems) == 1
    assert problems[0].startswith("workplaces.Site.organisation")


@pytest.mark.parametrize("relation", ["catalogue.WplUnit.periods (m2m)"])
def test_walk_finds_an_m2m_link_across_institutions(personas, relation):
    from catalogue.models import WplUnit
    from tests.factories import PeriodFactory, WplUnitFactory

    unit = WplUnitFactory(institution=personas.a)
    period = PeriodFactory(institution=personas.b)
    WplUnit.periods.through.objects.create(wplunit_id=unit.pk, period_id=period.pk)  # unguarded table
    problems = walk()[0]
    assert [p.split(":")[0] for p in problems] == [relation]

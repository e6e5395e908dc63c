"""Fail-closed tenant scoping at the ORM and task level."""

import pytest

from tests.factories import MembershipFactory
from wpl import tasks
from wpl.models import Membership
from wpl.tenancy import CrossTenantWrite, TenantNotSet, get_current_institution_id, tenant_context


def test_query_without_tenant_raises(personas):
    with pytest.raises(TenantNotSet):
        list(Membership.objects.all())
    with pytest.raises(TenantNotSet):
        Membership.objects.count()


def test_query_is_scoped_to_active_tenant(personas):
    with tenant_context(personas.a):
        ids = set(Membership.objects.values_list("institution_id", flat=True))
    assert ids == {personas.a.pk}
    with tenant_context(personas.b):
        assert not Membership.objects.filter(pk=personas("a", "student").pk).exists()


def test_tenant_context_restores_previous(personas):
    with tenant_context(personas.a):
        with tenant_context(personas.b):
            assert get_current_institution_id() == personas.b.pk
        assert get_current_institution_id() == personas.a.pk
    assert get_current_institution_id() is None


def test_saving_other_tenants_row_is_refused(personas):
    row = personas("a", "student")
    with tenant_context(personas.b), pytest.raises(CrossTenantWrite):
        row.save()


def test_new_row_takes_active_tenant(personas):
    user = personas("a", "student").user
    with tenant_context(personas.b):
        m = Membership(user=user, role="mentor")
        m.save()
    assert m.institution_id == personas.b.pk


def test_new_row_without_tenant_is_refused(personas):
    with pytest.raises(TenantNotSet):
        Membership(user=personas("a", "student").user, role="mentor").save()


def test_task_without_tenant_id_is_refused(personas):
    with pytest.raises(tasks.MissingTenant):
        tasks.ping.apply(kwargs={}).get()
    with pytest.raises(tasks.MissingTenant):
        tasks.ping.apply(kwargs={"institution_id": "1"}).get()


def test_task_runs_in_given_tenant_and_does_not_inherit(personas):
    result = tasks.ping.apply(kwargs={"institution_id": personas.b.pk}).get()
    assert result["active_institution_id"] == personas.b.pk
    assert result["institution"] == "beta"
    # Inside a task of A, a task for B still sees B only, and A is restored after.
    with tenant_context(personas.a):
        result = tasks.ping.apply(kwargs={"institution_id": personas.b.pk}).get()
        assert result["active_institution_id"] == personas.b.pk
        assert get_current_institution_id() == personas.a.pk
    assert get_current_institution_id() is None


def test_membership_count_per_tenant(personas):
    MembershipFactory(institution=personas.a)
    with tenant_context(personas.a):
        a_count = Membership.objects.count()
    with tenant_context(personas.b):
        b_count = Membership.objects.count()
    assert a_count == b_count + 1


def test_management_command_without_tenant_fails_loudly(personas):
    from django.core.management import call_command

    with pytest.raises(TenantNotSet):
        call_command("shell", command="from wpl.models import Membership; Membership.objects.count()")

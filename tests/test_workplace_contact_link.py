"""Access for a workplace contact or mentor follows an explicit link between the person's
account and the organisation (`Organisation.contact_user`, `Mentor.user`), set when the
person accepts an invitation. The e-mail fields are contact data: changing them neither
grants nor removes access."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from tests.factories import AccessInvitationFactory, MentorFactory, OrganisationFactory
from workplaces.models import Mentor, Organisation
from wpl.models import Role
from wpl.tenancy import tenant_context


def _sees(client, organisation) -> bool:
    status = client.get(reverse("organisation-detail", args=[organisation.pk])).status_code
    assert status in (200, 404), status
    return status == 200


def organisation_form(**overrides) -> dict:
    data = {
        "name": "Buurtwerk De Vonk",
        "enterprise_number": "",
        "sector": "Buurtwerk",
        "description": "",
        "staff_fte": "",
        "permanent_staff": "",
        "commits_years": "",
        "learning_by_doing": "",
        "languages": "nl",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def _mentor_form(mentor: Mentor, **overrides) -> dict:
    data = {
        "first_name": mentor.first_name,
        "last_name": mentor.last_name,
        "email": mentor.email,
        "function": "",
        "is_social_worker": "unknown",
        "years_at_organisation": "",
        "years_in_sector": "",
        "attended_start_day": "",
    }
    data.update(overrides)
    return data


# --- workplace contact --------------------------------------------------------------------
def test_typing_a_contacts_address_on_the_organisation_grants_no_access(personas, client_for):
    organisation = OrganisationFactory(institution=personas.a, name="Buurtwerk De Vonk")
    contact = personas("a", "org_admin")
    coordinator = client_for(personas("a", "coordinator"))
    response = coordinator.post(
        reverse("organisation-edit", args=[organisation.pk]),
        organisation_form(contact_email=contact.user.email.upper(), contact_name="Els"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.contact_email.lower() == contact.user.email
    assert organisation.contact_user is None
    client = client_for(contact)
    assert not _sees(client, organisation)
    assert client.get(reverse("host-organisation-edit", args=[organisation.pk])).status_code == 404
    assert organisation.name not in client.get(reverse("host-organisation-list")).content.decode()
    with tenant_context(personas.a):
        assert not Organisation.objects.visible_to(contact).exists()


def test_changing_the_contacts_address_keeps_the_linked_contacts_access(personas, client_for):
    contact = personas("a", "org_admin")
    organisation = OrganisationFactory(
        institution=personas.a,
        name="Buurtwerk De Vonk",
        contact_email=contact.user.email,
        contact_user=contact.user,
    )
    client = client_for(contact)
    assert _sees(client, organisation)
    coordinator = client_for(personas("a", "coordinator"))
    response = coordinator.post(
        reverse("organisation-edit", args=[organisation.pk]),
        organisation_form(contact_email="iemand.anders@host.example.org"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.contact_email == "iemand.anders@host.example.org"
    assert organisation.contact_user == contact.user
    assert _sees(client, organisation)
    assert client.get(reverse("host-organisation-edit", args=[organisation.pk])).status_code == 200


def test_accepting_a_contact_invitation_moves_the_link_to_the_new_contact(personas, client_for, client):
    old = personas("a", "org_admin")
    organisation = OrganisationFactory(
        institution=personas.a, contact_email=old.user.email, contact_user=old.user
    )
    AccessInvitationFactory(
        institution=personas.a,
        organisation=organisation,
        token="tok-new-contact",
        email="nieuwe.contact@host.example.org",
        role=Role.ORG_ADMIN,
    )
    assert client.post(reverse("invite-accept", kwargs={"token": "tok-new-contact"})).status_code == 302
    organisation.refresh_from_db()
    assert organisation.contact_user.email == "nieuwe.contact@host.example.org"
    assert _sees(client, organisation)
    assert not _sees(client_for(old), organisation)


def test_a_contact_of_another_institution_is_never_linked_by_address(personas, client_for):
    """B's workplace contact has the address A typed, yet sees nothing of A."""
    foreign = personas("b", "org_admin")
    organisation = OrganisationFactory(institution=personas.a, contact_email=foreign.user.email)
    assert not _sees(client_for(foreign), organisation)


# --- mentors ------------------------------------------------------------------------------
def test_changing_a_mentor_records_address_neither_links_nor_unlinks(personas, client_for):
    organisation = OrganisationFactory(institution=personas.a)
    mentor_member = personas("a", "mentor")
    other = personas.shared_mentor[0]  # a mentor role in A, not linked to this organisation
    linked = MentorFactory(institution=personas.a, organisation=organisation, user=mentor_member.user)
    unlinked = MentorFactory(institution=personas.a, organisation=organisation)
    coordinator = client_for(personas("a", "coordinator"))

    # The linked mentor's record gets another address: the mentor keeps access.
    response = coordinator.post(
        reverse("mentor-edit", args=[linked.pk]), _mentor_form(linked, email="nieuw.adres@host.example.org")
    )
    assert response.status_code == 302
    linked.refresh_from_db()
    assert (linked.email, linked.user) == ("nieuw.adres@host.example.org", mentor_member.user)
    assert _sees(client_for(mentor_member), organisation)

    # An unlinked record gets the address of someone with a mentor role: no link, no access.
    response = coordinator.post(
        reverse("mentor-edit", args=[unlinked.pk]), _mentor_form(unlinked, email=other.user.email)
    )
    assert response.status_code == 302
    unlinked.refresh_from_db()
    assert unlinked.email == other.user.email and unlinked.user is None
    assert not _sees(client_for(other), organisation)


def test_mentor_invitation_never_takes_over_a_record_linked_to_someone_else(personas, client):
    organisation = OrganisationFactory(institution=personas.a)
    owner = personas("a", "mentor")
    record = MentorFactory(
        institution=personas.a, organisation=organisation, user=owner.user, email="gedeeld@host.example.org"
    )
    AccessInvitationFactory(
        institution=personas.a,
        organisation=organisation,
        token="tok-same-address",
        email="gedeeld@host.example.org",
        role=Role.MENTOR,
    )
    client.post(reverse("invite-accept", kwargs={"token": "tok-same-address"}))
    record.refresh_from_db()
    assert record.user == owner.user
    newcomer = Mentor.all_tenants.exclude(pk=record.pk).get(organisation=organisation)
    assert newcomer.user.email == "gedeeld@host.example.org"


# --- the migration that introduced the link -----------------------------------------------
def test_migration_links_existing_contacts_by_the_rule_that_let_them_in(personas):
    migration = importlib.import_module("workplaces.migrations.0002_organisation_contact_user")
    contact, mentor = personas("a", "org_admin"), personas("a", "mentor")
    by_contact = OrganisationFactory(institution=personas.a, contact_email=contact.user.email.upper())
    by_mentor = OrganisationFactory(institution=personas.a, contact_email=mentor.user.email)
    coordinator = OrganisationFactory(
        institution=personas.a, contact_email=personas("a", "coordinator").user.email
    )
    other_institution = OrganisationFactory(
        institution=personas.a, contact_email=personas("b", "org_admin").user.email
    )
    unknown = OrganisationFactory(institution=personas.a, contact_email="niemand@host.example.org")
    migration.link_contacts(apps, None)
    linked = dict(Organisation.all_tenants.values_list("pk", "contact_user_id"))
    assert linked[by_contact.pk] == contact.user_id
    assert linked[by_mentor.pk] == mentor.user_id
    # No host role in the organisation's institution: the old rule let nobody in either.
    assert linked[coordinator.pk] is None
    assert linked[other_institution.pk] is None
    assert linked[unknown.pk] is None

"""Password-free access: invitations by e-mail for workplace contacts and mentors."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import AccessInvitationFactory, MentorFactory, OrganisationFactory
from workplaces import invitations
from workplaces.models import AccessInvitation
from wpl.middleware import SESSION_KEY
from wpl.models import Membership, Role, User


def _invite(client, organisation, django_capture_on_commit_callbacks, **extra):
    data = {
        "organisation": organisation.pk,
        "email": "Nieuw.Contact@Host.example.org",
        "first_name": "Nora",
        "last_name": "Nieuw",
        "role": "org_admin",
        "purpose": "offer",
        "message": "",
        **extra,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation-create"), data)
    return response


def _token_from_mail() -> str:
    match = re.search(r"/invite/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_coordinator_sends_invitation_mail_with_token_only_hashed(
    personas, client_for, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    response = _invite(client, organisation, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nieuw.contact@host.example.org"]
    token = _token_from_mail()
    invitation = AccessInvitation.all_tenants.get()
    assert invitation.institution_id == personas.a.pk
    assert invitation.token_hash == invitations.hash_token(token)
    assert token not in invitation.token_hash
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)


def test_invitation_form_bad_input_is_rerendered_and_nothing_saved(
    personas, client_for, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(institution=personas.a)
    other_mentor = MentorFactory(institution=personas.a)  # works at another organisation
    client = client_for(personas("a", "coordinator"))
    response = _invite(
        client, organisation, django_capture_on_commit_callbacks, email="geen-adres", role="mentor"
    )
    assert response.status_code == 200
    assert "geen-adres" in response.content.decode()
    response = _invite(
        client, organisation, django_capture_on_commit_callbacks, role="mentor", mentor=other_mentor.pk
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mentor"]
    assert not AccessInvitation.all_tenants.exists()
    assert not mail.outbox


def test_only_staff_invite(personas, client_for):
    for role in ("org_admin", "mentor", "supervisor", "student"):
        assert client_for(personas("a", role)).get(reverse("invitation-create")).status_code == 403


def test_get_shows_confirmation_without_using_the_link(personas, client):
    invitation = AccessInvitationFactory(institution=personas.a, token="abc-123")
    response = client.get(reverse("invite-accept", kwargs={"token": "abc-123"}))
    assert response.status_code == 200
    assert invitation.organisation.name in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email=invitation.email).exists()


def test_accepting_creates_person_role_and_link_and_signs_in(personas, client):
    organisation = OrganisationFactory(institution=personas.a, contact_email="old@host.example.org")
    invitation = AccessInvitationFactory(
        institution=personas.a,
        organisation=organisation,
        token="tok-accept",
        email="nora@host.example.org",
        first_name="Nora",
        role=Role.ORG_ADMIN,
        purpose="offer",
    )
    url = reverse("invite-accept", kwargs={"token": "tok-accept"})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("offer-create")

    user = User.objects.get(email="nora@host.example.org")
    assert not user.has_usable_password()
    membership = Membership.all_tenants.get(user=user)
    assert (membership.institution_id, membership.role) == (personas.a.pk, Role.ORG_ADMIN)
    organisation.refresh_from_db()
    assert organisation.contact_email == "nora@host.example.org"
    assert organisation.contact_user == user  # the explicit link access follows
    assert client.session[SESSION_KEY] == membership.pk
    assert int(client.session["_auth_user_id"]) == user.pk
    # Signed in and linked: the offer form lists the organisation.
    page = client.get(reverse("offer-create"))
    assert page.status_code == 200
    assert organisation.name in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.membership == membership

    # The link works once.
    again = client.post(url)
    assert again.status_code == 410
    assert Membership.all_tenants.filter(user=user).count() == 1


def test_mentor_invitation_links_existing_mentor_record(personas, client):
    mentor = MentorFactory(institution=personas.a, email="Mila@Host.example.org")
    AccessInvitationFactory(
        institution=personas.a,
        organisation=mentor.organisation,
        token="tok-mentor",
        email="mila@host.example.org",
        role=Role.MENTOR,
        purpose="quality",
    )
    response = client.post(reverse("invite-accept", kwargs={"token": "tok-mentor"}))
    assert response["Location"] == reverse("quality-overview")
    mentor.refresh_from_db()
    assert mentor.user.email == "mila@host.example.org"


def test_mentor_invitation_creates_mentor_record_when_unknown(personas, client):
    organisation = OrganisationFactory(institution=personas.a)
    AccessInvitationFactory(
        institution=personas.a,
        organisation=organisation,
        token="tok-new-mentor",
        email="nieuw@host.example.org",
        first_name="Nele",
        last_name="Nieuw",
        role=Role.MENTOR,
    )
    client.post(reverse("invite-accept", kwargs={"token": "tok-new-mentor"}))
    from workplaces.models import Mentor

    mentor = Mentor.all_tenants.get(organisation=organisation)
    assert (mentor.first_name, mentor.email, mentor.institution_id) == (
        "Nele",
        "nieuw@host.example.org",
        personas.a.pk,
    )
    assert mentor.user.email == "nieuw@host.example.org"


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "expired"),
        ({"revoked_at": timezone.now()}, "revoked"),
        ({"accepted_at": timezone.now()}, "accepted"),
    ],
)
def test_unusable_links_get_a_clear_page(personas, client, changes, state):
    AccessInvitationFactory(institution=personas.a, token="tok-x", **changes)
    for method in (client.get, client.post):
        response = method(reverse("invite-accept", kwargs={"token": "tok-x"}))
        assert response.status_code == 410
        assert response.context["state"] == state
    assert not Membership.all_tenants.filter(user__email__startswith="invitee").exists()


def test_unknown_link_is_404_not_500(personas, client):
    for token in ("nope", "x" * 300):
        assert client.get(reverse("invite-accept", kwargs={"token": token})).status_code == 404
        assert client.post(reverse("invite-accept", kwargs={"token": token})).status_code == 404


def test_token_is_global_but_membership_stays_in_the_invitations_institution(personas, client_for):
    """Someone signed in at institution B accepts A's invitation: the new role is in A only."""
    b_member = personas("b", "org_admin")
    organisation_a = OrganisationFactory(institution=personas.a)
    AccessInvitationFactory(
        institution=personas.a,
        organisation=organisation_a,
        token="tok-cross",
        email=b_member.user.email,
        role=Role.MENTOR,
    )
    client = client_for(b_member)
    response = client.post(reverse("invite-accept", kwargs={"token": "tok-cross"}))
    assert response.status_code == 302
    roles = set(Membership.all_tenants.filter(user=b_member.user).values_list("institution_id", "role"))
    assert roles == {(personas.b.pk, Role.ORG_ADMIN), (personas.a.pk, Role.MENTOR)}
    new = Membership.all_tenants.get(user=b_member.user, institution=personas.a)
    assert client.session[SESSION_KEY] == new.pk
    # B's organisations are untouched, and B's staff cannot see A's invitation.
    b_coordinator = client_for(personas("b", "coordinator"))
    invitation = AccessInvitation.all_tenants.get(token_hash=invitations.hash_token("tok-cross"))
    assert b_coordinator.get(reverse("invitation-revoke", kwargs={"pk": invitation.pk})).status_code == 404
    assert "tok-cross" not in b_coordinator.get(reverse("invitation-list")).content.decode()


def test_coordinator_revokes_and_link_stops_working(personas, client_for, client):
    invitation = AccessInvitationFactory(institution=personas.a, token="tok-revoke")
    coordinator = client_for(personas("a", "coordinator"))
    url = reverse("invitation-revoke", kwargs={"pk": invitation.pk})
    assert coordinator.get(url).status_code == 200
    assert coordinator.post(url).status_code == 302
    assert client.get(reverse("invite-accept", kwargs={"token": "tok-revoke"})).status_code == 410
    # Revoking twice is a clear message, not an error.
    response = coordinator.post(url)
    assert response.status_code == 200
    assert response.context["error"]


def test_invitation_list_has_constant_queries(personas, client_for, django_assert_max_num_queries):
    coordinator = client_for(personas("a", "coordinator"))
    AccessInvitationFactory(institution=personas.a)
    coordinator.get(reverse("invitation-list"))
    for _ in range(5):
        AccessInvitationFactory(institution=personas.a)
    with django_assert_max_num_queries(12):
        response = coordinator.get(reverse("invitation-list"))
    assert response.status_code == 200

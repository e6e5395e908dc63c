"""Imported students get in: bulk invitations, the first visit, and who has not signed in yet."""

from __future__ import annotations

import re
from email.utils import parseaddr

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import shown
from tests.factories import StudentFactory, UserFactory
from tests.fixtures import code_from_mail
from workplaces.models import AccessInvitation
from wpl.models import Membership, Role
from wpl.tenancy import tenant_context

LINK = re.compile(r"http://testserver/invite/([\w-]+)/")


@pytest.fixture
def students(personas):
    with tenant_context(personas.a):
        rows = [StudentFactory(institution=personas.a, email=f"s{i}@student.alpha.test") for i in range(3)]
    with tenant_context(personas.b):
        StudentFactory(institution=personas.b, email="other@student.beta.test")
    return rows


def _invite(client, capture, **data):
    with capture(execute=True):
        return client.post(reverse("student-invite"), data)


def test_coordinator_invites_a_selection(personas, students, client_for, django_capture_on_commit_callbacks):
    client = client_for(personas("a", Role.COORDINATOR))
    response = _invite(client, django_capture_on_commit_callbacks, student=[students[0].pk, students[2].pk])
    assert response.status_code == 302
    assert response["Location"].endswith("?signed_in=no")
    assert sorted(m.to[0] for m in mail.outbox) == ["s0@student.alpha.test", "s2@student.alpha.test"]
    message = mail.outbox[0]
    assert parseaddr(message.from_email) == ("Hogeschool Alpha via WPL", "no-reply@wpl.localhost")
    assert "Hogeschool Alpha" in message.subject
    token = LINK.search(message.body).group(1)
    # Only the hash is stored.
    assert not AccessInvitation.all_tenants.filter(token_hash=token).exists()
    invitations = AccessInvitation.all_tenants.filter(role=Role.STUDENT)
    assert invitations.count() == 2
    assert {i.student_id for i in invitations} == {students[0].pk, students[2].pk}
    assert all(i.organisation_id is None for i in invitations)


def test_invite_all_not_signed_in_skips_who_already_signed_in(
    personas, students, client_for, django_capture_on_commit_callbacks
):
    signed_in = UserFactory(email=students[1].email, last_login=timezone.now())
    with tenant_context(personas.a):
        students[1].user = signed_in
        students[1].save()
    client = client_for(personas("a", Role.COORDINATOR))
    page = client.get(reverse("student-invite"))
    assert page.status_code == 200
    assert page.context["waiting_count"] == 2
    _invite(client, django_capture_on_commit_callbacks, all="1")
    assert sorted(m.to[0] for m in mail.outbox) == ["s0@student.alpha.test", "s2@student.alpha.test"]
    # Beta's student is never invited by Alpha's coordinator.
    assert not AccessInvitation.all_tenants.filter(email="other@student.beta.test").exists()


def test_another_institutions_student_ids_are_ignored(
    personas, students, client_for, django_capture_on_commit_callbacks
):
    with tenant_context(personas.b):
        foreign = StudentFactory(institution=personas.b)
    client = client_for(personas("a", Role.COORDINATOR))
    response = _invite(client, django_capture_on_commit_callbacks, student=[foreign.pk, "x", "-1"])
    assert response.status_code == 302
    assert mail.outbox == []
    assert not AccessInvitation.all_tenants.filter(student=foreign).exists()


def test_inviting_again_replaces_the_old_link(
    personas, students, client_for, django_capture_on_commit_callbacks
):
    client = client_for(personas("a", Role.COORDINATOR))
    _invite(client, django_capture_on_commit_callbacks, student=[students[0].pk])
    first = LINK.search(mail.outbox[0].body).group(1)
    _invite(client, django_capture_on_commit_callbacks, student=[students[0].pk])
    second = LINK.search(mail.outbox[1].body).group(1)
    assert first != second
    assert Client().get(reverse("invite-accept", kwargs={"token": first})).status_code == 410
    assert Client().get(reverse("invite-accept", kwargs={"token": second})).status_code == 200


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.STUDENT, Role.MENTOR])
def test_only_staff_invite_students(personas, students, client_for, role):
    client = client_for(personas("a", role))
    assert client.post(reverse("student-invite"), {"all": "1"}).status_code == 403
    assert AccessInvitation.all_tenants.filter(role=Role.STUDENT).count() == 0


def test_student_accepts_then_signs_in_by_code(
    personas, students, client_for, django_capture_on_commit_callbacks
):
    coordinator = client_for(personas("a", Role.COORDINATOR))
    _invite(coordinator, django_capture_on_commit_callbacks, student=[students[0].pk])
    token = LINK.search(mail.outbox[0].body).group(1)
    browser = Client()
    page = browser.get(reverse("invite-accept", kwargs={"token": token}))
    assert page.status_code == 200
    response = browser.post(reverse("invite-accept", kwargs={"token": token}))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    students[0].refresh_from_db()
    assert students[0].user is not None
    membership = Membership.all_tenants.get(user=students[0].user)
    assert (membership.institution_id, membership.role) == (personas.a.pk, Role.STUDENT)
    assert browser.get(reverse("home")).status_code == 200
    # Later: sign in with an e-mailed code.
    later = Client()
    mail.outbox.clear()
    later.post(reverse("account_request_login_code"), {"email": students[0].email})
    assert len(mail.outbox) == 1
    code = code_from_mail(mail.outbox[0])
    later.post(reverse("account_confirm_login_code"), {"code": code})
    assert str(later.session.get(AUTH_SESSION_KEY)) == str(students[0].user_id)


def test_not_signed_in_figure_and_filter(personas, students, client_for, django_capture_on_commit_callbacks):
    signed_in = UserFactory(email=students[1].email, last_login=timezone.now())
    with tenant_context(personas.a):
        students[1].user = signed_in
        students[1].save()
    client = client_for(personas("a", Role.COORDINATOR))
    home = client.get(reverse("home"))
    assert home.context["students_not_signed_in"] == 2
    text = home.content.decode()
    assert shown("%(counter)s students have not signed in yet") % {"counter": 2} in text or "2 " in text
    assert reverse("student-list") + "?signed_in=no" in text
    listing = client.get(reverse("student-list"), {"signed_in": "no"})
    assert {s.pk for s in listing.context["students"]} == {students[0].pk, students[2].pk}
    listing = client.get(reverse("student-list"), {"signed_in": "yes"})
    assert [s.pk for s in listing.context["students"]] == [students[1].pk]
    # A bad filter value is ignored, never a server error.
    assert client.get(reverse("student-list"), {"signed_in": "maybe"}).status_code == 200


def test_student_list_shows_access_state_in_fixed_queries(
    personas, students, client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(personas("a", Role.COORDINATOR))
    _invite(client, django_capture_on_commit_callbacks, student=[students[0].pk])
    with tenant_context(personas.a):
        for i in range(20):
            StudentFactory(
                institution=personas.a, programme=students[0].programme, email=f"more{i}@student.alpha.test"
            )
    with django_assert_max_num_queries(14):
        page = client.get(reverse("student-list"))
    assert page.context["invited_ids"] == {students[0].pk}
    assert shown("Invited") in page.content.decode()


def test_demo_data_shows_invited_students_and_an_example_single_sign_on(personas, client_for):
    from access import demo as demo_access
    from wpl.models import SingleSignOn

    with tenant_context(personas.a):
        for i in range(4):
            StudentFactory(institution=personas.a, email=f"demo{i}@student.alpha.test")
        demo_access.seed(personas.a)
        demo_access.seed(personas.a)  # `make run` runs it again: nothing doubles
    pending = AccessInvitation.all_tenants.filter(role=Role.STUDENT).pending()
    assert pending.count() == demo_access.INVITED
    example = SingleSignOn.all_tenants.get(institution=personas.a)
    assert not example.is_active
    home = client_for(personas("a", Role.COORDINATOR)).get(reverse("home"))
    assert home.context["students_not_signed_in"] == 4

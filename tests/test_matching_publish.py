"""Publishing a round: placements, notifications, supervisors and the student's own page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from matching.models import Assignment, AssignmentChange, MatchingRound
from placements.models import Placement
from tests.factories import MembershipFactory, PlacementFactory, UserFactory, create_in_tenant
from tests.fixtures import HX, make_world, post_action
from wpl.models import Role
from wpl.tenancy import tenant_context


@pytest.fixture
def coordinator(personas):
    return personas("a", "coordinator")


def _assign_all(institution, world):
    for i, student in enumerate(world.students):
        create_in_tenant(Assignment,
            institution=institution,
            round=world.round,
            student=student,
            offer=world.offers[i % len(world.offers)],
        )


def test_publish_makes_placements_and_notifies(
    personas, coordinator, client_for, django_capture_on_commit_callbacks
):
    a = personas.a
    world = make_world(a, students=4, offers=2, places=2)
    _assign_all(a, world)
    client = client_for(coordinator)
    assert client.get(reverse("matching-publish", kwargs={"pk": world.round.pk})).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("matching-publish", kwargs={"pk": world.round.pk}))
    assert response.status_code == 302
    # 4 placement tasks, then one durable delivery per mail (student and mentor of each).
    assert len(callbacks) == 4 + 8
    placements = Placement.all_tenants.filter(student__in=world.students)
    assert placements.count() == 4
    for placement in placements.select_related("offer"):
        assert placement.organisation_id == placement.offer.organisation_id
        assert placement.site_id == placement.offer.site_id
        assert placement.mentor_id == placement.offer.mentor_id and placement.mentor_id
        assert (placement.programme_id, placement.academic_year, placement.year) == (
            world.round.programme_id,
            world.round.academic_year,
            world.round.year,
        )
    world.round.refresh_from_db()
    assert world.round.status == MatchingRound.Status.PUBLISHED and world.round.published_at
    recipients = {address for message in mail.outbox for address in message.to}
    assert {s.email for s in world.students} <= recipients
    assert {o.mentor.email for o in world.offers} <= recipients
    assert AssignmentChange.all_tenants.filter(round=world.round, action="publish").count() == 4
    # The tasks are idempotent: running one again sends nothing.
    from matching.tasks import notify_placement_published

    assert notify_placement_published(institution_id=a.pk, placement_id=placements.first().pk) == 0


def test_published_round_is_frozen(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=3, offers=2, places=2)
    _assign_all(a, world)
    client = client_for(coordinator)
    client.post(reverse("matching-publish", kwargs={"pk": world.round.pk}))
    again = client.post(reverse("matching-publish", kwargs={"pk": world.round.pk}))
    assert again.status_code == 302
    assert Placement.all_tenants.filter(student__in=world.students).count() == 3
    moved = post_action(
        client,
        world,
        "matching-assign",
        student=world.students[0].pk,
        offer=world.offers[1].pk,
        expected=world.offers[0].pk,
    )
    assert moved.status_code == 409
    proposal = client.post(
        reverse("matching-propose", kwargs={"pk": world.round.pk}), {"mode": "deferred_acceptance"}
    )
    assert proposal.status_code == 400


def test_publish_refuses_students_who_already_have_a_placement(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=2, offers=1, places=2)
    _assign_all(a, world)
    PlacementFactory(
        institution=a,
        student=world.students[0],
        academic_year=world.round.academic_year,
        year=world.round.year,
    )
    client = client_for(coordinator)
    response = client.post(reverse("matching-publish", kwargs={"pk": world.round.pk}), follow=True)
    assert "message-error" in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.status != MatchingRound.Status.PUBLISHED
    assert Placement.all_tenants.filter(student=world.students[1]).count() == 0


def test_publish_with_nothing_assigned_is_refused(personas, coordinator, client_for):
    world = make_world(personas.a, students=2)
    response = client_for(coordinator).post(
        reverse("matching-publish", kwargs={"pk": world.round.pk}), follow=True
    )
    assert "message-error" in response.content.decode()


def test_supervisors_page_assigns_with_htmx_and_shows_load(
    personas, coordinator, client_for, django_capture_on_commit_callbacks
):
    a = personas.a
    world = make_world(a, students=3, offers=2, places=2)
    _assign_all(a, world)
    client = client_for(coordinator)
    client.post(reverse("matching-publish", kwargs={"pk": world.round.pk}))
    supervisor = personas("a", "supervisor")
    other_supervisor = MembershipFactory(institution=a, role=Role.SUPERVISOR, user=UserFactory())
    placements = list(Placement.all_tenants.filter(student__in=world.students).order_by("id"))
    page = client.get(reverse("matching-supervisors", kwargs={"pk": world.round.pk}))
    assert page.status_code == 200
    for placement in placements:
        assert f'id="placement-{placement.pk}"' in page.content.decode()
    mail.outbox.clear()
    url = reverse("matching-supervisor-set", kwargs={"pk": world.round.pk, "placement_pk": placements[0].pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"supervisor": supervisor.pk}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="placement-{placements[0].pk}"')
    assert 'id="supervisor-load" hx-swap-oob="true"' in body
    placements[0].refresh_from_db()
    assert placements[0].supervisor_id == supervisor.pk
    assert [m.to for m in mail.outbox] == [[supervisor.user.email]]
    client.post(
        reverse("matching-supervisor-set", kwargs={"pk": world.round.pk, "placement_pk": placements[1].pk}),
        {"supervisor": supervisor.pk},
    )
    from matching.selectors import supervisor_load


    with tenant_context(a):
        load = {m.pk: n for m, n, _year in supervisor_load(world.round)}
    assert load[supervisor.pk] == 2 and load[other_supervisor.pk] == 0
    # Bad input: a student's membership or rubbish is refused with a message, never a 500.
    for value in (personas("a", "student").pk, "x", personas("b", "supervisor").pk):
        refused = client.post(url, {"supervisor": value}, **HX)
        assert refused.status_code == 400
        assert 'role="alert"' in refused.content.decode()


def test_student_sees_their_placement(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=2, offers=1, places=2)
    student_membership = personas("a", "student")
    with tenant_context(a):
        world.students[0].user = student_membership.user
        world.students[0].save()
    _assign_all(a, world)
    student_client = client_for(student_membership)
    empty = student_client.get(reverse("my-placement")).content.decode()
    assert world.offers[0].organisation.name not in empty
    client_for(coordinator).post(reverse("matching-publish", kwargs={"pk": world.round.pk}))
    body = student_client.get(reverse("my-placement")).content.decode()
    assert world.offers[0].organisation.name in body
    assert world.offers[0].mentor.email in body

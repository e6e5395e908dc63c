"""The coordinator's matching board: rounds, board rows, HTMX actions, proposals, API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import (
    Assignment,
    AssignmentChange,
    CandidateRating,
    MatchingProposal,
    MatchingRound,
)
from students.models import Student
from tests.conftest import shown
from tests.factories import (
    PlacementOfferFactory,
    ProgrammeFactory,
    WorkplaceApprovalFactory,
    create_in_tenant,
)
from tests.fixtures import make_world, post_action
from wpl.tenancy import tenant_context


@pytest.fixture
def coordinator(personas):
    return personas("a", "coordinator")


@pytest.fixture
def world(personas):
    return make_world(personas.a)


# --- rounds ----------------------------------------------------------------------------------


def test_round_list_and_create(personas, coordinator, client_for):
    client = client_for(coordinator)
    programme = ProgrammeFactory(institution=personas.a, name="Graduaat Maatschappelijk Werk", years=2)
    data = {
        "programme": programme.pk,
        "year": 1,
        "academic_year": "2026-2027",
        "name": "Matching GMW 1",
        "preferences_deadline": "2026-10-01T12:00",
        "ratings_deadline": "2026-10-15T12:00",
        "max_choices": 5,
    }
    response = client.post(reverse("matching-round-create"), data)
    assert response.status_code == 302
    created = MatchingRound.all_tenants.get(name="Matching GMW 1")
    assert created.institution_id == personas.a.pk
    assert response["Location"] == reverse("matching-board", kwargs={"pk": created.pk})
    assert "Matching GMW 1" in client.get(reverse("matching-rounds")).content.decode()
    # The same programme, year and academic year again: a translated error, not a 500.
    again = client.post(reverse("matching-round-create"), data)
    assert again.status_code == 400
    assert "already" in again.content.decode() or "al een" in again.content.decode()


@pytest.mark.parametrize(
    "field,value",
    [("academic_year", "2026"), ("year", "9"), ("max_choices", "x"), ("programme", "999999")],
)
def test_round_create_bad_input(personas, coordinator, client_for, field, value):
    programme = ProgrammeFactory(institution=personas.a, years=2)
    data = {"programme": programme.pk, "year": 1, "academic_year": "2026-2027", "name": "R", "max_choices": 5}
    data[field] = value
    response = client_for(coordinator).post(reverse("matching-round-create"), data)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_round_create_does_not_offer_other_institutions_programmes(personas, coordinator, client_for):
    other = ProgrammeFactory(institution=personas.b, name="Vreemd programma")
    response = client_for(coordinator).post(
        reverse("matching-round-create"),
        {"programme": other.pk, "year": 1, "academic_year": "2026-2027", "name": "R", "max_choices": 5},
    )
    assert response.status_code == 400
    assert not MatchingRound.all_tenants.filter(programme=other).exists()


@pytest.mark.parametrize("role", ["supervisor", "mentor", "org_admin", "student"])
def test_board_is_for_staff_only(personas, world, client_for, role):
    response = client_for(personas("a", role)).get(reverse("matching-board", kwargs={"pk": world.round.pk}))
    assert response.status_code == 403


# --- the board -------------------------------------------------------------------------------


def test_board_shows_students_choices_capacity_and_approval(world, coordinator, client_for):
    response = client_for(coordinator).get(reverse("matching-board", kwargs={"pk": world.round.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    for student in world.students:
        assert f'id="student-{student.pk}"' in body
    for offer in world.offers:
        assert f'id="offer-{offer.pk}"' in body
    assert "0 of 2" in body or "0 van 2" in body


def _board_queries(client, matching_round) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("matching-board", kwargs={"pk": matching_round.pk}))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_board_query_count_does_not_grow_with_students(personas, coordinator, client_for):
    client = client_for(coordinator)
    small = make_world(personas.a, students=5, offers=3)
    big = make_world(personas.a, students=60, offers=30, prefs=5)
    for world in (small, big):
        for i, student in enumerate(world.students[: len(world.students) // 2]):
            create_in_tenant(Assignment,
                institution=personas.a,
                round=world.round,
                student=student,
                offer=world.offers[i % len(world.offers)],
            )
        create_in_tenant(CandidateRating,
            institution=personas.a,
            round=world.round,
            student=world.students[0],
            offer=world.offers[0],
            verdict="no",
        )
    _board_queries(client, small.round)  # warm up (session, caches)
    assert _board_queries(client, small.round) == _board_queries(client, big.round)


def test_assign_with_htmx_returns_the_updated_row(world, coordinator, client_for):
    client = client_for(coordinator)
    student, offer = world.students[0], world.offers[0]
    response = post_action(client, world, "matching-assign", student=student.pk, offer=offer.pk, expected="")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="student-{student.pk}"')
    assert offer.organisation.name in body
    assert 'id="board-summary" aria-live="polite"' in body and 'hx-swap-oob="true"' in body
    assert f'<tr id="offer-{offer.pk}" hx-swap-oob="true"' in body
    assignment = Assignment.all_tenants.get(round=world.round, student=student)
    assert assignment.offer_id == offer.pk


def test_assign_without_javascript_redirects_back_to_the_board(world, coordinator, client_for):
    client = client_for(coordinator)
    student, offer = world.students[0], world.offers[0]
    response = post_action(
        client,
        world,
        "matching-assign",
        htmx=False,
        student=student.pk,
        offer=offer.pk,
        expected="",
        **{"return": "?only=unplaced"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?only=unplaced#student-{student.pk}")
    assert Assignment.all_tenants.filter(round=world.round, student=student, offer=offer).exists()


def test_every_change_is_recorded(world, coordinator, client_for):
    client = client_for(coordinator)
    student, first, second = world.students[0], world.offers[0], world.offers[1]
    post_action(client, world, "matching-assign", student=student.pk, offer=first.pk, expected="")
    post_action(client, world, "matching-assign", student=student.pk, offer=second.pk, expected=first.pk)
    post_action(client, world, "matching-lock", student=student.pk, locked="1")
    post_action(client, world, "matching-lock", student=student.pk, locked="0")
    post_action(client, world, "matching-unassign", student=student.pk, expected=second.pk)
    changes = list(AssignmentChange.all_tenants.filter(round=world.round, student=student).order_by("id"))
    assert [c.action for c in changes] == ["assign", "move", "lock", "unlock", "unassign"]
    assert all(c.changed_by_id == coordinator.user_id and c.changed_at for c in changes)
    assert (changes[1].before_offer_id, changes[1].after_offer_id) == (first.pk, second.pk)
    assert (changes[2].before_locked, changes[2].after_locked) == (False, True)
    assert (changes[4].before_offer_id, changes[4].after_offer_id) == (second.pk, None)
    history = client.get(reverse("matching-history", kwargs={"pk": world.round.pk})).content.decode()
    assert "unassign" in history and str(student) in history


def test_full_offer_answers_409_with_a_message(world, coordinator, client_for):
    client = client_for(coordinator)
    offer = world.offers[0]  # 2 places
    for student in world.students[:2]:
        assert (
            post_action(
                client, world, "matching-assign", student=student.pk, offer=offer.pk, expected=""
            ).status_code
            == 200
        )
    third = world.students[2]
    response = post_action(client, world, "matching-assign", student=third.pk, offer=offer.pk, expected="")
    assert response.status_code == 409
    body = response.content.decode()
    assert 'role="alert"' in body and "2" in body
    assert f'<tr id="student-{third.pk}"' in body
    assert not Assignment.all_tenants.filter(round=world.round, student=third).exists()
    # Without JavaScript: redirect with the message shown on the board.
    response = post_action(
        client, world, "matching-assign", htmx=False, student=third.pk, offer=offer.pk, expected=""
    )
    assert response.status_code == 302
    board = client.get(response["Location"]).content.decode()
    assert "message-error" in board


def test_stale_board_answers_409(world, coordinator, client_for):
    client = client_for(coordinator)
    student = world.students[0]
    post_action(client, world, "matching-assign", student=student.pk, offer=world.offers[0].pk, expected="")
    # A second coordinator still sees the student as unplaced.
    response = post_action(
        client, world, "matching-assign", student=student.pk, offer=world.offers[1].pk, expected=""
    )
    assert response.status_code == 409
    assert Assignment.all_tenants.get(round=world.round, student=student).offer_id == world.offers[0].pk


def test_locked_assignment_cannot_be_moved_or_removed(world, coordinator, client_for):
    client = client_for(coordinator)
    student, offer = world.students[0], world.offers[0]
    post_action(client, world, "matching-assign", student=student.pk, offer=offer.pk, expected="")
    assert post_action(client, world, "matching-lock", student=student.pk, locked="1").status_code == 200
    moved = post_action(
        client, world, "matching-assign", student=student.pk, offer=world.offers[1].pk, expected=offer.pk
    )
    assert moved.status_code == 409
    removed = post_action(client, world, "matching-unassign", student=student.pk, expected=offer.pk)
    assert removed.status_code == 409
    assert Assignment.all_tenants.get(round=world.round, student=student).locked


@pytest.mark.parametrize(
    "data",
    [
        {"student": "abc", "offer": "1"},
        {"student": "", "offer": ""},
        {"student": "1", "offer": "x"},
        {"student": "1", "expected": "zz"},
    ],
)
def test_bad_input_is_a_400_not_a_500(world, coordinator, client_for, data):
    client = client_for(coordinator)
    for htmx in (True, False):
        response = post_action(client, world, "matching-assign", htmx=htmx, **data)
        # 404 when the id names no student of this round (ids differ per database).
        assert response.status_code in (400, 302, 404)


def test_foreign_student_or_offer_is_refused(personas, world, coordinator, client_for):
    client = client_for(coordinator)
    other = make_world(personas.b)
    response = post_action(
        client, world, "matching-assign", student=other.students[0].pk, offer=world.offers[0].pk, expected=""
    )
    assert response.status_code == 400
    response = post_action(
        client, world, "matching-assign", student=world.students[0].pk, offer=other.offers[0].pk, expected=""
    )
    assert response.status_code == 400
    assert not Assignment.all_tenants.exists()


def test_conflicts_are_flagged(personas, world, coordinator, client_for):
    client = client_for(coordinator)
    a = personas.a
    unranked_student = world.students[0]
    # Student 0 ranked offers 0, 1, 2; an offer of another organisation, unapproved and unranked:
    extra = PlacementOfferFactory(institution=a, programme=world.round.programme, places=1)
    create_in_tenant(Assignment, institution=a, round=world.round, student=unranked_student, offer=extra)
    rated_no = world.students[1]
    create_in_tenant(Assignment, institution=a, round=world.round, student=rated_no, offer=world.offers[1])
    create_in_tenant(CandidateRating,
        institution=a, round=world.round, student=rated_no, offer=world.offers[1], verdict="no"
    )
    for student in world.students[2:5]:
        create_in_tenant(Assignment,
            institution=a, round=world.round, student=student, offer=world.offers[2]
        )
    body = client.get(
        reverse("matching-board", kwargs={"pk": world.round.pk}) + "?only=conflicts"
    ).content.decode()
    from matching.selectors import CONFLICT_LABELS

    for key in ("not_ranked", "not_approved", "rated_no", "over_capacity"):
        assert str(CONFLICT_LABELS[key]) in body
    assert f'id="student-{unranked_student.pk}"' in body


def test_filter_unplaced(world, coordinator, client_for, personas):
    create_in_tenant(Assignment,
        institution=personas.a, round=world.round, student=world.students[0], offer=world.offers[0]
    )
    body = (
        client_for(coordinator)
        .get(reverse("matching-board", kwargs={"pk": world.round.pk}) + "?only=unplaced&page=zz")
        .content.decode()
    )
    assert f'id="student-{world.students[0].pk}"' not in body
    assert f'id="student-{world.students[1].pk}"' in body


def test_student_page_assigns_to_any_offer(personas, world, coordinator, client_for):
    client = client_for(coordinator)
    student = world.students[0]
    page = client.get(reverse("matching-student", kwargs={"pk": world.round.pk, "student_pk": student.pk}))
    assert page.status_code == 200
    for offer in world.offers:
        assert offer.organisation.name in page.content.decode()


# --- proposals -------------------------------------------------------------------------------


def test_propose_diff_and_apply_keeps_locks(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=6, offers=3, places=2)
    client = client_for(coordinator)
    locked_student = world.students[5]
    create_in_tenant(Assignment,
        institution=a, round=world.round, student=locked_student, offer=world.offers[0], locked=True
    )
    response = client.post(
        reverse("matching-propose", kwargs={"pk": world.round.pk}), {"mode": "deferred_acceptance"}
    )
    assert response.status_code == 302
    proposal = MatchingProposal.all_tenants.get(round=world.round)
    assert 0 <= proposal.seed < 2**31
    assert proposal.result["assignment"][str(locked_student.pk)] == world.offers[0].pk
    detail = client.get(response["Location"] + "?show=all").content.decode()
    assert str(proposal.seed) in detail
    assert "Locked" in detail or "Vergrendeld" in detail or "vergrendeld" in detail.lower()
    # Applying writes the board and records every change.
    applied = client.post(
        reverse("matching-proposal-apply", kwargs={"pk": world.round.pk, "proposal_pk": proposal.pk})
    )
    assert applied.status_code == 302
    board = dict(Assignment.all_tenants.filter(round=world.round).values_list("student_id", "offer_id"))
    expected = {int(s): o for s, o in proposal.result["assignment"].items() if o is not None}
    assert board == expected
    assert Assignment.all_tenants.get(student=locked_student).locked
    assert (
        AssignmentChange.all_tenants.filter(round=world.round, action="proposal").count() == len(expected) - 1
    )
    world.round.refresh_from_db()
    assert world.round.status == MatchingRound.Status.MATCHING


def test_seed_reproduces_the_proposal(world, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("matching-propose", kwargs={"pk": world.round.pk})
    client.post(url, {"mode": "deferred_acceptance", "seed": "12345"})
    client.post(url, {"mode": "deferred_acceptance", "seed": "12345"})
    first, second = MatchingProposal.all_tenants.filter(round=world.round).order_by("id")
    assert first.seed == second.seed == 12345
    assert first.result["assignment"] == second.result["assignment"]


def test_min_total_rank_is_labelled_unstable(world, coordinator, client_for):
    client = client_for(coordinator)
    response = client.post(
        reverse("matching-propose", kwargs={"pk": world.round.pk}), {"mode": "min_total_rank"}
    )
    detail = client.get(response["Location"]).content.decode()
    assert "unstable" in detail or "instabiel" in detail or "onstabiel" in detail


@pytest.mark.parametrize(
    "data", [{"mode": "magic"}, {"mode": "deferred_acceptance", "seed": "-1"}, {"seed": "abc"}]
)
def test_propose_bad_input(world, coordinator, client_for, data):
    response = client_for(coordinator).post(reverse("matching-propose", kwargs={"pk": world.round.pk}), data)
    assert response.status_code == 400
    assert not MatchingProposal.all_tenants.exists()


def test_hard_constraints_become_forbidden_pairs(personas):
    from matching.selectors import build_problem
    from wpl.tenancy import tenant_context

    a = personas.a
    world = make_world(a, students=2, offers=3, approved=False)
    WorkplaceApprovalFactory(
        institution=a, organisation=world.offers[0].organisation, programme=world.round.programme
    )
    WorkplaceApprovalFactory(
        institution=a, organisation=world.offers[1].organisation, programme=world.round.programme
    )
    student = world.students[0]
    create_in_tenant(CandidateRating,
        institution=a, round=world.round, student=student, offer=world.offers[1], verdict="no"
    )
    create_in_tenant(CandidateRating,
        institution=a, round=world.round, student=student, offer=world.offers[0], verdict="maybe", rank=2
    )
    with tenant_context(a):
        data = build_problem(world.round)
    assert data.forbidden_reasons[(student.pk, world.offers[1].pk)] == "rated_no"
    assert data.forbidden_reasons[(student.pk, world.offers[2].pk)] == "not_approved"
    assert data.problem.offer_ratings[world.offers[0].pk][student.pk] == 2002


# --- API -------------------------------------------------------------------------------------


def test_api_assign_conflict_and_permissions(personas, world, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("api-matching-assignment-assign")
    offer = world.offers[0]
    for student in world.students[:2]:
        ok = client.post(
            url,
            {"round": world.round.pk, "student": student.pk, "offer": offer.pk},
            content_type="application/json",
        )
        assert ok.status_code == 200, ok.content
        assert ok.json()["offer"] == offer.pk
    full = client.post(
        url,
        {"round": world.round.pk, "student": world.students[2].pk, "offer": offer.pk},
        content_type="application/json",
    )
    assert full.status_code == 409 and full.json()["detail"]
    lock = client.post(
        reverse("api-matching-assignment-lock"),
        {"round": world.round.pk, "student": world.students[0].pk, "locked": True},
        content_type="application/json",
    )
    assert lock.status_code == 200 and lock.json()["locked"] is True
    listed = client.get(reverse("api-matching-assignment-list") + f"?round={world.round.pk}").json()
    assert listed["count"] == 2
    assert client.get(reverse("api-matching-round-detail", kwargs={"pk": world.round.pk})).status_code == 200
    student_client = client_for(personas("a", "student"))
    refused = student_client.post(
        url,
        {"round": world.round.pk, "student": world.students[3].pk, "offer": world.offers[1].pk},
        content_type="application/json",
    )
    assert refused.status_code == 403
    bad = client.post(url, {"round": "x"}, content_type="application/json")
    assert bad.status_code == 400


# --- the board's rows, written in Python for speed ---------------------------------------------


def test_board_rows_escape_names_and_show_choices_verdicts_and_locks(personas, coordinator, client_for):
    """Rows are built without the template engine: every value must still be escaped."""
    world = make_world(personas.a, students=3, offers=3)
    tricky = world.students[0]
    with tenant_context(personas.a):
        Student.objects.filter(pk=tricky.pk).update(first_name="<b>Zoë</b>", last_name="O'Brien & Co")
        organisation = world.offers[0].organisation
        organisation.name = 'Zorg <script>alert("x")</script>'
        organisation.save(update_fields=["name"])
    create_in_tenant(
        Assignment, personas.a, round=world.round, student=tricky, offer=world.offers[0], locked=True
    )
    create_in_tenant(
        CandidateRating, personas.a, round=world.round, student=tricky, offer=world.offers[0], verdict="yes"
    )
    client = client_for(coordinator)
    body = client.get(reverse("matching-board", kwargs={"pk": world.round.pk})).content.decode()
    assert "<script>alert" not in body and "&lt;b&gt;Zoë&lt;/b&gt;" in body
    assert "O&#x27;Brien &amp; Co" in body
    assert "Zorg &lt;script&gt;" in body
    assert 'class="verdict-yes"' in body
    assert shown("locked") in body and shown("Unlock") in body
    assert f'<option value="{world.offers[0].pk}" selected>1. Zorg &lt;script&gt;' in body
    assert shown("Offer for %(name)s", name="&lt;b&gt;Zoë&lt;/b&gt; O&#x27;Brien &amp; Co") in body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ["niet geplaatst", "Alle aanbiedingen…", "Aanbod voor"]),
        ("fr", ["non affecté", "Toutes les offres…", "Offre pour"]),
        ("en", ["All offers…", "Offer for"]),
    ],
)
def test_board_rows_follow_the_language(personas, coordinator, client_for, language, words):
    """The rows' words are translated once per language and cached: each language its own."""
    world = make_world(personas.a, students=2, offers=2)
    client = client_for(coordinator)
    url = reverse("matching-board", kwargs={"pk": world.round.pk})
    body = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in body


def test_board_query_count_is_constant_for_a_crowded_round(personas, coordinator, client_for):
    """150 students (two pages), full lists, ratings and assignments: a fixed number of queries."""
    world = make_world(personas.a, students=150, offers=12, prefs=12, places=3)
    for i, student in enumerate(world.students[:36]):
        offer = world.offers[i % 12]
        create_in_tenant(Assignment, personas.a, round=world.round, student=student, offer=offer)
        create_in_tenant(
            CandidateRating,
            personas.a,
            round=world.round,
            student=student,
            offer=world.offers[(i + 1) % 12],
            verdict="maybe",
        )
    client = client_for(coordinator)
    small = make_world(personas.a, students=2, offers=1, prefs=1)
    _board_queries(client, small.round)  # warm up (session, caches)
    expected = _board_queries(client, small.round)
    assert _board_queries(client, world.round) == expected
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("matching-board", kwargs={"pk": world.round.pk}) + "?page=2")
    assert response.status_code == 200 and len(ctx.captured_queries) == expected
    assert 'id="student-' in response.content.decode()

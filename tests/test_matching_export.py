"""Exporting a round so anyone can recompute the result."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from matching.algorithms import deferred_acceptance, min_total_rank
from matching.models import Assignment, CandidateRating, MatchingProposal
from matching.selectors import problem_digest, problem_from_json
from tests.factories import create_in_tenant
from tests.fixtures import make_world


@pytest.fixture
def coordinator(personas):
    return personas("a", "coordinator")


def _round_with_everything(personas, coordinator, client_for, mode="deferred_acceptance"):
    a = personas.a
    world = make_world(a, students=12, offers=4, places=2, prefs=3)
    create_in_tenant(Assignment,
        institution=a, round=world.round, student=world.students[0], offer=world.offers[3], locked=True
    )
    create_in_tenant(CandidateRating,
        institution=a, round=world.round, student=world.students[1], offer=world.offers[1], verdict="no"
    )
    create_in_tenant(CandidateRating,
        institution=a,
        round=world.round,
        student=world.students[2],
        offer=world.offers[2],
        verdict="yes",
        rank=1,
    )
    client = client_for(coordinator)
    client.post(reverse("matching-propose", kwargs={"pk": world.round.pk}), {"mode": mode})
    return world, client


@pytest.mark.parametrize(
    "mode,solve", [("deferred_acceptance", deferred_acceptance), ("min_total_rank", min_total_rank)]
)
def test_json_export_recomputes_the_proposal(personas, coordinator, client_for, mode, solve):
    world, client = _round_with_everything(personas, coordinator, client_for, mode)
    response = client.get(reverse("matching-export", kwargs={"pk": world.round.pk}) + "?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    problem = problem_from_json(data["problem"])
    assert problem_digest(problem) == data["input_digest"]
    proposal = data["proposals"][-1]
    assert proposal["input_digest"] == data["input_digest"]
    result = solve(problem, seed=proposal["seed"])
    assert {str(s): o for s, o in result.assignment.items()} == proposal["assignment"]
    stored = MatchingProposal.all_tenants.get(pk=proposal["id"])
    assert stored.seed == proposal["seed"]
    # Both sides' preferences, capacities, locks and the hard constraints are in it.
    assert len(data["preferences"]) == 12 * 3
    assert {r["verdict"] for r in data["ratings"]} == {"no", "yes"}
    assert {f["reason"] for f in data["forbidden"]} == {"rated_no"}
    assert data["locks"] == {str(world.students[0].pk): world.offers[3].pk}
    assert {o["id"]: o["places"] for o in data["offers"]} == {o.pk: 2 for o in world.offers}


def test_export_after_publishing_contains_the_result(personas, coordinator, client_for):
    world, client = _round_with_everything(personas, coordinator, client_for)
    proposal = MatchingProposal.all_tenants.get(round=world.round)
    client.post(reverse("matching-proposal-apply", kwargs={"pk": world.round.pk, "proposal_pk": proposal.pk}))
    publish_url = reverse("matching-publish", kwargs={"pk": world.round.pk})
    # The board leaves students unplaced: publishing asks to confirm what the page named.
    token = re.search(r'name="token" value="([^"]*)"', client.get(publish_url).content.decode()).group(1)
    client.post(publish_url, {"token": token, "confirm": "1"})
    data = client.get(reverse("matching-export", kwargs={"pk": world.round.pk})).json()
    assert data["round"]["status"] == "published"
    published = {p["student_id"]: p["offer_id"] for p in data["published"]}
    assert published == {int(s): o for s, o in proposal.result["assignment"].items() if o is not None}


def test_csv_export(personas, coordinator, client_for):
    world, client = _round_with_everything(personas, coordinator, client_for)
    response = client.get(reverse("matching-export", kwargs={"pk": world.round.pk}) + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    sections = {r["section"] for r in rows}
    assert {
        "round",
        "student",
        "offer",
        "preference",
        "rating",
        "forbidden",
        "assignment",
        "proposal",
        "proposal_assignment",
    } <= sections
    seed = MatchingProposal.all_tenants.get(round=world.round).seed
    assert any(f"seed={seed}" in r["detail"] for r in rows if r["section"] == "proposal")


def test_bad_format_is_400(personas, coordinator, client_for):
    world = make_world(personas.a, students=1)
    response = client_for(coordinator).get(
        reverse("matching-export", kwargs={"pk": world.round.pk}) + "?format=xml"
    )
    assert response.status_code == 400

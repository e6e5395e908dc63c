"""The sparse minimum-total-rank solver against the dense reference (no database needed).

``min_total_rank`` solves large rounds as a sparse assignment problem and small, dense
ones with the dense matrix; here the sparse path is forced and its optimum compared with
the dense solution (placed count first, then total rank) on random instances.
"""

from __future__ import annotations

import random
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import algorithms as matching
from matching.algorithms import MatchingProblem, MatchingResult, min_total_rank, total_rank
from tests.fixtures import SEEDS, placed_count, problems, remaining_places

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def solve_sparse(problem: MatchingProblem, seed: int) -> MatchingResult:
    with mock.patch.object(matching, "_DENSE_CELLS", 0):
        return min_total_rank(problem, seed=seed)


def solve_dense(problem: MatchingProblem, seed: int) -> MatchingResult:
    priority = matching._int_priority(problem, seed)
    assignment: dict[int, int | None] = dict.fromkeys(problem.student_prefs)
    assignment.update(problem.locks)
    assignment.update(matching._solve_min_rank_dense(problem, priority))
    return MatchingResult(assignment, seed, matching.MIN_TOTAL_RANK, {})


def score(problem: MatchingProblem, result: MatchingResult) -> tuple[int, int]:
    return (-placed_count(problem, result), total_rank(problem, result))


def assert_feasible(problem: MatchingProblem, result: MatchingResult) -> None:
    left = remaining_places(problem)
    seats: dict[int, int] = {}
    for student, offer in result.assignment.items():
        if student in problem.locks:
            assert offer == problem.locks[student]
            continue
        if offer is None:
            continue
        assert offer in problem.student_prefs[student]
        assert (student, offer) not in problem.forbidden
        seats[offer] = seats.get(offer, 0) + 1
    assert all(seats[o] <= left.get(o, 0) for o in seats)


@PROPERTY
@given(problem=problems(max_students=10, max_offers=6), seed=SEEDS)
def test_sparse_solver_matches_dense_optimum(problem, seed):
    sparse = solve_sparse(problem, seed)
    assert_feasible(problem, sparse)
    assert score(problem, sparse) == score(problem, solve_dense(problem, seed))


@PROPERTY
@given(problem=problems(max_students=8, max_offers=5), seed=SEEDS)
def test_sparse_solver_is_reproducible(problem, seed):
    assert solve_sparse(problem, seed).assignment == solve_sparse(problem, seed).assignment


@settings(max_examples=8, deadline=None)
@given(
    seed=SEEDS,
    students=st.integers(20, 120),
    offers=st.integers(3, 30),
    list_length=st.integers(1, 12),
)
def test_sparse_solver_matches_dense_on_correlated_rounds(seed, students, offers, list_length):
    """Medium rounds like the real ones: popular offers, short lists, repeats, locks."""
    rng = random.Random(seed)
    ids = list(range(500, 500 + offers))
    popularity = {o: rng.gauss(0, 1) for o in ids}
    prefs = {}
    for s in range(1, students + 1):
        ordered = sorted(ids, key=lambda o: popularity[o] + rng.gauss(0, 0.5), reverse=True)
        chosen = ordered[:list_length]
        if rng.random() < 0.1:
            chosen.append(chosen[0])  # a repeated offer keeps its first (best) rank
        prefs[s] = chosen
    capacities = {o: rng.randint(0, 3) for o in ids}
    ratings = {o: {rng.randint(1, students): rng.randint(1, 3)} for o in ids}
    forbidden = frozenset((rng.randint(1, students), rng.choice(ids)) for _ in range(students // 4))
    locks = {s: rng.choice(ids) for s in rng.sample(range(1, students + 1), 2)}
    problem = MatchingProblem(prefs, capacities, ratings, forbidden, locks)
    sparse = solve_sparse(problem, seed)
    assert_feasible(problem, sparse)
    assert score(problem, sparse) == score(problem, solve_dense(problem, seed))


def test_large_round_takes_the_sparse_path():
    """A round too big for the dense matrix never builds it."""
    rng = random.Random(3)
    offers = list(range(1, 401))
    prefs = {s: rng.sample(offers, 20) for s in range(1, 3001)}
    problem = MatchingProblem(prefs, dict.fromkeys(offers, 3), {})
    with mock.patch.object(matching, "_solve_min_rank_dense", side_effect=AssertionError("dense used")):
        result = min_total_rank(problem, seed=1)
    assert placed_count(problem, result) == 1200


# --- the pricing loop: a subset solved, then proven optimal for every pair -----------------


def solve_priced(problem: MatchingProblem, seed: int, *, first: int, per_place: int) -> MatchingResult:
    """The sparse path starting from a deliberately small subset of the pairs."""
    with (
        mock.patch.object(matching, "_DENSE_CELLS", 0),
        mock.patch.object(matching, "_FIRST_CHOICES", first),
        mock.patch.object(matching, "_BEST_PER_PLACE", per_place),
    ):
        return min_total_rank(problem, seed=seed)


@PROPERTY
@given(
    problem=problems(max_students=10, max_offers=6),
    seed=SEEDS,
    subset=st.sampled_from([(0, 0), (1, 0), (0, 1), (1, 1), (2, 1)]),
)
def test_pricing_from_a_small_subset_reaches_the_dense_optimum(problem, seed, subset):
    """However small the first subset (even empty), the loop ends at the true optimum."""
    first, per_place = subset
    priced = solve_priced(problem, seed, first=first, per_place=per_place)
    assert_feasible(problem, priced)
    assert score(problem, priced) == score(problem, solve_dense(problem, seed))


def correlated_full_round(seed: int, students: int, offers: int) -> MatchingProblem:
    """Every student ranks every offer, popularity shared: the case the pricing is for."""
    rng = random.Random(seed)
    ids = list(range(1, offers + 1))
    popularity = {o: rng.gauss(0, 1) for o in ids}
    prefs = {
        s: sorted(ids, key=lambda o: popularity[o] + rng.gauss(0, 0.3), reverse=True)
        for s in range(1000, 1000 + students)
    }
    capacities = {o: rng.choice([1, 2, 3]) for o in ids}
    ratings = {o: {rng.randrange(1000, 1000 + students): rng.randint(1, 3)} for o in ids}
    forbidden = frozenset((rng.randrange(1000, 1000 + students), rng.choice(ids)) for _ in range(students))
    locks = {s: rng.choice(ids) for s in rng.sample(range(1000, 1000 + students), 3)}
    return MatchingProblem(prefs, capacities, ratings, forbidden, locks)


@pytest.mark.parametrize("students", [40, 90, 250])
def test_pricing_needs_more_rounds_and_stays_optimal_on_full_lists(students):
    """Fewer, equal and more students than places; the first subset is not enough."""
    problem = correlated_full_round(students, students, 40)
    calls: list[int] = []
    original = matching._assign

    def counting(*args, **kwargs):
        calls.append(len(args[2]))
        return original(*args, **kwargs)

    with mock.patch.object(matching, "_assign", side_effect=counting):
        priced = solve_priced(problem, 5, first=1, per_place=1)
    assert len(calls) > 1, "the first subset was already optimal: the test proves nothing"
    assert calls[-1] < sum(len(p) for p in problem.student_prefs.values())  # never every pair
    assert_feasible(problem, priced)
    assert score(problem, priced) == score(problem, solve_dense(problem, 5))
    assert score(problem, priced) == score(problem, solve_sparse(problem, 5))


def test_potentials_prove_the_optimum_and_refuse_a_worse_assignment():
    """The certificate itself: no pair prices below zero for the optimum, some for a worse one."""
    problem = correlated_full_round(11, 60, 20)
    priority = matching._int_priority(problem, 3)
    students = sorted(
        (s for s in matching._free_students(problem) if problem.student_prefs[s]),
        key=priority.lottery.__getitem__,
    )
    remaining = matching._remaining_capacity(problem)
    offers = sorted(o for o, n in remaining.items() if n > 0)
    places = np.asarray([remaining[o] for o in offers], dtype=np.int64)
    rows, cols, ranks = matching._allowed_pairs(problem, students, offers)
    pairs = matching._first_copies(rows, cols, ranks, len(offers))
    unplaced = float(len(students) * len(offers) + 1)
    best = matching._assign(len(students), places, *pairs, unplaced)
    potential = matching._potentials(places, *pairs, best, unplaced)
    assert potential is not None
    assert not matching._priced_below_zero(rows, cols, ranks, pairs, best, potential, unplaced).any()
    # Only first choices: optimal for that subset, not for the whole problem.
    first = ranks == 1
    subset = matching._first_copies(rows[first], cols[first], ranks[first], len(offers))
    narrow = matching._assign(len(students), places, *subset, unplaced)
    potential = matching._potentials(places, *subset, narrow, unplaced)
    assert potential is not None
    assert matching._priced_below_zero(rows, cols, ranks, subset, narrow, potential, unplaced).any()

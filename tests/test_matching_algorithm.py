"""Property and example tests of the pure matching algorithms (no database needed)."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.algorithms import (
    DEFERRED_ACCEPTANCE,
    MIN_TOTAL_RANK,
    MatchingProblem,
    blocking_pairs,
    deferred_acceptance,
    min_total_rank,
    rank_distribution,
    tie_break_order,
    total_rank,
)
from tests.fixtures import SEEDS, free_students, placed_count, problems, remaining_places

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALGORITHMS = [deferred_acceptance, min_total_rank]


# ---------------------------------------------------------------------------
# Strategies and reference helpers
# ---------------------------------------------------------------------------


def rank_of(problem: MatchingProblem, student: int, offer: int | None) -> float:
    """True-preference rank; unplaced is worse than any offer."""
    if offer is None:
        return math.inf
    return problem.student_prefs[student].index(offer) + 1


def all_matchings(problem: MatchingProblem):
    """Every feasible assignment of the unlocked students (locks fixed)."""
    students = free_students(problem)
    left = remaining_places(problem)
    options = [
        [None]
        + [
            o
            for o in dict.fromkeys(problem.student_prefs[s])
            if left.get(o, 0) > 0 and (s, o) not in problem.forbidden
        ]
        for s in students
    ]
    for choice in itertools.product(*options):
        used: dict[int, int] = {}
        for offer in choice:
            if offer is not None:
                used[offer] = used.get(offer, 0) + 1
        if all(used[o] <= left[o] for o in used):
            assignment = dict(zip(students, choice, strict=True))
            assignment.update(problem.locks)
            yield assignment


def is_stable(problem: MatchingProblem, assignment: dict, seed: int) -> bool:
    """Reference stability check written independently of ``blocking_pairs``."""
    keys = tie_break_order(problem, seed)
    for student in free_students(problem):
        mine = rank_of(problem, student, assignment[student])
        for offer in problem.student_prefs[student]:
            if rank_of(problem, student, offer) >= mine:
                break
            if (student, offer) in problem.forbidden or problem.capacities.get(offer, 0) <= 0:
                continue
            seated = [t for t, o in assignment.items() if o == offer]
            if len(seated) < problem.capacities[offer]:
                return False
            rivals = [t for t in seated if t not in problem.locks]
            if any(keys[offer][student] < keys[offer][t] for t in rivals):
                return False
    return True


# ---------------------------------------------------------------------------
# Invariants shared by both algorithms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("solve", ALGORITHMS)
@PROPERTY
@given(problem=problems(), seed=SEEDS)
def test_feasibility_invariants(solve, problem, seed):
    result = solve(problem, seed=seed)
    everyone = set(problem.student_prefs) | set(problem.locks)
    assert set(result.assignment) == everyone
    assert set(result.reasons) == everyone
    for student, offer in problem.locks.items():
        assert result.assignment[student] == offer
        assert result.reasons[student] == "locked"
    left = remaining_places(problem)
    for offer in problem.capacities:
        movers = [s for s in free_students(problem) if result.assignment[s] == offer]
        assert len(movers) <= max(left[offer], 0)
    for student in free_students(problem):
        offer = result.assignment[student]
        if offer is None:
            assert result.reasons[student].startswith("unplaced")
            continue
        assert offer in problem.student_prefs[student]
        assert (student, offer) not in problem.forbidden
    assert not any(pair in problem.forbidden for pair in result.assignment.items())
    assert sum(rank_distribution(problem, result).values()) == len(everyone)


@pytest.mark.parametrize("solve", ALGORITHMS)
@PROPERTY
@given(problem=problems(), seed=SEEDS)
def test_same_seed_same_result_and_seed_recorded(solve, problem, seed):
    first = solve(problem, seed=seed)
    second = solve(problem, seed=seed)
    assert first == second
    assert first.seed == seed
    assert first.mode == (DEFERRED_ACCEPTANCE if solve is deferred_acceptance else MIN_TOTAL_RANK)


# ---------------------------------------------------------------------------
# Deferred acceptance
# ---------------------------------------------------------------------------


@PROPERTY
@given(problem=problems(), seed=SEEDS)
def test_da_has_no_blocking_pair(problem, seed):
    result = deferred_acceptance(problem, seed=seed)
    assert blocking_pairs(problem, result) == []
    assert is_stable(problem, result.assignment, seed)


@PROPERTY
@given(problem=problems(max_students=5, max_offers=4), seed=SEEDS)
def test_da_is_student_optimal_stable_matching(problem, seed):
    result = deferred_acceptance(problem, seed=seed)
    stable = [m for m in all_matchings(problem) if is_stable(problem, m, seed)]
    assert result.assignment in stable
    for matching in stable:
        for student in free_students(problem):
            assert rank_of(problem, student, result.assignment[student]) <= rank_of(
                problem, student, matching[student]
            )


@PROPERTY
@given(problem=problems(max_students=5, max_offers=4), seed=SEEDS, data=st.data())
def test_da_strategy_proof_for_permuted_lists(problem, seed, data):
    movers = free_students(problem)
    if not movers:
        return
    liar = data.draw(st.sampled_from(movers))
    truth = problem.student_prefs[liar]
    honest = rank_of(problem, liar, deferred_acceptance(problem, seed=seed).assignment[liar])
    for lie in itertools.permutations(truth):
        prefs = {**problem.student_prefs, liar: list(lie)}
        reported = MatchingProblem(
            prefs, problem.capacities, problem.offer_ratings, problem.forbidden, problem.locks
        )
        gained = deferred_acceptance(reported, seed=seed).assignment[liar]
        assert rank_of(problem, liar, gained) >= honest


# ---------------------------------------------------------------------------
# Minimum total rank
# ---------------------------------------------------------------------------


@PROPERTY
@given(problem=problems(), seed=SEEDS)
def test_min_rank_places_more_and_ranks_lower_than_da(problem, seed):
    da = deferred_acceptance(problem, seed=seed)
    best = min_total_rank(problem, seed=seed)
    assert placed_count(problem, best) >= placed_count(problem, da)
    if placed_count(problem, best) == placed_count(problem, da):
        assert total_rank(problem, best) <= total_rank(problem, da)


@PROPERTY
@given(problem=problems(max_students=5, max_offers=4), seed=SEEDS)
def test_min_rank_is_optimal_by_brute_force(problem, seed):
    result = min_total_rank(problem, seed=seed)
    movers = free_students(problem)

    def score(assignment):
        placed = [s for s in movers if assignment[s] is not None]
        return (-len(placed), sum(rank_of(problem, s, assignment[s]) for s in placed))

    assert score(result.assignment) == min(score(m) for m in all_matchings(problem))


# ---------------------------------------------------------------------------
# Tie-breaking
# ---------------------------------------------------------------------------


def test_tie_break_is_single_lottery_and_rated_first():
    students = list(range(1, 21))
    problem = MatchingProblem(
        student_prefs={s: [101, 102] for s in students},
        capacities={101: 1, 102: 1},
        offer_ratings={101: {20: 2, 19: 1}},
    )
    keys = tie_break_order(problem, seed=3)
    at_101 = sorted(students, key=keys[101].__getitem__)
    at_102 = sorted(students, key=keys[102].__getitem__)
    assert at_101[:2] == [19, 20]
    assert [s for s in at_101 if s not in (19, 20)] == [s for s in at_102 if s not in (19, 20)]
    assert keys == tie_break_order(problem, seed=3)
    orders = {tuple(sorted(students, key=tie_break_order(problem, seed)[102].get)) for seed in range(5)}
    assert len(orders) > 1


# ---------------------------------------------------------------------------
# Hand-written examples
# ---------------------------------------------------------------------------

A, B, C = 1, 2, 3
X, Y, Z = 11, 12, 13
CLASSIC = MatchingProblem(
    student_prefs={A: [X, Y, Z], B: [Y, X, Z], C: [X, Y, Z]},
    capacities={X: 1, Y: 1, Z: 1},
    offer_ratings={X: {B: 1, A: 2, C: 3}, Y: {A: 1, B: 2, C: 3}, Z: {A: 1, B: 2, C: 3}},
)


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_classic_three_by_three(seed):
    result = deferred_acceptance(CLASSIC, seed=seed)
    assert result.assignment == {A: X, B: Y, C: Z}
    assert result.reasons[A] == "first_choice"
    assert result.reasons[C] == ("choice 3: choices 1-2 full with students ranked higher by the workplace")
    assert rank_distribution(CLASSIC, result) == {1: 2, 3: 1}
    assert blocking_pairs(CLASSIC, result) == []
    assert total_rank(CLASSIC, min_total_rank(CLASSIC, seed=seed)) == 5


def test_min_rank_places_more_than_da_at_the_cost_of_stability():
    problem = MatchingProblem(
        student_prefs={1: [10, 20], 2: [10]},
        capacities={10: 1, 20: 1},
        offer_ratings={10: {1: 1}},
    )
    da = deferred_acceptance(problem, seed=0)
    assert da.assignment == {1: 10, 2: None}
    assert da.reasons[2] == "unplaced: all acceptable offers full"
    best = min_total_rank(problem, seed=0)
    assert best.assignment == {1: 20, 2: 10}
    assert blocking_pairs(problem, best) == [(1, 10)]
    assert best.reasons[1].startswith("choice 2: choice 1 full")
    assert rank_distribution(problem, best) == {1: 1, 2: 1}


def test_lock_consumes_place_and_forbidden_is_skipped():
    problem = MatchingProblem(
        student_prefs={1: [10, 20], 2: [10, 20, 30], 3: [30]},
        capacities={10: 1, 20: 1, 30: 1},
        offer_ratings={},
        forbidden=frozenset({(3, 30)}),
        locks={1: 10, 4: 20},
    )
    for solve in ALGORITHMS:
        result = solve(problem, seed=5)
        assert result.assignment == {1: 10, 2: 30, 3: None, 4: 20}
        assert result.reasons[1] == result.reasons[4] == "locked"
        assert result.reasons[2] == "choice 3: choices 1-2 full with locked students"
        assert result.reasons[3] == "unplaced: no acceptable offers"
        assert rank_distribution(problem, result) == {1: 1, 3: 1, None: 1, 0: 1}


def test_rated_student_beats_unrated_regardless_of_lottery():
    problem = MatchingProblem(
        student_prefs={s: [10] for s in range(1, 9)},
        capacities={10: 1},
        offer_ratings={10: {7: 3}},
    )
    for seed in range(10):
        result = deferred_acceptance(problem, seed=seed)
        assert result.assignment[7] == 10
        assert sum(o is not None for o in result.assignment.values()) == 1


def test_forbidden_first_choice_is_explained():
    problem = MatchingProblem(
        student_prefs={1: [10, 20]},
        capacities={10: 1, 20: 1},
        offer_ratings={},
        forbidden=frozenset({(1, 10)}),
    )
    result = deferred_acceptance(problem, seed=0)
    assert result.assignment == {1: 20}
    assert result.reasons[1] == "choice 2: choice 1 not allowed"


# ---------------------------------------------------------------------------
# Crowded rounds: the fast paths against a textbook implementation
# ---------------------------------------------------------------------------


def textbook_deferred_acceptance(problem: MatchingProblem, seed: int) -> dict[int, int | None]:
    """Student-proposing deferred acceptance as in the textbook, on the public keys."""
    keys = tie_break_order(problem, seed)
    left = remaining_places(problem)
    held: dict[int, list[int]] = {offer: [] for offer in left}
    position = dict.fromkeys(problem.student_prefs, 0)
    free = free_students(problem)
    while free:
        student = free.pop()
        prefs = problem.student_prefs[student]
        while position[student] < len(prefs):
            offer = prefs[position[student]]
            position[student] += 1
            if (student, offer) in problem.forbidden or left.get(offer, 0) <= 0:
                continue
            held[offer].append(student)
            held[offer].sort(key=keys[offer].__getitem__)
            if len(held[offer]) <= left[offer]:
                break
            rejected = held[offer].pop()
            if rejected != student:
                free.append(rejected)
                break
    assignment: dict[int, int | None] = dict.fromkeys(problem.student_prefs)
    assignment.update(problem.locks)
    for offer, students in held.items():
        for student in students:
            assignment[student] = offer
    return assignment


def crowded_round(seed: int, students: int, offers: int, list_length: int | None) -> MatchingProblem:
    """More students than places, lists correlated by popularity, ratings, bans, locks."""
    rng = random.Random(seed)
    ids = list(range(1, offers + 1))
    popularity = {o: rng.gauss(0, 1) for o in ids}
    people = list(range(1000, 1000 + students))
    prefs = {
        s: sorted(ids, key=lambda o: popularity[o] + rng.gauss(0, 0.4), reverse=True)[:list_length]
        for s in people
    }
    capacities = {o: rng.choice([0, 1, 2, 3]) for o in ids}
    ratings = {o: {s: rng.randint(1, 3) for s in rng.sample(people, 3)} for o in ids}
    forbidden = frozenset((rng.choice(people), rng.choice(ids)) for _ in range(students))
    locks = {s: rng.choice(ids) for s in rng.sample(people, 4)}
    return MatchingProblem(prefs, capacities, ratings, forbidden, locks)


@settings(max_examples=25, deadline=None)
@given(
    seed=SEEDS,
    students=st.integers(30, 160),
    offers=st.integers(3, 25),
    list_length=st.sampled_from([None, 1, 3, 8]),
)
def test_da_on_crowded_rounds_equals_the_textbook_algorithm(seed, students, offers, list_length):
    """Most students meet only full offers; the shortcut that settles them must not change a thing."""
    problem = crowded_round(seed, students, offers, list_length)
    result = deferred_acceptance(problem, seed=seed)
    assert result.assignment == textbook_deferred_acceptance(problem, seed)
    assert blocking_pairs(problem, result) == []

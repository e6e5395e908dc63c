"""Benchmark of the placement matching algorithms on a realistic large round.

Instance (deterministic, seeded): 1,000 students, 500 offers (300 with 3 places,
200 with 2 places = 1,300 places), full preference lists correlated between
students (a common popularity score plus small individual noise), about 20 rated
students per offer, 2,000 forbidden pairs and 20 coordinator locks.

Run ``python -m bench.matching_bench`` (or the file directly); it prints one JSON
line per figure with the median wall time in milliseconds.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.algorithms import MatchingProblem, MatchingResult, deferred_acceptance, min_total_rank

STUDENTS = 1000
OFFERS = 500
PLACES = 1300
DA_SAMPLES = 7
MIN_RANK_SAMPLES = 3
INSTANCE_SEED = 20240901
MATCH_SEED = 7


def build_instance(seed: int = INSTANCE_SEED) -> MatchingProblem:
    """Build the benchmark instance; identical for identical seeds."""
    rng = random.Random(seed)
    offers = list(range(1, OFFERS + 1))
    capacities = {o: (3 if i < 300 else 2) for i, o in enumerate(offers)}
    assert sum(capacities.values()) == PLACES
    popularity = {o: rng.gauss(0.0, 1.0) for o in offers}
    students = list(range(10_001, 10_001 + STUDENTS))
    prefs = {}
    for s in students:
        noisy = {o: popularity[o] + rng.gauss(0.0, 0.3) for o in offers}
        prefs[s] = sorted(offers, key=noisy.__getitem__, reverse=True)
    ratings = {o: {s: rng.randint(1, 3) for s in rng.sample(students, 20)} for o in offers}
    forbidden = frozenset((rng.choice(students), rng.choice(offers)) for _ in range(2000))
    locked = rng.sample(students, 20)
    locks = {s: offers[i * 7] for i, s in enumerate(locked)}
    return MatchingProblem(prefs, capacities, ratings, forbidden, locks)


def _time_ms(solve: Callable[..., MatchingResult], problem: MatchingProblem, samples: int) -> list[float]:
    """Time ``samples`` runs of ``solve`` and return the durations in ms."""
    durations = []
    for _ in range(samples):
        start = time.perf_counter()
        solve(problem, seed=MATCH_SEED)
        durations.append((time.perf_counter() - start) * 1000.0)
    return durations


def _figure(metric: str, durations: list[float]) -> dict:
    """Format one benchmark figure (median of the samples)."""
    return {
        "metric": metric,
        "value": round(statistics.median(durations), 2),
        "unit": "ms",
        "n": len(durations),
        "students": STUDENTS,
        "offers": OFFERS,
        "places": PLACES,
    }


def run() -> list[dict]:
    """Run both benchmarks and return their figures."""
    problem = build_instance()
    return [
        _figure("matching_da_ms", _time_ms(deferred_acceptance, problem, DA_SAMPLES)),
        _figure("matching_min_rank_ms", _time_ms(min_total_rank, problem, MIN_RANK_SAMPLES)),
    ]


if __name__ == "__main__":
    for figure in run():
        print(json.dumps(figure))

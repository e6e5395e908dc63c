"""Pure-Python algorithms that match students to workplace placement offers.

This module has no Django dependency: callers translate database rows into a
:class:`MatchingProblem` (plain integer ids) and translate the
:class:`MatchingResult` back.

Vocabulary
----------
* **student preferences** - each student ranks some offers, most preferred first.
  The *rank* of an offer for a student is its 1-based position in that list
  (first occurrence, should an id be repeated).
* **offer priority** - the workplace rates students (lower is better, 1 = best).
  Rated students always come before unrated ones; equal ratings, and all the
  unrated students, are ordered by a lottery drawn from ``random.Random(seed)``.
  A student gets one lottery number that is used at every offer ("single
  tie-breaking"), so the whole outcome is reproducible from the recorded seed.
* **forbidden** pairs can never be matched; **locks** are fixed by the
  coordinator, always kept, and consume a place of their offer.

Two algorithms are provided:

* :func:`deferred_acceptance` - student-proposing deferred acceptance (Gale-Shapley).
  Stable, student-optimal among stable matchings, strategy-proof for students.
* :func:`min_total_rank` - an assignment that places as many students as possible
  and then minimises the sum of their ranks.  Efficient but possibly unstable.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain, groupby

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

DEFERRED_ACCEPTANCE = "deferred_acceptance"


MIN_TOTAL_RANK = "min_total_rank"


#: Rank used by :func:`rank_distribution` for a (locked) student assigned to an
#: offer that is not on their preference list.
OFF_LIST_RANK = 0


PriorityKey = tuple[int, int, int]


@dataclass(frozen=True)
class MatchingProblem:
    """Input of a matching round; all ids are plain integers.

    Attributes:
        student_prefs: student id -> offer ids, most preferred first.  A student may
            rank only some offers; offers not listed are unacceptable to them.
        capacities: offer id -> number of places.  Offers not present have no places.
        offer_ratings: offer id -> {student id: rating}; lower is better, students
            absent from the inner dict are unrated and rank after every rated one.
        forbidden: (student, offer) pairs that may never be matched.
        locks: student -> offer fixed by the coordinator.  Always kept (even on a
            forbidden pair or beyond capacity), consumes a place, and the student's
            preferences are ignored.
    """

    student_prefs: dict[int, list[int]]
    capacities: dict[int, int]
    offer_ratings: dict[int, dict[int, int]]
    forbidden: frozenset[tuple[int, int]] = frozenset()
    locks: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchingResult:
    """Outcome of a matching round.

    Attributes:
        assignment: every student id (locked ones included) -> offer id, or ``None``
            when the student is unplaced.
        seed: lottery seed used for tie-breaking; re-running with it reproduces the
            result exactly.
        mode: ``"deferred_acceptance"`` or ``"min_total_rank"``.
        reasons: student id -> short explanation, e.g. ``"locked"``,
            ``"first_choice"``, ``"choice 3: choices 1-2 full with students ranked
            higher by the workplace"``, ``"unplaced: all acceptable offers full"``.
    """

    assignment: dict[int, int | None]
    seed: int
    mode: str
    reasons: dict[int, str]


def all_students(problem: MatchingProblem) -> list[int]:
    """Return every student id of the problem (preferences or locks), sorted."""
    return sorted(set(problem.student_prefs) | set(problem.locks))


def lottery(problem: MatchingProblem, seed: int) -> dict[int, int]:
    """Draw one lottery number per student (0 = luckiest); a permutation of 0..n-1.

    The draw depends only on the seed and the set of student ids, so it does not
    change when a student reorders their preference list.
    """
    students = all_students(problem)
    random.Random(seed).shuffle(students)
    return {student: number for number, student in enumerate(students)}


def tie_break_order(problem: MatchingProblem, seed: int) -> dict[int, dict[int, PriorityKey]]:
    """Return offer -> student -> priority key; a smaller key means a stronger claim.

    The key is ``(0, rating, lottery)`` for a rated student and ``(1, 0, lottery)``
    for an unrated one, so rated students precede unrated ones, better ratings come
    first, and ties are broken by the student's single lottery number.  Every
    offer with capacity or mentioned in a preference list gets an entry for every
    student of the problem.
    """
    numbers = lottery(problem, seed)
    offers = set(problem.capacities)
    for prefs in problem.student_prefs.values():
        offers.update(prefs)
    table: dict[int, dict[int, PriorityKey]] = {}
    for offer in offers:
        ratings = problem.offer_ratings.get(offer, {})
        table[offer] = {
            student: _priority_key(ratings.get(student), number) for student, number in numbers.items()
        }
    return table


def _priority_key(rating: int | None, number: int) -> PriorityKey:
    """Build the public priority key for one (offer, student) pair."""
    if rating is None:
        return (1, 0, number)
    return (0, rating, number)


@dataclass(frozen=True)
class _IntPriority:
    """Integer encoding of :func:`tie_break_order`, order-isomorphic to its keys.

    ``rated[offer][student]`` holds the priority of rated students; an unrated
    student's priority is ``unrated_base + lottery[student]``.
    """

    lottery: dict[int, int]
    rated: dict[int, dict[int, int]]
    unrated_base: int

    def of(self, offer: int, student: int) -> int:
        """Return the priority of ``student`` at ``offer`` (lower is better)."""
        value = self.rated.get(offer, {}).get(student)
        if value is None:
            return self.unrated_base + self.lottery[student]
        return value


def _int_priority(problem: MatchingProblem, seed: int) -> _IntPriority:
    """Precompute integer priorities; only the (few) rated pairs are materialised."""
    numbers = lottery(problem, seed)
    size = max(len(numbers), 1)
    ratings = [
        r for per_offer in problem.offer_ratings.values() for s, r in per_offer.items() if s in numbers
    ]
    lowest = min(ratings, default=0)
    highest = max(ratings, default=0)
    rated = {
        offer: {s: (r - lowest) * size + numbers[s] for s, r in per_offer.items() if s in numbers}
        for offer, per_offer in problem.offer_ratings.items()
    }
    return _IntPriority(numbers, rated, (highest - lowest + 1) * size)


def _forbidden_by_student(forbidden: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    """Group forbidden pairs by student for O(1) checks in the inner loops."""
    grouped: dict[int, set[int]] = {}
    for student, offer in forbidden:
        grouped.setdefault(student, set()).add(offer)
    return grouped


def _remaining_capacity(problem: MatchingProblem) -> dict[int, int]:
    """Return offer -> places left once the locked students are seated (never < 0)."""
    remaining = dict(problem.capacities)
    for offer in problem.locks.values():
        remaining[offer] = remaining.get(offer, 0) - 1
    return {offer: max(places, 0) for offer, places in remaining.items()}


def _free_students(problem: MatchingProblem) -> list[int]:
    """Return the students that take part in the matching (not locked), sorted."""
    return sorted(s for s in problem.student_prefs if s not in problem.locks)


def _choice_rank(prefs: list[int], offer: int) -> int | None:
    """Return the 1-based position of ``offer`` in ``prefs``, or ``None``."""
    try:
        return prefs.index(offer) + 1
    except ValueError:
        return None


def deferred_acceptance(problem: MatchingProblem, *, seed: int) -> MatchingResult:
    """Run student-proposing deferred acceptance with capacities.

    Locked students are seated first and reduce their offer's capacity; their
    preferences are ignored.  Every other student proposes down their list,
    skipping forbidden pairs and offers without places; an offer tentatively
    holds its best proposers by :func:`tie_break_order` (rated before unrated,
    lottery for ties) and rejects the rest.  The result is stable (no blocking
    pair, see :func:`blocking_pairs`), the best stable matching for every student,
    and strategy-proof for students given the seed.
    """
    priority = _int_priority(problem, seed)
    remaining = _remaining_capacity(problem)
    held = _propose(problem, priority, remaining)
    assignment: dict[int, int | None] = dict.fromkeys(problem.student_prefs)
    assignment.update(problem.locks)
    for offer, heap in held.items():
        for _, student in heap:
            assignment[student] = offer
    reasons = _explain(problem, assignment, priority, stable=True)
    return MatchingResult(assignment, seed, DEFERRED_ACCEPTANCE, reasons)


def _propose(
    problem: MatchingProblem, priority: _IntPriority, remaining: dict[int, int]
) -> dict[int, list[tuple[int, int]]]:
    """Core DA loop; return offer -> max-heap of held ``(-priority, student)``.

    ``threshold[offer]`` is the claim a proposer must beat: unbounded while the
    offer has a free place, else the priority of the worst student it holds.  Most
    proposals are rejections, so they cost one dict lookup and one comparison.

    Thresholds only ever fall, so once every offer is full and the highest threshold
    is at or below a student's unrated claim, every offer of their list would reject
    them: such a student (with no rated claim still good enough) is left unplaced at
    once instead of walking their whole list.  In a crowded round with long lists this
    is most students, and the walk was most of the time; the outcome is unchanged.
    """
    prefs = problem.student_prefs
    banned = _forbidden_by_student(problem.forbidden)
    numbers = priority.lottery
    unrated = priority.unrated_base
    rated_by_student = _rated_by_student(priority)
    places = {offer: n for offer, n in remaining.items() if n > 0}
    held: dict[int, list[tuple[int, int]]] = {offer: [] for offer in places}
    open_claim = unrated + len(numbers) + 1
    threshold = dict.fromkeys(places, open_claim)
    next_choice = dict.fromkeys(prefs, 0)
    # The outcome does not depend on who proposes first; the luckiest first fill the
    # places early, so later students meet full offers and are settled at once.
    free = sorted(_free_students(problem), key=numbers.__getitem__, reverse=True)
    heappush, heapreplace, limit_of = heapq.heappush, heapq.heapreplace, threshold.get
    open_offers = len(places)  # offers that still have a free place
    highest: list[tuple[int, int]] = []  # max-heap of (-threshold, offer), stale entries skipped
    while free:
        student = free.pop()
        choices = prefs[student]
        base = unrated + numbers[student]
        own = rated_by_student.get(student)
        barred = banned.get(student)
        position = len(choices)
        if highest and not open_offers:
            while -highest[0][0] != threshold[highest[0][1]]:
                heapq.heappop(highest)
            if base >= -highest[0][0]:
                # Every offer rejects their unrated claim: only a rated claim can still
                # win, at the first such offer left on their list (else they stay out).
                start = next_choice[student]
                for offer, claim in own.items() if own else ():
                    if claim < limit_of(offer, -1) and not (barred and offer in barred):
                        try:
                            found = choices.index(offer, start)
                        except ValueError:  # rated there, but not on their list
                            continue
                        position = min(position, found)
                next_choice[student] = position
                if position == len(choices):
                    continue
        for index in range(next_choice[student], len(choices)):
            offer = choices[index]
            limit = limit_of(offer)
            if limit is None:
                continue
            claim = own.get(offer, base) if own else base
            if claim >= limit or (barred and offer in barred):
                continue
            heap = held[offer]
            if len(heap) < places[offer]:
                heappush(heap, (-claim, student))
                if len(heap) == places[offer]:
                    threshold[offer] = -heap[0][0]
                    heappush(highest, (heap[0][0], offer))
                    open_offers -= 1
            else:
                free.append(heapreplace(heap, (-claim, student))[1])
                threshold[offer] = -heap[0][0]
                heappush(highest, (heap[0][0], offer))
            position = index + 1
            break
        next_choice[student] = position
    return held


def _rated_by_student(priority: _IntPriority) -> dict[int, dict[int, int]]:
    """Transpose the rated priorities to student -> {offer: priority}."""
    transposed: dict[int, dict[int, int]] = {}
    for offer, claims in priority.rated.items():
        for student, claim in claims.items():
            transposed.setdefault(student, {})[offer] = claim
    return transposed


def min_total_rank(problem: MatchingProblem, *, seed: int) -> MatchingResult:
    """Place as many students as possible, then minimise the sum of their ranks.

    Solved exactly as a sparse rectangular assignment problem with
    :func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching` (LAPJVsp): one
    row per unlocked student with a non-empty list, one column per usable place
    (capacities expanded, after locks, capped at the number of students who accept
    the offer) and one private "unplaced" column per student.  Only the pairs a
    student actually lists (and may take) are edges, so a list of 20 choices costs
    20 x capacity edges whatever the number of offers.  A placed student costs their
    rank; unplaced costs more than the ranks of all students together, so the number
    placed is maximised first.  Locks are kept and forbidden pairs never used.  Long
    lists are not all handed to the solver: a subset is solved and the answer proven
    optimal for every pair by pricing them with the dual potentials, adding pairs
    until the proof holds (:func:`_solve_min_rank`).  The optimum equals the dense
    formulation's (:func:`_solve_min_rank_dense`, kept as the reference the property
    tests compare with).

    Rows are ordered by the seeded lottery, which decides between equally good
    solutions.  **The result may be unstable**: a workplace can end up with a
    student it rated lower than one who wanted it (see :func:`blocking_pairs`).
    """
    priority = _int_priority(problem, seed)
    assignment: dict[int, int | None] = dict.fromkeys(problem.student_prefs)
    assignment.update(problem.locks)
    assignment.update(_solve_min_rank(problem, priority))
    reasons = _explain(problem, assignment, priority)
    return MatchingResult(assignment, seed, MIN_TOTAL_RANK, reasons)


def _rank_matrix(
    problem: MatchingProblem, students: list[int], offers: list[int], unacceptable: float
) -> np.ndarray:
    """Return the students x offers matrix of ranks, ``unacceptable`` where not allowed.

    Built with vectorised numpy: preference lists are flattened and offer ids mapped
    to columns by binary search; ``minimum.at`` keeps the first occurrence (the
    best rank) should a list repeat an offer.
    """
    matrix = np.full((len(students), len(offers)), unacceptable)
    lists = [problem.student_prefs[s] for s in students]
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(students)), lengths)
    ranks = np.arange(1, len(flat) + 1) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    known = np.asarray(offers, dtype=np.int64)
    cols = np.minimum(np.searchsorted(known, flat), len(known) - 1)
    keep = known[cols] == flat
    np.minimum.at(matrix, (rows[keep], cols[keep]), ranks[keep].astype(float))
    column_of = {offer: index for index, offer in enumerate(offers)}
    row_of = {student: index for index, student in enumerate(students)}
    for student, offer in problem.forbidden:
        if student in row_of and offer in column_of:
            matrix[row_of[student], column_of[offer]] = unacceptable
    return matrix


def _solve_min_rank_dense(problem: MatchingProblem, priority: _IntPriority) -> dict[int, int]:
    """Solve the expanded assignment problem as a dense matrix (O(n^3)).

    Returns student -> offer for the placed students; also the reference that the
    property tests compare the sparse solver with.

    Columns are the places (capacity after locks, capped by how many students can
    take the offer), padded with "unplaced" columns only when there are fewer
    places than students.  An unacceptable pair costs the same as being unplaced:
    since there are at least as many columns as rows, a row sent to such a column
    is simply unplaced, so no extra dummy block is needed.
    """
    students = sorted(
        (s for s in _free_students(problem) if problem.student_prefs[s]),
        key=priority.lottery.__getitem__,
    )
    remaining = _remaining_capacity(problem)
    offers = sorted(o for o, places in remaining.items() if places > 0)
    if not students or not offers:
        return {}
    longest = max(len(problem.student_prefs[s]) for s in students)
    unplaced = float(len(students) * longest + 1)
    ranks = _rank_matrix(problem, students, offers, unplaced)
    demand = (ranks < unplaced).sum(axis=0)
    places = np.minimum([remaining[o] for o in offers], demand)
    place_offer = np.repeat(np.arange(len(offers)), places)
    padding = max(len(students) - len(place_offer), 0)
    cost = np.empty((len(students), len(place_offer) + padding))
    cost[:, : len(place_offer)] = ranks[:, place_offer]
    cost[:, len(place_offer) :] = unplaced
    row_index, col_index = linear_sum_assignment(cost)
    return {
        students[r]: offers[place_offer[c]]
        for r, c in zip(row_index.tolist(), col_index.tolist(), strict=True)
        if cost[r, c] < unplaced
    }


def _allowed_pairs(
    problem: MatchingProblem, students: list[int], offers: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (row, column, rank) arrays of every pair a student may be placed on.

    Vectorised: lists are flattened, offer ids mapped to columns (a lookup table, or a
    binary search when ids are very spread), offers without places and forbidden pairs
    dropped.  Pairs come out in list order, row by row.  A repeated offer is *not*
    merged here: its later copies carry a worse rank, and the callers keep the first
    (best) one (:func:`_first_copies`) where a duplicate would matter.
    """
    # 32-bit indices: a full-list round has millions of pairs, and memory is time here.
    lists = [problem.student_prefs[s] for s in students]
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(students), dtype=np.int32), lengths)
    ranks = np.arange(1, len(flat) + 1, dtype=np.int32)
    ranks -= np.repeat((np.cumsum(lengths) - lengths).astype(np.int32), lengths)
    known = np.asarray(offers, dtype=np.int64)
    if not len(flat):
        return rows, rows.copy(), ranks
    low, high = int(min(flat.min(), known[0])), int(max(flat.max(), known[-1]))
    if high - low < _LOOKUP_CELLS:
        table = np.full(high - low + 1, -1, dtype=np.int32)
        table[known - low] = np.arange(len(known), dtype=np.int32)
        flat -= low
        cols = table.take(flat)
        keep = cols >= 0
    else:
        cols = np.minimum(np.searchsorted(known, flat), len(known) - 1).astype(np.int32)
        keep = known[cols] == flat
    if not keep.all():
        rows, cols, ranks = rows[keep], cols[keep], ranks[keep]
    if problem.forbidden:
        row_of = {student: index for index, student in enumerate(students)}
        column_of = {offer: index for index, offer in enumerate(offers)}
        barred = np.fromiter(
            (
                row_of[s] * len(offers) + column_of[o]
                for s, o in problem.forbidden
                if s in row_of and o in column_of
            ),
            dtype=np.int64,
        )
        if len(barred):
            keys = rows.astype(np.int64) * len(offers) + cols
            if len(students) * len(offers) <= _LOOKUP_CELLS:
                table = np.zeros(len(students) * len(offers), dtype=bool)
                table[barred] = True
                allowed = ~table[keys]
            else:
                allowed = ~np.isin(keys, barred)
            rows, cols, ranks = rows[allowed], cols[allowed], ranks[allowed]
    return rows, cols, ranks


def _first_copies(
    rows: np.ndarray, cols: np.ndarray, ranks: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep one copy of each (row, column) pair, the first (best-ranked), sorted by pair."""
    # np.unique returns the first occurrence in array (list) order, i.e. the best rank.
    _, first = np.unique(rows.astype(np.int64) * width + cols, return_index=True)
    return rows[first], cols[first], ranks[first]


#: Below this many cells (students x places) a dense matrix is cheaper than a graph.
_DENSE_CELLS = 250_000

#: Largest id range or students x offers grid mapped through a lookup table.
_LOOKUP_CELLS = 50_000_000

#: First restricted problem: each student's first choices ...
_FIRST_CHOICES = 8

#: ... and, per offer, the students who rank it best, this many per place.
_BEST_PER_PLACE = 4


def _solve_min_rank(problem: MatchingProblem, priority: _IntPriority) -> dict[int, int]:
    """Solve the assignment problem exactly; return student -> offer for placed ones.

    Small problems whose lists cover most places go to the dense
    :func:`_solve_min_rank_dense`.  Otherwise the problem is solved on a *subset* of
    the allowed pairs and the answer proven optimal for all of them (a pricing loop,
    as in column generation):

    1. Start with every student's first few choices and, per offer, the students
       who rank it best (a few per place): a problem a fraction of the size.
    2. Solve it exactly with :func:`_assign` (LAPJVsp).
    3. Certify (:func:`_potentials`): as a min-cost flow, an assignment is optimal
       exactly when its residual network has no negative cycle, i.e. when node
       potentials exist under which no residual arc has a negative reduced cost.
       Potentials are computed on the subset (where the solution is optimal), then
       every left-out pair is priced with them.  If none is negative, the potentials
       prove the assignment optimal for the whole problem (LP duality; the assignment
       polytope is integral).  Otherwise the negatively priced pairs join the subset
       and step 2 runs again.  Each round adds pairs, so this ends, at worst with
       every pair; in practice after one to four rounds.

    In a crowded round with long lists (10,000 students ranking 500 offers) the
    solved problem holds about 1 % of the pairs, and only the pricing touches them all.
    """
    students = sorted(
        (s for s in _free_students(problem) if problem.student_prefs[s]),
        key=priority.lottery.__getitem__,
    )
    remaining = _remaining_capacity(problem)
    offers = sorted(o for o, places in remaining.items() if places > 0)
    if not students or not offers:
        return {}
    places = np.asarray([remaining[o] for o in offers], dtype=np.int64)
    if len(students) * int(places.sum()) <= _DENSE_CELLS:
        return _solve_min_rank_dense(problem, priority)
    rows, cols, ranks = _allowed_pairs(problem, students, offers)
    if not len(rows):
        return {}
    longest = max(len(problem.student_prefs[s]) for s in students)
    # Unplaced costs more than any total of ranks, so the number placed comes first.
    unplaced = float(len(students) * longest + 1)
    selected = ranks <= _best_rank_kept(cols, ranks, places, longest)[cols]
    selected |= ranks <= _FIRST_CHOICES
    while True:
        sub = _first_copies(rows[selected], cols[selected], ranks[selected], len(offers))
        placed = _assign(len(students), places, *sub, unplaced)
        if selected.all():
            break
        potential = _potentials(places, *sub, placed, unplaced)
        if potential is None:  # cannot happen for an exact solution; never trust a guess
            selected[:] = True
            continue
        negative = _priced_below_zero(rows, cols, ranks, sub, placed, potential, unplaced)
        negative &= ~selected
        if not negative.any():
            break
        selected |= negative
    return {students[r]: offers[c] for r, c in enumerate(placed.tolist()) if c >= 0}


#: Pairs priced per slice, so the temporaries stay small and are reused.
_PRICING_SLICE = 1 << 20


def _priced_below_zero(
    rows: np.ndarray,
    cols: np.ndarray,
    ranks: np.ndarray,
    sub: tuple[np.ndarray, np.ndarray, np.ndarray],
    placed: np.ndarray,
    potential: np.ndarray,
    unplaced: float,
) -> np.ndarray:
    """Mask of the pairs whose reduced cost is negative under ``potential``.

    Moving a student from where they are now (an offer, or "unplaced") to a listed
    offer costs rank(new) - cost(now) + potential(now) - potential(new); negative
    means the pair could improve the assignment.  Everything is integral, so the
    comparison is exact.
    """
    sub_rows, sub_cols, sub_ranks = sub
    now = np.where(placed >= 0, placed, len(potential) - 1)
    cost_now = np.full(len(placed), unplaced)
    mine = placed[sub_rows] == sub_cols
    cost_now[sub_rows[mine]] = sub_ranks[mine]
    offset = potential[now] - cost_now
    negative = np.empty(len(rows), dtype=bool)
    for start in range(0, len(rows), _PRICING_SLICE):
        part = slice(start, start + _PRICING_SLICE)
        bound = potential.take(cols[part])
        bound -= offset.take(rows[part])
        np.less(ranks[part], bound, out=negative[part])
    return negative


def _best_rank_kept(cols: np.ndarray, ranks: np.ndarray, places: np.ndarray, longest: int) -> np.ndarray:
    """Per offer, the rank up to which its best-ranking students make the first subset.

    A histogram of (offer, rank) instead of a sort: the smallest rank at which at
    least ``_BEST_PER_PLACE`` students per place (or all of them) rank the offer.
    """
    width = longest + 1
    counts = np.bincount(cols * width + ranks, minlength=len(places) * width).reshape(len(places), width)
    reached = np.cumsum(counts, axis=1)
    wanted = np.minimum(_BEST_PER_PLACE * places, reached[:, -1])
    return np.argmax(reached >= wanted[:, None], axis=1)


def _potentials(
    places: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    ranks: np.ndarray,
    placed: np.ndarray,
    unplaced: float,
) -> np.ndarray | None:
    """Node potentials of an optimal assignment's residual network (None: negative cycle).

    The flow network is student -> offer (cost: rank) -> sink (the offer's places),
    and student -> sink directly (cost: ``unplaced``).  Each student has exactly one
    residual arc in (from where they are now), so students are contracted away: the
    nodes are the offers and one node for "unplaced or a free place" (index
    ``len(places)``), with an arc now -> target for each pair at cost(target) -
    cost(now), placed students' arcs to "unplaced", and offer <-> free-place arcs
    (out when the offer has a free place, in when it holds someone).  Bellman-Ford
    from a virtual source (every distance starts at 0) gives shortest distances,
    which satisfy d[b] <= d[a] + w(a, b) on every arc: the potentials.
    """
    m = len(places)
    now = np.where(placed >= 0, placed, m)
    cost_now = np.full(len(placed), unplaced)
    mine = placed[rows] == cols
    cost_now[rows[mine]] = ranks[mine]
    moves = ~mine
    seated = np.flatnonzero(placed >= 0)
    load = np.bincount(placed[seated], minlength=m)
    with_room = np.flatnonzero(load < places)
    holding = np.flatnonzero(load > 0)
    source = np.concatenate([now[rows[moves]], placed[seated], with_room, np.full(len(holding), m)])
    target = np.concatenate([cols[moves], np.full(len(seated), m), np.full(len(with_room), m), holding])
    weight = np.concatenate(
        [
            ranks[moves] - cost_now[rows[moves]],
            unplaced - cost_now[seated],
            np.zeros(len(with_room) + len(holding)),
        ]
    )
    distance = np.zeros(m + 1)
    for _ in range(m + 2):
        relaxed = distance.copy()
        np.minimum.at(relaxed, target, distance[source] + weight)
        if np.array_equal(relaxed, distance):
            return distance
        distance = relaxed
    return None


def _assign(
    n: int, places: np.ndarray, rows: np.ndarray, cols: np.ndarray, ranks: np.ndarray, unplaced: float
) -> np.ndarray:
    """Solve one sparse assignment with LAPJVsp; return the offer column per row (-1 unplaced).

    Every allowed pair becomes one edge per usable place of its offer (places capped
    by the offer's demand); every row also gets a private "unplaced" column, so a full
    matching of the rows always exists.
    """
    demand = np.bincount(cols, minlength=len(places))
    usable = np.minimum(places, demand)
    first_place = np.cumsum(usable) - usable
    # One edge per (pair, place of its offer): repeat each pair by its offer's places.
    copies = usable[cols]
    offsets = np.arange(int(copies.sum()), dtype=np.int64) - np.repeat(np.cumsum(copies) - copies, copies)
    total = int(usable.sum())
    graph = csr_array(
        (
            np.concatenate([np.repeat(ranks, copies).astype(np.float64), np.full(n, unplaced)]),
            (
                np.concatenate([np.repeat(rows, copies), np.arange(n, dtype=np.int64)]),
                np.concatenate([np.repeat(first_place[cols], copies) + offsets, total + np.arange(n)]),
            ),
        ),
        shape=(n, total + n),
    )
    row_index, col_index = min_weight_full_bipartite_matching(graph)
    place_offer = np.append(np.repeat(np.arange(len(places), dtype=np.int64), usable), -1)
    placed = np.full(n, -1, dtype=np.int64)
    placed[row_index] = place_offer[np.minimum(col_index, total)]
    return placed


_NOT_ALLOWED = "not allowed"


_NO_PLACES = "without places"


_LOCKED_FULL = "full with locked students"


_FULL_HIGHER = "full with students ranked higher by the workplace"


_FULL_OTHER = "full with students placed to lower the total rank"


_FREE = "left with a free place"


@dataclass(frozen=True)
class _OfferLoad:
    """Occupancy of one offer: seats taken, places, worst unlocked priority held."""

    taken: int
    places: int
    worst: int


def _offer_loads(
    problem: MatchingProblem, assignment: Mapping[int, int | None], priority: _IntPriority
) -> dict[int, _OfferLoad]:
    """Summarise every offer's occupancy for the explanations and blocking checks."""
    taken: dict[int, int] = {}
    worst: dict[int, int] = {}
    for student, offer in assignment.items():
        if offer is None:
            continue
        taken[offer] = taken.get(offer, 0) + 1
        if student not in problem.locks:
            worst[offer] = max(worst.get(offer, -1), priority.of(offer, student))
    offers = set(problem.capacities) | set(taken)
    return {o: _OfferLoad(taken.get(o, 0), problem.capacities.get(o, 0), worst.get(o, -1)) for o in offers}


def _offer_status(load: _OfferLoad | None) -> str:
    """Classify an offer once, independently of who asks about it."""
    if load is None or load.places <= 0:
        return _NO_PLACES
    if load.taken < load.places:
        return _FREE
    if load.worst < 0:
        return _LOCKED_FULL
    return _FULL_HIGHER


def _group_causes(causes: list[str]) -> str:
    """Render per-choice causes as e.g. ``"choice 1 not allowed; choices 2-3 full"``."""
    parts: list[str] = []
    start = 1
    for cause, run in groupby(causes):
        end = start + len(list(run)) - 1
        label = f"choice {start}" if end == start else f"choices {start}-{end}"
        parts.append(f"{label} {cause}")
        start = end + 1
    return "; ".join(parts)


def _explain(
    problem: MatchingProblem,
    assignment: Mapping[int, int | None],
    priority: _IntPriority,
    *,
    stable: bool = False,
) -> dict[int, str]:
    """Return a short explanation per student of why they got what they got.

    With ``stable=True`` (deferred acceptance) a full earlier choice is known to
    hold only students the workplace ranks higher, so no comparison is needed and
    the common case - every earlier choice simply full - is a single set check.
    """
    loads = _offer_loads(problem, assignment, priority)
    status = {offer: _offer_status(load) for offer, load in loads.items()}
    full = {offer for offer, value in status.items() if value == _FULL_HIGHER}
    free = {offer for offer, value in status.items() if value == _FREE}
    with_places = {offer for offer, value in status.items() if value != _NO_PLACES}
    banned = _forbidden_by_student(problem.forbidden)
    status_of = status.get
    rated_by_student: dict[int, dict[int, int]] | None = None
    worst: dict[int, int] = {}
    reasons: dict[int, str] = {}
    for student, offer in assignment.items():
        if student in problem.locks:
            reasons[student] = "locked"
            continue
        prefs = problem.student_prefs.get(student, [])
        rank = None if offer is None else _choice_rank(prefs, offer)
        earlier = prefs if rank is None else prefs[: rank - 1]
        barred = banned.get(student, set())
        # Unplaced (most students of a crowded round, with long lists): the verdict
        # needs only set operations, not a cause per choice - unless some acceptable
        # offer is left free, which the grouped causes then spell out. With no free
        # place anywhere (the usual crowded round) no set is built.
        if rank is None and prefs and (not free or set(prefs).difference(barred).isdisjoint(free)):
            if any(o in with_places for o in prefs if o not in barred):
                reasons[student] = "unplaced: all acceptable offers full"
            else:
                reasons[student] = "unplaced: no acceptable offers"
            continue
        if stable and full.issuperset(earlier) and barred.isdisjoint(earlier):
            causes = [_FULL_HIGHER] * len(earlier)
        elif stable:
            causes = [_NOT_ALLOWED if o in barred else status_of(o, _NO_PLACES) for o in earlier]
        else:
            # Placed students of a long-list round have many earlier choices: this
            # list is most of the explaining time, so the priority lookup is inline.
            if rated_by_student is None:
                rated_by_student = _rated_by_student(priority)
                worst = {o: loads[o].worst for o in full}
            base = priority.unrated_base + priority.lottery[student]
            own = rated_by_student.get(student, {})
            causes = [
                _NOT_ALLOWED
                if o in barred
                else (_FULL_OTHER if worst[o] > own.get(o, base) else _FULL_HIGHER)
                if o in worst
                else status_of(o, _NO_PLACES)
                for o in earlier
            ]
        reasons[student] = _reason_text(rank, causes)
    return reasons


def _reason_text(rank: int | None, causes: list[str]) -> str:
    """Compose the final explanation from the rank obtained and earlier causes."""
    if rank == 1:
        return "first_choice"
    if rank is not None:
        return f"choice {rank}: {_group_causes(causes)}"
    if not causes:
        return "unplaced: no preferences"
    if all(c in (_NOT_ALLOWED, _NO_PLACES) for c in causes):
        return "unplaced: no acceptable offers"
    if all(c != _FREE for c in causes):
        return "unplaced: all acceptable offers full"
    return f"unplaced: {_group_causes(causes)}"


def blocking_pairs(problem: MatchingProblem, result: MatchingResult) -> list[tuple[int, int]]:
    """Return the (student, offer) pairs that block ``result``, sorted.

    A pair blocks when the student is not locked, the pair is not forbidden, the
    student ranks the offer above their assignment (or is unplaced and lists it),
    and the offer either has a free place or prefers the student - by the
    tie-break key of ``result.seed`` - to one of its assigned unlocked students.
    """
    priority = _int_priority(problem, result.seed)
    loads = _offer_loads(problem, result.assignment, priority)
    pairs: set[tuple[int, int]] = set()
    for student in _free_students(problem):
        prefs = problem.student_prefs[student]
        offer = result.assignment.get(student)
        rank = None if offer is None else _choice_rank(prefs, offer)
        for wanted in prefs if rank is None else prefs[: rank - 1]:
            if _blocks(problem, student, wanted, loads.get(wanted), priority):
                pairs.add((student, wanted))
    return sorted(pairs)


def _blocks(
    problem: MatchingProblem,
    student: int,
    offer: int,
    load: _OfferLoad | None,
    priority: _IntPriority,
) -> bool:
    """Tell whether ``offer`` would take ``student`` (free place or justified envy)."""
    if load is None or load.places <= 0 or (student, offer) in problem.forbidden:
        return False
    if load.taken < load.places:
        return True
    return load.worst > priority.of(offer, student)


def rank_distribution(problem: MatchingProblem, result: MatchingResult) -> dict[int | None, int]:
    """Count students per obtained choice rank (``None`` = unplaced).

    A locked student assigned to an offer missing from their list is counted
    under :data:`OFF_LIST_RANK` (0).
    """
    counts: dict[int | None, int] = {}
    for student, offer in result.assignment.items():
        rank: int | None = None
        if offer is not None:
            rank = _choice_rank(problem.student_prefs.get(student, []), offer) or OFF_LIST_RANK
        counts[rank] = counts.get(rank, 0) + 1
    return counts


def total_rank(problem: MatchingProblem, result: MatchingResult) -> int:
    """Sum the ranks of the placed unlocked students (a quality measure)."""
    total = 0
    for student in _free_students(problem):
        offer = result.assignment.get(student)
        if offer is not None:
            total += _choice_rank(problem.student_prefs[student], offer) or 0
    return total

"""The school's procedure that turns the agreed rubric into a score (pure functions, no Django).

score = max_score × (rubric_share × rubric_fraction + Σ component_share × component_value) / total_share

- rubric_fraction = Σ weight × points(agreed level) / Σ weight × points(highest level);
- each other agreement (e.g. attending the mandatory guidance moments) is a value from 0
  to 100 % that the supervisor enters;
- shares are percentages; when they do not add up to 100 they are taken relative to their
  total. Rounded half up to one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Component:
    key: str
    share_pct: Decimal
    value_pct: Decimal  # 0..100


class ScoreError(ValueError):
    """The inputs do not allow a score (e.g. a criterion without an agreed level)."""


def rubric_fraction(rows: list[tuple[Decimal, Decimal | None]], max_points: Decimal) -> Decimal:
    """`rows`: (weight, points of the agreed level) per criterion; a fraction 0..1."""
    if max_points <= 0:
        raise ScoreError("max_points")
    total_weight = sum((w for w, _ in rows), Decimal(0))
    if total_weight <= 0:
        raise ScoreError("weights")
    if any(p is None for _, p in rows):
        raise ScoreError("missing")
    earned = sum((w * p for w, p in rows), Decimal(0))
    return earned / (total_weight * max_points)


def compute(
    *,
    rows: list[tuple[Decimal, Decimal | None]],
    max_points: Decimal,
    max_score: Decimal,
    rubric_share_pct: Decimal,
    components: list[Component],
) -> Decimal:
    fraction = rubric_fraction(rows, max_points)
    total_share = Decimal(rubric_share_pct) + sum((c.share_pct for c in components), Decimal(0))
    if total_share <= 0:
        raise ScoreError("shares")
    weighted = Decimal(rubric_share_pct) * fraction + sum(
        (c.share_pct * min(max(c.value_pct, Decimal(0)), Decimal(100)) / 100 for c in components),
        Decimal(0),
    )
    score = Decimal(max_score) * weighted / total_share
    return score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

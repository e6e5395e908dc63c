"""How feature apps plug into the core without the core importing them.

Each feature app registers, in its `AppConfig.ready()`:
- navigation entries (`register_nav`): a label, a URL name and a predicate on the active
  membership that says who sees it;
- start-page items (`register_start_items`): a function `membership -> list[StartItem]`
  giving the role's to-do items with counts and links (a fixed number of queries each; a
  count given as an unevaluated QuerySet costs no query of its own: the start page counts
  every provider's querysets together in one query, see `count_together`);
- demo seeders (`register_demo_seeder`): "module.function" taking an institution, run
  by `wpl.demo.seed_demo()` inside that institution, in `order`;
- reminder sweeps (`register_reminder_sweep`) and the kinds of reminder a programme can
  tune (`register_reminder_kind`: after how many days, who is told at each step). An app
  added later (e.g. evaluations: "rubric due", "reflection due") registers its kind and
  its sweep the same way, and reads the programme's rule with
  `placements.reminders.rule_for_kind()` / `due_steps()`.

The core only iterates over what was registered, so the dependency runs one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from wpl.models import Membership

MembershipPredicate = Callable[["Membership | None"], bool]


@dataclass(frozen=True)
class NavEntry:
    """One link in the main navigation, shown to memberships for which `visible` is true."""

    label: str
    url_name: str
    visible: MembershipPredicate
    order: int = 100


@dataclass(frozen=True)
class StartItem:
    """One line on a start page: something that needs this person now, with a link.

    `urgency` is "info", "todo" or "late"; items with a count of 0 are left out unless
    `always` is set (for a permanent entry such as "My logbook"). `count` may be an
    unevaluated QuerySet: `start_items()` counts it, with the other providers' querysets,
    in a single query.
    """

    label: str
    url: str
    count: int | QuerySet | None = None
    urgency: str = "todo"
    always: bool = False
    order: int = 100


StartItemsProvider = Callable[["Membership"], list[StartItem]]

# A reminder sweep finds what fell due in the active institution up to `now` (a
# timezone-aware datetime) and calls `wpl.notifications.notify()` for each occasion, with
# a key that names the occasion and escalation step, so re-running it sends nothing
# twice and a sweep that did not run for a while catches up. Returns how many it created.
ReminderSweep = Callable[[datetime], int]


@dataclass(frozen=True)
class ReminderKind:
    """A kind of reminder a programme can tune on its reminder settings page.

    `kind` is the `ReminderRule.kind` key; `days`, `steps` and `step_days` are the defaults
    when the programme saved no rule; `roles` are the steps the sweep knows how to reach
    (the settings page refuses others); `unit` says how the sweep counts: "wpl_days"
    (the placement's WPL days) or "days" (calendar days).
    """

    kind: str
    label: str
    days: int
    steps: tuple[str, ...]
    step_days: int
    roles: tuple[str, ...]
    unit: str = "days"
    order: int = 100


# Days a student was absent, for a batch of placement ids of the active institution:
# {placement_id: {date, ...}}. The logbook app registers one; WPL-day counting
# (placements.selectors.wpl_days) leaves those days out of gaps.
AbsenceProvider = Callable[[list[int]], "dict[int, set[date]]"]


@dataclass
class _Registry:
    nav: list[NavEntry] = field(default_factory=list)
    start_items: list[StartItemsProvider] = field(default_factory=list)
    demo_seeders: list[tuple[int, str]] = field(default_factory=list)
    start_context: list[Callable[[Membership], dict]] = field(default_factory=list)
    reminder_sweeps: dict[str, ReminderSweep] = field(default_factory=dict)
    reminder_kinds: dict[str, ReminderKind] = field(default_factory=dict)
    absence_providers: list[AbsenceProvider] = field(default_factory=list)
    event_handlers: dict[str, list[Callable[..., None]]] = field(default_factory=dict)


_registry = _Registry()


def register_nav(entry: NavEntry) -> None:
    if entry not in _registry.nav:
        _registry.nav.append(entry)


def register_start_items(provider: StartItemsProvider) -> None:
    if provider not in _registry.start_items:
        _registry.start_items.append(provider)


def register_start_context(provider: Callable[[Membership], dict]) -> None:
    """Figures a feature adds to the start page's template context (fixed query count)."""
    if provider not in _registry.start_context:
        _registry.start_context.append(provider)


def register_demo_seeder(dotted: str, *, order: int = 100) -> None:
    """Register "module.function" (taking an institution) to run in the demo seeder."""
    if all(d != dotted for _, d in _registry.demo_seeders):
        _registry.demo_seeders.append((order, dotted))


def nav_entries(membership: Membership | None) -> list[NavEntry]:
    return sorted((e for e in _registry.nav if e.visible(membership)), key=lambda e: e.order)


def count_together(querysets: list[QuerySet]) -> list[int]:
    """The number of rows of each queryset, in one round trip to the database."""
    if not querysets:
        return []
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    parts, params = [], []
    for n, qs in enumerate(querysets):
        try:
            sql, qs_params = qs.order_by().values("pk").query.get_compiler(using=qs.db).as_sql()
        except EmptyResultSet:  # e.g. qs.none(): nothing to ask the database
            parts.append("0")
            continue
        # `sql` is Django's compiled query with its values as separate parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) wpl_count_{n})")  # noqa: S608
        params.extend(qs_params)

    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return [int(value) for value in cursor.fetchone()]


def start_items(membership: Membership) -> list[StartItem]:
    items = [item for provider in _registry.start_items for item in provider(membership)]
    # Counts given as querysets: one query for all providers instead of one each.
    lazy = [i for i, item in enumerate(items) if hasattr(item.count, "query")]
    counted = count_together([items[i].count for i in lazy])
    for i, count in zip(lazy, counted, strict=True):
        items[i] = replace(items[i], count=count)
    shown = [i for i in items if i.always or i.count is None or i.count > 0]
    return sorted(shown, key=lambda i: (i.urgency != "late", i.order))


def demo_seeders() -> list[str]:
    return [dotted for _, dotted in sorted(_registry.demo_seeders)]


def start_context_providers() -> list[Callable[[Membership], dict]]:
    return list(_registry.start_context)


def register_reminder_sweep(name: str, sweep: ReminderSweep) -> None:
    """Add a sweep run for every institution by the fixed beat entry (see wpl.tasks)."""
    _registry.reminder_sweeps[name] = sweep


def reminder_sweeps() -> dict[str, ReminderSweep]:
    return dict(_registry.reminder_sweeps)


def register_reminder_kind(kind: ReminderKind) -> None:
    """Make a kind of reminder configurable per programme (ReminderRule), with its defaults."""
    _registry.reminder_kinds[kind.kind] = kind


def reminder_kinds() -> list[ReminderKind]:
    return sorted(_registry.reminder_kinds.values(), key=lambda k: (k.order, k.kind))


def reminder_kind(name: str) -> ReminderKind | None:
    return _registry.reminder_kinds.get(name)


def register_absence_provider(provider: AbsenceProvider) -> None:
    """Add a source of absence days (one query per batch), used when counting WPL days."""
    if provider not in _registry.absence_providers:
        _registry.absence_providers.append(provider)


def absences(placement_ids: list[int]) -> dict[int, set[date]]:
    """Absence days per placement from every registered provider (merged)."""
    merged: dict[int, set[date]] = {}
    if not placement_ids:
        return merged
    for provider in _registry.absence_providers:
        for placement_id, days in provider(placement_ids).items():
            merged.setdefault(placement_id, set()).update(days)
    return merged


def register_event_handler(event: str, handler: Callable[..., None]) -> None:
    """Let one feature app react to another's event without importing it.

    Known events: ``learning_plan.revision_requested`` (placement_id, actor, reason, source),
    emitted by meetings when minutes open a revision of the learning plan; the agreements
    app registers the handler that opens the revision.
    """
    handlers = _registry.event_handlers.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def emit(event: str, **payload) -> int:
    """Call every handler of `event` (inside the caller's transaction); how many ran."""
    handlers = list(_registry.event_handlers.get(event, []))
    for handler in handlers:
        handler(**payload)
    return len(handlers)


# --- attendance hours ------------------------------------------------------------------
# The logbook app (when installed) tells other apps how many hours a placement's student
# has done: `fn(placement) -> (approved_hours, days)`. The agreements app prints them on
# the attendance certificate and shows "—" when no provider is registered.
HoursProvider = Callable[[object], "tuple[float | int, int] | None"]
_hours_providers: list[HoursProvider] = []


def register_hours_provider(provider: HoursProvider) -> None:
    if provider not in _hours_providers:
        _hours_providers.append(provider)


def placement_hours(placement) -> tuple[float | int, int] | None:
    """(approved hours, days) from the first registered provider that knows; None if none."""
    for provider in _hours_providers:
        result = provider(placement)
        if result is not None:
            return result
    return None


# --- evidence for evaluations ------------------------------------------------------------
# A feature app offers items of a placement that can back up a rubric criterion (the
# logbook app offers its entries): `fn(placement) -> list[EvidenceOption]`, run in the
# placement's institution. The evaluations app stores the keys ("logbook:123") and
# accepts only keys that a provider offers for that placement.
@dataclass(frozen=True)
class EvidenceOption:
    """One item a person can link as evidence: a stable key, a label and a link."""

    key: str
    label: str
    url: str = ""


EvidenceProvider = Callable[[object], "list[EvidenceOption]"]
_evidence_providers: list[EvidenceProvider] = []


def register_evidence_provider(provider: EvidenceProvider) -> None:
    if provider not in _evidence_providers:
        _evidence_providers.append(provider)


def evidence_options(placement) -> list[EvidenceOption]:
    """Every registered provider's evidence for `placement` (one or two queries each)."""
    return [option for provider in _evidence_providers for option in provider(placement)]


# --- extra inputs of a score ---------------------------------------------------------------
# A feature app proposes the value (0-100 %) of one of the "other agreements" that count in
# a score, e.g. the meetings app: share of the mandatory guidance moments the student
# attended. `fn(placement) -> Decimal | None` (None: no figure). The supervisor may change it.
ScoreInputProvider = Callable[[object], object]
_score_inputs: dict[str, ScoreInputProvider] = {}


def register_score_input(key: str, provider: ScoreInputProvider) -> None:
    _score_inputs[key] = provider


def score_input(key: str, placement):
    provider = _score_inputs.get(key)
    return provider(placement) if provider is not None else None


# --- feedback on a workplace over the years ---------------------------------------------------
# The quality checklist's page per workplace shows figures other apps collect about it, per
# academic year (the evaluations app: students' ratings of the workplace):
# `fn(organisation, membership) -> list[WorkplaceFeedback]`, only what `membership` may see.
@dataclass(frozen=True)
class WorkplaceFeedback:
    academic_year: str
    label: str
    value: str
    count: int


WorkplaceFeedbackProvider = Callable[[object, object], "list[WorkplaceFeedback]"]
_workplace_feedback: list[WorkplaceFeedbackProvider] = []


def register_workplace_feedback(provider: WorkplaceFeedbackProvider) -> None:
    if provider not in _workplace_feedback:
        _workplace_feedback.append(provider)


def workplace_feedback(organisation, membership) -> list[WorkplaceFeedback]:
    rows = [row for provider in _workplace_feedback for row in provider(organisation, membership)]
    return sorted(rows, key=lambda r: (r.academic_year, r.label), reverse=True)


# --- insurance ----------------------------------------------------------------------------------
# The logbook app keeps the school's work-accident insurance (insurer, policy number) and
# tells other apps: `fn(placement) -> {"insurer": ..., "policy_number": ...}` or {}. The
# agreements app starts a new agreement's insurance fields from it.
InsuranceProvider = Callable[[object], "dict[str, str]"]
_insurance_providers: list[InsuranceProvider] = []


def register_insurance_provider(provider: InsuranceProvider) -> None:
    if provider not in _insurance_providers:
        _insurance_providers.append(provider)


def insurance_for(placement) -> dict[str, str]:
    """Insurer and policy number for a placement from the first provider that knows; {} if none."""
    for provider in _insurance_providers:
        found = provider(placement)
        if found:
            return found
    return {}

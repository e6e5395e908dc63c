"""The workplace-criteria rule engine: a fixed registry of rule kinds, evaluated in memory.

A programme configures its criteria (`WorkplaceCriterion`: a rule kind plus JSON params).
Each rule looks at `WorkplaceFacts`, a plain snapshot of an organisation built from
prefetched rows, and answers pass, fail or unknown (unknown when the data it needs is
missing). Nothing here queries the database, so a checklist of any length costs no queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

WEEKDAY_NAMES = {
    1: _("Monday"),
    2: _("Tuesday"),
    3: _("Wednesday"),
    4: _("Thursday"),
    5: _("Friday"),
    6: _("Saturday"),
    7: _("Sunday"),
}


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return str({"pass": _("Meets"), "fail": _("Does not meet"), "unknown": _("Unknown")}[self.value])


@dataclass(frozen=True)
class MentorFacts:
    name: str
    is_social_worker: bool | None
    years_at_organisation: Decimal | None
    years_in_sector: Decimal | None
    weekdays: tuple[int, ...]


@dataclass(frozen=True)
class SiteFacts:
    municipality: str
    postcode: str
    region: str
    region_label: str


@dataclass(frozen=True)
class WorkplaceFacts:
    """What the rules know about an organisation; `None` means "not filled in"."""

    sites: tuple[SiteFacts, ...] = ()
    commits_years: int | None = None
    role_ids: frozenset[int] = frozenset()
    permanent_staff: int | None = None
    staff_fte: Decimal | None = None
    learning_by_doing: bool | None = None
    mentors: tuple[MentorFacts, ...] = ()

    @classmethod
    def from_organisation(cls, organisation) -> WorkplaceFacts:
        """Build from an organisation whose sites, roles and mentors are prefetched."""
        return cls(
            sites=tuple(
                SiteFacts(s.municipality, s.postcode, s.region, str(s.get_region_display()))
                for s in organisation.sites.all()
            ),
            commits_years=organisation.commits_years,
            role_ids=frozenset(r.pk for r in organisation.roles.all()),
            permanent_staff=organisation.permanent_staff,
            staff_fte=organisation.staff_fte,
            learning_by_doing=organisation.learning_by_doing,
            mentors=tuple(
                MentorFacts(
                    name=str(m),
                    is_social_worker=m.is_social_worker,
                    years_at_organisation=m.years_at_organisation,
                    years_in_sector=m.years_in_sector,
                    weekdays=tuple(m.weekdays),
                )
                for m in organisation.mentors.all()
            ),
        )


@dataclass(frozen=True)
class ProgrammeFacts:
    """What the rules know about the programme: its professional roles."""

    role_ids: frozenset[int] = frozenset()
    role_count: int = 0


@dataclass(frozen=True)
class Outcome:
    status: Status
    explanation: str = ""


@dataclass(frozen=True)
class Rule:
    kind: str
    label: Any
    help: Any
    example: dict
    clean: Callable[[dict], dict]
    evaluate: Callable[[WorkplaceFacts, ProgrammeFacts, dict], Outcome]


# --- params helpers --------------------------------------------------------------------
def _int(params: dict, key: str, *, minimum: int = 0, default: int | None = None) -> int:
    value = params.get(key, default)
    if isinstance(value, bool) or value is None:
        raise ValidationError(_("Parameter “%(key)s” must be a whole number.") % {"key": key})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Parameter “%(key)s” must be a whole number.") % {"key": key}) from None
    if number != value and not (isinstance(value, str) and value.strip().isdigit()):
        raise ValidationError(_("Parameter “%(key)s” must be a whole number.") % {"key": key})
    if number < minimum:
        raise ValidationError(
            _("Parameter “%(key)s” must be at least %(minimum)s.") % {"key": key, "minimum": minimum}
        )
    return number


def _decimal(params: dict, key: str, *, default: Any = None) -> Decimal | None:
    value = params.get(key, default)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(_("Parameter “%(key)s” must be a number.") % {"key": key})
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(_("Parameter “%(key)s” must be a number.") % {"key": key}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError(_("Parameter “%(key)s” cannot be negative.") % {"key": key})
    return number


def _str_list(params: dict, key: str) -> list[str]:
    value = params.get(key, [])
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Parameter “%(key)s” must be a list of texts.") % {"key": key})
    return [v.strip() for v in value if v.strip()]


def _weekdays(params: dict, key: str) -> list[int]:
    value = params.get(key, [])
    if not isinstance(value, list) or not value:
        raise ValidationError(
            _("Parameter “%(key)s” must list the WPL weekdays, e.g. [3, 4, 5].") % {"key": key}
        )
    days = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 7:
            raise ValidationError(_("Weekdays are numbers from 1 (Monday) to 7 (Sunday)."))
        days.append(v)
    return sorted(set(days))


def _fmt(number: Decimal | int | None) -> str:
    if number is None:
        return "?"
    if isinstance(number, Decimal):
        return format(number.normalize(), "f") if number == number.to_integral() else str(number)
    return str(number)


def _combine(outcomes: Iterable[Outcome]) -> Status:
    statuses = [o.status for o in outcomes]
    if Status.FAIL in statuses:
        return Status.FAIL
    if Status.UNKNOWN in statuses:
        return Status.UNKNOWN
    return Status.PASS


# --- rules -----------------------------------------------------------------------------
def _clean_region_in(params: dict) -> dict:
    from workplaces.models import Region

    regions = _str_list(params, "regions")
    unknown = [r for r in regions if r not in Region.values]
    if unknown:
        raise ValidationError(
            _("Unknown region(s): %(regions)s. Use: %(choices)s.")
            % {"regions": ", ".join(unknown), "choices": ", ".join(Region.values)}
        )
    municipalities = _str_list(params, "municipalities")
    postcodes = _str_list(params, "postcodes")
    if not (regions or municipalities or postcodes):
        raise ValidationError(_("Name at least one region, municipality or postcode."))
    return {"regions": regions, "municipalities": municipalities, "postcodes": postcodes}


def _eval_region_in(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    if not facts.sites:
        return Outcome(Status.UNKNOWN, str(_("No site (address) recorded.")))
    regions = set(params.get("regions", []))
    municipalities = {m.casefold() for m in params.get("municipalities", [])}
    postcodes = set(params.get("postcodes", []))
    for site in facts.sites:
        if (
            site.region in regions
            or site.municipality.strip().casefold() in municipalities
            or (site.postcode and site.postcode.strip() in postcodes)
        ):
            return Outcome(
                Status.PASS,
                str(
                    _("Site in %(place)s (%(region)s).")
                    % {"place": site.municipality, "region": site.region_label}
                ),
            )
    places = ", ".join(sorted({s.municipality for s in facts.sites}))
    return Outcome(Status.FAIL, str(_("Sites in %(places)s only.") % {"places": places}))


def _clean_commits(params: dict) -> dict:
    return {"years": _int(params, "years", minimum=1)}


def _eval_commits(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    if facts.commits_years is None:
        return Outcome(Status.UNKNOWN, str(_("Commitment not recorded.")))
    status = Status.PASS if facts.commits_years >= params["years"] else Status.FAIL
    text = ngettext(
        "Commits for %(years)s school year.", "Commits for %(years)s school years.", facts.commits_years
    ) % {"years": facts.commits_years}
    return Outcome(status, text)


def _clean_roles(params: dict) -> dict:
    return {"count": _int(params, "count", minimum=1)}


def _eval_roles(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    matching = len(facts.role_ids & programme.role_ids)
    if matching == 0:
        # Nothing ticked for this programme: not filled in rather than "fits no role".
        return Outcome(Status.UNKNOWN, str(_("No professional roles of this programme recorded.")))
    status = Status.PASS if matching >= params["count"] else Status.FAIL
    return Outcome(
        status,
        ngettext(
            "Fits %(n)s of the %(total)s role.", "Fits %(n)s of the %(total)s roles.", programme.role_count
        )
        % {"n": matching, "total": programme.role_count},
    )


def _clean_staff(params: dict) -> dict:
    cleaned = {"count": _int(params, "count", minimum=0)}
    fte = _decimal(params, "fte")
    if fte is not None:
        cleaned["fte"] = float(fte)
    return cleaned


def _staff_outcome(value, minimum, text: Callable[[Any], str], label_missing) -> Outcome:
    """`text(value)` explains the recorded value (a function, so it can choose a plural)."""
    if value is None:
        return Outcome(Status.UNKNOWN, str(label_missing))
    status = Status.PASS if Decimal(str(value)) >= Decimal(str(minimum)) else Status.FAIL
    return Outcome(status, text(value))


def _eval_staff(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    parts = [
        _staff_outcome(
            facts.permanent_staff,
            params["count"],
            lambda value: (
                ngettext(
                    "%(value)s permanent staff member.", "%(value)s permanent staff members.", int(value)
                )
                % {"value": _fmt(value)}
            ),
            _("Permanent staff not recorded."),
        )
    ]
    if params.get("fte") is not None:
        parts.append(_fte_outcome(facts, params["fte"]))
    return Outcome(_combine(parts), " ".join(p.explanation for p in parts))


def _clean_fte(params: dict) -> dict:
    fte = _decimal(params, "fte")
    if fte is None:
        raise ValidationError(_("Parameter “fte” is required."))
    return {"fte": float(fte)}


def _fte_outcome(facts: WorkplaceFacts, minimum) -> Outcome:
    return _staff_outcome(
        facts.staff_fte,
        minimum,
        lambda value: str(_("%(value)s FTE.") % {"value": _fmt(value)}),
        _("Staff in FTE not recorded."),
    )


def _eval_fte(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    return _fte_outcome(facts, params["fte"])


def _clean_nothing(params: dict) -> dict:
    return {}


def _eval_learning_by_doing(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    if facts.learning_by_doing is None:
        return Outcome(Status.UNKNOWN, str(_("Not asked yet.")))
    if facts.learning_by_doing:
        return Outcome(Status.PASS, str(_("Willing to let the student learn by doing.")))
    return Outcome(Status.FAIL, str(_("Not willing to let the student learn by doing.")))


def _clean_reachable(params: dict) -> dict:
    days = _int(params, "days", minimum=1)
    weekdays = _weekdays(params, "weekdays")
    if days > len(weekdays):
        raise ValidationError(_("The number of days cannot exceed the number of WPL weekdays."))
    return {"days": days, "weekdays": weekdays}


def _eval_reachable(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    wpl_days = set(params["weekdays"])
    missing = False
    best: tuple[int, str] | None = None
    for mentor in facts.mentors:
        if not mentor.weekdays:
            missing = True
            continue
        n = len(wpl_days & set(mentor.weekdays))
        if n >= params["days"]:
            return Outcome(Status.PASS, _reachable_text(mentor.name, n))
        if best is None or n > best[0]:
            best = (n, mentor.name)
    if not facts.mentors:
        return Outcome(Status.UNKNOWN, str(_("No mentor recorded.")))
    if missing:
        return Outcome(Status.UNKNOWN, str(_("Reachable days of a mentor not recorded.")))
    return Outcome(Status.FAIL, _reachable_text(best[1], best[0]))


def _reachable_text(mentor: str, n: int) -> str:
    return ngettext(
        "%(mentor)s is reachable on %(n)s WPL day.", "%(mentor)s is reachable on %(n)s WPL days.", n
    ) % {"mentor": mentor, "n": n}


def _clean_profile(params: dict) -> dict:
    social = params.get("social_worker", True)
    if not isinstance(social, bool):
        raise ValidationError(_("Parameter “social_worker” must be true or false."))
    return {
        "social_worker": social,
        "min_years_at_organisation": float(_decimal(params, "min_years_at_organisation", default=0) or 0),
        "min_years_in_sector": float(_decimal(params, "min_years_in_sector", default=0) or 0),
    }


def _mentor_profile(mentor: MentorFacts, params: dict) -> Status:
    checks = []
    if params.get("social_worker"):
        checks.append(None if mentor.is_social_worker is None else mentor.is_social_worker)
    for key, value in (
        ("min_years_at_organisation", mentor.years_at_organisation),
        ("min_years_in_sector", mentor.years_in_sector),
    ):
        minimum = Decimal(str(params.get(key) or 0))
        if minimum > 0:
            checks.append(None if value is None else value >= minimum)
    if False in checks:
        return Status.FAIL
    if None in checks:
        return Status.UNKNOWN
    return Status.PASS


def _eval_profile(facts: WorkplaceFacts, programme: ProgrammeFacts, params: dict) -> Outcome:
    if not facts.mentors:
        return Outcome(Status.UNKNOWN, str(_("No mentor recorded.")))
    statuses = [(m, _mentor_profile(m, params)) for m in facts.mentors]
    for mentor, status in statuses:
        if status == Status.PASS:
            return Outcome(Status.PASS, str(_("%(mentor)s meets the profile.") % {"mentor": mentor.name}))
    if any(status == Status.UNKNOWN for _m, status in statuses):
        return Outcome(Status.UNKNOWN, str(_("The profile of a mentor is incomplete.")))
    return Outcome(Status.FAIL, str(_("No mentor meets the profile.")))


RULES: dict[str, Rule] = {
    rule.kind: rule
    for rule in [
        Rule(
            "region_in",
            _("Located in a region or municipality"),
            _("A site is in one of the regions, municipalities or postcodes."),
            {"regions": ["brussels"], "municipalities": ["Vilvoorde"]},
            _clean_region_in,
            _eval_region_in,
        ),
        Rule(
            "commits_years_at_least",
            _("Commits for at least n school years"),
            _("The organisation commits to host a student for at least this many school years."),
            {"years": 2},
            _clean_commits,
            _eval_commits,
        ),
        Rule(
            "roles_at_least",
            _("Fits at least n professional roles"),
            _("The activities fit at least this many of the programme's professional roles."),
            {"count": 3},
            _clean_roles,
            _eval_roles,
        ),
        Rule(
            "permanent_staff_at_least",
            _("At least n permanent staff (and optionally FTE)"),
            _("Permanent staff at least “count”; with “fte”, also at least that many FTE."),
            {"count": 2, "fte": 1.5},
            _clean_staff,
            _eval_staff,
        ),
        Rule(
            "fte_at_least",
            _("Staff of at least n FTE"),
            _("The organisation's staff counts at least this many FTE."),
            {"fte": 1.5},
            _clean_fte,
            _eval_fte,
        ),
        Rule(
            "learning_by_doing",
            _("Lets the student learn by doing"),
            _("The organisation lets the student learn by doing, more than observing."),
            {},
            _clean_nothing,
            _eval_learning_by_doing,
        ),
        Rule(
            "mentor_reachable_days_at_least",
            _("Mentor reachable on at least n WPL days"),
            _("A mentor is reachable on at least “days” of the WPL weekdays (1 = Monday)."),
            {"days": 2, "weekdays": [3, 4, 5]},
            _clean_reachable,
            _eval_reachable,
        ),
        Rule(
            "mentor_profile",
            _("Mentor profile"),
            _("A mentor works as a social worker with enough years at the organisation and in the sector."),
            {"social_worker": True, "min_years_at_organisation": 1, "min_years_in_sector": 3},
            _clean_profile,
            _eval_profile,
        ),
    ]
}


RULE_CHOICES = [(kind, rule.label) for kind, rule in RULES.items()]


def clean_params(kind: str, params: Any) -> dict:
    """Validated, normalised params for a rule kind; raises a translated ValidationError."""
    rule = RULES.get(kind)
    if rule is None:
        raise ValidationError({"kind": _("Unknown rule.")})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ValidationError(
            {"params": _("Parameters must be a JSON object, e.g. %(example)s.") % {"example": rule.example}}
        )
    try:
        return rule.clean(params)
    except ValidationError as exc:
        raise ValidationError({"params": exc.messages}) from None


# --- evaluation ------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    criterion: Any
    status: Status
    explanation: str

    @property
    def status_label(self) -> str:
        return self.status.label


@dataclass
class Checklist:
    programme: Any
    results: list[CheckResult] = field(default_factory=list)

    @property
    def overall(self) -> Status:
        """Required criteria only: preferences never make a workplace fail."""
        return _combine(Outcome(r.status) for r in self.results if not r.criterion.is_preference)

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for r in self.results:
            counts[r.status.value] += 1
        return counts


def evaluate(criterion, facts: WorkplaceFacts, programme: ProgrammeFacts) -> CheckResult:
    rule = RULES.get(criterion.kind)
    if rule is None:
        return CheckResult(criterion, Status.UNKNOWN, str(_("Unknown rule.")))
    try:
        params = rule.clean(dict(criterion.params or {}))
    except ValidationError:
        return CheckResult(criterion, Status.UNKNOWN, str(_("The criterion's parameters are invalid.")))
    outcome = rule.evaluate(facts, programme, params)
    return CheckResult(criterion, outcome.status, outcome.explanation)


def checklist(programme, criteria: Iterable, facts: WorkplaceFacts) -> Checklist:
    """Evaluate a programme's criteria (programme.roles prefetched) against the facts."""
    role_ids = frozenset(r.pk for r in programme.roles.all())
    programme_facts = ProgrammeFacts(role_ids=role_ids, role_count=len(role_ids))
    return Checklist(programme, [evaluate(c, facts, programme_facts) for c in criteria])


#: The parameters of each rule, in the order the criterion form shows them.
RULE_PARAMS: dict[str, tuple[str, ...]] = {
    "region_in": ("regions", "municipalities", "postcodes"),
    "commits_years_at_least": ("years",),
    "roles_at_least": ("count",),
    "permanent_staff_at_least": ("count", "fte"),
    "fte_at_least": ("fte",),
    "learning_by_doing": (),
    "mentor_reachable_days_at_least": ("days", "weekdays"),
    "mentor_profile": ("social_worker", "min_years_at_organisation", "min_years_in_sector"),
}


def _weekday_list(days) -> str:
    return ", ".join(str(WEEKDAY_NAMES[d]) for d in days if d in WEEKDAY_NAMES)


def describe_params(kind: str, params: dict | None) -> str:
    """A criterion's parameters as a sentence for people (never the raw dictionary)."""
    from workplaces.models import Region

    p = dict(params or {})
    try:
        if kind == "region_in":
            parts = []
            regions = [str(Region(r).label) for r in p.get("regions", []) if r in Region.values]
            if regions:
                parts.append(_("region: %(list)s") % {"list": ", ".join(regions)})
            if p.get("municipalities"):
                parts.append(_("municipality: %(list)s") % {"list": ", ".join(p["municipalities"])})
            if p.get("postcodes"):
                parts.append(_("postcode: %(list)s") % {"list": ", ".join(p["postcodes"])})
            return str(_("A site in one of: %(places)s.") % {"places": "; ".join(parts)}) if parts else ""
        if kind == "commits_years_at_least":
            n = int(p["years"])
            return ngettext("At least %(n)s school year.", "At least %(n)s school years.", n) % {"n": n}
        if kind == "roles_at_least":
            n = int(p["count"])
            return ngettext("At least %(n)s professional role.", "At least %(n)s professional roles.", n) % {
                "n": n
            }
        if kind == "permanent_staff_at_least":
            n = int(p["count"])
            text = ngettext(
                "At least %(n)s permanent staff member.", "At least %(n)s permanent staff members.", n
            ) % {"n": n}
            if p.get("fte") is not None:
                text += " " + str(_("At least %(fte)s FTE.") % {"fte": _fmt(Decimal(str(p["fte"])))})
            return text
        if kind == "fte_at_least":
            return str(_("At least %(fte)s FTE.") % {"fte": _fmt(Decimal(str(p["fte"])))})
        if kind == "mentor_reachable_days_at_least":
            n = int(p["days"])
            return ngettext(
                "Reachable on at least %(n)s of these days: %(days)s.",
                "Reachable on at least %(n)s of these days: %(days)s.",
                n,
            ) % {"n": n, "days": _weekday_list(p.get("weekdays", []))}
        if kind == "mentor_profile":
            parts = []
            if p.get("social_worker"):
                parts.append(str(_("works as a social worker")))
            texts = {
                "min_years_at_organisation": lambda n: ngettext(
                    "at least %(n)s year at the organisation", "at least %(n)s years at the organisation", n
                ),
                "min_years_in_sector": lambda n: ngettext(
                    "at least %(n)s year in the sector", "at least %(n)s years in the sector", n
                ),
            }
            for key, text in texts.items():
                value = Decimal(str(p.get(key) or 0))
                if value > 0:
                    count = int(value) if value == value.to_integral() else 2
                    parts.append(text(count) % {"n": _fmt(value)})
            return str(_("A mentor: %(list)s.") % {"list": ", ".join(parts)}) if parts else ""
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return str(_("The criterion's parameters are invalid."))
    return ""

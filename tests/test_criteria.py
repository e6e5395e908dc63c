"""The workplace-criteria rule engine: every rule kind answers pass, fail or unknown."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from workplaces.criteria import (
    RULES,
    Checklist,
    CheckResult,
    MentorFacts,
    ProgrammeFacts,
    SiteFacts,
    Status,
    WorkplaceFacts,
    clean_params,
    evaluate,
)

PASS, FAIL, UNKNOWN = Status.PASS, Status.FAIL, Status.UNKNOWN
PROGRAMME = ProgrammeFacts(role_ids=frozenset({1, 2, 3, 4}), role_count=4)


def site(municipality="Anderlecht", region="brussels", postcode="1070"):
    return SiteFacts(municipality=municipality, postcode=postcode, region=region, region_label=region)


def mentor(social=True, at_org="2", in_sector="5", days=(3, 4)):
    return MentorFacts(
        name="Mentor",
        is_social_worker=social,
        years_at_organisation=None if at_org is None else Decimal(at_org),
        years_in_sector=None if in_sector is None else Decimal(in_sector),
        weekdays=tuple(days),
    )


def check(kind, params, **facts):
    criterion = SimpleNamespace(kind=kind, params=params, is_preference=False, label=kind)
    return evaluate(criterion, WorkplaceFacts(**facts), PROGRAMME).status


REGION = {"regions": ["brussels"], "municipalities": ["Vilvoorde"]}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"sites": (site(),)}, PASS),
        ({"sites": (site("Vilvoorde", "flanders", "1800"),)}, PASS),  # by municipality
        ({"sites": (site("vilvoorde ", "flanders", "1800"),)}, PASS),  # case and spaces
        ({"sites": (site("Halle", "flanders", "1500"), site("Anderlecht"))}, PASS),  # any site
        ({"sites": (site("Halle", "flanders", "1500"),)}, FAIL),
        ({"sites": ()}, UNKNOWN),
    ],
)
def test_region_in(facts, expected):
    assert check("region_in", REGION, **facts) == expected


def test_region_in_by_postcode():
    assert check("region_in", {"postcodes": ["1800"]}, sites=(site("Koningslo", "flanders", "1800"),)) == PASS


@pytest.mark.parametrize(("years", "expected"), [(2, PASS), (3, PASS), (1, FAIL), (None, UNKNOWN)])
def test_commits_years_at_least(years, expected):
    assert check("commits_years_at_least", {"years": 2}, commits_years=years) == expected


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({1, 2, 3}, PASS),
        ({1, 2, 3, 4}, PASS),
        ({1, 2}, FAIL),
        ({1, 2, 99, 98}, FAIL),  # roles of another programme do not count
        (set(), UNKNOWN),
        ({99}, UNKNOWN),  # nothing recorded for this programme
    ],
)
def test_roles_at_least(roles, expected):
    assert check("roles_at_least", {"count": 3}, role_ids=frozenset(roles)) == expected


STAFF = {"count": 2, "fte": 1.5}


@pytest.mark.parametrize(
    ("permanent", "fte", "expected"),
    [
        (2, Decimal("1.5"), PASS),
        (5, Decimal("4"), PASS),
        (1, Decimal("4"), FAIL),
        (3, Decimal("1.0"), FAIL),
        (None, Decimal("2"), UNKNOWN),
        (3, None, UNKNOWN),
        (1, None, FAIL),  # a known failure wins over a missing value
    ],
)
def test_permanent_staff_and_fte(permanent, fte, expected):
    assert check("permanent_staff_at_least", STAFF, permanent_staff=permanent, staff_fte=fte) == expected


def test_permanent_staff_without_fte_param():
    assert check("permanent_staff_at_least", {"count": 2}, permanent_staff=2) == PASS
    assert check("permanent_staff_at_least", {"count": 2}, permanent_staff=1, staff_fte=None) == FAIL


@pytest.mark.parametrize(
    ("fte", "expected"), [(Decimal("1.5"), PASS), (Decimal("1.4"), FAIL), (None, UNKNOWN)]
)
def test_fte_at_least(fte, expected):
    assert check("fte_at_least", {"fte": 1.5}, staff_fte=fte) == expected


@pytest.mark.parametrize(("value", "expected"), [(True, PASS), (False, FAIL), (None, UNKNOWN)])
def test_learning_by_doing(value, expected):
    assert check("learning_by_doing", {}, learning_by_doing=value) == expected


REACHABLE = {"days": 2, "weekdays": [3, 4, 5]}


@pytest.mark.parametrize(
    ("mentors", "expected"),
    [
        ((mentor(days=(3, 5)),), PASS),
        ((mentor(days=(1, 2, 3)),), FAIL),  # only Wednesday is a WPL day
        ((mentor(days=(1,)), mentor(days=(4, 5))), PASS),  # one mentor is enough
        ((), UNKNOWN),
        ((mentor(days=()),), UNKNOWN),
        ((mentor(days=(1, 2)), mentor(days=())), UNKNOWN),
    ],
)
def test_mentor_reachable_days(mentors, expected):
    assert check("mentor_reachable_days_at_least", REACHABLE, mentors=mentors) == expected


def test_reachable_days_use_the_weekdays_in_params():
    year_two = {"days": 2, "weekdays": [1, 2, 3]}
    assert check("mentor_reachable_days_at_least", year_two, mentors=(mentor(days=(1, 2)),)) == PASS


PROFILE = {"social_worker": True, "min_years_at_organisation": 1, "min_years_in_sector": 3}


@pytest.mark.parametrize(
    ("mentors", "expected"),
    [
        ((mentor(True, "1", "3"),), PASS),
        ((mentor(False, "5", "10"),), FAIL),
        ((mentor(True, "0.5", "10"),), FAIL),
        ((mentor(True, "2", "2"),), FAIL),
        ((mentor(None, "2", "5"),), UNKNOWN),
        ((mentor(True, None, "5"),), UNKNOWN),
        ((mentor(False, None, None),), FAIL),  # known "not a social worker" decides
        ((mentor(False, "5", "10"), mentor(True, "1", "3")), PASS),
        ((), UNKNOWN),
    ],
)
def test_mentor_profile(mentors, expected):
    assert check("mentor_profile", PROFILE, mentors=mentors) == expected


def test_unknown_kind_and_invalid_params_answer_unknown():
    assert check("no_such_rule", {}) == UNKNOWN
    assert check("commits_years_at_least", {"years": "two"}, commits_years=2) == UNKNOWN


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("region_in", {}),
        ("region_in", {"regions": ["atlantis"]}),
        ("commits_years_at_least", {"years": 0}),
        ("commits_years_at_least", {"years": 1.5}),
        ("roles_at_least", {}),
        ("permanent_staff_at_least", {"count": -1}),
        ("fte_at_least", {"fte": -2}),
        ("fte_at_least", {}),
        ("mentor_reachable_days_at_least", {"days": 4, "weekdays": [3, 4, 5]}),
        ("mentor_reachable_days_at_least", {"days": 2, "weekdays": [0, 8]}),
        ("mentor_profile", {"social_worker": "yes"}),
        ("nope", {}),
    ],
)
def test_invalid_params_are_rejected(kind, params):
    with pytest.raises(ValidationError):
        clean_params(kind, params)


def test_every_rule_accepts_its_own_example():
    for kind, rule in RULES.items():
        assert clean_params(kind, rule.example) is not None


def test_preferences_do_not_make_the_checklist_fail():
    required = SimpleNamespace(is_preference=False)
    preferred = SimpleNamespace(is_preference=True)
    checklist = Checklist(
        programme=None, results=[CheckResult(required, PASS, ""), CheckResult(preferred, FAIL, "")]
    )
    assert checklist.overall == PASS
    checklist.results.append(CheckResult(required, UNKNOWN, ""))
    assert checklist.overall == UNKNOWN
    checklist.results.append(CheckResult(required, FAIL, ""))
    assert checklist.overall == FAIL
    assert checklist.counts == {"pass": 1, "fail": 2, "unknown": 1}


def test_model_clean_validates_params(personas, in_tenant):
    from tests.factories import WorkplaceCriterionFactory

    criterion = WorkplaceCriterionFactory(
        institution=personas.a, kind="roles_at_least", params={"count": "x"}
    )
    with in_tenant(personas.a), pytest.raises(ValidationError) as excinfo:
        criterion.full_clean(exclude=["institution"])
    assert "params" in excinfo.value.message_dict

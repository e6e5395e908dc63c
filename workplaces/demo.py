"""Demo workplaces: host organisations with sites and mentors, Odisee's workplace criteria
(000_…txt) and approvals. `seed(institution)` runs inside the tenant and is idempotent.

Odisee: social-work organisations in Brussels and Vilvoorde (one outside the region, so it
fails a criterion). Thomas More: HR departments around Antwerp. The demo mentor
`mentor@odisee.demo` mentors at one workplace of each institution; `orgadmin@<slug>.demo`
is the contact of one workplace.
"""

from __future__ import annotations

from decimal import Decimal

from catalogue.models import ProfessionalRole, Programme, WplForm
from workplaces.models import (
    Mentor,
    Organisation,
    OrganisationCapacity,
    Region,
    Site,
    WorkplaceApproval,
    WorkplaceCriterion,
)
from wpl.academic_years import current_academic_year
from wpl.models import Institution, User

SOCIAL_WORK_CODES = ("graduaat-maatschappelijk-werk", "gmw")


SOCIAL_WORK_NAME = "Graduaat Maatschappelijk Werk"


SOCIAL_WORK_ROLES = ["Onthaal-bruggenbouwer", "Individuele begeleider", "Groepswerker", "Community builder"]


HR_CODES = ("graduaat-hr-support", "hr-support")


HR_NAME = "Graduaat HR-support"


# Odisee's seven workplace criteria (000_…txt, "Werkplek voor een graduaatstudent").
ODISEE_CRITERIA = [
    (
        "De organisatie is gelegen in het Brussels Hoofdstedelijk Gewest of Vilvoorde",
        "region_in",
        {"regions": [Region.BRUSSELS.value], "municipalities": ["Vilvoorde"], "postcodes": []},
        False,
    ),
    ("Men engageert zich voor 2 schooljaren", "commits_years_at_least", {"years": 2}, False),
    (
        "Er zijn activiteiten mogelijk die passend zijn bij minimum 3 van de 4 beroepsrollen",
        "roles_at_least",
        {"count": 3},
        False,
    ),
    (
        "Er zijn bij voorkeur minstens 2 vaste medewerkers (minimum 1,5 VTE) actief",
        "permanent_staff_at_least",
        {"count": 2, "fte": 1.5},
        True,
    ),
    (
        "De organisatie is bereid om de student al doende te laten leren en zijn leerproces te ondersteunen",
        "learning_by_doing",
        {},
        False,
    ),
    (
        "De mentor is bereikbaar tijdens minstens 2 dagen van het werkplekleren (jaar 1: wo-do-vr)",
        "mentor_reachable_days_at_least",
        {"days": 2, "weekdays": [3, 4, 5]},
        False,
    ),
    (
        "De mentor werkt als maatschappelijk werker en is ten minste 1 jaar in dienst in de organisatie "
        "en ten minste 3 jaar werkzaam in de sociale sector",
        "mentor_profile",
        {"social_worker": True, "min_years_at_organisation": 1.0, "min_years_in_sector": 3.0},
        False,
    ),
]


# name, sector, (site, street, postcode, municipality, region), facts, roles (count), mentors, decision
ODISEE_WORKPLACES = [
    {
        "name": "Buurtwerk De Vonk",
        "sector": "Buurtwerk en samenlevingsopbouw",
        "site": ("Buurthuis", "Wayezstraat 12", "1070", "Anderlecht", Region.BRUSSELS),
        "facts": {
            "staff_fte": Decimal("6.5"),
            "permanent_staff": 8,
            "commits_years": 2,
            "learning_by_doing": True,
        },
        "roles": 4,
        "contact": "orgadmin",
        "mentors": [("mentor", "Dirk", "Maes", True, "4", "12", "3,4,5")],
        "decision": ("approved", ""),
        "places": 2,
    },
    {
        "name": "Sociaal Huis Molenbeek",
        "sector": "Eerstelijnshulp",
        "site": ("Onthaal", "Graaf van Vlaanderenstraat 20", "1080", "Sint-Jans-Molenbeek", Region.BRUSSELS),
        "facts": {
            "staff_fte": Decimal("12"),
            "permanent_staff": 15,
            "commits_years": 2,
            "learning_by_doing": True,
        },
        "roles": 3,
        "mentors": [("", "Yasmina", "Bouzid", True, "3", "7", "1,3,4")],
        "decision": ("approved", ""),
        "places": 3,
    },
    {
        "name": "Samenlevingsopbouw Schaarbeek",
        "sector": "Samenlevingsopbouw",
        "site": ("Wijkkantoor", "Haachtsesteenweg 150", "1030", "Schaarbeek", Region.BRUSSELS),
        "facts": {
            "staff_fte": Decimal("1.0"),
            "permanent_staff": 1,
            "commits_years": 2,
            "learning_by_doing": None,
        },
        "roles": 3,
        "mentors": [("", "Pieter", "Declercq", None, "0.5", "2", "")],
        "decision": None,
        "places": 1,
    },
    {
        "name": "OCMW Vilvoorde – Sociale dienst",
        "sector": "Openbaar centrum voor maatschappelijk welzijn",
        "site": ("Sociaal huis", "Lange Molensstraat 56", "1800", "Vilvoorde", Region.FLANDERS),
        "facts": {
            "staff_fte": Decimal("25"),
            "permanent_staff": 30,
            "commits_years": 2,
            "learning_by_doing": True,
        },
        "roles": 4,
        "mentors": [("", "Sofie", "Van den Broeck", True, "6", "10", "2,3,5")],
        "decision": ("approved", ""),
        "places": 2,
    },
    {
        "name": "Jeugdhuis Halle",
        "sector": "Jeugdwerk",
        "site": ("Jeugdhuis", "Basiliekstraat 8", "1500", "Halle", Region.FLANDERS),
        "facts": {
            "staff_fte": Decimal("2.5"),
            "permanent_staff": 3,
            "commits_years": 1,
            "learning_by_doing": True,
        },
        "roles": 2,
        "mentors": [("", "Tom", "Jacobs", False, "2", "2", "1,2")],
        "decision": (
            "rejected",
            "Ligt buiten het Brussels Gewest en Vilvoorde en engageert zich maar voor één schooljaar.",
        ),
        "places": 1,
    },
]


THOMAS_MORE_WORKPLACES = [
    {
        "name": "Scheldepoort Logistiek – HR",
        "sector": "Logistiek",
        "site": ("Hoofdkantoor", "Noorderlaan 100", "2030", "Antwerpen", Region.FLANDERS),
        "facts": {
            "staff_fte": Decimal("140"),
            "permanent_staff": 150,
            "commits_years": 1,
            "learning_by_doing": True,
        },
        "roles": 3,
        "mentors": [("mentor@odisee.demo", "Dirk", "Maes", None, "2", "9", "1,2,3,4")],
        "decision": ("approved", ""),
        "places": 2,
    },
    {
        "name": "Zorggroep Dijleland – Personeelsdienst",
        "sector": "Zorg",
        "site": ("Campus Mechelen", "Kanunnik De Deckerstraat 20", "2800", "Mechelen", Region.FLANDERS),
        "facts": {
            "staff_fte": Decimal("420"),
            "permanent_staff": 480,
            "commits_years": 2,
            "learning_by_doing": True,
        },
        "roles": 3,
        "contact": "orgadmin",
        "mentors": [("mentor", "Jan", "Willems", None, "5", "11", "1,2,3,4,5")],
        "decision": ("approved", ""),
        "places": 3,
    },
    {
        "name": "Interim Berchem",
        "sector": "Uitzendarbeid",
        "site": ("Kantoor", "Statiestraat 40", "2600", "Berchem", Region.FLANDERS),
        "facts": {
            "staff_fte": Decimal("9"),
            "permanent_staff": 10,
            "commits_years": None,
            "learning_by_doing": None,
        },
        "roles": 1,
        "mentors": [("", "Nele", "Peeters", None, "1", "4", "2,4")],
        "decision": None,
        "places": 1,
    },
]


def _programme(codes: tuple[str, ...], name: str, roles: list[str]) -> Programme:
    """The programme of the catalogue seeder when present; created (with roles) otherwise."""
    programme = (
        Programme.objects.filter(code__in=codes).first() or Programme.objects.filter(name=name).first()
    )
    if programme is None:
        programme = Programme.objects.create(code=codes[-1], name=name, form=WplForm.GRADUATE, years=2)
    if not programme.roles.exists():
        for order, role in enumerate(roles, start=1):
            ProfessionalRole.objects.get_or_create(programme=programme, name=role, defaults={"order": order})
    return programme


def _mentor_email(local: str, slug: str) -> str:
    if "@" in local:
        return local
    return f"{local}@{slug}.demo"


def _seed_workplace(
    institution: Institution, programme: Programme, spec: dict, academic_year: str
) -> Organisation:
    slug = institution.slug
    contact = spec.get("contact")
    contact_email = _mentor_email(contact, slug) if contact else ""
    organisation, _ = Organisation.objects.update_or_create(
        name=spec["name"],
        defaults={
            "sector": spec["sector"],
            "languages": "nl, fr" if slug == "odisee" else "nl",
            "contact_name": "Contactpersoon werkplek",
            "contact_email": contact_email,
            # The demo contact's account, as accepting an invitation would link it.
            "contact_user": User.objects.filter(email=contact_email).first() if contact_email else None,
            **spec["facts"],
        },
    )
    site_name, street, postcode, municipality, region = spec["site"]
    Site.objects.update_or_create(
        organisation=organisation,
        name=site_name,
        defaults={"street": street, "postcode": postcode, "municipality": municipality, "region": region},
    )
    organisation.roles.set(list(programme.roles.order_by("order", "id")[: spec["roles"]]))
    for local, first, last, social, at_org, in_sector, days in spec["mentors"]:
        user = None
        if local:
            email = _mentor_email(local, slug)
            user = User.objects.filter(email=email).first()
        else:
            email = f"{first}.{last}".lower().replace(" ", "") + "@werkplek.example"
        Mentor.objects.update_or_create(
            organisation=organisation,
            email=email,
            defaults={
                "user": user,
                "first_name": first,
                "last_name": last,
                "function": "Maatschappelijk werker" if social else "HR-medewerker",
                "is_social_worker": social,
                "years_at_organisation": Decimal(at_org),
                "years_in_sector": Decimal(in_sector),
                "reachable_weekdays": days,
                "attended_start_day": social is True,
            },
        )
    OrganisationCapacity.objects.update_or_create(
        organisation=organisation, programme=programme, year=1, defaults={"places": spec["places"]}
    )
    decision = spec["decision"]
    if (
        decision
        and not WorkplaceApproval.objects.filter(
            organisation=organisation, programme=programme, academic_year=academic_year
        ).exists()
    ):
        coordinator = User.objects.filter(email=f"coordinator@{slug}.demo").first()
        WorkplaceApproval.objects.create(
            organisation=organisation,
            programme=programme,
            academic_year=academic_year,
            decision=decision[0],
            reason=decision[1],
            decided_by=coordinator,
        )
    return organisation


def seed_criteria(programme: Programme) -> None:
    for order, (label, kind, params, preference) in enumerate(ODISEE_CRITERIA, start=1):
        WorkplaceCriterion.objects.update_or_create(
            programme=programme,
            order=order,
            defaults={"label": label, "kind": kind, "params": params, "is_preference": preference},
        )


def seed(institution: Institution) -> None:
    academic_year = current_academic_year()
    if institution.slug == "odisee":
        programme = _programme(SOCIAL_WORK_CODES, SOCIAL_WORK_NAME, SOCIAL_WORK_ROLES)
        seed_criteria(programme)
        specs = ODISEE_WORKPLACES
    elif institution.slug == "thomasmore":
        programme = _programme(HR_CODES, HR_NAME, ["HR-operations officer", "Talent support officer"])
        specs = THOMAS_MORE_WORKPLACES
    else:
        return
    for spec in specs:
        _seed_workplace(institution, programme, spec, academic_year)

"""Demo catalogue: the two programmes of the source documents and a 2026-2027 calendar.

Odisee: Graduaat Maatschappelijk Werk (000_…txt). Thomas More: Graduaat HR-support with its
WPL units and learning objectives (002_…txt). `seed(institution)` runs inside the tenant
and is idempotent (update_or_create on natural keys).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from catalogue.models import (
    AcademicCalendar,
    ClassDay,
    CourseUnit,
    LearningLine,
    LearningObjective,
    Period,
    ProfessionalRole,
    Programme,
    ProgrammeYear,
    SchoolHoliday,
    WplForm,
    WplUnit,
)

ACADEMIC_YEAR = "2026-2027"


# Flemish school holidays 2026-2027 used for the demo (higher education keeps the breaks).
SCHOOL_HOLIDAYS_2026_2027 = [
    ("Herfstvakantie", date(2026, 10, 26), date(2026, 11, 8)),
    ("Kerstvakantie", date(2026, 12, 21), date(2027, 1, 3)),
    ("Krokusvakantie", date(2027, 2, 15), date(2027, 2, 21)),
    ("Paasvakantie", date(2027, 3, 29), date(2027, 4, 11)),
]


# --- Odisee: Graduaat Maatschappelijk Werk (000_…txt) --------------------------------------
SOCIAL_WORK_ROLES = ["Onthaal-bruggenbouwer", "Individuele begeleider", "Groepswerker", "Community builder"]


# (learning line, [(course unit, year, credits)])
SOCIAL_WORK_CURRICULUM = [
    (
        "Leerlijn professionele grondhoudingen",
        [("Professioneel Leren 1", 1, 10), ("Professioneel Leren 2", 2, 5), ("Graduaatsproef", 2, 5)],
    ),
    ("Leerlijn beroepsrollen", [("Beroepsrollen 1", 1, 15), ("Beroepsrollen 2", 2, 15)]),
    (
        "Leerlijn ondersteunende competenties",
        [
            ("Communicatie en overleg", 1, 10),
            ("Werken met de omgeving", 1, 10),
            ("Begeleiden en verslaggeving", 2, 10),
            ("Verbinden", 2, 10),
        ],
    ),
    ("Begeleiding werkplekleren", [("Praktijkverkenning", 1, 5), ("Levenslang Leren", 2, 5)]),
    (
        "Leerlijn mens & maatschappij",
        [
            ("Inleiding in sociaal werk", 1, 5),
            ("Werken in de stad", 1, 5),
            ("Uitdagingen voor de maatschappelijk werker", 2, 5),
            ("Mens & Maatschappij: open module", 2, 5),
        ],
    ),
]


# --- Thomas More: Graduaat HR-support (002_…txt) ---------------------------------------------
HR_ROLES = [
    (
        "HR-operations officer",
        "Expertise in de uitvoering van fundamentele HR-processen van payroll, instroom en dossierbeheer.",
    ),
    ("Talent support officer", "Focust op potentieel en ontwikkelingstrajecten van medewerkers."),
    (
        "21st century officer",
        "Ontwikkeling tot een communicatieve, planmatige en veerkrachtige professional in de complexe en "
        "snel evoluerende werkcontext van vandaag en morgen.",
    ),
]


# (phase, semester within the phase, learning line, course units)
HR_CURRICULUM = [
    (
        1,
        1,
        "Professionele rollen",
        ["HR modellen", "Working in the 21st century", "HR-cyclus", "Organiseren en plannen"],
    ),
    (1, 1, "Kenniskaders", ["Mens en organisatie", "Psychologie aan het werk"]),
    (1, 1, "Werkplekleren", ["Werkplekleren: Expeditie HR", "Werkplekleren: Digitaal vaardig"]),
    (1, 2, "Professionele rollen", ["Instroom", "Zakelijke communicatie", "Payroll"]),
    (1, 2, "Kenniskaders", ["Toegepast arbeidsrecht", "Bedrijfsorganisatie"]),
    (1, 2, "Werkplekleren", ["Werkplekleren: Instroom", "Werkplekleren: Payroll"]),
    (
        2,
        1,
        "Professionele rollen",
        ["Loonpakket", "Sociale interactie", "Learning & development", "Welzijn op het werk"],
    ),
    (2, 1, "Kenniskaders", ["Sociale en crossculturele psychologie"]),
    (2, 1, "Werkplekleren", ["Werkplekleren: HR permanentie", "Werkplekleren: Welzijn"]),
    (
        2,
        2,
        "Professionele rollen",
        [
            "Sociaal-juridisch loket",
            "Talent support",
            "HR als gesprekspartner",
            "Deontologie en probleemoplossen",
        ],
    ),
    (2, 2, "Werkplekleren", ["Werkplekleren: De HR boetiek", "Werkplekleren: HR support"]),
]


PERMANENTIE_SETTINGS = [
    (
        "Rekrutering en selectie",
        [
            "Het zelf kunnen uitvoeren van intakegesprekken",
            "Het opstellen van functieprofielen",
            "Het zelf doen van de search naar kandidaten",
            "Cv- en telefonische screening, testing, selectiegesprekken professioneel doen",
            "Het mee kunnen onthalen van nieuwe medewerkers",
            "Het kunnen maken van eenvoudige rapporten",
        ],
    ),
    (
        "Opleiding",
        [
            "Het mee in kaart kunnen brengen van opleidingsbehoeftes",
            "Het kunnen opvolgen, inschrijven en organiseren van opleidingen",
            "Het mee kunnen opstellen van een POP",
        ],
    ),
    ("Uitstroom", ["Het mee volgen van een ontslag en/of exitgesprek"]),
    (
        "Payroll",
        [
            "Het mee administratief kunnen ondersteunen van de voorbereiding van de maandafsluiting (bv "
            "verwerking ziektebriefjes, vakantie aanvragen, tijdelijke stelsels, …)",
            "Het mee kunnen verwerken van de tijdsregistratie",
            "Het meevolgen van een loon afsluiting",
            "Het kunnen beantwoorden van vragen van medewerkers van sociale wetgeving aard",
        ],
    ),
    ("Competenties/Talenten", ["Het mee volgen van potentieel gesprekken"]),
    ("Prestatiemanagement", ["Het administratieve proces opvolgen van de evaluatiegesprekken"]),
    (
        "Welzijn",
        [
            "Het meewerken aan de uitvoering van onderzoeken/risico analyse/vragenlijsten/focusgroepen",
            "Het kunnen verwerken van verkregen gegevens",
            "Het kunnen uitwerken van brochures, presentaties, etc",
            "Het opstarten van het begeleidingsproces bij hervatting ziekte",
        ],
    ),
]


# name: (phase, days, quarters, group size, rotation, description, objectives as (setting, text))
HR_UNITS: dict[str, tuple] = {
    "Expeditie HR": (
        1,
        12,
        [1],
        None,
        True,
        "De student komt door gerichte observatie en participatie in aanraking met de verschillende HR "
        "werkdomeinen. De studenten zullen kennismaken met diverse relevante HR-werksettings aan de hand "
        "van een doorschuifsysteem.",
        [
            "Observeert gericht aan de hand van vooraf vastgelegde richtlijnen in een concrete werksetting "
            "(inclusief registreren, interpreteren, mondeling en schriftelijk rapporteren).",
            "Benoemt en herkent de verschillende werksettings, taken en verantwoordelijkheden van een "
            "gegradueerde HR-support.",
            "Vertoont een professionele houding en communiceert professioneel met de verschillende "
            "betrokken actoren.",
            "Verduidelijkt de multidisciplinaire en interculturele context van het werkveld van een HR "
            "consulent aan de hand van concrete voorbeelden.",
            "Neemt eigenaarschap op in het einde leerproces",
        ],
    ),
    "Digitaal vaardig": (
        1,
        3,
        [2],
        3,
        False,
        "Studenten worden in groepjes (van 3) gekoppeld aan een onderneming die HR-technologie "
        "ontwikkelen, ondersteunen, uitrollen of verkopen. De studenten gaan mee op pad en dienen een "
        "mini-ambassadeur te worden! Daarnaast leren studenten via blended learning belangrijke "
        "opdrachten in Excel en Word tot een goed einde brengen.",
        [
            "Toont het nut van HR-software/technologie binnen verschillende werksettings aan de hand van "
            "concrete voorbeelden.",
            "Werkt constructief samen in teamverband",
            "Ordent, filtert, sorteert data op een correcte wijze in Excel.",
            "Kiest aan de hand van een correcte analyse van een casus de juiste functies binnen MS Office "
            "en voert deze correct uit.",
            "Deelt veilig informatie met interne en externe stakeholders met behulp van minstens 1 van "
            "volgende systemen: SharePoint, Dropbox, Google Drive of OneDrive.",
            "Reflecteert over het eigen gedrag en talenten en benoemt groeipunten.",
            # The source breaks off after "opgedane r"; completed as in the other units.
            "Stuurt het eigen gedrag constructief bij op basis van feedback van anderen en opgedane "
            "reflecties.",
        ],
    ),
    "Instroom": (
        1,
        14,
        [3],
        None,
        False,
        "Binnen het werkplekleren ‘Instroom’ doen de studenten hun eerste beroepservaringen op binnen "
        "instroombegeleiding.",
        [
            "Draagt constructief bij aan administratieve processen die gelinkt zijn aan dagelijkse "
            "activiteiten van de instroomdienstverlening",
            "Staat bezoekers, klanten en kandidaten vriendelijk en professioneel te woord en onthaalt hen "
            "volgens de richtlijnen van de werkplek",
            "Verzorgt op een correcte wijze telefonische permanentie",
            "Legt in een meertalige context correct afspraken vast met kandidaten.",
            "Geeft volgens vastgelegde procedures op een verstaanbare wijze, correcte informatie en "
            "instructies aan kandidaten.",
            "Werkt op een constructieve manier samen met het team",
            "Omschrijft de belangrijkste processen binnen de rekruteringssector en/of selectiesector in "
            "eigen woorden.",
            "Neemt eigenaarschap op in het eigen leerproces",
        ],
    ),
    "Payroll": (
        1,
        14,
        [4],
        None,
        False,
        "Binnen het werkplekleren ‘Payroll’ gaan studenten al doende leren in een sociaal secretariaat of "
        "payroll afdeling.",
        [
            "Benoemt de taken en werkzaamheden binnen een sociaal secretariaat en/of payroll afdeling van "
            "een onderneming en legt deze in eigen woorden uit.",
            "Voert payroll gerelateerde administratie uit op een correcte wijze. Voorbeelden zijn: dimona "
            "aangifte, opvragen loondocumenten, inlichtingsblad uitkeringen, …",
            "Biedt ondersteuning op een constructieve manier volgens de juiste procedures bij de invoer van "
            "een payroll maandafsluiting.",
            "Voert eenvoudige berekeningen uit op een correcte manier. Voorbeelden zijn: verbrekingstermijn "
            "en -vergoeding, berekening vakantierechten, dubbel vakantiegeld, eindejaarspremie, …",
            "Voert diverse berekeningen op een correcte manier uit aan de hand van HR payroll software en "
            "beschikbare online tools",
            "Neemt eigenaarschap op in het eigen leerproces",
        ],
    ),
    "HR Permanentie": (
        2,
        20,
        [5, 6],
        None,
        False,
        "Afhankelijk van de mentor, mogelijkheden van de stageplek, uitdagingen voor de student kunnen we "
        "dit verdelen over mogelijke verschillende werk settings. De norm waaraan moet voldoen voor al deze "
        "mogelijke activiteiten is die van de organisatie. De lijst is niet limitatief maar is ook geen "
        "must voor elke HR-Dienst.",
        [
            "Constructief bij te dragen aan administratieve processen die gelinkt zijn aan dagelijkse "
            "activiteiten van een HR-dienst.",
            *[(setting, text) for setting, texts in PERMANENTIE_SETTINGS for text in texts],
            "Werkt op een constructieve manier samen met het HR team, en ruimer met de andere afdelingen van "
            "de organisatie en nog ruimer met alle medewerkers waarmee er contacten zijn samen te werken.",
            "Zich te integreren in het team in een mate die realistisch is binnen de periode van het WPL",
            "Te reflecteren over het eigen gedrag en talenten en benoemt groeipunten te benoemen.",
            "Het eigen gedrag constructief bij te sturen op basis van feedback van anderen en opgedane "
            "reflecties.",
        ],
    ),
    "Welzijn": (
        2,
        4,
        [7],
        None,
        False,
        "",
        [
            "Zijn eigen veerkracht te vergroten",
            "Symptomen en oorzaken van stress bij zichzelf te benoemen",
            "Technieken van stressmanagement toe te passen",
            "Hefbomen van mentale weerbaarheid toe te passen",
            "Meer energie uit de dagdagelijkse activiteiten te halen",
            "Het belang van gezond eten te herkennen",
            "Eigen gewoontes te herkennen en goede voornemens in te plannen",
            "Het versterken van je eigen psychologisch kapitaal",
            "Door effectief ervaringen te beleven en erover te reflecteren een grotere gevoeligheid te "
            "ontwikkelen voor het welzijn van zichzelf en de andere.",
            "Naar zijn eigen rol als HR officer te kijken vanuit de bril van welzijn.",
        ],
    ),
    # The source gives no quarter for De HR Boetiek: it is a unit of semester 2 of phase 2.
    "De HR Boetiek": (2, 4, [], None, False, "", []),
    "HR Support": (
        2,
        50,
        [7, 8],
        None,
        False,
        "Het werkplekleren is een periode waarin de student al doende leert en de kennis en vaardigheden "
        "die aan bod komen binnen de verschillende opleidingsonderdelen van HR. Als sluitstuk van de "
        "opleiding maakt de student zelf de keuze waar hij/zij dit werkplekleren wil doorbrengen: "
        "specialiseren in 1 specifiek domein of een generalistische functie. Onder HR-Support verstaan we "
        "alle mogelijke domeinen binnen HR. Dit mag bij dezelfde werkplek zijn als Instroom, Payroll of "
        "HR Permanentie.",
        [],
    ),
}


# Units that belong to a semester rather than to quarters: name -> semester ordinal.
HR_UNIT_SEMESTERS = {"De HR Boetiek": 4}


def seed(institution) -> None:
    """Demo catalogue of `institution` (runs inside its tenant); other slugs get nothing."""
    if institution.slug == "odisee":
        seed_social_work()
        seed_calendar(wpl_start=date(2026, 11, 9))
    elif institution.slug == "thomasmore":
        seed_hr_support()
        seed_calendar(wpl_start=date(2026, 9, 21))


def _periods(programme: Programme, *, semesters_per_phase: int = 2, quarters: bool = False) -> dict:
    found = {}
    for phase in range(1, programme.years + 1):
        for i in range(1, semesters_per_phase + 1):
            ordinal = (phase - 1) * semesters_per_phase + i
            found[("semester", ordinal)], _ = Period.objects.update_or_create(
                programme=programme,
                kind=Period.Kind.SEMESTER,
                ordinal=ordinal,
                defaults={"name": f"Fase {phase} · semester {i}", "phase": phase},
            )
        if quarters:
            for i in range(1, 5):
                ordinal = (phase - 1) * 4 + i
                found[("quarter", ordinal)], _ = Period.objects.update_or_create(
                    programme=programme,
                    kind=Period.Kind.QUARTER,
                    ordinal=ordinal,
                    defaults={"name": f"Kwartaal {ordinal}", "phase": phase},
                )
    return found


def _objectives(unit: WplUnit, objectives: list) -> None:
    wanted = [("", o) if isinstance(o, str) else o for o in objectives]
    current = [(o.setting, o.text) for o in unit.objectives.order_by("order", "id")]
    if current == wanted:
        return
    unit.objectives.all().delete()
    LearningObjective.objects.bulk_create(
        LearningObjective(institution_id=unit.institution_id, unit=unit, order=i, setting=setting, text=text)
        for i, (setting, text) in enumerate(wanted, start=1)
    )


def seed_social_work() -> Programme:
    programme, _ = Programme.objects.update_or_create(
        code="graduaat-maatschappelijk-werk",
        defaults={
            "name": "Graduaat Maatschappelijk Werk",
            "form": WplForm.GRADUATE,
            "years": 2,
            "workplace_share_pct": 50,
            "paid": False,
            "has_allowance": False,
            "description": (
                "Praktijkgerichte opleiding van twee jaar (campus Brussel). Werkplekleren gedurende twee "
                "schooljaren op dezelfde werkplek, 2,5 dagen per week (gemiddeld 19 u/week). Onbezoldigd; "
                "verzekering door de hogeschool, onkosten ten laste van de werkplek."
            ),
        },
    )
    for order, name in enumerate(SOCIAL_WORK_ROLES, start=1):
        ProfessionalRole.objects.update_or_create(programme=programme, name=name, defaults={"order": order})
    # 19 hours a week over the 3 default WPL days; no WPL on class days or in school holidays.
    for year, weekdays, hours in ((1, "3,4,5", 500), (2, "1,2,3", 600)):
        ProgrammeYear.objects.update_or_create(
            programme=programme,
            year=year,
            defaults={"wpl_weekdays": weekdays, "hours_per_day": Decimal("6.33"), "required_hours": hours},
        )
    _periods(programme)
    for order, (line_name, units) in enumerate(SOCIAL_WORK_CURRICULUM, start=1):
        line, _ = LearningLine.objects.update_or_create(
            programme=programme, name=line_name, defaults={"order": order}
        )
        for unit_name, year, credits in units:
            CourseUnit.objects.update_or_create(
                programme=programme,
                year=year,
                name=unit_name,
                defaults={"learning_line": line, "credits": credits},
            )
    return programme


def seed_hr_support() -> Programme:
    programme, _ = Programme.objects.update_or_create(
        code="graduaat-hr-support",
        defaults={
            "name": "Graduaat HR-support",
            "form": WplForm.GRADUATE,
            "years": 2,
            "workplace_share_pct": 33,
            "paid": False,
            "has_allowance": False,
            "description": (
                "Tweejarige graduaatsopleiding (niveau 5): minstens één derde van de schooltijd op de "
                "werkvloer, in werkplekleren-onderdelen per fase met een vast aantal dagen."
            ),
        },
    )
    for order, (name, description) in enumerate(HR_ROLES, start=1):
        ProfessionalRole.objects.update_or_create(
            programme=programme, name=name, defaults={"order": order, "description": description}
        )
    # A full WPL day is at least 7.5 and at most 8 hours; the days are fixed on the school calendar.
    for year in (1, 2):
        ProgrammeYear.objects.update_or_create(
            programme=programme, year=year, defaults={"wpl_weekdays": "", "hours_per_day": Decimal("7.50")}
        )
    periods = _periods(programme, quarters=True)
    lines = {}
    for phase, semester, line_name, units in HR_CURRICULUM:
        if line_name not in lines:
            lines[line_name], _ = LearningLine.objects.update_or_create(
                programme=programme, name=line_name, defaults={"order": len(lines) + 1}
            )
        for unit_name in units:
            CourseUnit.objects.update_or_create(
                programme=programme,
                year=phase,
                name=unit_name,
                defaults={
                    "learning_line": lines[line_name],
                    "period": periods[("semester", (phase - 1) * 2 + semester)],
                },
            )
    for name, (phase, days, quarters, group, rotation, description, objectives) in HR_UNITS.items():
        unit, _ = WplUnit.objects.update_or_create(
            programme=programme,
            name=name,
            defaults={
                "phase": phase,
                "required_days": days,
                "group_size": group,
                "rotation": rotation,
                "description": description,
            },
        )
        unit_periods = [periods[("quarter", q)] for q in quarters]
        if name in HR_UNIT_SEMESTERS:
            unit_periods.append(periods[("semester", HR_UNIT_SEMESTERS[name])])
        unit.periods.set(unit_periods)
        _objectives(unit, objectives)
    return programme


def seed_calendar(*, wpl_start: date) -> AcademicCalendar:
    """The 2026-2027 calendar: WPL until the end of June; Flemish school holidays."""
    calendar, _ = AcademicCalendar.objects.update_or_create(
        academic_year=ACADEMIC_YEAR,
        defaults={
            "wpl_start": wpl_start,
            "wpl_end": date(2027, 6, 30),
            "notes": "Demokalender: schoolvakanties volgens de Vlaamse schoolkalender 2026-2027.",
        },
    )
    for name, start, end in SCHOOL_HOLIDAYS_2026_2027:
        if end < wpl_start:
            continue
        SchoolHoliday.objects.update_or_create(
            calendar=calendar, name=name, defaults={"start": start, "end": end}
        )
    social_work = Programme.objects.filter(code="graduaat-maatschappelijk-werk").first()
    if social_work is not None:
        # Example of a class day on a WPL day: the start of semester 2 on campus for year 1.
        ClassDay.objects.update_or_create(
            calendar=calendar,
            date=date(2027, 2, 10),
            programme=social_work,
            year=1,
            defaults={"description": "Startdag semester 2 op de campus"},
        )
    return calendar

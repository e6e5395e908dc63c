"""Demo data for the quality checklist: the Flemish guideline for quality workplace learning.

The items are those of the "leidraad kwaliteitsvol werkplekleren" (seeds/001_…txt), in
Dutch as written there: three stages (voor je begint, aan de slag, achteraf), each with
its topics and guiding questions. The source marks every item with one of three icons
(very important for everyone / very important for some / important); the extracted text
kept only the icons' indentation, from which the level is reconstructed: one leading space
= very important for everyone, two = very important for some, three = important. Each
institution copies and adapts the checklist to its own form of workplace learning.
"""

from __future__ import annotations

from quality.models import ChecklistItem, ChecklistTemplate
from quality.models import QualityImportance as I
from quality.models import QualityStage as S
from quality.models import QualityTopic as T
from wpl.academic_years import current_academic_year

TEMPLATE_NAME = "Leidraad kwaliteitsvol werkplekleren"


ALL, SOME, IMP = I.VERY_IMPORTANT_ALL, I.VERY_IMPORTANT_SOME, I.IMPORTANT


# (stage, topic, guiding question, [(importance, text), ...])
GUIDELINE: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (S.BEFORE, T.RESOURCES, "Wat bied je aan?", [
        (ALL, "Voorzie tijd en ruimte."),
        (ALL, "Vraag aan elke betrokkene hoe hij werkplekleren ziet en of hij er klaar voor is."),
        (SOME, "Vraag als dat nodig is toestemming aan de bevoegde instanties."),
        (ALL, "Help de lerende om een aanbod van werkplekleren te vinden. Gebruik regionale hulpmiddelen."),
    ]),
    (S.BEFORE, T.RESOURCES, "Wat voorzie je praktisch?", [
        (ALL, "Pas de werkomgeving en het materiaal aan."),
        (ALL, "Geef de lerende toegankelijke up-to-date hulpmiddelen."),
        (SOME, "Zorg dat de lerende zich vlot kan verplaatsen van en naar de werkplek."),
    ]),
    (S.BEFORE, T.RESOURCES, "Wat voorzie je structureel?", [
        (ALL, "Stem de werkinstructies af op de richtlijnen rond veiligheid, hygiëne, milieu, gezondheid "
              "en welzijn."),
        (ALL, "Leg afspraken over organisatie, inhoud, begeleiding en evaluatie vast in een overeenkomst."),
        (ALL, "Zorg dat de lerende en de begeleiders op de werk- en de lesplaats alle voorwaarden kennen."),
        (SOME, "Stem de onderwijs- of vormingsinstelling en het bedrijf op elkaar af."),
    ]),
    (S.BEFORE, T.PEOPLE, "Wie is de lerende?", [
        (ALL, "Wees zeker dat je de startcompetenties van de lerende kent."),
        (ALL, "Ga na of de lerende positief staat tegenover werkplekleren."),
        (SOME, "Houd rekening met verschillende competenties van elke groep binnen een "
               "klas/instelling/bedrijf."),
    ]),
    (S.BEFORE, T.PEOPLE, "Wie zijn de begeleiders?", [
        (ALL, "Voorzie begeleiders vanuit de onderwijs- of vormingsinstelling en vanuit de "
              "bedrijfspraktijk (mentoren of experten)."),
        (ALL, "Zorg voor nascholing of competentiegerichte opleidingen voor begeleiders en mentoren."),
        (ALL, "Geef tijd en middelen aan begeleiders en mentoren om de taken goed uit te voeren. "
              "Erken hun plaats binnen de organisatie."),
        (SOME, "Stel een functiebeschrijving en/of competentieprofiel op voor de begeleiders."),
    ]),
    (S.BEFORE, T.PEOPLE, "Wie ondersteunt wie?", [
        (ALL, "Stimuleer een goede communicatie tussen directeurs en leraren en tussen bedrijfsleiders "
              "en mentoren."),
        (SOME, "Zorg dat de begeleiders onderling, de mentoren onderling en de begeleiders en de "
               "mentoren goed communiceren."),
        (SOME, "Creëer een positieve houding tegenover werkplekleren bij de begeleiders, de andere "
               "lerenden en/of de collega’s op de werkvloer."),
    ]),
    (S.DURING, T.GOALS, "Hoe communiceer je met alle partijen?", [
        (ALL, "Zorg voor continu overleg met de onderwijs- en vormingsverantwoordelijken en/of de "
              "bedrijfsleiders."),
        (SOME, "Zorg voor continu overleg met de begeleiders en de mentoren."),
        (SOME, "Betrek geregeld externen bij een case-overleg over werkplekleren."),
    ]),
    (S.DURING, T.GOALS, "Hoe bewaak je de kwaliteit?", [
        (ALL, "Voorzie een verantwoordelijke voor werkplekleren binnen elke organisatie die informatie "
              "ontvangt en verstuurt."),
        (ALL, "Stel wat je doet voortdurend in vraag en stuur tijdig bij."),
        (SOME, "Voorzie een kerngroep met een duidelijke visie op werkplekleren binnen elke organisatie "
               "en zorg voor ondersteuning."),
        (ALL, "Gebruik een zelfevaluatie-instrument toegespitst op de gebruikte vorm(en) van "
              "werkplekleren. Stuur bij op basis van de conclusies."),
    ]),
    (S.DURING, T.OFFER, "Hoe bewaak je de inhoud?", [
        (ALL, "Leg de doelstellingen (= minimale startcompetenties) van het werkplekleren vast. Laat die "
              "zo veel mogelijk aansluiten bij het curriculum."),
        (ALL, "Werk de doelstellingen zo concreet mogelijk uit."),
        (SOME, "Geef de lerende de kans om de inhoud mee te sturen en vorm te geven."),
    ]),
    (S.DURING, T.OFFER, "Hoe stuur je bij?", [
        (ALL, "Vraag systematisch terugkoppeling, zowel formeel als informeel, van de lerende zelf, zijn "
              "begeleiders, mentoren, en mensen uit de omgeving."),
        (ALL, "Evalueer de gehanteerde procedures en werkwijzen geregeld en houd ze up-to-date."),
        (SOME, "Stuur de competenties die de lerende verwerft tijdig bij. Voorzie daarvoor een "
               "opvolgingsinstrument."),
    ]),
    (S.DURING, T.OFFER, "Hoe werk je op maat?", [
        (SOME, "Wees flexibel: voorzie bijvoorbeeld modules of organiseer afstandsonderwijs ..."),
        (SOME, "Voorzie meerdere manieren en momenten om competenties aan te leren."),
        (SOME, "Stem werkplekleren af op het doelpubliek en pas bijvoorbeeld de groepsgrootte aan."),
    ]),
    (S.DURING, T.GUIDANCE, "Hoe match je de lerende met de juiste werkplek?", [
        (ALL, "Maak tijd voor een goed onthaal van de lerende."),
        (ALL, "Bespreek bij het intakegesprek de startcompetenties van elke lerende en stippel op basis "
              "daarvan een leertraject uit."),
        (SOME, "Koppel de startcompetenties aan studie- en loopbaanadvies/trajectbegeleiding."),
    ]),
    (S.DURING, T.GUIDANCE, "Hoe ondersteun je de lerende?", [
        (ALL, "Zorg dat de lerende altijd bij zijn begeleiders en mentoren terecht kan."),
        (ALL, "Stimuleer de lerende voortdurend om vragen te stellen."),
        (ALL, "Leg minimale opvolgingscriteria vast zoals het aantal bezoeken van de begeleiders."),
        (ALL, "Geef de lerende ruimte voor zelfstudie."),
        (SOME, "Zorg geregeld voor overleg tussen de begeleiders en de mentoren, af en toe aangevuld met "
               "andere betrokkenen."),
    ]),
    (S.DURING, T.ASSESSMENT, "Hoe evalueer je de lerende?", [
        (ALL, "Evalueer als begeleider en mentor op basis van de doelstellingen die je gezamenlijk "
              "vastlegde. De eindverantwoordelijkheid ligt bij de onderwijs- of vormingsinstelling."),
        (ALL, "Laat de lerende ook zichzelf evalueren."),
        (ALL, "Zorg ook voor een permanente evaluatie en stuur zonodig bij."),
        (ALL, "Evalueer tijdens én na het werkplekleren."),
    ]),
    (S.AFTER, T.FOLLOW_UP, "Hoe begeleid je de lerende bij de volgende stap?", [
        (ALL, "Help de lerende verder op weg naar vervolgopleidingen of mogelijkheden binnen de "
              "arbeidsmarkt."),
    ]),
    (S.AFTER, T.FOLLOW_UP, "Hoe maak je zichtbaar wat de lerende kan?", [
        (ALL, "Geef de lerende een passende beschrijving van zijn competenties."),
        (SOME, "Stel bij voorkeur een portfolio van de lerende samen."),
    ]),
    (S.AFTER, T.FEEDBACK, "Welke gegevens zijn belangrijk?", [
        (SOME, "Houd gegevens over werkplekleren systematisch bij om evoluties te ontdekken en te kunnen "
               "bijsturen."),
        (IMP, "Zoek systematisch naar informatie over de gehanteerde en andere vormen van werkplekleren."),
    ]),
    (S.AFTER, T.FEEDBACK, "Hoe bewaar je de kwaliteit?", [
        (SOME, "Houd rekening met de conclusies over het verloop van het werkplekleren en stuur bij voor "
               "een volgende cyclus."),
        (SOME, "Verspreid de ervaringen met werkplekleren binnen en buiten de organisatie."),
        (SOME, "Volg de kwaliteit van werkplekleren op aan de hand van een checklist."),
    ]),
]  # fmt: skip


def guideline_items() -> list[dict]:
    """The guideline as item dicts in order (stage, topic, question, text, importance, order)."""
    rows, order = [], 0
    for stage, topic, question, items in GUIDELINE:
        for importance, text in items:
            order += 10
            rows.append(
                {
                    "stage": stage,
                    "topic": topic,
                    "question": question,
                    "text": text,
                    "importance": importance,
                    "order": order,
                }
            )
    return rows


def seed(institution) -> ChecklistTemplate:
    """The guideline as the institution's checklist; idempotent (runs inside the tenant)."""
    template, _ = ChecklistTemplate.objects.get_or_create(
        name=TEMPLATE_NAME,
        defaults={
            "year": current_academic_year(),
            "description": "Leidraad kwaliteitsvol werkplekleren (Vlaamse overheid): checklist voor, "
            "tijdens en na het werkplekleren.",
        },
    )
    for row in guideline_items():
        ChecklistItem.objects.update_or_create(
            template=template, text=row["text"], defaults={k: v for k, v in row.items() if k != "text"}
        )
    return template

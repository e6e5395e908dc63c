"""Built-in document templates in Dutch, French and English, chosen by the document's language."""

from __future__ import annotations

import pytest

from agreements import documents, rendering, services
from agreements.models import DocumentTemplate, Kind
from tests.factories import placement_for_agreement
from wpl.tenancy import tenant_context

KINDS = (Kind.AGREEMENT, Kind.ANNEX, Kind.ATTENDANCE, Kind.PLAN)

# Per language and document: phrases of the built-in text, and words of the other
# languages' versions that must not leak in.
EXPECTED = {
    "nl": {
        Kind.AGREEMENT: ["Partijen", "ondernemingsnummer", "Handtekeningen"],
        Kind.ANNEX: ["Bijlage bij de werkplekovereenkomst", "Werkplekcoördinator", "Bij ziekte"],
        Kind.ATTENDANCE: ["Attest van aanwezigheid", "Goedgekeurde uren", "Dagen op de werkplek"],
        Kind.PLAN: ["Individueel werkleerplan", "Taken en activiteiten", "Hoe blijkt de vooruitgang?"],
    },
    "fr": {
        Kind.AGREEMENT: ["Parties", "numéro d'entreprise", "représenté par"],
        Kind.ANNEX: ["Annexe à la convention", "Qui contacter ?", "En cas d'accident du travail"],
        Kind.ATTENDANCE: ["Attestation de présence", "Heures approuvées", "Les soussignés déclarent"],
        Kind.PLAN: ["Plan individuel de formation", "Tâches et activités", "Accord des parties"],
    },
    "en": {
        Kind.AGREEMENT: ["Parties", "enterprise number", "represented by"],
        Kind.ANNEX: ["Annex to the workplace learning agreement", "Whom to contact", "work accident"],
        Kind.ATTENDANCE: ["Certificate of attendance", "Approved hours", "The undersigned declare"],
        Kind.PLAN: ["Individual work-learning plan", "Tasks and activities", "How will progress show?"],
    },
}
FOREIGN = {
    "nl": ["Attestation", "Certificate", "Annexe", "Whom to contact"],
    "fr": ["Bijlage", "Attest van", "Goedgekeurde", "Whom to contact", "Approved hours", "werkleerplan"],
    "en": ["Bijlage", "Attest van", "Goedgekeurde", "Annexe", "Heures", "werkleerplan"],
}


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_context(personas.a):
        yield {"placement": placement_for_agreement(personas.a), "coordinator": personas("a", "coordinator")}


def text_of(data: bytes) -> str:
    return " ".join(documents.pdf_text(data).split())


def document(world, kind: str, language: str) -> str:
    agreement = services.get_or_create_agreement(
        actor=world["coordinator"],
        placement=world["placement"],
        kind=Kind.PLAN if kind == Kind.PLAN else Kind.AGREEMENT,
        language=language,
    )
    rows = [{"objective": "Communique avec les clients", "tasks": "Entretiens d'accueil", "period": "S1"}]
    services.update_draft(
        actor=world["coordinator"],
        version=agreement.current,
        fields={"hours_per_week": "16", "total_hours": "480", "insurer": "Ethias", "policy_number": "45.1"},
        plan_rows=rows if kind == Kind.PLAN else None,
    )
    return text_of(documents.version_pdf(agreement.current, kind=kind))


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_document_renders_in_its_language(world, kind, language):
    text = document(world, kind, language)
    for phrase in EXPECTED[language][kind]:
        assert phrase in text, phrase
    for word in FOREIGN[language]:
        assert word not in text, word
    assert "Zoë Vandenbroucke" in text  # the placement's names, accents intact
    if kind in (Kind.ANNEX, Kind.AGREEMENT):
        assert "Ethias" in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_dates_and_weekdays_follow_the_document_language(world, language):
    text = document(world, Kind.ATTENDANCE, language)
    assert {"fr": "21 septembre 2026", "en": "21 September 2026"}[language] in text


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_builtin_template_uses_only_documented_fields(kind, language):
    body = documents.builtin_body(kind, language)
    assert rendering.check_template(body) == []
    assert (documents.BUILTIN_DIR / f"{kind}_{language}.html").is_file()  # no fallback to Dutch


def test_an_institution_template_in_french_wins_over_the_builtin_one(world):
    DocumentTemplate.objects.create(
        kind=Kind.ANNEX, language="fr", version=1, title="Annexe maison", body="<h1>Annexe maison</h1>"
    )
    assert "Annexe maison" in document(world, Kind.ANNEX, "fr")
    # English documents keep the built-in English annex.
    english = documents.template_for(
        programme_id=world["placement"].programme_id, kind=Kind.ANNEX, language="en"
    )
    assert english.template is None and "Whom to contact" in english.body

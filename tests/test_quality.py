"""Quality checklist: the guideline as adaptable templates, self-evaluations and the summary."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quality import demo as demo_quality
from quality.models import ChecklistAnswer, ChecklistItem, ChecklistResponse, ChecklistTemplate
from tests.factories import (
    ChecklistAnswerFactory,
    ChecklistItemFactory,
    ChecklistResponseFactory,
    ChecklistTemplateFactory,
    MentorFactory,
    OrganisationFactory,
)
from wpl.tenancy import tenant_context

YEAR = "2025-2026"


@pytest.fixture
def checklist(personas):
    with tenant_context(personas.a):
        return demo_quality.seed(personas.a)


@pytest.fixture
def workplace(personas):
    contact = personas("a", "org_admin").user
    organisation = OrganisationFactory(
        institution=personas.a, contact_email=contact.email, contact_user=contact, name="Werkplek Noord"
    )
    MentorFactory(institution=personas.a, organisation=organisation, user=personas("a", "mentor").user)
    return organisation


def test_seed_has_the_guideline_in_three_stages_and_is_idempotent(personas, checklist):
    with tenant_context(personas.a):
        items = list(ChecklistItem.objects.filter(template=checklist))
        demo_quality.seed(personas.a)
        assert ChecklistItem.objects.count() == len(items)
        assert ChecklistTemplate.objects.count() == 1
    assert len(items) == len(demo_quality.guideline_items()) >= 50
    assert {i.stage for i in items} == {"before", "during", "after"}
    topics = {"resources", "people", "goals", "offer", "guidance", "assessment", "follow_up", "feedback"}
    assert {i.topic for i in items} == topics
    assert {i.importance for i in items} == {"very_all", "very_some", "important"}
    assert any(i.text == "Laat de lerende ook zichzelf evalueren." for i in items)
    # Institution B has its own copy, untouched by A's seed.
    assert not ChecklistTemplate.all_tenants.filter(institution=personas.b).exists()


def test_staff_copy_and_adapt_a_checklist(personas, client_for, checklist):
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("quality-template-copy", kwargs={"pk": checklist.pk}),
        {"name": "Onze checklist", "year": "2026-2027", "description": ""},
    )
    assert response.status_code == 302
    copy = ChecklistTemplate.all_tenants.get(name="Onze checklist")
    assert copy.copied_from == checklist
    n = ChecklistItem.all_tenants.filter(template=checklist).count()
    assert ChecklistItem.all_tenants.filter(template=copy).count() == n

    response = client.post(
        reverse("quality-item-create", kwargs={"pk": copy.pk}),
        {
            "stage": "after",
            "topic": "feedback",
            "question": "",
            "text": "Eigen punt",
            "importance": "important",
        },
    )
    assert response.status_code == 302
    added = ChecklistItem.all_tenants.get(template=copy, text="Eigen punt")
    assert added.order > 0

    item = ChecklistItem.all_tenants.filter(template=copy).first()
    response = client.post(
        reverse("quality-item-edit", kwargs={"pk": item.pk}),
        {
            "stage": item.stage,
            "topic": item.topic,
            "question": "",
            "text": "Aangepast",
            "importance": "very_some",
            "order": "5",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.text, item.importance, item.order) == ("Aangepast", "very_some", 5)
    # The original is unchanged.
    assert not ChecklistItem.all_tenants.filter(template=checklist, text="Aangepast").exists()

    assert client.post(reverse("quality-item-delete", kwargs={"pk": added.pk})).status_code == 302
    assert not ChecklistItem.all_tenants.filter(pk=added.pk).exists()


def test_bad_item_input_is_rerendered(personas, client_for, checklist):
    client = client_for(personas("a", "institution_admin"))
    response = client.post(
        reverse("quality-item-create", kwargs={"pk": checklist.pk}),
        {"stage": "someday", "topic": "feedback", "text": "Mijn punt", "importance": "important"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["stage"]
    assert "Mijn punt" in response.content.decode()
    response = client.post(
        reverse("quality-template-copy", kwargs={"pk": checklist.pk}), {"name": "X", "year": "2026"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert ChecklistTemplate.all_tenants.count() == 1


def test_answered_item_cannot_be_removed(personas, client_for):
    answer = ChecklistAnswerFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("quality-item-delete", kwargs={"pk": answer.item.pk}))
    assert response.status_code == 200
    assert response.context["error"]
    assert ChecklistItem.all_tenants.filter(pk=answer.item.pk).exists()


def _answers(items, mapping):
    data = {}
    for item in items:
        value = mapping.get(item.pk, "")
        data[f"answer_{item.pk}"] = value
        data[f"comment_{item.pk}"] = ""
    return data


def test_workplace_and_school_fill_in_and_summary_compares(personas, client_for, checklist, workplace):
    with tenant_context(personas.a):
        items = list(ChecklistItem.objects.filter(template=checklist).order_by("order"))
    before = [i for i in items if i.stage == "before"]
    url_w = reverse(
        "quality-response", kwargs={"pk": workplace.pk, "academic_year": YEAR, "party": "workplace"}
    )
    url_s = reverse("quality-response", kwargs={"pk": workplace.pk, "academic_year": YEAR, "party": "school"})

    mentor = client_for(personas("a", "mentor"))
    assert mentor.get(url_w).status_code == 200
    # Workplace: all "before" items yes, except one not applicable.
    data = _answers(items, {i.pk: "yes" for i in before})
    data[f"answer_{before[0].pk}"] = "na"
    data[f"comment_{before[1].pk}"] = "Elke maandag overleg"
    response = mentor.post(url_w, data)
    assert response.status_code == 302

    # School: half of the "before" items yes, the rest no.
    supervisor = client_for(personas("a", "supervisor"))
    half = len(before) // 2
    mapping = {i.pk: ("yes" if n < half else "no") for n, i in enumerate(before)}
    assert supervisor.post(url_s, _answers(items, mapping)).status_code == 302

    response_w = ChecklistResponse.all_tenants.get(party="workplace")
    assert response_w.template == checklist and response_w.updated_by == personas("a", "mentor").user
    assert ChecklistAnswer.all_tenants.filter(response=response_w).count() == len(before)
    assert (
        ChecklistAnswer.all_tenants.get(response=response_w, item=before[1]).comment == "Elke maandag overleg"
    )

    summary = client_for(personas("a", "coordinator")).get(
        reverse("quality-organisation", kwargs={"pk": workplace.pk})
    )
    assert summary.status_code == 200
    (year,) = summary.context["summary"]
    rows = {label: (w, s, diff) for label, w, s, diff in year.rows()}
    w, s, diff = next(iter(rows.values()))  # the first stage: before you start
    assert w.share_yes == 100 and w.na == 1
    assert s.share_yes == round(100 * half / len(before))
    assert diff == 100 - s.share_yes

    # Clearing an answer removes it; the rest stays.
    data[f"answer_{before[2].pk}"] = ""
    assert mentor.post(url_w, data).status_code == 302
    assert ChecklistAnswer.all_tenants.filter(response=response_w).count() == len(before) - 1


def test_comment_without_answer_is_rerendered_and_nothing_saved(personas, client_for, checklist, workplace):
    with tenant_context(personas.a):
        items = list(ChecklistItem.objects.filter(template=checklist))
    url = reverse(
        "quality-response", kwargs={"pk": workplace.pk, "academic_year": YEAR, "party": "workplace"}
    )
    data = _answers(items, {items[0].pk: "yes"})
    data[f"comment_{items[1].pk}"] = "Nog te bespreken"
    data[f"answer_{items[2].pk}"] = "misschien"
    response = client_for(personas("a", "org_admin")).post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"answer_{items[1].pk}"] and form.errors[f"answer_{items[2].pk}"]
    assert "Nog te bespreken" in response.content.decode()
    assert not ChecklistResponse.all_tenants.exists()


def test_each_party_fills_only_its_own_checklist(personas, client_for, checklist, workplace):
    def url(party, pk=workplace.pk, year=YEAR):
        return reverse("quality-response", kwargs={"pk": pk, "academic_year": year, "party": party})

    assert client_for(personas("a", "org_admin")).get(url("school")).status_code == 403
    assert client_for(personas("a", "coordinator")).get(url("workplace")).status_code == 403
    assert client_for(personas("a", "student")).get(url("workplace")).status_code == 403
    assert client_for(personas("a", "coordinator")).get(url("someone")).status_code == 404
    assert client_for(personas("a", "coordinator")).get(url("school", year="2025")).status_code == 404
    other = OrganisationFactory(institution=personas.a)
    assert client_for(personas("a", "org_admin")).get(url("workplace", pk=other.pk)).status_code == 404
    # Institution B cannot reach A's workplace.
    assert client_for(personas("b", "coordinator")).get(url("school")).status_code == 404


def test_hosts_see_only_their_own_workplace_in_the_overview(personas, client_for, workplace):
    OrganisationFactory(institution=personas.a, name="Andere Werkplek")
    body = client_for(personas("a", "org_admin")).get(reverse("quality-overview")).content.decode()
    assert "Werkplek Noord" in body and "Andere Werkplek" not in body
    body = client_for(personas("a", "supervisor")).get(reverse("quality-overview")).content.decode()
    assert "Werkplek Noord" in body and "Andere Werkplek" in body


def test_summary_and_overview_have_constant_queries(
    personas, client_for, workplace, django_assert_max_num_queries
):
    template = ChecklistTemplateFactory(institution=personas.a, year=YEAR)
    client = client_for(personas("a", "coordinator"))
    summary_url = reverse("quality-organisation", kwargs={"pk": workplace.pk})
    client.get(summary_url)
    for year in ("2023-2024", "2024-2025", YEAR):
        for party in ("workplace", "school"):
            response = ChecklistResponseFactory(
                institution=personas.a,
                organisation=workplace,
                template=template,
                academic_year=year,
                party=party,
            )
            for _ in range(3):
                item = ChecklistItemFactory(institution=personas.a, template=template)
                ChecklistAnswerFactory(institution=personas.a, response=response, item=item)
        OrganisationFactory(institution=personas.a)
    with django_assert_max_num_queries(12):
        assert client.get(summary_url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("quality-overview")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("quality-template-detail", kwargs={"pk": template.pk})).status_code == 200

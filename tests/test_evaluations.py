"""Evaluations: rubrics (versions, JSON), filling, visibility, the meeting, the score, the
reflection, tenancy and query counts."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import rubric_io, scoring, selectors, services
from evaluations.models import (
    Criterion,
    CriterionScore,
    Evaluation,
    EvaluationSettings,
    Party,
    PerformanceLevel,
    RubricVersion,
)
from tests import factories as f
from tests.conftest import shown
from wpl import registry
from wpl.models import AuditEvent, Notification
from wpl.tenancy import tenant_context

pytestmark = pytest.mark.django_db


# --- the score procedure (pure) -------------------------------------------------------------------
def test_score_uses_points_weights_and_other_agreements():
    rows = [(Decimal(2), Decimal(3)), (Decimal(1), Decimal(0))]  # weight, points
    # rubric fraction = (2*3 + 1*0) / (3*3) = 2/3; 90 % rubric, 10 % guidance at 50 %
    score = scoring.compute(
        rows=rows,
        max_points=Decimal(3),
        max_score=Decimal(20),
        rubric_share_pct=Decimal(90),
        components=[scoring.Component("guidance", Decimal(10), Decimal(50))],
    )
    assert score == Decimal("13.0")  # 20 * (90*2/3 + 10*0.5) / 100 = 13.0


def test_score_refuses_a_missing_level():
    with pytest.raises(scoring.ScoreError):
        scoring.rubric_fraction([(Decimal(1), None)], Decimal(3))


# --- people and a placement -----------------------------------------------------------------------
@pytest.fixture
def setup(personas):
    """A placement in A whose student, mentor and supervisor are A's personas, with an open evaluation."""
    inst = personas.a
    student = f.StudentFactory(institution=inst, user=personas("a", "student").user)
    organisation = f.OrganisationFactory(institution=inst)
    mentor = f.MentorFactory(institution=inst, organisation=organisation, user=personas("a", "mentor").user)
    placement = f.PlacementFactory(
        institution=inst,
        student=student,
        organisation=organisation,
        mentor=mentor,
        supervisor=personas("a", "supervisor"),
    )
    version = f.published_rubric(placement.programme, criteria=3, weights=[2, 1, 1])
    evaluation = f.evaluation_for(placement, version=version)
    return personas, placement, evaluation


def _criteria(evaluation):
    return list(Criterion.all_tenants.filter(version=evaluation.version).order_by("order"))


def _levels(evaluation):
    return list(PerformanceLevel.all_tenants.filter(version=evaluation.version).order_by("order"))


def _fill(client, evaluation, level_index: int, comment: str = "Goed gedaan"):
    levels = _levels(evaluation)
    for c in _criteria(evaluation):
        response = client.post(
            reverse("evaluation-autosave", kwargs={"pk": evaluation.pk, "criterion": c.pk}),
            {"level": levels[level_index].pk, "comment": comment},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content


# --- rubrics ---------------------------------------------------------------------------------------
def test_json_export_import_round_trip_and_clear_errors(setup):
    personas, placement, evaluation = setup
    with tenant_context(personas.a):
        document = rubric_io.export(evaluation.version)
        parsed = rubric_io.parse(json.loads(rubric_io.dumps(document)), programme=placement.programme)
        assert len(parsed["criteria"]) == 3 and len(parsed["levels"]) == 4
        bad = dict(document, levels=document["levels"][:1])
        bad["criteria"] = [dict(document["criteria"][0], competence="Bestaat niet", weight="veel")]
        with pytest.raises(ValidationError) as exc:
            rubric_io.parse(bad, programme=placement.programme)
    text = " ".join(exc.value.messages)
    assert "levels" in text and "criteria[1].competence" in text and "criteria[1].weight" in text
    with pytest.raises(ValidationError):
        rubric_io.loads("{not json")


def test_editing_a_published_rubric_makes_a_new_version_and_evaluations_keep_theirs(setup):
    personas, placement, evaluation = setup
    coordinator = personas("a", "coordinator")
    with tenant_context(personas.a):
        rubric = evaluation.version.rubric
        with pytest.raises(ValidationError):
            services.save_draft(actor=coordinator, version=evaluation.version, document={})
        draft = services.edit_rubric(actor=coordinator, rubric=rubric)
        assert draft.number == 2 and draft.criteria.count() == 3
        document = rubric_io.export(draft)
        document["criteria"][0]["title"] = {"nl": "Nieuw criterium", "fr": "Nouveau critère"}
        services.save_draft(actor=coordinator, version=draft, document=document)
        services.publish_version(actor=coordinator, version=draft)
        evaluation.refresh_from_db()
        assert evaluation.version.number == 1
        assert RubricVersion.objects.get(pk=evaluation.version_id).status == "retired"
        other = f.PlacementFactory(institution=personas.a, programme=placement.programme)
        new = services.open_evaluation(actor=coordinator, placement=other, moment="final")
        assert new.version_id == draft.pk
        assert AuditEvent.objects.filter(action="evaluations.rubric.publish").exists()


def test_create_rubric_page_imports_json_and_reports_errors(setup, client_for):
    personas, placement, evaluation = setup
    client = client_for(personas("a", "coordinator"))
    with tenant_context(personas.a):
        document = rubric_io.export(evaluation.version)
    upload = io.BytesIO(json.dumps(dict(document, levels=[])).encode())
    upload.name = "rubric.json"
    response = client.post(
        reverse("rubric-create"),
        {"programme": placement.programme_id, "name": "Geïmporteerd", "document": upload},
    )
    assert response.status_code == 400
    assert "levels" in response.content.decode()
    good = io.BytesIO(json.dumps(document).encode())
    good.name = "rubric.json"
    response = client.post(
        reverse("rubric-create"),
        {"programme": placement.programme_id, "name": "Geïmporteerd", "document": good},
    )
    assert response.status_code == 302
    rubric_url = response["Location"]
    assert client.get(rubric_url).status_code == 200
    pk = int(rubric_url.rstrip("/").rsplit("/", 1)[1])
    preview = client.get(reverse("rubric-preview", kwargs={"pk": pk}) + "?lang=fr")
    assert "Niveau FR 0" in preview.content.decode()
    exported = client.get(reverse("rubric-export", kwargs={"pk": pk}))
    assert json.loads(exported.content)["format"] == "wpl-rubric"


# --- filling, visibility, meeting, score, reflection ---------------------------------------------
def test_the_whole_evaluation(setup, client_for):
    personas, placement, evaluation = setup
    mentor = client_for(personas("a", "mentor"))
    student = client_for(personas("a", "student"))
    supervisor = client_for(personas("a", "supervisor"))
    fill_url = reverse("evaluation-fill", kwargs={"pk": evaluation.pk})
    assert mentor.get(fill_url).status_code == 200

    # Submitting with criteria open is refused with the number still open.
    mentor.post(fill_url)
    evaluation.refresh_from_db()
    assert evaluation.mentor_submitted_at is None
    _fill(mentor, evaluation, 3, "Sterk")
    assert mentor.post(fill_url).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.mentor_submitted_at is not None
    # Frozen after submitting.
    c0 = _criteria(evaluation)[0]
    again = mentor.post(
        reverse("evaluation-autosave", kwargs={"pk": evaluation.pk, "criterion": c0.pk}),
        {"level": _levels(evaluation)[0].pk},
        HTTP_HX_REQUEST="true",
    )
    assert again.status_code == 400

    # The student does not see the mentor's rubric before the meeting (default rule).
    _fill(student, evaluation, 1, "Kan beter")
    assert student.post(fill_url).status_code == 302
    with tenant_context(personas.a):
        seen = set(
            CriterionScore.objects.visible_to(personas("a", "student"))
            .filter(evaluation=evaluation)
            .values_list("party", flat=True)
        )
        assert seen == {"student"}
        # The mentor sees the submitted self-evaluation (default rule: once submitted).
        seen = set(
            CriterionScore.objects.visible_to(personas("a", "mentor"))
            .filter(evaluation=evaluation)
            .values_list("party", flat=True)
        )
        assert seen == {"mentor", "student"}
    assert (
        "Sterk"
        not in student.get(reverse("evaluation-detail", kwargs={"pk": evaluation.pk})).content.decode()
    )

    # The meeting: both side by side, the agreed version separately, who was present.
    meeting_url = reverse("evaluation-meeting", kwargs={"pk": evaluation.pk})
    page = supervisor.get(meeting_url).content.decode()
    assert "Sterk" in page and "Kan beter" in page
    levels = _levels(evaluation)
    data = {f"level_{c.pk}": levels[2].pk for c in _criteria(evaluation)}
    data[f"level_{c0.pk}"] = ""
    response = supervisor.post(meeting_url, {**data, "present": ["student", "mentor"], "notes": "Besproken"})
    assert response.status_code == 400  # one criterion without an agreed level; what was typed stays
    assert "Besproken" in response.content.decode()
    data[f"level_{c0.pk}"] = levels[3].pk
    response = supervisor.post(meeting_url, {**data, "present": ["student", "mentor", "supervisor"]})
    assert response.status_code == 302
    with tenant_context(personas.a):
        rows = CriterionScore.objects.filter(evaluation=evaluation)
        assert {r.level_id for r in rows.filter(party=Party.MENTOR)} == {levels[3].pk}
        assert {r.level_id for r in rows.filter(party=Party.STUDENT)} == {levels[1].pk}
        assert rows.filter(party=Party.AGREED).count() == 3
        # Now the student sees the mentor's rubric and the agreed version.
        seen = set(
            CriterionScore.objects.visible_to(personas("a", "student"))
            .filter(evaluation=evaluation)
            .values_list("party", flat=True)
        )
        assert seen == {"mentor", "student", "agreed"}
    evaluation.refresh_from_db()
    assert evaluation.status == "met" and evaluation.present == ["student", "mentor", "supervisor"]

    # The score: weights 2,1,1 -> agreed points 3,2,2 of 3 -> (6+2+2)/12; 90 % + guidance 10 %.
    score_url = reverse("evaluation-score", kwargs={"pk": evaluation.pk})
    response = supervisor.post(score_url, {"component_guidance": "80", "final_score": "17", "reason": ""})
    assert response.status_code == 400
    assert (
        shown("Give the reason why the final score differs from the computed one.")
        in response.content.decode()
    )
    response = supervisor.post(
        score_url,
        {"component_guidance": "80", "final_score": "17", "reason": "Extra inzet in de laatste week"},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    expected = (Decimal(20) * (Decimal(90) * Decimal(10) / Decimal(12) + Decimal(8)) / 100).quantize(
        Decimal("0.1")
    )
    assert evaluation.computed_score == expected and evaluation.final_score == Decimal(17)
    assert evaluation.override_reason == "Extra inzet in de laatste week"
    # Not published: the student sees no score, not even in the API.
    detail = student.get(reverse("evaluation-detail", kwargs={"pk": evaluation.pk})).content.decode()
    assert 'id="final-score"' not in detail
    api = student.get(
        reverse("api-evaluation-detail", kwargs={"pk": evaluation.pk}), HTTP_ACCEPT="application/json"
    )
    assert api.json()["final_score"] is None
    assert supervisor.post(score_url, {"op": "publish"}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "published"
    with tenant_context(personas.a):
        assert Notification.objects.filter(
            recipient=personas("a", "student").user, key=f"evaluations.published:{evaluation.pk}"
        ).exists()
    assert (
        student.get(reverse("api-evaluation-detail", kwargs={"pk": evaluation.pk})).json()["final_score"]
        == "17.00"
    )

    # The reflection closes it (and rates the workplace).
    reflection_url = reverse("evaluation-reflection", kwargs={"pk": evaluation.pk})
    response = student.post(reflection_url, {"reflection": "Te kort"})
    assert response.status_code == 400 and "Te kort" in response.content.decode()
    response = student.post(
        reflection_url,
        {
            "reflection": "Ik leerde veel over loonadministratie en wil beter plannen.",
            "workplace_rating": "4",
        },
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "closed" and evaluation.workplace_rating == 4
    with tenant_context(personas.a):
        actions = set(AuditEvent.objects.filter(object_id=evaluation.pk).values_list("action", flat=True))
    assert {
        "evaluations.submit.mentor",
        "evaluations.meeting",
        "evaluations.publish",
        "evaluations.reflection",
    } <= actions

    # The competence overview as a page and a PDF.
    overview = student.get(reverse("evaluation-overview", kwargs={"pk": placement.student_id}))
    assert overview.status_code == 200 and "Criterium 1" in overview.content.decode()
    pdf = student.get(reverse("evaluation-overview-pdf", kwargs={"pk": placement.student_id}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    csv = supervisor.get(reverse("evaluation-export"))
    assert "17.00" in csv.content.decode("utf-8-sig")
    export = reverse("evaluation-export")
    year = placement.academic_year
    code = placement.programme.code
    chosen = supervisor.get(f"{export}?programme={code}&academic_year={year}").content.decode("utf-8-sig")
    assert "17.00" in chosen
    other = supervisor.get(f"{export}?academic_year=2019-2020").content.decode("utf-8-sig")
    assert "17.00" not in other


def test_visibility_rule_is_a_programme_setting(setup):
    personas, placement, evaluation = setup
    with tenant_context(personas.a):
        services.save_settings(
            actor=personas("a", "coordinator"),
            programme=placement.programme,
            moments=[{"key": "final", "label": {"nl": "Eind"}, "scored": True}],
            student_sees_mentor="submitted",
            mentor_sees_student="published",
            max_score=Decimal(20),
            rubric_share_pct=100,
            components=[],
        )
        c = _criteria(evaluation)[0]
        level = _levels(evaluation)[1]
        for party in ("mentor", "student"):
            CriterionScore.objects.create(evaluation=evaluation, party=party, criterion=c, level=level)
        Evaluation.objects.filter(pk=evaluation.pk).update(
            mentor_submitted_at="2026-10-01T10:00Z", student_submitted_at="2026-10-01T10:00Z"
        )
        assert set(
            CriterionScore.objects.visible_to(personas("a", "student")).values_list("party", flat=True)
        ) == {"mentor", "student"}
        assert set(
            CriterionScore.objects.visible_to(personas("a", "mentor")).values_list("party", flat=True)
        ) == {"mentor"}
        # The shares must add up to 100 %.
        with pytest.raises(ValidationError):
            services.save_settings(
                actor=personas("a", "coordinator"),
                programme=placement.programme,
                moments=[{"key": "final", "label": {"nl": "Eind"}}],
                student_sees_mentor="meeting",
                mentor_sees_student="meeting",
                max_score=Decimal(20),
                rubric_share_pct=80,
                components=[],
            )


def test_evidence_only_from_the_placements_own_logbook(setup, client_for):
    personas, placement, evaluation = setup
    entry = f.LogbookEntryFactory(institution=personas.a, placement=placement, date="2026-10-05")
    other = f.LogbookEntryFactory(
        institution=personas.a, placement=f.PlacementFactory(institution=personas.a), date="2026-10-05"
    )
    mentor = client_for(personas("a", "mentor"))
    c = _criteria(evaluation)[0]
    url = reverse("evaluation-autosave", kwargs={"pk": evaluation.pk, "criterion": c.pk})
    assert (
        f"logbook:{entry.pk}"
        in mentor.get(reverse("evaluation-fill", kwargs={"pk": evaluation.pk})).content.decode()
    )
    bad = mentor.post(url, {"comment": "x", "evidence": [f"logbook:{other.pk}"]}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    good = mentor.post(url, {"comment": "x", "evidence": [f"logbook:{entry.pk}"]}, HTTP_HX_REQUEST="true")
    assert good.status_code == 200
    with tenant_context(personas.a):
        assert CriterionScore.objects.get(evaluation=evaluation, party="mentor").evidence == [
            f"logbook:{entry.pk}"
        ]


def test_only_the_placements_people_fill_and_lead(setup, client_for, personas):
    _, placement, evaluation = setup
    fill_url = reverse("evaluation-fill", kwargs={"pk": evaluation.pk})
    assert client_for(personas("a", "coordinator")).get(fill_url).status_code == 403
    assert client_for(personas("a", "org_admin")).get(fill_url).status_code == 403
    # Another supervisor of the same institution neither sees nor scores it.
    other_supervisor = f.MembershipFactory(institution=personas.a, role="supervisor")
    client = client_for(other_supervisor)
    assert client.get(reverse("evaluation-detail", kwargs={"pk": evaluation.pk})).status_code == 404
    assert client.get(reverse("evaluation-score", kwargs={"pk": evaluation.pk})).status_code == 404


def test_another_institutions_evaluation_answers_404(setup, client_for):
    personas, _placement, evaluation = setup
    b_placement = f.PlacementFactory(institution=personas.b)
    b_evaluation = f.evaluation_for(b_placement)
    for role in ("coordinator", "supervisor", "mentor", "student"):
        client = client_for(personas("a", role))
        for name in ("evaluation-detail", "evaluation-meeting", "evaluation-score", "evaluation-reflection"):
            response = client.get(reverse(name, kwargs={"pk": b_evaluation.pk}))
            assert response.status_code in (403, 404), (role, name)
            if role == "coordinator":
                assert response.status_code == 404 or name == "evaluation-reflection"
    shared_a, _ = personas.shared_mentor
    assert (
        client_for(shared_a).get(reverse("evaluation-fill", kwargs={"pk": b_evaluation.pk})).status_code
        == 404
    )


def test_start_page_items_per_role(setup, client_for):
    personas, placement, evaluation = setup
    with tenant_context(personas.a):
        assert selectors.todo_counts(personas("a", "mentor")) == {"fill_mentor": 1}
        assert selectors.todo_counts(personas("a", "student")) == {"fill_student": 1, "reflect": 0}
        Evaluation.objects.filter(pk=evaluation.pk).update(status="scored")
        assert selectors.todo_counts(personas("a", "supervisor")) == {"meet": 0, "score": 1}
    page = client_for(personas("a", "supervisor")).get(reverse("home")).content.decode()
    assert shown("Scores to set and publish") in page
    list_page = client_for(personas("a", "supervisor")).get(reverse("evaluation-list") + "?todo=score")
    assert list_page.content.decode().count('scope="row"') == 1
    assert (
        client_for(personas("a", "supervisor"))
        .get(reverse("evaluation-list") + "?todo=meet")
        .content.decode()
        .count('scope="row"')
        == 0
    )


def test_staff_start_page_has_evaluation_items_within_the_query_budget(
    setup, client_for, django_assert_max_num_queries
):
    """Coordinators and admins: past-due evaluations and placements without a moment opened,
    counted with the other apps' start items in one query (tests/test_home.py budget)."""
    import datetime

    from django.utils import timezone

    from tests.fixtures import START_PAGE_MAX_QUERIES as MAX_QUERIES
    from wpl.academic_years import current_academic_year

    personas, placement, evaluation = setup
    today = timezone.localdate()
    # The evaluation's placement ended without a meeting; a second one met long ago, unscored.
    ended = f.PlacementFactory(institution=personas.a, programme=placement.programme)
    late_score = f.evaluation_for(ended, version=evaluation.version)
    with tenant_context(personas.a):
        type(placement).objects.filter(pk=placement.pk).update(end_date=today - datetime.timedelta(days=1))
        Evaluation.objects.filter(pk=late_score.pk).update(
            status="met", meeting_at=timezone.now() - datetime.timedelta(days=30)
        )
    # A placement of this year with no evaluation yet (its programme has a published rubric).
    f.PlacementFactory(
        institution=personas.a, programme=placement.programme, academic_year=current_academic_year()
    )
    # Another institution's late evaluation is not counted.
    b_placement = f.PlacementFactory(institution=personas.b, end_date=today - datetime.timedelta(days=3))
    f.evaluation_for(b_placement)
    for role in ("coordinator", "institution_admin"):
        membership = personas("a", role)
        with tenant_context(personas.a):
            counts = selectors.todo_counts(membership)
            assert counts == {"meet_late": 1, "score_late": 1}
            assert selectors.placements_without_evaluation(membership, current_academic_year()).count() == 1
        client = client_for(membership)
        with django_assert_max_num_queries(MAX_QUERIES):
            page = client.get(reverse("home")).content.decode()
        assert shown("Evaluations past due: no meeting yet after the placement ended") in page
        assert shown("Evaluations past due: score not published") in page
        assert shown("Placements without an evaluation moment opened") in page
        assert reverse("evaluation-list") + "?todo=meet_late" in page
        late = client.get(reverse("evaluation-list") + "?todo=meet_late").content.decode()
        assert late.count('scope="row"') == 1 and str(placement.student) in late
        opening = client.get(reverse("evaluation-open")).content.decode()
        assert 'id="placements-waiting"' in opening and placement.programme.name in opening


def test_a_moment_without_score_asks_for_the_reflection_after_the_meeting(setup, client_for):
    personas, placement, evaluation = setup
    supervisor, student = personas("a", "supervisor"), personas("a", "student")
    with tenant_context(personas.a):
        midterm = services.open_evaluation(actor=supervisor, placement=placement, moment="midterm")
        assert midterm.scored is False  # the default settings: the mid-term gets no score
        CriterionScore.objects.bulk_create(
            CriterionScore(evaluation=midterm, party=Party.MENTOR, criterion=c, level=_levels(midterm)[2])
            for c in _criteria(midterm)
        )
        Evaluation.objects.filter(pk=midterm.pk).update(mentor_submitted_at=midterm.created_at)
        assert selectors.todo_counts(student)["reflect"] == 0
        services.record_meeting(
            actor=supervisor,
            evaluation=midterm,
            agreed={c.pk: (_levels(midterm)[2].pk, "") for c in _criteria(midterm)},
            present=["student", "mentor"],
        )
        assert selectors.todo_counts(student)["reflect"] == 1
        # Nothing for the supervisor to score: the moment does not count.
        assert selectors.todo_counts(supervisor)["score"] == 0
    client = client_for(student)
    assert shown("Reflections to write") in client.get(reverse("home")).content.decode()
    listed = client.get(reverse("evaluation-list") + "?todo=reflect").content.decode()
    assert listed.count('scope="row"') == 1
    response = client.post(
        reverse("evaluation-reflection", kwargs={"pk": midterm.pk}),
        {"reflection": "Ik leerde mijn planning beter bewaken en vraag nu sneller hulp."},
    )
    assert response.status_code == 302
    with tenant_context(personas.a):
        assert selectors.todo_counts(student)["reflect"] == 0


def test_supervisor_list_of_30_students_has_constant_queries(
    personas, client_for, django_assert_max_num_queries
):
    supervisor = personas("a", "supervisor")
    programme = f.ProgrammeFactory(institution=personas.a)
    version = f.published_rubric(programme)

    def add(n):
        for _ in range(n):
            placement = f.PlacementFactory(
                institution=personas.a,
                student=f.StudentFactory(institution=personas.a, programme=programme),
                supervisor=supervisor,
                mentor=f.MentorFactory(institution=personas.a),
            )
            f.evaluation_for(placement, version=version, final_score=Decimal(14), max_score=Decimal(20))

    client = client_for(supervisor)
    add(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("evaluation-list")).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("evaluation-list"))
    assert response.content.decode().count('scope="row"') == 30


def test_open_for_programme_and_settings_page(setup, client_for):
    personas, placement, evaluation = setup
    coordinator = client_for(personas("a", "coordinator"))
    f.PlacementFactory(institution=personas.a, programme=placement.programme, academic_year="2025-2026")
    response = coordinator.post(
        reverse("evaluation-open"),
        {"programme": placement.programme_id, "moment": "midterm", "academic_year": "2025-2026"},
    )
    assert response.status_code == 302
    with tenant_context(personas.a):
        assert Evaluation.objects.filter(moment="midterm").count() == 2
    url = reverse("evaluation-settings", kwargs={"pk": placement.programme_id})
    page = coordinator.get(url).content.decode()
    # The defaults in every language, each editable.
    assert 'value="Tussentijdse evaluatie"' in page and 'value="Évaluation intermédiaire"' in page
    assert 'value="Mid-term evaluation"' in page and 'name="moment-0-label_fr"' in page
    response = coordinator.post(url, _settings_post(share=80))
    assert response.status_code == 400  # 80 + 10 != 100; the typed text stays
    assert "Begeleiding" in response.content.decode() and "Accompagnement" in response.content.decode()
    response = coordinator.post(url, _settings_post())
    assert response.status_code == 302, response.content.decode()
    with tenant_context(personas.a):
        row = EvaluationSettings.objects.get(programme=placement.programme)
        assert row.student_sees_mentor == "submitted"
        assert row.moments[0] == {
            "key": "midterm",
            "label": {"nl": "Tussentijds", "fr": "Mi-parcours", "en": "Mid-term"},
            "scored": False,
        }
        assert row.components == [
            {"key": "guidance", "label": {"nl": "Begeleiding", "fr": "Accompagnement"}, "share_pct": 10}
        ]


def _settings_post(share: int = 90, moments=None, components=None) -> dict:
    moments = moments or [
        ("midterm", "Tussentijds", "Mi-parcours", "Mid-term", False),
        ("final", "Eindevaluatie", "Évaluation finale", "Final evaluation", True),
    ]
    components = components or [("guidance", "Begeleiding", "Accompagnement", "", "10")]
    data = {
        "student_sees_mentor": "submitted",
        "mentor_sees_student": "meeting",
        "max_score": "20",
        "rubric_share_pct": str(share),
        "moment-TOTAL_FORMS": str(len(moments) + 1),
        "moment-INITIAL_FORMS": "0",
        "component-TOTAL_FORMS": str(len(components) + 1),
        "component-INITIAL_FORMS": "0",
    }
    for i, (key, nl, fr, en, scored) in enumerate(moments):
        data.update({f"moment-{i}-key": key, f"moment-{i}-label_nl": nl})
        data.update({f"moment-{i}-label_fr": fr, f"moment-{i}-label_en": en})
        if scored:
            data[f"moment-{i}-scored"] = "on"
    for i, (key, nl, fr, en, pct) in enumerate(components):
        data.update({f"component-{i}-key": key, f"component-{i}-label_nl": nl})
        data.update({f"component-{i}-label_fr": fr, f"component-{i}-label_en": en})
        data[f"component-{i}-share_pct"] = pct
    return data


def test_settings_form_validates_every_row_and_language(setup, client_for):
    personas, placement, evaluation = setup  # an open "final" evaluation exists
    coordinator = client_for(personas("a", "coordinator"))
    url = reverse("evaluation-settings", kwargs={"pk": placement.programme_id})
    cases = [
        # (moments, what the page says)
        (
            [("mid term", "Tussentijds", "", "", False)],
            shown("Use letters, digits, - and _ only, no spaces (e.g. final)."),
        ),
        ([("midterm", "", "Mi-parcours", "", False)], shown("Give this row a Dutch name.")),
        ([("", "Tussentijds", "", "", False)], shown("Give this row a key.")),
        (
            [("final", "Eind", "", "", True), ("final", "Nog eens", "", "", True)],
            shown("Every key may appear only once."),
        ),
        ([("midterm", "x" * 101, "", "", False)], "101"),
        ([("midterm", "Tussentijds", "", "", False)], "final"),  # evaluations exist for "final"
    ]
    for moments, message in cases:
        response = coordinator.post(url, _settings_post(moments=moments))
        assert response.status_code == 400, moments
        assert message in response.content.decode(), (moments, message)
    bad_share = _settings_post(components=[("guidance", "Begeleiding", "", "", "")])
    assert shown("Give the share from 0 to 100.") in coordinator.post(url, bad_share).content.decode()
    with tenant_context(personas.a):
        assert not EvaluationSettings.objects.filter(programme=placement.programme).exists()
    # The final moment no longer counts: the open evaluation follows, and may be reflected on
    # after the meeting.
    moments = [("final", "Eindevaluatie", "Évaluation finale", "Final evaluation", False)]
    assert coordinator.post(url, _settings_post(moments=moments)).status_code == 302
    with tenant_context(personas.a):
        evaluation.refresh_from_db()
        assert evaluation.scored is False
        row = EvaluationSettings.objects.get(programme=placement.programme)
        assert row.moment_label("final") == "Eindevaluatie"
    from django.utils import translation

    with translation.override("fr"):
        assert row.moment_label("final") == "Évaluation finale"


def test_demo_seeder_shows_every_state(db):
    from wpl.demo import seed_demo
    from wpl.models import Institution

    seed_demo()
    for institution in Institution.objects.filter(slug__in=["odisee", "thomasmore"]):
        with tenant_context(institution):
            states = set(Evaluation.objects.values_list("status", flat=True))
            assert {"open", "scored", "published", "closed"} <= states
            assert RubricVersion.objects.filter(status="published").exists()


def test_students_ratings_feed_the_quality_page_per_workplace(setup, client_for):
    personas, placement, evaluation = setup
    with tenant_context(personas.a):
        Evaluation.objects.filter(pk=evaluation.pk).update(status="closed", workplace_rating=4)
    url = reverse("quality-organisation", kwargs={"pk": placement.organisation_id})
    page = client_for(personas("a", "coordinator")).get(url).content.decode()
    assert "4.0" in page and shown("Students' rating of the workplace (1-5)") in page
    # One rating is identifiable: the workplace's own contact does not see it.
    with tenant_context(personas.a):
        assert selectors.workplace_feedback(placement.organisation, personas("a", "org_admin")) == []
        assert len(selectors.workplace_feedback(placement.organisation, personas("a", "coordinator"))) == 1


def test_a_mentor_without_an_account_gets_the_password_free_invitation(personas):
    from workplaces.models import AccessInvitation

    coordinator = personas("a", "coordinator")
    programme = f.ProgrammeFactory(institution=personas.a)
    f.published_rubric(programme)
    organisation = f.OrganisationFactory(institution=personas.a)
    mentor = f.MentorFactory(institution=personas.a, organisation=organisation, email="new.mentor@host.test")
    placement = f.PlacementFactory(
        institution=personas.a,
        student=f.StudentFactory(institution=personas.a, programme=programme),
        organisation=organisation,
        mentor=mentor,
    )
    with tenant_context(personas.a):
        services.open_evaluation(actor=coordinator, placement=placement, moment="midterm")
        services.open_evaluation(actor=coordinator, placement=placement, moment="final")
        invitations = AccessInvitation.objects.filter(mentor=mentor)
        assert invitations.count() == 1  # one pending link is enough
        assert invitations.get().role == "mentor" and invitations.get().email == "new.mentor@host.test"


def test_guidance_attendance_from_the_meetings_is_proposed_as_score_input(setup):
    from meetings.models import Participant

    personas, placement, evaluation = setup
    for attended in (True, True, False, True):
        meeting = f.MeetingFactory(
            institution=personas.a, placement=placement, kind="supervision", status="held"
        )
        with tenant_context(personas.a):
            Participant.objects.create(meeting=meeting, name="S", role="student", attended=attended)
    with tenant_context(personas.a):
        assert services.proposed_inputs(evaluation) == {"guidance": Decimal(75)}


def test_coordinator_edits_a_criterion_in_a_form(setup, client_for):
    personas, placement, evaluation = setup
    coordinator = client_for(personas("a", "coordinator"))
    role = f.ProfessionalRoleFactory(
        institution=personas.a, programme=placement.programme, name="Groepswerker"
    )
    rubric = evaluation.version.rubric
    detail = reverse("rubric-detail", kwargs={"pk": rubric.pk})
    assert coordinator.post(detail, {"op": "edit"}).status_code == 302  # a new draft v2
    url = reverse("rubric-criterion", kwargs={"pk": rubric.pk, "number": 1})
    data = {"title_nl": "", "title_fr": "Travail en groupe", "weight": "2", "role": "Groepswerker"}
    data.update({f"descriptor_{i}_nl": f"Niveau {i} beschreven" for i in range(4)})
    response = coordinator.post(url, data)
    assert response.status_code == 400 and "Travail en groupe" in response.content.decode()
    data["title_nl"] = "Groepswerk"
    assert coordinator.post(url, data).status_code == 302
    new = reverse("rubric-criterion", kwargs={"pk": rubric.pk, "number": 4})
    assert coordinator.post(new, {**data, "title_nl": "Extra criterium", "role": ""}).status_code == 302
    assert (
        coordinator.get(reverse("rubric-criterion", kwargs={"pk": rubric.pk, "number": 9})).status_code == 404
    )
    with tenant_context(personas.a):
        draft = services.draft_of(rubric)
        titles = [c.title for c in draft.criteria.order_by("order")]
        assert titles[0] == {"nl": "Groepswerk", "fr": "Travail en groupe"} and len(titles) == 4
        assert draft.criteria.order_by("order").first().role_id == role.pk
        # The published version the evaluation uses did not change.
        assert Criterion.objects.filter(version=evaluation.version).first().title == {
            "nl": "Criterium 1",
            "en": "Criterion 1",
        }
    assert coordinator.post(new, {"op": "delete"}).status_code == 302
    with tenant_context(personas.a):
        assert services.draft_of(rubric).criteria.count() == 3


def test_migration_copies_whether_a_moment_counts_from_the_settings(setup):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("evaluations.migrations.0002_evaluation_scored")
    personas, placement, evaluation = setup
    midterm = f.evaluation_for(placement, version=evaluation.version, moment="midterm")
    other = f.PlacementFactory(institution=personas.a)
    custom = f.evaluation_for(other, moment="intake")
    other_midterm = f.evaluation_for(other, version=custom.version, moment="midterm")
    with tenant_context(personas.a):
        EvaluationSettings.objects.create(
            programme=other.programme,
            moments=[
                {"key": "intake", "label": {"nl": "Intake"}, "scored": False},
                {"key": "midterm", "label": {"nl": "Tussentijds"}, "scored": True},
            ],
        )
        Evaluation.objects.update(scored=True)
    migration.copy_from_settings(apps, None)
    scored = dict(Evaluation.all_tenants.values_list("pk", "scored"))
    assert scored == {evaluation.pk: True, midterm.pk: False, custom.pk: False, other_midterm.pk: True}


def test_scores_api_for_the_student_information_system_filters_and_stays_scoped(setup, client_for):
    personas, placement, evaluation = setup
    now_scores = {"final_score": Decimal(15), "computed_score": Decimal(15), "max_score": Decimal(20)}
    with tenant_context(personas.a):
        Evaluation.objects.filter(pk=evaluation.pk).update(
            status="published", published_at=evaluation.created_at, **now_scores
        )
    other_year = f.PlacementFactory(institution=personas.a, academic_year="2023-2024")
    old = f.evaluation_for(other_year)  # open, not published
    f.evaluation_for(f.PlacementFactory(institution=personas.b), status="published", **now_scores)
    url = reverse("api-evaluation-list")
    coordinator = client_for(personas("a", "coordinator"))

    def ids(query: str = "", client=coordinator) -> set[int]:
        response = client.get(url + query, HTTP_ACCEPT="application/json")  # schema-checked
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {evaluation.pk, old.pk}  # B's evaluation is not listed
    assert ids("?published=true") == {evaluation.pk}
    assert ids("?published=false") == {old.pk}
    code = placement.programme.code
    assert ids(f"?programme={code}&academic_year={placement.academic_year}&published=true") == {evaluation.pk}
    assert ids("?academic_year=2023-2024") == {old.pk}
    assert ids("?moment=midterm") == set()
    row = coordinator.get(url + "?published=true", HTTP_ACCEPT="application/json").json()["results"][0]
    assert row["student_number"] == placement.student.student_number and row["final_score"] == "15.00"
    assert row["scored"] is True and "wpl_unit" in row
    for bad in ("?published=maybe", "?academic_year=2025"):
        response = coordinator.get(url + bad, HTTP_ACCEPT="application/json")
        assert response.status_code == 400 and response.json(), bad
    # The student sees only their own evaluation; a workplace contact none.
    assert ids(client=client_for(personas("a", "student"))) == {evaluation.pk}
    assert ids(client=client_for(personas("a", "org_admin"))) == set()


def test_comment_bank_per_language(setup, client_for):
    personas, placement, evaluation = setup
    rubric = evaluation.version.rubric
    coordinator = client_for(personas("a", "coordinator"))
    detail = reverse("rubric-detail", kwargs={"pk": rubric.pk})
    response = coordinator.post(
        detail,
        {
            "op": "phrases",
            "phrases_nl": "Werkt nauwkeurig.\n\nNeemt initiatief.",
            "phrases_fr": "Travaille avec précision.",
            "phrases_en": "",
        },
    )
    assert response.status_code == 302
    with tenant_context(personas.a):
        saved = sorted(rubric.phrases.values_list("language", "text"))
        assert saved == [
            ("fr", "Travaille avec précision."),
            ("nl", "Neemt initiatief."),
            ("nl", "Werkt nauwkeurig."),
        ]
        assert selectors.phrases_for(rubric, "fr") == ["Travaille avec précision."]
        assert selectors.phrases_for(rubric, "en") == ["Werkt nauwkeurig.", "Neemt initiatief."]  # Dutch
    page = coordinator.get(detail).content.decode()
    assert "Travaille avec précision." in page and 'name="phrases_fr"' in page
    # The mentor's fill page offers the bank in their language.
    mentor = client_for(personas("a", "mentor"))
    fill = mentor.get(reverse("evaluation-fill", kwargs={"pk": evaluation.pk})).content.decode()
    assert '<option value="Werkt nauwkeurig.">' in fill and "Travaille" not in fill
    # The JSON export carries every language's phrases.
    with tenant_context(personas.a):
        exported = rubric_io.export(evaluation.version)["comments"]
    assert {"text": "Travaille avec précision.", "language": "fr"} in exported


def test_competence_overview_shows_the_evidence_linked_to_each_criterion(setup, client_for):
    personas, placement, evaluation = setup
    entry = f.LogbookEntryFactory(institution=personas.a, placement=placement, date="2026-10-05")
    mentor = client_for(personas("a", "mentor"))
    _fill(mentor, evaluation, 2)
    first = _criteria(evaluation)[0]
    url = reverse("evaluation-autosave", kwargs={"pk": evaluation.pk, "criterion": first.pk})
    level = _levels(evaluation)[2].pk
    data = {"level": level, "comment": "Zie logboek", "evidence": [f"logbook:{entry.pk}"]}
    assert mentor.post(url, data, HTTP_HX_REQUEST="true").status_code == 200
    assert mentor.post(reverse("evaluation-fill", kwargs={"pk": evaluation.pk})).status_code == 302
    with tenant_context(personas.a):
        label = next(o.label for o in registry.evidence_options(placement) if o.key == f"logbook:{entry.pk}")
        services.record_meeting(
            actor=personas("a", "supervisor"),
            evaluation=evaluation,
            agreed={c.pk: (level, "") for c in _criteria(evaluation)},
            present=["student", "mentor", "supervisor"],
        )
        groups = dict(
            selectors.competence_overview(membership=personas("a", "student"), student=placement.student)
        )
    lines = [line for lines in groups.values() for line in lines]
    assert [[o.key for o in line.evidence] for line in lines] == [[f"logbook:{entry.pk}"], [], []]
    page = client_for(personas("a", "student")).get(
        reverse("evaluation-overview", kwargs={"pk": placement.student_id})
    )
    assert label in page.content.decode()

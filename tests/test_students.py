"""Student pages and API: who sees what, search, filters, paging, create / edit with duplicates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from students.models import Student
from tests.factories import ProgrammeFactory, StudentFactory


@pytest.fixture
def programme(personas):
    return ProgrammeFactory(institution=personas.a, name="Graduaat Maatschappelijk Werk", code="gmw", years=2)


@pytest.fixture
def students(personas, programme):
    other = ProgrammeFactory(institution=personas.a, name="HR-support", code="hr", years=2)
    return [
        StudentFactory(
            institution=personas.a,
            programme=programme,
            first_name="Amira",
            last_name="Janssens",
            student_number="r0000001",
            email="amira@students.test",
        ),
        StudentFactory(
            institution=personas.a,
            programme=other,
            first_name="Bert",
            last_name="Peeters",
            student_number="r0000002",
            email="bert@students.test",
            year=2,
        ),
        StudentFactory(institution=personas.b, last_name="Buitenhuis", student_number="r0000001"),
    ]


def form_data(programme, **overrides):
    data = {
        "student_number": "r1234567",
        "first_name": "Chloë",
        "last_name": "Claes",
        "email": "chloe@students.test",
        "programme": programme.pk,
        "year": 1,
        "context": "wpl_student",
    }
    data.update(overrides)
    return data


def test_coordinator_sees_the_institutions_students_only(personas, students, client_for):
    response = client_for(personas("a", "coordinator")).get(reverse("student-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Janssens" in body and "Peeters" in body
    assert "Buitenhuis" not in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "amira"}, {"Janssens"}),
        ({"q": "r0000002"}, {"Peeters"}),
        ({"q": "bert@students"}, {"Peeters"}),
        ({"q": "amira janssens"}, {"Janssens"}),
        ({"year": "2"}, {"Peeters"}),
        ({"year": "abc"}, {"Janssens", "Peeters"}),  # bad filter value: ignored, no error
    ],
)
def test_search_and_filters(personas, students, client_for, query, expected):
    response = client_for(personas("a", "supervisor")).get(reverse("student-list"), query)
    assert response.status_code == 200
    shown = {s.last_name for s in response.context["students"]}
    assert shown == expected


def test_filter_by_programme(personas, students, programme, client_for):
    response = client_for(personas("a", "coordinator")).get(
        reverse("student-list"), {"programme": programme.pk}
    )
    assert [s.last_name for s in response.context["students"]] == ["Janssens"]
    foreign = ProgrammeFactory(institution=personas.b)
    response = client_for(personas("a", "coordinator")).get(
        reverse("student-list"), {"programme": foreign.pk}
    )
    assert response.status_code == 200  # another institution's programme is simply not a valid choice


def test_paginated_by_50(personas, programme, client_for):
    StudentFactory.create_batch(55, institution=personas.a, programme=programme)
    client = client_for(personas("a", "coordinator"))
    first = client.get(reverse("student-list"))
    assert len(first.context["students"]) == 50
    assert 'rel="next"' in first.content.decode()
    second = client.get(reverse("student-list"), {"page": 2})
    assert len(second.context["students"]) == 5
    assert client.get(reverse("student-list"), {"page": "999"}).status_code == 200


def test_student_sees_only_themselves(personas, students, programme, client_for):
    membership = personas("a", "student")
    own = StudentFactory(institution=personas.a, programme=programme, user=membership.user, last_name="Zelf")
    client = client_for(membership)
    listed = client.get(reverse("student-list"))
    assert [s.pk for s in listed.context["students"]] == [own.pk]
    assert client.get(reverse("student-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("student-detail", args=[students[0].pk])).status_code == 404
    assert client.get(reverse("student-create")).status_code == 403


def test_mentor_has_no_student_pages(personas, students, client_for):
    client = client_for(personas("a", "mentor"))
    assert client.get(reverse("student-list")).status_code == 403
    assert client.get(reverse("student-detail", args=[students[0].pk])).status_code == 403


def test_detail_of_another_institution_is_404(personas, students, client_for):
    client = client_for(personas("a", "coordinator"))
    assert client.get(reverse("student-detail", args=[students[2].pk])).status_code == 404
    assert client.get(reverse("student-edit", args=[students[2].pk])).status_code == 404


def test_detail_page(personas, students, client_for):
    response = client_for(personas("a", "coordinator")).get(reverse("student-detail", args=[students[0].pk]))
    body = response.content.decode()
    assert "r0000001" in body and "amira@students.test" in body
    assert reverse("student-edit", args=[students[0].pk]) in body


def test_create_student(personas, programme, client_for, in_tenant):
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("student-create"), form_data(programme))
    assert response.status_code == 302
    with in_tenant(personas.a):
        student = Student.objects.get(student_number="r1234567")
    assert student.institution_id == personas.a.pk
    assert response["Location"] == reverse("student-detail", args=[student.pk])


@pytest.mark.parametrize(
    ("field", "value"),
    [("student_number", "r0000001"), ("email", "AMIRA@students.test")],
)
def test_duplicate_number_or_email_is_a_field_error_and_input_is_kept(
    personas, students, programme, client_for, in_tenant, field, value
):
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("student-create"), form_data(programme, **{field: value}))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert set(form.errors) == {field}
    assert form["first_name"].value() == "Chloë"
    assert value in response.content.decode()
    with in_tenant(personas.a):
        assert Student.objects.count() == 2


def test_same_number_in_another_institution_is_fine(personas, students, programme, client_for):
    client = client_for(personas("a", "coordinator"))
    # students[2] (institution B) has r0000001 too; A's student r0000001 is students[0].
    response = client.post(reverse("student-create"), form_data(programme, email=students[2].email))
    assert response.status_code == 302


def test_year_out_of_range(personas, programme, client_for):
    response = client_for(personas("a", "coordinator")).post(
        reverse("student-create"), form_data(programme, year=5)
    )
    assert response.status_code == 400
    assert "year" in response.context["form"].errors


def test_edit_student(personas, students, programme, client_for, in_tenant):
    client = client_for(personas("a", "coordinator"))
    url = reverse("student-edit", args=[students[0].pk])
    assert client.get(url).status_code == 200
    data = form_data(programme, student_number="r0000001", email="amira@students.test", last_name="Janssen")
    assert client.post(url, data).status_code == 302
    with in_tenant(personas.a):
        assert Student.objects.get(pk=students[0].pk).last_name == "Janssen"
    clash = form_data(programme, student_number="r0000002", email="amira@students.test")
    response = client.post(url, clash)
    assert response.status_code == 400
    assert "student_number" in response.context["form"].errors
    with in_tenant(personas.a):
        assert Student.objects.get(pk=students[0].pk).student_number == "r0000001"


def test_supervisor_cannot_write(personas, students, programme, client_for):
    client = client_for(personas("a", "supervisor"))
    assert client.post(reverse("student-create"), form_data(programme)).status_code == 403
    assert client.get(reverse("student-edit", args=[students[0].pk])).status_code == 403


def test_nav_link_for_school_roles(personas, client_for):
    assert reverse("student-list") in client_for(personas("a", "supervisor")).get("/").content.decode()
    assert reverse("student-list") not in client_for(personas("a", "mentor")).get("/").content.decode()


# --- API ------------------------------------------------------------------------------


def test_api_list_and_detail(personas, students, client_for):
    client = client_for(personas("a", "supervisor"))
    response = client.get(reverse("api-student-list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    payload = response.json()
    rows = payload["results"] if isinstance(payload, dict) else payload
    assert {r["student_number"] for r in rows} == {"r0000001", "r0000002"}
    detail = client.get(reverse("api-student-detail", args=[students[0].pk]), HTTP_ACCEPT="application/json")
    assert detail.json()["programme_code"] == "gmw"
    other = client.get(reverse("api-student-detail", args=[students[2].pk]), HTTP_ACCEPT="application/json")
    assert other.status_code == 404


def test_api_student_role_is_refused(personas, students, client_for):
    client = client_for(personas("a", "student"))
    assert client.get(reverse("api-student-list")).status_code == 403


def test_api_create_update_and_validation(personas, students, programme, client_for, in_tenant):
    client = client_for(personas("a", "coordinator"))
    url = reverse("api-student-list")
    created = client.post(url, form_data(programme), content_type="application/json")
    assert created.status_code == 201, created.content
    duplicate = client.post(
        url, form_data(programme, email="new@students.test"), content_type="application/json"
    )
    assert duplicate.status_code == 400
    assert "student_number" in duplicate.json()
    bad_email = client.post(
        url, form_data(programme, student_number="x9", email="not-an-email"), content_type="application/json"
    )
    assert bad_email.status_code == 400 and "email" in bad_email.json()
    foreign = ProgrammeFactory(institution=personas.b)
    wrong_tenant = client.post(
        url,
        form_data(foreign, student_number="x8", email="x8@students.test"),
        content_type="application/json",
    )
    assert wrong_tenant.status_code == 400 and "programme" in wrong_tenant.json()
    detail = reverse("api-student-detail", args=[created.json()["id"]])
    patched = client.patch(detail, {"last_name": "Claessens"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["last_name"] == "Claessens"
    clash = client.patch(detail, {"email": "bert@students.test"}, content_type="application/json")
    assert clash.status_code == 400 and "email" in clash.json()
    with in_tenant(personas.a):
        assert Student.objects.get(pk=created.json()["id"]).email == "chloe@students.test"


def test_api_supervisor_cannot_write(personas, programme, client_for):
    client = client_for(personas("a", "supervisor"))
    response = client.post(reverse("api-student-list"), form_data(programme), content_type="application/json")
    assert response.status_code == 403

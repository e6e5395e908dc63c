"""A student's placement page shows the WPL days and hours planned from the calendar."""

from django.urls import reverse

from catalogue.models import Programme
from catalogue.selectors import planned_wpl_days, planned_wpl_hours
from placements.models import Placement
from students.models import Student
from tests.conftest import login
from workplaces.models import Organisation
from wpl.demo import seed_demo
from wpl.models import Institution, Membership
from wpl.tenancy import tenant_context


def test_my_placement_shows_planned_days_and_hours(db):
    seed_demo()
    odisee = Institution.objects.get(slug="odisee")
    with tenant_context(odisee):
        membership = Membership.objects.get(user__email="student@odisee.demo", role="student")
        student = Student.objects.get(user=membership.user)
        programme = Programme.objects.get(pk=student.programme_id)
        Placement.objects.filter(student=student).delete()
        Placement.objects.create(
            student=student,
            organisation=Organisation.objects.first(),
            programme=programme,
            academic_year="2026-2027",
            year=1,
        )
        days = planned_wpl_days(programme=programme, year=1, academic_year="2026-2027")
        hours = planned_wpl_hours(programme=programme, year=1, academic_year="2026-2027")
    assert len(days) > 50  # Wed-Thu-Fri from November to June, minus holidays
    body = login(membership).get(reverse("my-placement"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{len(days)} days, {hours:.0f} hours" in body
    assert days[0].strftime("%Y") in body

"""Students of a programme, imported or added by the school."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import Programme, student_search_text
from wpl.indexes import TrigramIndex
from wpl.tenancy import TenantModel, TenantQuerySet, scoped_managers


class StudentQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from students import permissions as students_permissions

        return students_permissions.visible_students(self, membership)


class Student(TenantModel):
    """A student (lerende) enrolled in a programme year; may have a login."""

    class Context(models.TextChoices):
        WPL_STUDENT = "wpl_student", _("WPL student")
        POTENTIAL_EMPLOYEE = "potential_employee", _("Potential employee")
        OWN_EMPLOYEE = "own_employee", _("Own employee")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    student_number = models.CharField(_("student number"), max_length=40)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="students")
    year = models.PositiveSmallIntegerField(_("programme year"), default=1)
    is_working_student = models.BooleanField(_("working student"), default=False)
    context = models.CharField(
        _("context"), max_length=30, choices=Context.choices, default=Context.WPL_STUDENT
    )

    objects, all_tenants = scoped_managers(StudentQuerySet)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "student_number"], name="student_unique_number"),
            models.UniqueConstraint(fields=["institution", "email"], name="student_unique_email"),
        ]
        indexes = [
            # The students list: one institution, sorted by name, a page at a time.
            models.Index(fields=["institution", "last_name", "first_name", "id"], name="student_list_order"),
            TrigramIndex(student_search_text(), name="student_search_trgm"),
        ]
        verbose_name = _("student")
        verbose_name_plural = _("students")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

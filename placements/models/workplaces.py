"""Host organisations, their sites and mentors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from placements.models.catalogue import ProfessionalRole, scoped_managers
from wpl.tenancy import TenantModel, TenantQuerySet

__all__ = ["Region", "Organisation", "Site", "Mentor"]


class Region(models.TextChoices):
    BRUSSELS = "brussels", _("Brussels-Capital Region")
    FLANDERS = "flanders", _("Flemish Region")
    WALLONIA = "wallonia", _("Walloon Region")
    NETHERLANDS = "netherlands", _("Netherlands")


class OrganisationQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_organisations(self, membership)


class Organisation(TenantModel):
    """A host organisation (werkplek) as known to one institution."""

    name = models.CharField(_("name"), max_length=200)
    enterprise_number = models.CharField(_("enterprise number"), max_length=12, blank=True)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    staff_fte = models.DecimalField(_("staff (FTE)"), max_digits=7, decimal_places=1, null=True, blank=True)
    permanent_staff = models.PositiveIntegerField(_("permanent staff"), null=True, blank=True)
    roles = models.ManyToManyField(ProfessionalRole, blank=True, related_name="organisations")
    languages = models.CharField(_("languages"), max_length=100, blank=True, help_text=_("e.g. nl, fr, en"))
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    objects, all_tenants = scoped_managers(OrganisationQuerySet)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class SiteQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return self.filter(
            organisation__in=permissions.visible_organisations(Organisation.objects.all(), membership)
        )


class Site(TenantModel):
    """A location of an organisation where students work."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)

    objects, all_tenants = scoped_managers(SiteQuerySet)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name}"


class MentorQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_mentors(self, membership)


class Mentor(TenantModel):
    """An employee of a host organisation who guides students (werkplekmentor)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mentors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    function = models.CharField(_("function"), max_length=150, blank=True)
    is_social_worker = models.BooleanField(_("works as a social worker"), default=False)
    years_at_organisation = models.DecimalField(
        _("years at the organisation"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    years_in_sector = models.DecimalField(
        _("years in the sector"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # ISO weekday numbers (1 = Monday) on which the mentor can be reached, e.g. "1,3,4".
    reachable_weekdays = models.CharField(_("reachable on weekdays"), max_length=20, blank=True)
    attended_start_day = models.BooleanField(_("attended the mentor start day"), default=False)
    trained = models.BooleanField(_("followed mentor training"), default=False)

    objects, all_tenants = scoped_managers(MentorQuerySet)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

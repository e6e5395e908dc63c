"""Host organisations, their sites and mentors."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from placements.models.catalogue import ProfessionalRole, Programme, scoped_managers
from placements.validators import parse_weekdays, validate_enterprise_number, validate_weekdays
from wpl.tenancy import TenantModel, TenantQuerySet

__all__ = ["Region", "Organisation", "Site", "Mentor", "OrganisationCapacity"]

_NOT_NEGATIVE = MinValueValidator(0, _("This cannot be negative."))


class Region(models.TextChoices):
    """Regions a site can be in; criteria test them (e.g. Brussels-Capital Region)."""

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
    # Belgian KBO/BCE number, stored normalised as 0123.456.789 (optional).
    enterprise_number = models.CharField(
        _("enterprise number"), max_length=12, blank=True, validators=[validate_enterprise_number]
    )
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    description = models.TextField(_("activities and target groups"), blank=True)
    staff_fte = models.DecimalField(
        _("staff (FTE)"), max_digits=7, decimal_places=1, null=True, blank=True, validators=[_NOT_NEGATIVE]
    )
    permanent_staff = models.PositiveIntegerField(_("permanent staff"), null=True, blank=True)
    # How many school years the organisation commits to host a student (None: not asked yet).
    commits_years = models.PositiveSmallIntegerField(
        _("commits for school years"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10, _("At most 10 school years."))],
    )
    # Willing to let the student learn by doing, more than observing (None: unknown).
    learning_by_doing = models.BooleanField(_("lets the student learn by doing"), null=True, blank=True)
    roles = models.ManyToManyField(ProfessionalRole, blank=True, related_name="organisations")
    languages = models.CharField(_("languages"), max_length=100, blank=True, help_text=_("e.g. nl, fr, en"))
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    objects, all_tenants = scoped_managers(OrganisationQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "enterprise_number"],
                condition=~Q(enterprise_number=""),
                name="organisation_unique_enterprise_number",
            )
        ]
        indexes = [models.Index(fields=["institution", "name"], name="organisation_inst_name")]
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
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    function = models.CharField(_("function"), max_length=150, blank=True)
    # None: not known yet (the criteria then answer "unknown" instead of "fail").
    is_social_worker = models.BooleanField(_("works as a social worker"), null=True, blank=True)
    years_at_organisation = models.DecimalField(
        _("years at the organisation"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[_NOT_NEGATIVE],
    )
    years_in_sector = models.DecimalField(
        _("years in the sector"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[_NOT_NEGATIVE],
    )
    # ISO weekday numbers (1 = Monday) on which the mentor can be reached, e.g. "1,3,4".
    reachable_weekdays = models.CharField(
        _("reachable on weekdays"), max_length=20, blank=True, validators=[validate_weekdays]
    )
    attended_start_day = models.BooleanField(_("attended the mentor start day"), default=False)
    trained = models.BooleanField(_("followed mentor training"), default=False)

    objects, all_tenants = scoped_managers(MentorQuerySet)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def weekdays(self) -> list[int]:
        return parse_weekdays(self.reachable_weekdays)


class CapacityQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return self.filter(
            organisation__in=permissions.visible_organisations(Organisation.objects.all(), membership)
        )


class OrganisationCapacity(TenantModel):
    """How many students an organisation can host for a programme and programme year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="capacities")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="capacities")
    year = models.PositiveSmallIntegerField(
        _("programme year"), default=1, validators=[MinValueValidator(1, _("Years start at 1."))]
    )
    places = models.PositiveSmallIntegerField(_("places"), default=1)

    objects, all_tenants = scoped_managers(CapacityQuerySet)

    class Meta:
        ordering = ["programme__name", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "programme", "year"], name="capacity_unique_programme_year"
            )
        ]
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.programme} {self.year}: {self.places}"

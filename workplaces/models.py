"""Host organisations, sites, mentors, capacity, criteria, approvals, placement offers and
the password-free access invitations for workplace contacts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import ProfessionalRole, Programme
from students.models import Student
from wpl.models import Membership, Role, User
from wpl.tenancy import TenantManager, TenantModel, TenantQuerySet, UnscopedManager, scoped_managers
from wpl.validators import (
    academic_year_validator,
    parse_weekdays,
    validate_enterprise_number,
    validate_weekdays,
)

_NOT_NEGATIVE = MinValueValidator(0, _("This cannot be negative."))


class Region(models.TextChoices):
    """Regions a site can be in; criteria test them (e.g. Brussels-Capital Region)."""

    BRUSSELS = "brussels", _("Brussels-Capital Region")
    FLANDERS = "flanders", _("Flemish Region")
    WALLONIA = "wallonia", _("Walloon Region")
    NETHERLANDS = "netherlands", _("Netherlands")


class OrganisationQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from workplaces import permissions

        return permissions.visible_organisations(self, membership)


class Organisation(TenantModel):
    """A host organisation (werkplek) as known to one institution.

    `contact_name`, `contact_email` and `contact_phone` are how the school reaches the
    organisation; they are data, editable by staff and overwritten by imports. Who may act
    for the organisation is `contact_user`, the account of the workplace contact, set only
    when that person accepts an invitation for this organisation (or by the seeder): a
    changed e-mail address neither grants nor removes access.
    """

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
    # The workplace contact's account: the explicit link access follows (see the docstring).
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="contact_for_organisations",
        verbose_name=_("workplace contact's account"),
    )
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
        from workplaces import permissions

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
        from workplaces import permissions

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
        from workplaces import permissions

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


class ApprovalQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from workplaces import permissions

        return permissions.visible_approvals(self, membership)


class WorkplaceApproval(TenantModel):
    """A coordinator's decision on an organisation for a programme and year; rows are history."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="approvals")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="approvals")
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey("wpl.User", on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    objects, all_tenants = scoped_managers(ApprovalQuerySet)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("workplace approval")
        verbose_name_plural = _("workplace approvals")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.programme} · {self.academic_year}: {self.decision}"


class OfferQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from workplaces import permissions

        return permissions.visible_offers(self, membership)


class PlacementOffer(TenantModel):
    """Places an organisation offers for a programme, year (phase) and academic year."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offers")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="offers")
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    year = models.PositiveSmallIntegerField(_("programme year"), default=1)
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    tasks = models.TextField(_("tasks"), blank=True)
    roles = models.ManyToManyField(ProfessionalRole, blank=True, related_name="offers")
    mentor = models.ForeignKey(
        Mentor, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    # ISO weekday numbers (1 = Monday) on which the student works, e.g. "3,4,5".
    weekdays = models.CharField(_("weekdays"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # Set when a working student proposed their own employer (context "own employee").
    proposed_by_student = models.ForeignKey(
        Student,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by student"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(OfferQuerySet)

    class Meta:
        ordering = ["organisation__name", "id"]
        verbose_name = _("placement offer")
        verbose_name_plural = _("placement offers")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.programme} {self.academic_year}"


class OfferDecisionQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from workplaces import permissions

        return self.filter(offer__in=permissions.visible_offers(PlacementOffer.objects.all(), membership))


class OfferDecision(TenantModel):
    """A coordinator accepted or rejected a placement offer, with a reason; rows are history."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    offer = models.ForeignKey(PlacementOffer, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    objects, all_tenants = scoped_managers(OfferDecisionQuerySet)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("offer decision")
        verbose_name_plural = _("offer decisions")

    def __str__(self) -> str:
        return f"{self.offer}: {self.decision}"


class CriterionQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from workplaces import permissions

        return permissions.visible_criteria(self, membership)


class WorkplaceCriterion(TenantModel):
    """One criterion of a programme, checked automatically by a rule from `placements.criteria`.

    `kind` names a rule in the fixed registry (`placements.criteria.RULES`); `params` holds
    its settings, e.g. {"regions": ["brussels"], "municipalities": ["Vilvoorde"]}.
    A preference ("preferably ...") is shown but does not block an approval.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="workplace_criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=300)
    kind = models.CharField(_("rule"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    is_preference = models.BooleanField(_("preferably (not required)"), default=False)

    objects, all_tenants = scoped_managers(CriterionQuerySet)

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("workplace criterion")
        verbose_name_plural = _("workplace criteria")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        from workplaces.criteria import clean_params

        self.params = clean_params(self.kind, self.params)

    def get_kind_display(self) -> str:
        from workplaces.criteria import RULES

        rule = RULES.get(self.kind)
        return str(rule.label) if rule else self.kind

    @property
    def params_text(self) -> str:
        """The rule's settings as a sentence, e.g. "At least 2 school years."."""
        from workplaces.criteria import describe_params

        return describe_params(self.kind, self.params)


class AccessInvitationQuerySet(TenantQuerySet):
    def visible_to(self, membership: Membership) -> AccessInvitationQuerySet:
        from wpl import permissions

        return self if permissions.is_staff(membership) else self.none()

    def pending(self) -> AccessInvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class AccessInvitation(TenantModel):
    """A single-use, expiring e-mailed link that gives a workplace contact, mentor or student a role.

    Only the SHA-256 hash of the token is stored; the token itself exists only in the e-mail.
    The link is global, but the membership it creates belongs to this institution only.
    """

    class InvitedRole(models.TextChoices):
        ORG_ADMIN = Role.ORG_ADMIN.value, Role.ORG_ADMIN.label
        MENTOR = Role.MENTOR.value, Role.MENTOR.label
        STUDENT = Role.STUDENT.value, Role.STUDENT.label

    class Purpose(models.TextChoices):
        OFFER = "offer", _("Submit a placement offer")
        ORGANISATION = "organisation", _("Keep the organisation's data up to date")
        QUALITY = "quality", _("Fill in the quality checklist")
        GENERAL = "general", _("Work on the platform")

    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # Workplace contacts and mentors are invited for an organisation; students for their
    # student record (and no organisation).
    organisation = models.ForeignKey(
        "workplaces.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("student"),
    )
    mentor = models.ForeignKey(
        "workplaces.Mentor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("mentor"),
    )
    role = models.CharField(_("role"), max_length=32, choices=InvitedRole.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.OFFER)
    message = models.TextField(_("personal message"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = TenantManager.from_queryset(AccessInvitationQuerySet)()
    all_tenants = UnscopedManager.from_queryset(AccessInvitationQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access invitation")
        verbose_name_plural = _("access invitations")

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.organisation_id}"

    @property
    def state(self) -> str:
        """One of: accepted, revoked, expired, pending."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_state_display(self) -> str:
        return {
            "accepted": _("Accepted"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "pending": _("Waiting"),
        }[self.state]

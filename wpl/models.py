"""Platform core: people, institutions (tenants) and the roles people hold in them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantManager, TenantModel, TenantQuerySet, UnscopedManager


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an e-mail address; holds roles through memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Demo accounts are exempt from the MFA requirement so anyone can try every role.
    is_demo = models.BooleanField(_("demo account"), default=False)
    notification_digest = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=[
            ("immediate", _("Immediately")),
            ("daily", _("Daily digest")),
            ("weekly", _("Weekly digest")),
        ],
        default="immediate",
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Institution(models.Model):
    """A tenant: a school (university college, Syntra centre, ...) that runs WPL."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Mails go out in the recipient's own language, else in this one.
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Branding (set by the institution admin on /institution/settings/): the logo is checked
    # for type, size and content by wpl.branding.validate_logo and served by a view.
    logo = models.ImageField(_("logo"), upload_to="institutions/logos/", blank=True)
    accent_colour = models.CharField(_("accent colour"), max_length=7, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name

    @property
    def accent(self) -> dict[str, str]:
        """CSS colour tokens for the accent: `accent` and `on_accent` (readable text on it)."""
        from wpl.design import accent_tokens

        return accent_tokens(self.accent_colour)


class Role(models.TextChoices):
    INSTITUTION_ADMIN = "institution_admin", _("Institution admin")
    COORDINATOR = "coordinator", _("Coordinator")
    SUPERVISOR = "supervisor", _("Supervisor")
    MENTOR = "mentor", _("Mentor")
    ORG_ADMIN = "org_admin", _("Workplace contact")
    STUDENT = "student", _("Student")


class MembershipQuerySet(TenantQuerySet):
    def visible_to(self, membership: Membership) -> MembershipQuerySet:
        from wpl import permissions

        return permissions.visible_memberships(self, membership)


class Membership(TenantModel):
    """One role a person holds in one institution; a person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(MembershipQuerySet)()
    all_tenants = UnscopedManager.from_queryset(MembershipQuerySet)()

    class Meta:
        ordering = ["institution", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "user", "role"], name="membership_unique_role")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.institution}"


class Heartbeat(models.Model):
    """Last time a named periodic job ran; shows the background worker is alive."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class SingleSignOnQuerySet(TenantQuerySet):
    def visible_to(self, membership: Membership) -> SingleSignOnQuerySet:
        return self if membership.role == Role.INSTITUTION_ADMIN else self.none()


class SingleSignOn(TenantModel):
    """An institution's OpenID Connect identity provider (Microsoft Entra ID, Google, ...).

    Fed to django-allauth's `openid_connect` provider as an in-memory app (see `access.sso`),
    so this row is the only place the settings live. A person signs in through it only
    when the provider vouches for an address in one of `email_domains`; see
    `access.sso.resolve_user` for who may sign in. The model stays in the core (it points
    at nothing above it); the code that signs people in lives in the `access` app.
    """

    name = models.CharField(
        _("button label"), max_length=100, help_text=_("Shown as “Sign in with …” on the sign-in page.")
    )
    issuer = models.URLField(
        _("issuer URL"),
        max_length=300,
        help_text=_("For Microsoft Entra ID: https://login.microsoftonline.com/{tenant id}/v2.0"),
    )
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret = models.CharField(_("client secret"), max_length=500)
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=500,
        help_text=_("Comma-separated, e.g. student.odisee.be, odisee.be"),
    )
    allow_new_accounts = models.BooleanField(
        _("create accounts for unknown addresses"),
        default=False,
        help_text=_(
            "Off: only people the institution already knows (imported students, staff) can sign in. "
            "On: anyone the identity provider vouches for in these domains gets a student account."
        ),
    )
    is_active = models.BooleanField(_("active"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager.from_queryset(SingleSignOnQuerySet)()
    all_tenants = UnscopedManager.from_queryset(SingleSignOnQuerySet)()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution"], name="single_sign_on_one_per_institution")
        ]
        verbose_name = _("single sign-on")
        verbose_name_plural = _("single sign-on")

    def __str__(self) -> str:
        return self.name

    @property
    def provider_id(self) -> str:
        """allauth's id for this provider; part of the callback URL registered at the provider."""
        return f"sso-{self.institution.slug}"

    def domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

    def covers(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.domain_list()


class NotificationQuerySet(TenantQuerySet):
    def visible_to(self, membership: Membership) -> NotificationQuerySet:
        """A person sees only the notifications addressed to them."""
        return self.filter(recipient_id=membership.user_id)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(TenantModel):
    """One message to one person about one occasion, sent at most once.

    `key` names the (recipient, subject, occasion), e.g.
    ``logbook.sent-back:entry=42:rev=3``; the unique constraint makes a second `notify()`
    for the same occasion a no-op, so a re-run sweep never sends a reminder twice.
    `email_sent_at` stays empty until the mail has really gone out, so a worker that dies
    between the two leaves the row for the delivery sweep to retry: none is lost.
    Subject and body are rendered in the recipient's language when the row is created.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail and in the platform")
        IN_APP = "in_app", _("In the platform only")

    # Empty for people without an account yet (a mentor before their first sign-in): the
    # mail then goes to `email` only and there is no in-app copy.
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    email = models.EmailField(blank=True)
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=80)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # Optional file sent with the e-mail (e.g. an iCalendar invitation), kept as text.
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_mimetype = models.CharField(max_length=100, blank=True)
    attachment_content = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager.from_queryset(NotificationQuerySet)()
    all_tenants = UnscopedManager.from_queryset(NotificationQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "key"], name="notification_unique_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(fields=["channel", "email_sent_at"], name="notification_outbox"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.key}"


class AuditEventQuerySet(TenantQuerySet):
    def visible_to(self, membership: Membership) -> AuditEventQuerySet:
        from wpl import permissions

        return self if permissions.is_staff(membership) else self.none()

    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=obj.pk)


class AuditEvent(TenantModel):
    """Who did what to which object, when: one append-only trail for every write service.

    Rows are never updated or deleted by the application; `save()` refuses an update.
    """

    actor_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager.from_queryset(AuditEventQuerySet)()
    all_tenants = UnscopedManager.from_queryset(AuditEventQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

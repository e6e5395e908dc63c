"""Agreements and work-learning plans, their versions, signatures and the acceptance log.

An `Agreement` belongs to one placement and is either the agreement (werkplekovereenkomst)
or the individual work-learning plan. Its content lives in `AgreementVersion`s: a change
after signing is a new version (an amendment) that is signed again; earlier versions stay
readable. The effective version is the newest final one.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantModel, TenantQuerySet, scoped_managers


class Kind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    ANNEX = "annex", _("Annex")
    ATTENDANCE = "attendance", _("Attendance certificate")
    PLAN = "plan", _("Individual work-learning plan")
    EVIDENCE = "evidence", _("Evidence page")


class Language(models.TextChoices):
    NL = "nl", "Nederlands"
    FR = "fr", "Français"
    EN = "en", "English"


class Party(models.TextChoices):
    STUDENT = "student", _("Student")
    WORKPLACE = "workplace", _("Workplace")
    SCHOOL = "school", _("School")
    REPRESENTATIVE = "representative", _("Legal representative of a minor")


class TemplateQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from agreements import permissions

        return self if permissions.can_manage_templates(membership) else self.none()


class DocumentTemplate(TenantModel):
    """One version of a document template (per programme, kind and language).

    Saving an edit creates a new row with the next version number; documents keep a
    reference to the version they were rendered with. An empty programme is the
    institution's default for every programme.
    """

    programme = models.ForeignKey(
        "catalogue.Programme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("document"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="nl")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("template"))
    problems = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(TemplateQuerySet)

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "programme", "kind", "language", "version"],
                name="agreement_template_version",
            )
        ]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return f"{self.title} ({self.language}, v{self.version})"


class SigningPolicy(TenantModel):
    """Who signs a programme's documents, in which order, and whether a delegate may sign.

    `parties` is the ordered list of parties (three by default). With `sequential`, a
    party can sign only after the ones before it. `school_delegate` lets any coordinator
    sign for the school instead of the placement's supervisor. `minor_representative`
    adds the legal representative of a student who is under 18 when the placement
    starts; they sign through an e-mailed link, without an account or password.
    """

    programme = models.OneToOneField("catalogue.Programme", on_delete=models.CASCADE, related_name="+")
    parties = models.JSONField(default=list)
    sequential = models.BooleanField(_("sign in order"), default=False)
    school_delegate = models.BooleanField(_("a coordinator may sign for the school"), default=True)
    minor_representative = models.BooleanField(_("legal representative of a minor signs too"), default=False)

    class Meta:
        verbose_name = _("signing policy")
        verbose_name_plural = _("signing policies")

    def party_list(self, *, minor: bool = False) -> list[str]:
        """The parties who sign, in order; the minor's representative only for a minor."""
        parties = [p for p in (self.parties or DEFAULT_PARTIES) if p in Party.values]
        if self.minor_representative and minor:
            if Party.REPRESENTATIVE not in parties:
                parties.append(Party.REPRESENTATIVE)
        else:
            parties = [p for p in parties if p != Party.REPRESENTATIVE]
        return parties


DEFAULT_PARTIES = [Party.STUDENT.value, Party.WORKPLACE.value, Party.SCHOOL.value]


class AgreementQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from agreements import permissions

        return permissions.visible_agreements(self, membership)


class Agreement(TenantModel):
    """The agreement or the work-learning plan of one placement (all its versions)."""

    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(_("document"), max_length=12, choices=Kind.choices, default=Kind.AGREEMENT)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="nl")
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(AgreementQuerySet)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["placement", "kind"], name="agreement_one_per_kind")]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.placement}"

    @property
    def current(self) -> AgreementVersion | None:
        """The newest version (possibly a draft of an amendment)."""
        return self.versions.order_by("-number").first()

    @property
    def effective(self) -> AgreementVersion | None:
        """The newest final version: what is in force."""
        return self.versions.filter(state=State.FINAL).order_by("-number").first()


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent for signature")
    SIGNED = "signed", _("Signed by every party")
    FINAL = "final", _("Final")
    SUPERSEDED = "superseded", _("Superseded by an amendment")


# The state machine: the only moves `services.transition()` allows.
TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.SENT, State.FINAL},  # -> final only through the outside path
    State.SENT: {State.SIGNED, State.DRAFT, State.FINAL},  # back to draft = withdrawn; final = outside
    State.SIGNED: {State.FINAL},
    State.FINAL: {State.SUPERSEDED},
    State.SUPERSEDED: set(),
}


class VersionQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self.filter(agreement__in=Agreement.objects.visible_to(membership))


class AgreementVersion(TenantModel):
    """One version of an agreement: its field values, its PDF and hash, its state.

    `pdf_file`/`pdf_sha256` is the exact document the parties accept; `final_file`/
    `final_sha256` is what is in force: the sealed PDF with the evidence page, or the file
    uploaded when the version was signed outside the platform (stored unchanged).
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    fields = models.JSONField(default=dict)
    template = models.ForeignKey(DocumentTemplate, on_delete=models.SET_NULL, null=True, related_name="+")
    change_reason = models.TextField(_("reason for the change"), blank=True)
    resign_parties = models.JSONField(default=list, blank=True)  # parties that must sign this version
    pdf_file = models.CharField(max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    final_file = models.CharField(max_length=300, blank=True)
    final_sha256 = models.CharField(max_length=64, blank=True)
    signed_outside = models.BooleanField(_("signed outside the platform"), default=False)
    outside_note = models.CharField(_("how it was signed"), max_length=200, blank=True)
    sealed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)
    # When the integrity check last re-read the stored files (a rolling check: see
    # services.check_integrity); empty: never.
    integrity_checked_at = models.DateTimeField(null=True, blank=True)

    objects, all_tenants = scoped_managers(VersionQuerySet)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number")
        ]
        indexes = [
            models.Index(fields=["institution", "integrity_checked_at"], name="agreement_version_integrity")
        ]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"


class VersionChildQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self.filter(version__agreement__in=Agreement.objects.visible_to(membership))


class Signature(TenantModel):
    """One party's signature on one version: who is expected, and whether they accepted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted in the platform")
        OUTSIDE = "outside", _("Signed outside the platform")
        CARRIED = "carried", _("Carried over from the previous version")

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    order = models.PositiveSmallIntegerField(default=0)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signer_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects, all_tenants = scoped_managers(VersionChildQuerySet)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "party"], name="agreement_signature_party")]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.version} · {self.party}: {self.status}"

    @property
    def done(self) -> bool:
        return self.status != self.Status.PENDING


class AppendOnly(RuntimeError):
    """An acceptance record was changed or deleted: the log only grows."""


class AcceptanceQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self.filter(version__agreement__in=Agreement.objects.visible_to(membership))

    def update(self, **kwargs):
        raise AppendOnly("Acceptance records cannot be changed.")

    def delete(self):
        raise AppendOnly("Acceptance records cannot be deleted.")


class Acceptance(TenantModel):
    """One entry of the append-only acceptance log (a simple electronic signature).

    Keeps who accepted, how they had signed in, when, the SHA-256 of the exact PDF they
    saw, the version and the consent text. `previous_hash` is the `record_hash` of the
    institution's previous entry, so removing or editing an entry breaks the chain.
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="acceptances")
    signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="acceptances")
    party = models.CharField(max_length=16, choices=Party.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    signer_name = models.CharField(max_length=200)
    signer_email = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=20, blank=True)
    auth_method = models.CharField(max_length=60)
    accepted_at = models.DateTimeField()
    document_sha256 = models.CharField(max_length=64)
    version_number = models.PositiveIntegerField()
    consent_text = models.TextField()
    previous_hash = models.CharField(max_length=64, blank=True)
    record_hash = models.CharField(max_length=64, unique=True)

    objects, all_tenants = scoped_managers(AcceptanceQuerySet)

    class Meta:
        ordering = ["id"]
        verbose_name = _("acceptance record")
        verbose_name_plural = _("acceptance records")

    def __str__(self) -> str:
        return f"{self.signer_name} · {self.version} · {self.accepted_at:%Y-%m-%d}"

    def payload(self) -> str:
        return "|".join(
            [
                str(self.institution_id),
                str(self.version_id),
                self.party,
                str(self.user_id or ""),
                self.signer_name,
                self.signer_email,
                self.auth_method,
                self.accepted_at.isoformat(),
                self.document_sha256,
                str(self.version_number),
                self.consent_text,
                self.previous_hash,
            ]
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload().encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("Acceptance records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Acceptance records cannot be deleted.")


class SealCertificate(TenantModel):
    """The institution's sealing certificate (PKCS#12), encrypted at rest.

    `p12_encrypted` and `password_encrypted` are Fernet tokens under a key derived from
    the server's secret (see `seal.py`); no view ever serves them, only the seal service
    decrypts them, in memory, to seal a PDF.
    """

    subject = models.CharField(max_length=300)
    fingerprint_sha256 = models.CharField(max_length=64)
    valid_until = models.DateTimeField(null=True)
    is_demo = models.BooleanField(default=False)
    p12_encrypted = models.BinaryField()
    password_encrypted = models.BinaryField()
    certificate_pem = models.TextField()  # public part, for validation
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("seal certificate")
        verbose_name_plural = _("seal certificates")

    def __str__(self) -> str:
        return self.subject


class IntegrityIssue(TenantModel):
    """A stored file whose hash no longer matches the recorded one (found by the check)."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="integrity_issues")
    file_name = models.CharField(max_length=300)
    expected_sha256 = models.CharField(max_length=64)
    found_sha256 = models.CharField(max_length=64, blank=True)  # empty: the file is missing
    found_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(VersionChildQuerySet)

    class Meta:
        ordering = ["-found_at"]
        verbose_name = _("integrity issue")
        verbose_name_plural = _("integrity issues")

    def __str__(self) -> str:
        return f"{self.file_name}: {self.found_sha256 or 'missing'}"


class BatchQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self.filter(requested_by=membership)


class BatchExport(TenantModel):
    """A ZIP of many placements' documents, built by a Celery task; the row is its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey("wpl.Membership", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.AGREEMENT)
    placement_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True)  # [{"placement": id, "name": str, "reason": str}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects, all_tenants = scoped_managers(BatchQuerySet)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch export")
        verbose_name_plural = _("batch exports")

    def __str__(self) -> str:
        return f"{self.kind} × {self.total} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100

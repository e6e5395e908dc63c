"""Reads of the agreements app (all scoped by the requesting membership)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from agreements import seal, storage
from agreements.models import Agreement, AgreementVersion, SealCertificate, Signature, State
from placements.models import Placement


def placements_with_agreements(*, membership, programme_id: int | None = None, academic_year: str = ""):
    """Visible placements with their agreements and versions prefetched (fixed query count)."""
    qs = Placement.objects.visible_to(membership).select_related("student", "organisation", "programme")
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if academic_year:
        qs = qs.filter(academic_year=academic_year)
    versions = AgreementVersion.objects.order_by("-number")
    return qs.prefetch_related(
        Prefetch(
            "agreements", queryset=Agreement.objects.prefetch_related(Prefetch("versions", queryset=versions))
        )
    ).order_by("programme__name", "student__last_name", "pk")


def agreement_summary(agreement: Agreement) -> dict:
    """The current and effective version of an agreement from prefetched versions."""
    versions = list(agreement.versions.all())
    current = versions[0] if versions else None
    effective = next((v for v in versions if v.state == State.FINAL), None)
    return {"current": current, "effective": effective}


def to_sign(membership) -> list[Signature]:
    """Signatures waiting for this person on versions they can see."""
    agreements = Agreement.objects.visible_to(membership)
    return list(
        Signature.objects.filter(
            version__agreement__in=agreements, version__state=State.SENT, status=Signature.Status.PENDING
        )
        .filter(Q(signer_id=membership.user_id))
        .select_related("version__agreement__placement__student")
    )


@dataclass
class Verification:
    sha256: str
    version: AgreementVersion | None
    which: str = ""  # "final" or "document"
    effective: bool = False
    seal_status: seal.SealStatus | None = None


def verify(*, membership, data: bytes) -> Verification:
    """Which of our agreements (visible to this person) is this file, if any."""
    digest = storage.sha256(data)
    versions = AgreementVersion.objects.visible_to(membership).select_related("agreement__placement__student")
    version = versions.filter(final_sha256=digest).first()
    which = "final"
    if version is None:
        version = versions.filter(pdf_sha256=digest).first()
        which = "document"
    if version is None:
        return Verification(sha256=digest, version=None)
    status = None
    if which == "final" and version.sealed:
        certs = SealCertificate.objects.all()
        for cert in certs:
            status = seal.validate_seal(data, certificate_pem=cert.certificate_pem)
            if status.ok:
                break
    effective = version.agreement.effective
    return Verification(
        sha256=digest,
        version=version,
        which=which,
        effective=effective is not None and effective.pk == version.pk,
        seal_status=status,
    )

"""Writes of the agreements app: drafting, signing, sealing, amendments, templates, batches.

Every public service is keyword-only, runs in a transaction and takes the acting
membership as `actor`; each records an audit event.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import documents, rendering, seal, storage
from agreements.context import default_fields
from agreements.fields import EDITABLE, RESIGN_FIELDS
from agreements.models import (
    DEFAULT_PARTIES,
    TRANSITIONS,
    Acceptance,
    Agreement,
    AgreementVersion,
    BatchExport,
    DocumentTemplate,
    IntegrityIssue,
    Kind,
    Party,
    SealCertificate,
    Signature,
    SigningPolicy,
    State,
)
from wpl import audit
from wpl import permissions as core
from wpl.models import Membership, Role
from wpl.notifications import notify

CONSENT_TEXT = {
    "nl": (
        "Ik heb het document met de getoonde SHA-256-hash gelezen en ga ermee akkoord. Ik begrijp dat "
        "dit een eenvoudige elektronische handtekening is: mijn aanvaarding wordt met mijn naam, mijn "
        "manier van aanmelden, het tijdstip en de hash van het document bewaard."
    ),
    "fr": (
        "J'ai lu le document portant l'empreinte SHA-256 affichée et je l'accepte. Je comprends qu'il "
        "s'agit d'une signature électronique simple : mon acceptation est conservée avec mon nom, mon mode "
        "de connexion, l'heure et l'empreinte du document."
    ),
    "en": (
        "I have read the document with the SHA-256 hash shown and I agree to it. I understand that this is "
        "a simple electronic signature: my acceptance is kept with my name, how I signed in, the time and "
        "the document's hash."
    ),
}
MAX_UPLOAD_BYTES = getattr(settings, "WPL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


def consent_text(language: str) -> str:
    return CONSENT_TEXT.get(language, CONSENT_TEXT["nl"])


# Public functions here that are not write services of a person (tests/test_audit_trail.py).
NOT_ACTOR_SERVICES = {
    "consent_text": "the consent wording; reads nothing",
    "transition": "one step of the state machine inside write services, which record the event",
    "policy_for": "reads the signing policy",
    "expected_signer": "reads who signs for a party",
    "render_check": "renders a PDF to check a template; stores nothing",
    "signature_for": "reads the pending signature of a person",
    "verify_chain": "reads the acceptance log",
    "active_certificate": "reads the seal certificate (the system makes a self-signed one once)",
    "seal_bytes": "seals bytes in memory; stores nothing",
    "check_integrity": "the integrity sweep run by the system; records issues and notifies",
    "birth_date": "reads the student's date of birth from the agreement's fields",
    "is_minor": "reads whether the student is under 18 at the start",
    "parties_for": "reads who signs a version",
    "representative_token": "signs a link for the representative; stores nothing",
    "read_representative_token": "reads a representative's link",
    "representative_signature": "reads the signature a representative's link names",
    "representative_may_sign": "reads whether a representative may sign now",
}


# --- the state machine -------------------------------------------------------------------
def transition(version: AgreementVersion, to: str) -> None:
    """Move a version to state `to`; refuses any move the state machine does not allow."""
    if to not in TRANSITIONS[version.state]:
        raise ValidationError(
            _("A version in state “%(from)s” cannot become “%(to)s”.")
            % {"from": State(version.state).label, "to": State(to).label},
            code="transition",
        )
    version.state = to


def policy_for(programme) -> SigningPolicy:
    policy = SigningPolicy.objects.filter(programme=programme).first()
    return policy or SigningPolicy(programme=programme, parties=list(DEFAULT_PARTIES))


def birth_date(fields: dict) -> dt.date | None:
    try:
        return dt.date.fromisoformat(fields.get("birth_date") or "")
    except ValueError:
        return None


def is_minor(fields: dict, placement) -> bool | None:
    """Is the student under 18 when the placement starts? None: no date of birth entered.

    The start is the agreement's start date, else the placement's, else today.
    """
    born = birth_date(fields)
    if born is None:
        return None
    try:
        start = dt.date.fromisoformat(fields.get("start") or "")
    except ValueError:
        start = placement.start_date or timezone.localdate()
    try:
        adult_on = born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: of age on 1 March
        adult_on = dt.date(born.year + 18, 3, 1)
    return start < adult_on


def parties_for(placement, fields: dict) -> list[str]:
    """Who signs this version, in order: the programme's policy, the representative of a
    minor only when the student is under 18 at the start."""
    return policy_for(placement.programme).party_list(minor=bool(is_minor(fields, placement)))


def expected_signer(placement, party: str, fields: dict | None = None):
    """(user, display name) expected to sign for a party of this placement (user may be None)."""
    if party == Party.STUDENT:
        s = placement.student
        return s.user, f"{s.first_name} {s.last_name}".strip()
    if party == Party.WORKPLACE:
        m = placement.mentor
        if m is not None:
            return m.user, f"{m.first_name} {m.last_name}".strip()
        return None, placement.organisation.contact_name
    if party == Party.SCHOOL:
        sup = placement.supervisor
        return (sup.user, sup.user.get_full_name() or sup.user.email) if sup else (None, "")
    if party == Party.REPRESENTATIVE:  # no account: signs through an e-mailed link
        return None, (fields or {}).get("guardian_name", "")
    return None, ""


# --- drafting ----------------------------------------------------------------------------
@transaction.atomic
def get_or_create_agreement(
    *, actor: Membership, placement, kind: str = Kind.AGREEMENT, language: str = "nl"
) -> Agreement:
    """The placement's agreement (or plan), created with a first draft version if missing."""
    if kind not in (Kind.AGREEMENT, Kind.PLAN):
        raise ValidationError(_("Unknown document."), code="kind")
    agreement, created = Agreement.objects.get_or_create(
        placement=placement, kind=kind, defaults={"language": language}
    )
    if created:
        AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            fields=default_fields(placement, language=language, coordinator=actor.user),
            resign_parties=policy_for(placement.programme).party_list(minor=False),
            created_by=actor.user,
        )
        audit.record(actor=actor, action="agreements.agreement.create", obj=agreement, summary=str(agreement))
    return agreement


@transaction.atomic
def update_draft(
    *, actor: Membership, version: AgreementVersion, fields: dict, plan_rows: list[dict] | None = None
) -> AgreementVersion:
    """Change the field values of a draft (only drafts change; signed versions are amended)."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != State.DRAFT:
        raise ValidationError(
            _("Only a draft can be edited; amend a signed version instead."), code="not_draft"
        )
    values = dict(version.fields)
    values.update({k: str(v if v is not None else "") for k, v in fields.items() if k in EDITABLE})
    if plan_rows is not None:
        values["plan_rows"] = [
            {k: str(row.get(k, "") or "") for k in ("objective", "tasks", "period", "evidence")}
            for row in plan_rows
            if any(row.get(k) for k in ("objective", "tasks", "period", "evidence"))
        ]
    if version.number > 1 and version.agreement.effective is not None:
        version.resign_parties = _parties_for_change(version.agreement.effective, values)
    version.fields = values
    version.save(update_fields=["fields", "resign_parties"])
    audit.record(actor=actor, action="agreements.version.edit", obj=version, summary=str(version))
    return version


def _parties_for_change(previous: AgreementVersion, values: dict) -> list[str]:
    """The amendment rule: which parties sign again (see fields.RESIGN_FIELDS)."""
    parties = parties_for(previous.agreement.placement, values)
    changed = {k for k in set(values) | set(previous.fields) if values.get(k) != previous.fields.get(k)}
    if changed & RESIGN_FIELDS:
        return parties
    return [Party.SCHOOL.value] if Party.SCHOOL in parties else parties[-1:]


def render_check(version: AgreementVersion) -> bytes:
    """The version's PDF, or a ValidationError with the template problem for the admin."""
    try:
        return documents.version_pdf(version)
    except rendering.TemplateProblem as exc:
        raise ValidationError(str(exc), code="template") from exc


@transaction.atomic
def send_for_signature(*, actor: Membership, version: AgreementVersion) -> AgreementVersion:
    """Freeze the draft as a PDF with its SHA-256 and ask each party to accept it."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    transition(version, State.SENT)
    source = documents.version_source(version)
    placement = version.agreement.placement
    _check_representative(placement, version.fields)
    parties = parties_for(placement, version.fields)
    must_sign = set(version.resign_parties or parties)
    previous = version.agreement.effective
    previous_sigs = {s.party: s for s in previous.signatures.all()} if previous else {}
    version.signatures.all().delete()
    signatures = []
    for order, party in enumerate(parties):
        user, name = expected_signer(placement, party, version.fields)
        sig = Signature(
            institution_id=version.institution_id,
            version=version,
            party=party,
            order=order,
            signer=user,
            signer_name=name,
        )
        if party not in must_sign and party in previous_sigs and previous_sigs[party].done:
            sig.status = Signature.Status.CARRIED
            sig.accepted_at = previous_sigs[party].accepted_at
        signatures.append(sig)
    Signature.objects.bulk_create(signatures)
    version.template = source.template
    try:
        pdf = documents.version_pdf(version, source=source, signatures=signatures)
    except rendering.TemplateProblem as exc:
        raise ValidationError(str(exc), code="template") from exc
    version.pdf_file = storage.save(institution_id=version.institution_id, data=pdf)
    version.pdf_sha256 = storage.sha256(pdf)
    version.sent_at = timezone.now()
    version.integrity_checked_at = None  # a new file: the integrity check reads it first
    version.save()
    audit.record(
        actor=actor,
        action="agreements.version.send",
        obj=version,
        summary=str(version),
        data={"sha256": version.pdf_sha256},
    )
    url = reverse("agreement-sign", args=[version.agreement_id])
    for sig in signatures:
        if sig.status == Signature.Status.PENDING and sig.signer is not None:
            notify(
                recipient=sig.signer,
                key=f"agreements:sign:{version.pk}:{sig.party}",
                template="agreements/notifications/sign",
                context={"agreement": str(version.agreement), "version": version.number},
                url=url,
            )
        elif sig.status == Signature.Status.PENDING and sig.party == Party.REPRESENTATIVE:
            address = version.fields.get("guardian_email", "")
            notify(
                recipient=None,
                email_address=address,
                key=f"agreements:sign:{version.pk}:{sig.party}:{address.strip().lower()}",
                template="agreements/notifications/sign_representative",
                context={
                    "agreement": str(version.agreement),
                    "version": version.number,
                    "student": str(placement.student),
                    "institution": version.agreement.institution.name,
                },
                url=reverse("agreement-sign-link", args=[representative_token(sig)]),
            )
    if all(s.done for s in signatures):
        _complete(version)
    return version


def _check_representative(placement, fields: dict) -> None:
    """A programme that asks a minor's representative to sign needs the facts to know who."""
    if not policy_for(placement.programme).minor_representative:
        return
    minor = is_minor(fields, placement)
    if minor is None:
        raise ValidationError(
            _(
                "This programme asks the legal representative of a minor student to sign: "
                "enter the student's date of birth first."
            ),
            code="birth_date",
        )
    if minor and not (fields.get("guardian_name", "").strip() and fields.get("guardian_email", "").strip()):
        raise ValidationError(
            _(
                "The student is under 18 when the placement starts: enter the name and e-mail "
                "address of their legal representative, who signs too."
            ),
            code="guardian",
        )


# --- signing -----------------------------------------------------------------------------
def signature_for(version: AgreementVersion, membership: Membership) -> Signature | None:
    """The pending signature this person may give now (own party, school as a delegate, or
    the workplace as its contact). The caller has checked the agreement is visible to them."""
    policy = policy_for(version.agreement.placement.programme)
    pending = [s for s in version.signatures.all() if not s.done]
    for sig in pending:
        own = sig.signer_id is not None and sig.signer_id == membership.user_id
        delegate = sig.party == Party.SCHOOL and policy.school_delegate and core.is_staff(membership)
        # A workplace contact (org admin) of the placement's organisation may sign for the
        # workplace: callers fetched the agreement through visible_to, which limits
        # contacts to their own organisation's placements.
        representative = sig.party == Party.WORKPLACE and membership.role == Role.ORG_ADMIN
        if own or delegate or representative:
            if policy.sequential and any(p.order < sig.order for p in pending):
                return None
            return sig
    return None


@dataclass
class SignerSession:
    """How the signer is signed in, as recorded in the acceptance log."""

    auth_method: str


@transaction.atomic
def accept(
    *, actor: Membership, version: AgreementVersion, document_sha256: str, consented: bool, auth_method: str
) -> Acceptance:
    """Record one party's acceptance (a simple electronic signature) of the exact PDF."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != State.SENT:
        raise ValidationError(_("This version is not waiting for signatures."), code="state")
    if not consented:
        raise ValidationError(_("Tick the box to confirm that you agree."), code="consent")
    if document_sha256.strip().lower() != version.pdf_sha256:
        raise ValidationError(
            _("The document changed since you opened it. Open it again and check the new hash."), code="hash"
        )
    signature = signature_for(version, actor)
    if signature is None:
        raise PermissionDenied(_("You have nothing to sign on this version (now)."))
    user = actor.user
    record = _record_acceptance(
        version,
        signature,
        user=user,
        name=user.get_full_name() or user.email,
        email=user.email,
        role=actor.role,
        auth_method=auth_method,
    )
    audit.record(
        actor=actor,
        action="agreements.version.accept",
        obj=version,
        summary=f"{signature.party}: {user.email}",
    )
    if all(s.done for s in version.signatures.all()):
        _complete(version)
    return record


def _record_acceptance(version, signature, *, user, name: str, email: str, role: str, auth_method: str):
    """Append the acceptance to the log (chained to the previous record) and mark the signature."""
    now = timezone.now()
    # The chain: each record carries the hash of the institution's previous record.
    last = Acceptance.objects.select_for_update().order_by("-id").first()
    record = Acceptance(
        version=version,
        signature=signature,
        party=signature.party,
        user=user,
        signer_name=name,
        signer_email=email,
        role=role,
        auth_method=auth_method[:60],
        accepted_at=now,
        document_sha256=version.pdf_sha256,
        version_number=version.number,
        consent_text=consent_text(version.agreement.language),
        previous_hash=last.record_hash if last else "",
    )
    record.institution_id = version.institution_id
    record.record_hash = record.compute_hash()
    record.save()
    signature.status = Signature.Status.ACCEPTED
    signature.accepted_by = user
    signature.accepted_at = now
    signature.save(update_fields=["status", "accepted_by", "accepted_at"])
    return record


# --- the minor's legal representative: signing by e-mailed link ---------------------------
REPRESENTATIVE_SALT = "agreements.representative-sign"
REPRESENTATIVE_LINK_DAYS = 30
BY_LINK = "e-mailed signing link (password-free)"


def representative_token(signature: Signature) -> str:
    """The signed link for the representative: this signature, this exact PDF, 30 days.

    Bound to the document's hash, so a link for an earlier (withdrawn or amended)
    version never signs a later one.
    """
    return signing.dumps(
        {"s": signature.pk, "i": signature.institution_id, "h": signature.version.pdf_sha256[:16]},
        salt=REPRESENTATIVE_SALT,
    )


def read_representative_token(token: str) -> dict:
    """{"s": signature id, "i": institution id, "h": hash prefix}; raises signing.BadSignature."""
    return signing.loads(token, salt=REPRESENTATIVE_SALT, max_age=REPRESENTATIVE_LINK_DAYS * 86400)


def representative_signature(data: dict) -> Signature | None:
    """The representative's signature a (valid) token names, if that document still waits.

    Call inside the token's institution (`data["i"]`).
    """
    signature = (
        Signature.objects.filter(pk=int(data["s"]), party=Party.REPRESENTATIVE)
        .select_related("version__agreement__placement__student", "version__agreement__institution")
        .first()
    )
    if signature is None or not signature.version.pdf_sha256.startswith(str(data["h"])):
        return None
    return signature


def representative_may_sign(signature: Signature) -> bool:
    version = signature.version
    if version.state != State.SENT or signature.done:
        return False
    policy = policy_for(version.agreement.placement.programme)
    if policy.sequential:
        earlier = version.signatures.filter(status=Signature.Status.PENDING, order__lt=signature.order)
        return not earlier.exists()
    return True


@transaction.atomic
def accept_by_link(
    *, actor: Membership | None = None, signature: Signature, document_sha256: str, consented: bool
) -> Acceptance:
    """The minor's legal representative accepts through the e-mailed link (no account).

    `actor` is None: the representative holds no role; the link is the credential.

    Same simple electronic signature as in the platform: the exact PDF and its hash,
    an explicit consent, and a record of who (the name and address the school entered),
    how (the e-mailed link), when and which version.
    """
    version = AgreementVersion.objects.select_for_update().get(pk=signature.version_id)
    signature = Signature.objects.get(pk=signature.pk)
    signature.version = version
    if not consented:
        raise ValidationError(_("Tick the box to confirm that you agree."), code="consent")
    if document_sha256.strip().lower() != version.pdf_sha256:
        raise ValidationError(
            _("The document changed since you opened it. Open it again and check the new hash."), code="hash"
        )
    if not representative_may_sign(signature):
        raise ValidationError(_("There is nothing for you to accept on this document now."), code="state")
    fields = version.fields
    record = _record_acceptance(
        version,
        signature,
        user=None,
        name=fields.get("guardian_name", "") or signature.signer_name,
        email=fields.get("guardian_email", ""),
        role=Party.REPRESENTATIVE.value,
        auth_method=BY_LINK,
    )
    audit.record(
        actor=None,
        action="agreements.version.accept",
        obj=version,
        summary=f"{signature.party}: {record.signer_email}",
    )
    if all(s.done for s in version.signatures.all()):
        _complete(version)
    return record


def verify_chain() -> list[int]:
    """Ids of acceptance records whose hash or link to the previous record is broken."""
    broken, previous = [], ""
    for record in Acceptance.objects.order_by("id"):
        if record.previous_hash != previous or record.compute_hash() != record.record_hash:
            broken.append(record.pk)
        previous = record.record_hash
    return broken


def active_certificate() -> SealCertificate:
    """The institution's sealing certificate; a self-signed demo one is made when none exists."""
    cert = SealCertificate.objects.filter(is_active=True).first()
    if cert is not None:
        return cert
    from wpl.models import Institution
    from wpl.tenancy import require_institution_id

    institution = Institution.objects.get(pk=require_institution_id())
    password = storage.sha256(settings.SECRET_KEY.encode() + str(institution.pk).encode())[:24]
    data = seal.generate_demo_pkcs12(institution.name, password)
    return _store_certificate(
        institution_id=institution.pk, data=data, password=password, user=None, is_demo=True
    )


def _store_certificate(
    *, institution_id: int, data: bytes, password: str, user, is_demo: bool
) -> SealCertificate:
    info = seal.read_pkcs12(data, password)
    SealCertificate.objects.filter(is_active=True).update(is_active=False)
    return SealCertificate.objects.create(
        subject=info.subject,
        fingerprint_sha256=info.fingerprint_sha256,
        valid_until=info.valid_until,
        is_demo=is_demo,
        p12_encrypted=seal.encrypt(institution_id, data),
        password_encrypted=seal.encrypt(institution_id, password.encode()),
        certificate_pem=info.certificate_pem,
        uploaded_by=user,
    )


@transaction.atomic
def upload_certificate(*, actor: Membership, data: bytes, password: str) -> SealCertificate:
    """Replace the institution's sealing certificate with an uploaded PKCS#12 file."""
    if not core.is_institution_admin(actor):
        raise PermissionDenied
    if len(data) > 1024 * 1024:
        raise ValidationError(_("The certificate file is too large (at most 1 MB)."), code="size")
    try:
        cert = _store_certificate(
            institution_id=actor.institution_id, data=data, password=password, user=actor.user, is_demo=False
        )
    except seal.SealError as exc:
        raise ValidationError(
            _("This certificate cannot be used: %(reason)s") % {"reason": exc}, code="p12"
        ) from exc
    audit.record(actor=actor, action="agreements.seal.upload", obj=cert, summary=cert.subject)
    return cert


def seal_bytes(pdf: bytes, *, reason: str) -> tuple[bytes, SealCertificate]:
    cert = active_certificate()
    p12 = seal.decrypt(cert.institution_id, cert.p12_encrypted)
    password = seal.decrypt(cert.institution_id, cert.password_encrypted).decode()
    return seal.seal_pdf(pdf, p12=p12, password=password, reason=reason), cert


def _complete(version: AgreementVersion) -> None:
    """All parties accepted: evidence page, seal, store unchanged with hash, tell everyone."""
    transition(version, State.SIGNED)
    version.save(update_fields=["state"])
    document = storage.read(version.pdf_file)
    if storage.sha256(document) != version.pdf_sha256:
        raise ValidationError(
            _("The stored document no longer matches its hash; it was not sealed."), code="tamper"
        )
    acceptances = list(version.acceptances.order_by("id"))
    carried = [s.party for s in version.signatures.all() if s.status == Signature.Status.CARRIED]
    for party in carried:  # parties that did not need to sign again: their latest acceptance
        earlier = (
            Acceptance.objects.filter(version__agreement=version.agreement, party=party)
            .exclude(version=version)
            .order_by("-id")
            .first()
        )
        if earlier is not None:
            acceptances.append(earlier)
    final = documents.append_pages(document, documents.evidence_pdf(version, acceptances))
    sealed, _cert = seal_bytes(final, reason=f"{version.agreement} v{version.number}")
    _make_final(version, sealed, sealed=True)


def _make_final(version: AgreementVersion, data: bytes, *, sealed: bool) -> None:
    version.final_file = storage.save(institution_id=version.institution_id, data=data)
    version.final_sha256 = storage.sha256(data)
    version.sealed = sealed
    version.final_at = timezone.now()
    version.integrity_checked_at = None  # a new file: the integrity check reads it first
    for old in version.agreement.versions.filter(state=State.FINAL).exclude(pk=version.pk):
        transition(old, State.SUPERSEDED)
        old.save(update_fields=["state"])
    transition(version, State.FINAL)
    version.save()
    audit.record(
        actor=None,
        action="agreements.version.final",
        obj=version,
        summary=str(version),
        data={"sha256": version.final_sha256},
    )
    url = reverse("agreement-detail", args=[version.agreement_id])
    address = version.fields.get("guardian_email", "").strip()
    representative = version.signatures.filter(party=Party.REPRESENTATIVE).first()
    if address and representative is not None:
        notify(  # no account: the link (the same kind as for signing) downloads the final PDF
            recipient=None,
            email_address=address,
            key=f"agreements:final:{version.pk}:{address.lower()}",
            template="agreements/notifications/final",
            context={
                "agreement": str(version.agreement),
                "version": version.number,
                "sha256": version.final_sha256,
            },
            url=reverse("agreement-sign-link", args=[representative_token(representative)]),
        )
    for user in _party_users(version):
        notify(
            recipient=user,
            key=f"agreements:final:{version.pk}:{user.pk}",
            template="agreements/notifications/final",
            context={
                "agreement": str(version.agreement),
                "version": version.number,
                "sha256": version.final_sha256,
            },
            url=url,
        )


def _party_users(version: AgreementVersion) -> list:
    placement = version.agreement.placement
    users = {}
    for party in Party.values:
        user, _name = expected_signer(placement, party)
        if user is not None:
            users[user.pk] = user
    return list(users.values())


# --- outside the platform ----------------------------------------------------------------
@transaction.atomic
def record_outside(
    *, actor: Membership, version: AgreementVersion, data: bytes, note: str
) -> AgreementVersion:
    """A version signed on paper or with a party's own qualified signature, uploaded unchanged."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is too large."), code="size")
    if not documents.looks_like_pdf(data):
        raise ValidationError(_("This file is not a PDF."), code="type")
    if not note.strip():
        raise ValidationError(_("Say how it was signed (e.g. on paper, with eID)."), code="note")
    if version.state not in (State.DRAFT, State.SENT):
        raise ValidationError(_("This version is already signed."), code="state")
    placement = version.agreement.placement
    parties = parties_for(placement, version.fields)
    existing = {s.party: s for s in version.signatures.all()}
    digest = storage.sha256(data)
    now = timezone.now()
    last = Acceptance.objects.select_for_update().order_by("-id").first()
    previous_hash = last.record_hash if last else ""
    for order, party in enumerate(parties):
        user, name = expected_signer(placement, party, version.fields)
        sig = existing.get(party) or Signature.objects.create(
            version=version, party=party, order=order, signer=user, signer_name=name
        )
        if sig.status == Signature.Status.PENDING:
            sig.status = Signature.Status.OUTSIDE
            sig.accepted_at = now
            sig.save(update_fields=["status", "accepted_at"])
        record = Acceptance(
            version=version,
            signature=sig,
            party=party,
            user=actor.user,
            signer_name=sig.signer_name or name,
            signer_email="",
            role=actor.role,
            auth_method=f"outside: {note.strip()}"[:60],
            accepted_at=now,
            document_sha256=digest,
            version_number=version.number,
            consent_text=_("Signed outside the platform; recorded by %(who)s.") % {"who": actor.user.email},
            previous_hash=previous_hash,
        )
        record.institution_id = version.institution_id
        record.record_hash = record.compute_hash()
        record.save()
        previous_hash = record.record_hash
    version.signed_outside = True
    version.outside_note = note.strip()[:200]
    audit.record(
        actor=actor,
        action="agreements.version.outside",
        obj=version,
        summary=note[:200],
        data={"sha256": digest},
    )
    _make_final(version, data, sealed=False)
    return version


# --- amendments --------------------------------------------------------------------------
@transaction.atomic
def amend(*, actor: Membership, agreement: Agreement, reason: str) -> AgreementVersion:
    """Start an amendment: a new draft version copying the effective one's fields."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    effective = agreement.effective
    if effective is None:
        raise ValidationError(
            _("Only a signed agreement can be amended; edit the draft instead."), code="unsigned"
        )
    if agreement.versions.filter(state__in=[State.DRAFT, State.SENT, State.SIGNED]).exists():
        raise ValidationError(_("An amendment is already in progress."), code="open")
    if not reason.strip():
        raise ValidationError(_("Say why the agreement changes."), code="reason")
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=effective.number + 1,
        fields=dict(effective.fields),
        change_reason=reason.strip(),
        resign_parties=[Party.SCHOOL.value],
        created_by=actor.user,
    )
    audit.record(actor=actor, action="agreements.version.amend", obj=version, summary=reason[:200])
    return version


# --- templates ---------------------------------------------------------------------------
@transaction.atomic
def save_template(
    *, actor: Membership, programme, kind: str, language: str, title: str, body: str
) -> tuple[DocumentTemplate, list[str]]:
    """Save a new version of a template; syntax errors refuse, unknown fields are reported."""
    problems = rendering.check_template(body)
    if problems and problems[0].startswith(_("Syntax error on line %(line)s: %(message)s").split("%")[0]):
        raise ValidationError(problems[0], code="syntax")
    last = (
        DocumentTemplate.objects.select_for_update()
        .filter(programme=programme, kind=kind, language=language)
        .order_by("-version")
        .first()
    )
    template = DocumentTemplate.objects.create(
        programme=programme,
        kind=kind,
        language=language,
        version=(last.version + 1) if last else 1,
        title=title.strip() or str(Kind(kind).label),
        body=body,
        problems=problems,
        created_by=actor.user,
    )
    audit.record(
        actor=actor,
        action="agreements.template.save",
        obj=template,
        summary=str(template),
        data={"problems": problems},
    )
    return template, problems


# --- integrity ---------------------------------------------------------------------------
# A rolling check: each tick (the sweep runs every minute) re-reads at most INTEGRITY_BATCH
# versions' files, those checked longest ago (never checked first), and none checked less
# than INTEGRITY_INTERVAL ago; so every stored document is re-read about once a day
# without reading the whole store every minute.
INTEGRITY_BATCH = int(os.environ.get("WPL_INTEGRITY_BATCH", "20"))
INTEGRITY_INTERVAL = timedelta(days=1)


def check_integrity(now=None) -> int:
    """Recompute the hashes of the stored documents due for a check (see INTEGRITY_BATCH);
    record and report each mismatch once. Returns the number of new mismatches."""
    now = now or timezone.now()
    versions = list(
        AgreementVersion.objects.exclude(pdf_file="", final_file="")
        .filter(Q(integrity_checked_at__isnull=True) | Q(integrity_checked_at__lte=now - INTEGRITY_INTERVAL))
        .order_by(F("integrity_checked_at").asc(nulls_first=True), "pk")
        .select_related("agreement")[:INTEGRITY_BATCH]
    )
    if not versions:
        return 0
    found = 0
    admins = None
    for version in versions:
        for name, expected in (
            (version.pdf_file, version.pdf_sha256),
            (version.final_file, version.final_sha256),
        ):
            if not name:
                continue
            actual = storage.sha256(storage.read(name)) if storage.exists(name) else ""
            if actual == expected:
                continue
            issue, created = IntegrityIssue.objects.get_or_create(
                version=version, file_name=name, expected_sha256=expected, found_sha256=actual
            )
            if not created:
                continue
            found += 1
            if admins is None:
                admins = list(
                    Membership.objects.filter(
                        role__in=[Role.INSTITUTION_ADMIN, Role.COORDINATOR]
                    ).select_related("user")
                )
            for m in admins:
                notify(
                    recipient=m.user,
                    key=f"agreements:integrity:{issue.pk}:{m.user_id}",
                    template="agreements/notifications/integrity",
                    context={"agreement": str(version.agreement), "version": version.number},
                    url=reverse("agreement-detail", args=[version.agreement_id]),
                )
    AgreementVersion.objects.filter(pk__in=[v.pk for v in versions]).update(integrity_checked_at=now)
    return found


# --- batch export ------------------------------------------------------------------------
@transaction.atomic
def start_batch(*, actor: Membership, placement_ids: list[int], kind: str = Kind.AGREEMENT) -> BatchExport:
    """Queue a ZIP of the selected placements' documents (only ones the actor may see)."""
    from agreements.tasks import build_batch
    from placements.models import Placement
    from wpl.tasks import enqueue_on_commit

    if kind not in (Kind.AGREEMENT, Kind.PLAN):
        raise ValidationError(_("Unknown document."), code="kind")
    ids = list(Placement.objects.visible_to(actor).filter(pk__in=placement_ids).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("Select at least one placement."), code="empty")
    batch = BatchExport.objects.create(requested_by=actor, kind=kind, placement_ids=ids, total=len(ids))
    audit.record(actor=actor, action="agreements.batch.start", obj=batch, summary=f"{kind} × {len(ids)}")
    enqueue_on_commit(build_batch, institution_id=actor.institution_id, batch_id=batch.pk)
    return batch

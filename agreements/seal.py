"""The institution's seal: certificate storage (encrypted), PAdES sealing and validation.

The PKCS#12 file and its password are encrypted with Fernet under a key derived from the
server's SECRET_KEY and the institution id (HKDF), so a database dump alone does not
reveal the private key; only this module decrypts, in memory, while sealing. The demo
(and tests) generate a self-signed certificate with `cryptography`.

Sealing uses pyHanko (PAdES baseline B-B: no timestamp authority, the platform has no
network access). Validation uses pyHanko with the institution's certificate as the trust
root.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings


class SealError(ValueError):
    """The certificate could not be read or the PDF could not be sealed."""


def _fernet(institution_id: int) -> Fernet:
    secret = getattr(settings, "WPL_SEAL_KEY", "") or settings.SECRET_KEY
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"wpl-seal", info=f"inst:{institution_id}".encode()
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(institution_id: int, data: bytes) -> bytes:
    return _fernet(institution_id).encrypt(data)


def decrypt(institution_id: int, token: bytes) -> bytes:
    try:
        return _fernet(institution_id).decrypt(bytes(token))
    except InvalidToken as exc:
        raise SealError("The stored seal certificate cannot be decrypted (server key changed?).") from exc


@dataclass
class CertificateInfo:
    subject: str
    fingerprint_sha256: str
    valid_until: dt.datetime
    certificate_pem: str


def read_pkcs12(data: bytes, password: str) -> CertificateInfo:
    """Open an uploaded PKCS#12 file; raise SealError with a clear reason if it is unusable."""
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except (ValueError, TypeError) as exc:
        raise SealError("This is not a PKCS#12 file, or the password is wrong.") from exc
    if key is None or cert is None:
        raise SealError("The PKCS#12 file holds no private key with its certificate.")
    if cert.not_valid_after_utc < dt.datetime.now(dt.UTC):
        raise SealError("The certificate has expired.")
    return CertificateInfo(
        subject=cert.subject.rfc4514_string()[:300],
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        valid_until=cert.not_valid_after_utc,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


def generate_demo_pkcs12(common_name: str, password: str, *, days: int = 3650) -> bytes:
    """A self-signed sealing certificate (demo and tests only)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name[:50]} (demo seal)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, None, serialization.BestAvailableEncryption(password.encode())
    )


def seal_pdf(pdf: bytes, *, p12: bytes, password: str, reason: str = "", location: str = "") -> bytes:
    """Add an institution seal (PAdES B-B) to a PDF; returns the sealed bytes."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter

    try:
        signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=password.encode())
    except (ValueError, TypeError) as exc:
        raise SealError("The seal certificate could not be opened.") from exc
    if signer is None:
        raise SealError("The seal certificate could not be opened.")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="InstitutionSeal",
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name="InstitutionSeal"))
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


@dataclass
class SealStatus:
    sealed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer: str = ""
    fingerprint_sha256: str = ""
    modified_after: bool = False

    @property
    def ok(self) -> bool:
        return self.sealed and self.intact and self.valid and self.trusted and not self.modified_after


def validate_seal(pdf: bytes, *, certificate_pem: str) -> SealStatus:
    """Check the PDF's seal with pyHanko, trusting only the given certificate."""
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any unreadable upload simply is not sealed by us
        return SealStatus(sealed=False)
    if not signatures:
        return SealStatus(sealed=False)
    _, _, der = asn1_pem.unarmor(certificate_pem.encode())
    root = asn1_x509.Certificate.load(der)
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    status = validate_pdf_signature(signatures[-1], context)
    cert = status.signing_cert
    coverage = getattr(status, "coverage", None)
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return SealStatus(
        sealed=True,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        signer=cert.subject.human_friendly if cert is not None else "",
        fingerprint_sha256=hashlib.sha256(cert.dump()).hexdigest() if cert is not None else "",
        modified_after=coverage != SignatureCoverageLevel.ENTIRE_FILE,
    )

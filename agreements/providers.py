"""The seam for external signing services (itsme, a university's own signing service).

A provider implements three calls; the platform keeps the state model and the files:

- ``send(version)`` hands the frozen PDF (``version.pdf_file``/``pdf_sha256``) and the
  expected signers to the service and returns the service's reference;
- ``status(reference)`` says "pending", "signed", "refused" or "expired";
- ``fetch(reference)`` returns the signed PDF once it is "signed".

When a provider reports "signed", the caller records the fetched file through
``services.record_outside(..., note=provider.name)``: it is stored unchanged with its hash,
the version becomes final, and the acceptance log says which service signed. Register a
provider with ``register(provider)``; nothing is registered by default.
"""

from __future__ import annotations

from typing import Protocol

STATUSES = ("pending", "signed", "refused", "expired")


class SigningProvider(Protocol):
    """One external signing service."""

    name: str

    def send(self, version) -> str: ...

    def status(self, reference: str) -> str: ...

    def fetch(self, reference: str) -> bytes: ...


_providers: dict[str, SigningProvider] = {}


def register(provider: SigningProvider) -> None:
    _providers[provider.name] = provider


def get(name: str) -> SigningProvider:
    return _providers[name]


def available() -> list[str]:
    return sorted(_providers)


def collect(*, actor, version, provider: SigningProvider, reference: str) -> bool:
    """Poll a provider once; record the signed file when it is ready. True when recorded."""
    from agreements import services

    if provider.status(reference) != "signed":
        return False
    services.record_outside(actor=actor, version=version, data=provider.fetch(reference), note=provider.name)
    return True

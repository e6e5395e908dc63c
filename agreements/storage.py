"""Stored documents: written and read only through Django's storage API, with hashes.

Files live under `agreements/<institution id>/` and are never served by URL: views read
them after a `visible_to` check and stream them (see views.py).
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(*, institution_id: int, data: bytes, suffix: str = ".pdf") -> str:
    """Store bytes under a fresh name; returns the storage name."""
    name = f"agreements/{institution_id}/{uuid.uuid4().hex}{suffix}"
    return default_storage.save(name, ContentFile(data))


def sha256_of_file(name: str, chunk: int = 1 << 16) -> str:
    """SHA-256 of a stored file, read in chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)

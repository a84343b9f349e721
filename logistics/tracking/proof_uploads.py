"""Storing proof-of-delivery photos and signatures sent from phones.

Limits are checked on the bytes, not only the declared type: the first bytes must be
those of a JPEG, PNG or WebP image. The same file sent again by the same user (a
phone retrying after a lost answer) gets the reference it got the first time.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from logistics.exceptions import DomainError, InvalidInput
from logistics import filestore
from logistics.filestore import FileStore, new_key
from logistics.models import ProofFile, ProofKind, User

# A phone photo at 1600 px and JPEG quality 80 is 300-600 KB; a signature PNG < 50 KB.
MAX_BYTES = {ProofKind.PHOTO: 5 * 1024 * 1024, ProofKind.SIGNATURE: 512 * 1024}
CONTENT_TYPES = {
    ProofKind.PHOTO: {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"},
    ProofKind.SIGNATURE: {"image/png": "png", "image/webp": "webp", "image/jpeg": "jpg"},
}
_MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",), "image/webp": (b"RIFF",)}


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


def check_upload(kind: ProofKind, content_type: str, data: bytes) -> str:
    """The file extension for an acceptable upload; raises 413, 415 or 422."""
    allowed = CONTENT_TYPES[kind]
    content_type = content_type.split(";")[0].strip().lower()
    if content_type not in allowed:
        raise UnsupportedMediaType(
            f"A {kind.value} must be one of: {', '.join(sorted(allowed))}.", code="unsupported_media_type"
        )
    if len(data) > MAX_BYTES[kind]:
        raise PayloadTooLarge(f"A {kind.value} may be at most {MAX_BYTES[kind] // 1024} KiB.", code="file_too_large")
    if not data:
        raise InvalidInput("The file is empty.", code="empty_file")
    if not data.startswith(_MAGIC[content_type]) or (content_type == "image/webp" and data[8:12] != b"WEBP"):
        raise UnsupportedMediaType("The file's content is not the image type it claims to be.", code="content_mismatch")
    return allowed[content_type]


def store_proof(
    session: Session,
    *,
    actor: User,
    device_id: str | None,
    kind: ProofKind,
    content_type: str,
    data: bytes,
    item_id: int | None = None,
    store: FileStore | None = None,
) -> ProofFile:
    """Keep the file and record it; returns the row whose ``ref`` a delivery scan cites."""
    extension = check_upload(kind, content_type, data)
    digest = hashlib.sha256(data).hexdigest()
    same = session.exec(
        select(ProofFile).where(
            ProofFile.uploaded_by_user_id == actor.id, ProofFile.kind == kind, ProofFile.sha256 == digest,
            ProofFile.file_deleted_at.is_(None),
        )
    ).first()
    if same is not None:
        return same
    # The bytes are written before the row: a rolled-back request leaves an orphan
    # file (``proof_retention.delete_stray_files``), never a row pointing at nothing.
    ref = (store or filestore.get_file_store()).put(new_key(kind.value, extension), data, content_type.split(";")[0].strip())
    row = ProofFile(ref=ref, kind=kind, content_type=content_type.split(";")[0].strip().lower(), size_bytes=len(data),
                    sha256=digest, uploaded_by_user_id=actor.id, device_id=device_id, item_id=item_id)
    session.add(row)
    session.flush()
    return row

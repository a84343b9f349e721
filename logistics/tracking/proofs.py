"""What a delivery must prove, and whether a scan proves it.

Each procedure says what the handing over of its result needs (``Procedure.proof_*``):
the last four digits of the recipient's ID, a signature, a photo, a one-time code.
A signature or photo is a reference returned by the proof upload, made by the same
user; the ID digits are compared with the ones on file and never stored.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from logistics.models import DeliveryOtp, Item, Person, Procedure, ProofFile, ProofKind
from logistics.models.enums import ScanCode
from logistics.tracking import otp as otp_codes
from logistics.tracking.inputs import ProofInput

ID_CHECK, SIGNATURE, PHOTO, OTP = "id_check", "signature", "photo", "otp"
NEEDS_PROOF = frozenset({ScanCode.DELIVERED})
FLAG_ID_UNVERIFIABLE = "id_check_unverifiable"  # no digits on file: the postman's word


def required_proofs(procedure: Procedure | None) -> frozenset[str]:
    """The proofs a delivery of this procedure's items needs (a signature when unknown)."""
    if procedure is None:
        return frozenset({SIGNATURE})
    wanted = {
        ID_CHECK: procedure.proof_id_check, SIGNATURE: procedure.proof_signature,
        PHOTO: procedure.proof_photo, OTP: procedure.proof_otp,
    }
    return frozenset(name for name, needed in wanted.items() if needed)


def load_proof_files(session: Session, refs: Iterable[str]) -> dict[str, ProofFile]:
    wanted = sorted({r for r in refs if r})
    if not wanted:
        return {}
    return {p.ref: p for p in session.exec(select(ProofFile).where(ProofFile.ref.in_(wanted))).all()}


def mark_used(session: Session, refs: Iterable[str], *, at: datetime) -> None:
    """Record that scans taking part in items' histories cite these files (they are
    then no orphans; ``proof_retention`` keeps them until their retention ends)."""
    wanted = sorted(set(refs))
    if wanted:
        session.execute(
            update(ProofFile).where(ProofFile.ref.in_(wanted), ProofFile.used_at.is_(None)).values(used_at=at)
        )


@dataclass
class ProofCheck:
    missing: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    stored: dict[str, str] = field(default_factory=dict)  # what the scan event keeps
    otp: DeliveryOtp | None = None


def check_proof(
    session: Session,
    *,
    item: Item,
    needed: frozenset[str],
    proof: ProofInput,
    recipient: Person | None,
    files: Mapping[str, ProofFile],
    actor_user_id: int,
    at: datetime,
    tolerance: timedelta,
) -> ProofCheck:
    """Which of ``needed`` the scan's ``proof`` fails to give (``missing``)."""
    result = ProofCheck()
    for name, ref, kind in ((SIGNATURE, proof.signature_ref, ProofKind.SIGNATURE), (PHOTO, proof.photo_ref, ProofKind.PHOTO)):
        if ref:
            stored = files.get(ref)
            if stored is None or stored.kind != kind or stored.uploaded_by_user_id != actor_user_id or (
                stored.item_id is not None and stored.item_id != item.id
            ) or stored.file_deleted_at is not None:
                if name in needed:  # an unknown or someone else's file proves nothing
                    result.missing.append(name)
                continue
            result.stored[f"{name}_ref"] = ref
        elif name in needed:
            result.missing.append(name)
    if ID_CHECK in needed or proof.id_last4:
        on_file = recipient.id_last4 if recipient is not None else None
        if not proof.id_last4:
            if ID_CHECK in needed:
                result.missing.append(ID_CHECK)
        elif on_file is None:
            result.flags.append(FLAG_ID_UNVERIFIABLE)
            result.stored[ID_CHECK] = "unverifiable"
        elif hmac.compare_digest(proof.id_last4.strip().encode(), on_file.encode()):
            result.stored[ID_CHECK] = "matched"
        else:
            result.missing.append(ID_CHECK)
    if OTP in needed or proof.otp_code:
        matched = (
            otp_codes.check_code(session, item_id=item.id, code=proof.otp_code, at=at, tolerance=tolerance)
            if proof.otp_code else None
        )
        if matched is None:
            if OTP in needed:
                result.missing.append(OTP)
        else:
            result.otp = matched
            result.stored[OTP] = "verified"
    return result

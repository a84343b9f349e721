"""Proof uploads (photo, signature) and delivery codes (OTP) sent to the recipient."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile, status

from api_core.deps import SessionDep
from api_core.errors import error_responses
from logistics.models import Person, ProofKind
from logistics.models.enums import ScanCode
from logistics.phones import mask_phone
from logistics.tracking import otp, proof_uploads
from logistics.tracking.assignment import require_assigned
from mobile_api.deps import PhoneDep, body_limited_route
from mobile_api.schemas import OtpOut, OtpRequest, ProofOut

_MULTIPART_SLACK = 64 * 1024  # boundaries and form fields around the file
MAX_UPLOAD_BODY = max(proof_uploads.MAX_BYTES.values()) + _MULTIPART_SLACK

router = APIRouter(tags=["mobile: proofs"], responses=error_responses(401, 403, 422),
                   route_class=body_limited_route(MAX_UPLOAD_BODY))


@router.post(
    "/proofs", response_model=ProofOut, status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 413, 415),
    summary="Upload a delivery photo or signature",
    description="multipart/form-data with `kind` (photo or signature), `file`, and optionally `s10`. "
    "Returns the `ref` a delivery scan cites in proof.photo_ref / proof.signature_ref. "
    "Photos up to 5 MiB, signatures up to 512 KiB; JPEG, PNG or WebP. Sending the same file again returns the same ref.",
)
def upload_proof(
    session: SessionDep,
    phone: PhoneDep,
    kind: Annotated[ProofKind, Form()],
    file: Annotated[UploadFile, File()],
    s10: Annotated[str | None, Form(max_length=40)] = None,
) -> Any:
    limit = proof_uploads.MAX_BYTES[kind]
    data = file.file.read(limit + 1)  # never more than one byte past the limit
    item = require_assigned(session, actor=phone.user, s10=s10.strip().upper(), code=ScanCode.DELIVERED) if s10 else None
    row = proof_uploads.store_proof(
        session, actor=phone.user, device_id=phone.device_id, kind=kind,
        content_type=file.content_type or "application/octet-stream", data=data,
        item_id=item.id if item is not None else None,
    )
    return ProofOut(ref=row.ref, kind=row.kind.value, size_bytes=row.size_bytes, sha256=row.sha256)


@router.post(
    "/otp", response_model=OtpOut, status_code=status.HTTP_202_ACCEPTED, responses=error_responses(404, 409),
    summary="Send the recipient a one-time delivery code",
    description="The code goes by SMS to the recipient on file; the delivery scan carries it in proof.otp_code.",
)
def request_otp(session: SessionDep, phone: PhoneDep, body: OtpRequest) -> Any:
    item = require_assigned(session, actor=phone.user, s10="".join(body.s10.split()).upper(), code=ScanCode.DELIVERED)
    code = otp.request_otp(session, item=item, requested_by_user_id=phone.user.id)
    person = session.get(Person, item.person_id) if item.person_id is not None else None
    return OtpOut(expires_at=code.expires_at, sent_to=mask_phone(person.phone_e164) if person else "")

"""A demo catalogue of common procedures carried by BCCI, from ``data/procedures.csv``.

Codes start with ``DEMO-``: they are our own labels, not codes of the national catalogue
of procedures (Cơ sở dữ liệu quốc gia về TTHC). Names are the usual Vietnamese titles.
The numbers are indicative, to make the demo look like a real province, and must be
checked against a province's published catalogue before any real use:

- ``sla_working_days``: the usual statutory time limit (e.g. 10 working days for a
  judicial record certificate, 20 for a first land-use right certificate);
- ``fee_vnd``: the procedure fee (lệ phí) for an individual; provinces set many of them;
- ``postage_vnd`` and ``postage_payer``: a guess at BCCI postage per leg, and who pays
  (``agency`` where the agency contracts the post, as social insurance does;
  ``subsidy`` for civil-status results some provinces return free of charge);
- ``intake_by_post`` / ``return_by_post``: whether the dossier / the result may travel
  by post at all (marriage registration needs both people present; identity cards and
  passports need biometrics taken in person, though the card may come back by post);
- ``agency``: which deciding body of the demo province handles it (``commune`` = the
  People's Committee of the applicant's commune; the others are keys of
  ``logistics.demo.agencies.PROVINCIAL_AGENCIES``);
- ``share``: relative frequency among the dossiers the post carries (a guess: judicial
  records, land and health-insurance cards dominate in the seeds' reports);
- ``documents``: a typical number of documents in the dossier.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlmodel import Session, select

from logistics.models import Procedure
from logistics.models.enums import PostagePayer

COMMUNE_AGENCY = "commune"
_BOOLS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One procedure of the demo catalogue, with what the demo needs beyond the table."""

    code: str
    name: str
    agency: str  # COMMUNE_AGENCY or a key of PROVINCIAL_AGENCIES
    intake_by_post: bool
    return_by_post: bool
    proof_id_check: bool
    proof_signature: bool
    proof_photo: bool
    proof_otp: bool
    sla_working_days: int
    fee_vnd: int
    postage_vnd: int
    postage_payer: PostagePayer
    share: int
    documents: int

    @property
    def decided_by_commune(self) -> bool:
        return self.agency == COMMUNE_AGENCY

    def to_row(self) -> Procedure:
        return Procedure(
            code=self.code,
            name=self.name,
            intake_by_post=self.intake_by_post,
            return_by_post=self.return_by_post,
            proof_id_check=self.proof_id_check,
            proof_signature=self.proof_signature,
            proof_photo=self.proof_photo,
            proof_otp=self.proof_otp,
            sla_working_days=self.sla_working_days,
            fee_vnd=self.fee_vnd,
            postage_vnd=self.postage_vnd,
            postage_payer=self.postage_payer,
        )


def _parse(text: str) -> tuple[CatalogueEntry, ...]:
    entries = []
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            entries.append(
                CatalogueEntry(
                    code=row["code"].strip(),
                    name=row["name"].strip(),
                    agency=row["agency"].strip(),
                    intake_by_post=_BOOLS[row["intake_by_post"]],
                    return_by_post=_BOOLS[row["return_by_post"]],
                    proof_id_check=_BOOLS[row["proof_id_check"]],
                    proof_signature=_BOOLS[row["proof_signature"]],
                    proof_photo=_BOOLS[row["proof_photo"]],
                    proof_otp=_BOOLS[row["proof_otp"]],
                    sla_working_days=int(row["sla_working_days"]),
                    fee_vnd=int(row["fee_vnd"]),
                    postage_vnd=int(row["postage_vnd"]),
                    postage_payer=PostagePayer(row["postage_payer"]),
                    share=int(row["share"]),
                    documents=int(row["documents"]),
                )
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"logistics/data/procedures.csv:{line_no}: {exc!r}") from exc
    return tuple(entries)


@cache
def catalogue() -> tuple[CatalogueEntry, ...]:
    """The demo catalogue, in file order (read once)."""
    text = resources.files("logistics").joinpath("data", "procedures.csv").read_text("utf-8")
    return _parse(text)


def load_procedures(session: Session) -> dict[str, Procedure]:
    """Insert the catalogue's procedures that are missing; return every one by code.

    Idempotent: a procedure already in the table (same code) is kept as it is, so an
    administrator's later edits survive a second run.
    """
    entries = catalogue()
    codes = [e.code for e in entries]
    existing = {p.code: p for p in session.exec(select(Procedure).where(Procedure.code.in_(codes)))}
    missing = [e.to_row() for e in entries if e.code not in existing]
    if missing:
        session.add_all(missing)
        session.flush()
        existing.update({p.code: p for p in missing})
    return {code: existing[code] for code in codes}

"""Dossier codes issued by a province's one-stop (một cửa) information system.

Format ``<agency code>-YYMMDD-XXXX`` (Circular 01/2018/TT-VPCP art. 19, carried
over by Circular 03/2025/TT-VPCP): the receiving agency's code from the national
catalogue of agencies (e.g. ``000.00.22.H21``, ``H21.22``, ``G22.11.05``), the
date the dossier was received, and the agency's sequence number for that day
(at least 4 digits, zero-padded).

We never generate these codes for real dossiers; we read them from the one-stop
system and keep them. :func:`make_dossier_code` exists for tests, demos and
round trips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from logistics.exceptions import InvalidInput

__all__ = ["DossierCode", "make_dossier_code", "parse_dossier_code"]

# Agency code: dot-separated segments of letters and digits, 2-40 characters in all.
# [0-9] rather than \d: \d would accept non-ASCII digits.
_AGENCY_RE: Final = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*")
_AGENCY_LEN: Final = range(2, 41)
_CODE_RE: Final = re.compile(r"(?P<agency>[A-Z0-9.]+)-(?P<yymmdd>[0-9]{6})-(?P<seq>[0-9]{4,})")
_MIN_SEQUENCE_WIDTH: Final = 4


@dataclass(frozen=True, slots=True)
class DossierCode:
    """A parsed dossier code.

    ``sequence_width`` is the number of digits the sequence was written with, so
    that ``str(parse_dossier_code(code)) == code`` for any valid code (a system may
    write ``00012`` where another writes ``0012``).
    """

    agency_code: str
    received_on: date
    sequence: int
    sequence_width: int = _MIN_SEQUENCE_WIDTH

    def __str__(self) -> str:
        return make_dossier_code(
            self.agency_code, self.received_on, self.sequence, width=self.sequence_width
        )


def parse_dossier_code(code: str) -> DossierCode:
    """Parse ``<agency code>-YYMMDD-XXXX`` or raise ``InvalidInput``.

    Surrounding whitespace is ignored and letters are uppercased. Codes:
    ``invalid_dossier_code`` (shape) and ``invalid_dossier_code_date`` (YYMMDD is
    not a real date). Years are read as 20YY.
    """
    if not isinstance(code, str):
        raise InvalidInput(
            f"Dossier code must be text, got {type(code).__name__}", code="invalid_dossier_code"
        )
    text = code.strip().upper()
    match = _CODE_RE.fullmatch(text)
    if match is None:
        raise InvalidInput(
            f"Dossier code {text or repr(code)}: expected <agency code>-YYMMDD-XXXX, "
            "e.g. 000.00.22.H21-250704-0012",
            code="invalid_dossier_code",
        )
    agency = match["agency"]
    _check_agency_code(agency, context=f"Dossier code {text}")
    yymmdd = match["yymmdd"]
    try:
        received_on = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        raise InvalidInput(
            f"Dossier code {text}: {yymmdd} is not a real date (expected YYMMDD)",
            code="invalid_dossier_code_date",
        ) from None
    seq = match["seq"]
    return DossierCode(
        agency_code=agency, received_on=received_on, sequence=int(seq), sequence_width=len(seq)
    )


def make_dossier_code(
    agency_code: str, received_on: date, sequence: int, *, width: int = _MIN_SEQUENCE_WIDTH
) -> str:
    """Format a dossier code; the sequence is zero-padded to ``width`` (at least 4) digits."""
    if not isinstance(agency_code, str):
        raise InvalidInput("Agency code must be text", code="invalid_dossier_code")
    _check_agency_code(agency_code, context="Agency code")
    if not isinstance(received_on, date):
        raise InvalidInput(
            f"Dossier date must be a date, got {type(received_on).__name__}",
            code="invalid_dossier_code_date",
        )
    if not 2000 <= received_on.year <= 2099:
        raise InvalidInput(
            f"Dossier date {received_on.isoformat()}: YYMMDD can only hold years 2000-2099",
            code="invalid_dossier_code_date",
        )
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise InvalidInput(
            f"Dossier sequence {sequence!r}: expected a whole number >= 0",
            code="invalid_dossier_code",
        )
    if width < _MIN_SEQUENCE_WIDTH:
        raise InvalidInput(
            f"Dossier sequence width {width}: at least {_MIN_SEQUENCE_WIDTH} digits",
            code="invalid_dossier_code",
        )
    return f"{agency_code}-{received_on:%y%m%d}-{sequence:0{width}d}"


def _check_agency_code(agency: str, *, context: str) -> None:
    if len(agency) not in _AGENCY_LEN or _AGENCY_RE.fullmatch(agency) is None:
        raise InvalidInput(
            f"{context}: agency code {agency!r} should be 2-40 letters, digits and single dots, "
            "starting with a letter or digit, e.g. 000.00.22.H21",
            code="invalid_dossier_code",
        )

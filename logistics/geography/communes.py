"""The 34 provinces and 3,321 communes in force since 1 July 2025, read from the shipped CSV.

The CSV (``logistics/data/communes_2025.csv``, from the MIT-licensed ``vietnamadminunits``
data cleaned with GSO codes) is seed and test geography, not the source of truth in
production: units change, so the product keeps its own versioned table. Here it is parsed
into frozen dataclasses. Quirks of the file handled while parsing:

- codes are written as integers (``1``, ``97``): GSO codes are zero-padded to 2 digits
  for provinces and 5 for communes (``01``, ``00097``);
- the area is empty for 2 communes and ``0.0`` for 2 others: both mean "unknown" → ``None``;
- ``wardType`` contradicts the official full name for 4 communes (``Phường Việt Hòa``
  typed ``Xã``): the full name is the legal one, so the type is taken from its prefix;
- some centres are given to 0.1° only (about 5 km): fine for demo geography, not for
  routing to a real counter.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from logistics.exceptions import InvalidInput

UNIT_TYPES: tuple[str, ...] = ("Phường", "Xã", "Đặc khu")
_PROVINCE_PREFIXES: tuple[str, ...] = ("thanh pho ", "tinh ", "tp. ", "tp.", "tp ")
_COLUMNS: frozenset[str] = frozenset(
    {
        "province", "ward", "provinceShort", "wardShort", "wardType", "provinceCode",
        "provinceLat", "provinceLon", "wardCode", "wardLat", "wardLon", "wardAreaKm2",
    }
)

# The 63 → 34 merger of 12 June 2025 (Resolution 202/2025/QH15, in force 1 July 2025):
# former provinces still appear on addresses and in old dossiers, so they resolve to the
# province that absorbed them. Former name → current 2-digit code.
LEGACY_PROVINCES: dict[str, str] = {
    "Hà Giang": "08", "Yên Bái": "15", "Bắc Kạn": "19", "Vĩnh Phúc": "25", "Hòa Bình": "25",
    "Bắc Giang": "24", "Thái Bình": "33", "Hải Dương": "31", "Hà Nam": "37", "Nam Định": "37",
    "Quảng Bình": "44", "Thừa Thiên Huế": "46", "Quảng Nam": "48", "Kon Tum": "51",
    "Bình Định": "52", "Phú Yên": "66", "Ninh Thuận": "56", "Đắk Nông": "68",
    "Bình Thuận": "68", "Bình Phước": "75", "Bình Dương": "79", "Bà Rịa - Vũng Tàu": "79",
    "Long An": "80", "Tiền Giang": "82", "Bến Tre": "86", "Trà Vinh": "86", "Hậu Giang": "92",
    "Sóc Trăng": "92", "Bạc Liêu": "96", "Kiên Giang": "91",
}


@dataclass(frozen=True, slots=True)
class Province:
    """A province or centrally-run city; ``lat``/``lon`` is its centre (where agencies sit)."""

    code: str  # 2-digit GSO code, "01" Hà Nội … "96" Cà Mau
    name: str  # full official name, "Tỉnh Gia Lai"
    short_name: str  # "Gia Lai"
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune, ward or special zone; ``lat``/``lon`` is its administrative centre."""

    code: str  # 5-digit GSO ward code, "00097"
    name: str  # full official name, "Phường Hồng Hà"
    short_name: str  # "Hồng Hà"
    unit_type: str  # one of UNIT_TYPES
    province_code: str
    province_name: str
    province_short: str
    lat: float
    lon: float
    area_km2: float | None  # None when the source has no (or a zero) area


def _default_csv() -> Traversable:
    # The package copy, so the code works from an installed wheel too; never ../shared.
    return resources.files("logistics") / "data" / "communes_2025.csv"


def _area(raw: str) -> float | None:
    if not raw.strip():
        return None
    value = float(raw)
    return value if value > 0 else None


def _unit_type(full_name: str, declared: str) -> str:
    for unit in UNIT_TYPES:
        if full_name.startswith(unit + " "):
            return unit
    if declared in UNIT_TYPES:
        return declared
    raise ValueError(f"unknown unit type {declared!r} for {full_name!r}")


def _parse(lines: Iterable[str], source: str) -> tuple[Commune, ...]:
    reader = csv.DictReader(lines)
    missing = _COLUMNS - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{source}: missing columns {sorted(missing)}")
    communes = []
    for line_no, row in enumerate(reader, start=2):
        try:
            communes.append(
                Commune(
                    code=f"{int(row['wardCode']):05d}",
                    name=row["ward"].strip(),
                    short_name=row["wardShort"].strip(),
                    unit_type=_unit_type(row["ward"].strip(), row["wardType"].strip()),
                    province_code=f"{int(row['provinceCode']):02d}",
                    province_name=row["province"].strip(),
                    province_short=row["provinceShort"].strip(),
                    lat=float(row["wardLat"]),
                    lon=float(row["wardLon"]),
                    area_km2=_area(row["wardAreaKm2"]),
                )
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}:{line_no}: {exc}") from exc
    return tuple(communes)


@cache
def _default_communes() -> tuple[Commune, ...]:
    with _default_csv().open("r", encoding="utf-8", newline="") as f:
        return _parse(f, "logistics/data/communes_2025.csv")


def load_communes(path: str | Path | None = None) -> tuple[Commune, ...]:
    """Return every commune of the CSV at ``path`` (the shipped file, cached, by default)."""
    if path is None:
        return _default_communes()
    with Path(path).open(encoding="utf-8", newline="") as f:
        return _parse(f, str(path))


@cache
def provinces() -> tuple[Province, ...]:
    """Return the provinces of the shipped file, ordered by code."""
    # The CSV repeats the province centre on every commune row; take the first one.
    seen: dict[str, Province] = {}
    with _default_csv().open("r", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = f"{int(row['provinceCode']):02d}"
            if code not in seen:
                seen[code] = Province(
                    code=code,
                    name=row["province"].strip(),
                    short_name=row["provinceShort"].strip(),
                    lat=float(row["provinceLat"]),
                    lon=float(row["provinceLon"]),
                )
    return tuple(sorted(seen.values(), key=lambda p: p.code))


def fold(text: str) -> str:
    """Lower-case ``text``, strip Vietnamese diacritics (``đ`` → ``d``) and squeeze spaces."""
    # NFD splits "ồ" into "o" + combining marks; đ is a letter of its own, not a mark.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def _province_key(text: str) -> str:
    key = fold(text)
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):].strip()
    return key


@cache
def _province_index() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for p in provinces():
        index[p.code] = p
        index[_province_key(p.name)] = p
        index[_province_key(p.short_name)] = p
    # "Hồ Chí Minh" is the short name; people also write "TP.HCM" / "HCM" / "Sài Gòn".
    for alias in ("hcm", "tphcm", "tp.hcm", "sai gon"):
        index.setdefault(alias, index["79"])
    for former, code in LEGACY_PROVINCES.items():
        index.setdefault(_province_key(former), index[code])
    index.setdefault("ba ria vung tau", index["79"])
    return index


def find_province(name_or_code: str | int) -> Province:
    """Return the province named ``name_or_code`` ("Gia Lai", "tỉnh gia lai", "52", 52).

    Former provinces merged in 2025 ("Quảng Nam") resolve to the province that absorbed them.

    Raises ``InvalidInput(code="unknown_province")`` naming a few close provinces.
    """
    index = _province_index()
    raw = str(name_or_code).strip()
    if raw.isdigit():
        province = index.get(f"{int(raw):02d}")
    else:
        province = index.get(_province_key(raw))
    if province is not None:
        return province
    names = {_province_key(p.short_name): p.short_name for p in provinces()}
    close = difflib.get_close_matches(_province_key(raw), list(names), n=3, cutoff=0.5)
    hint = (
        "did you mean " + ", ".join(names[c] for c in close) + "?"
        if close
        else "use a name such as Gia Lai or Hà Nội, or a 2-digit code such as 52."
    )
    raise InvalidInput(
        f"Unknown province {raw!r}: {hint}", code="unknown_province", value=raw
    )

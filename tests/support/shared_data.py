"""Where the workplace's shared data sits: ``../shared`` beside the checkout."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
POSTAL_DAY_EXAMPLE = SHARED / "bench" / "postal_day" / "example_ha_tinh_120.json"
SOLOMON = SHARED / "bench" / "vrptw" / "solomon"

"""The tunable limits of scan ingestion, in one frozen object.

Defaults are planning assumptions [guess]; ``ScanPolicy.from_settings()`` takes any of
them that ``logistics.config.Settings`` defines under the same name with a ``scan_``
prefix (``scan_future_tolerance_s``...), so operators can change them without code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from logistics.config import get_settings


@dataclass(frozen=True)
class ScanPolicy:
    # A device time later than the server's receive time by more than this is refused
    # (timestamp_in_future): phones set their clock from the network, minutes off at worst.
    future_tolerance_s: int = 600
    # ... and earlier than the item's creation by more than this (timestamp_before_item).
    before_item_tolerance_s: int = 600
    # A device clock off by more than this (from the batch's sent_at, or an event ahead
    # of the server) flags the events device_clock_skew for review.
    clock_skew_flag_s: int = 120
    # A delivery or pickup farther than this from its destination, after giving the GPS
    # its stated accuracy, is accepted and flagged outside_geofence.
    geofence_radius_m: float = 300.0
    # A fix worse than this is flagged poor_accuracy (it cannot support a geofence check).
    poor_accuracy_m: float = 200.0
    # A postman may scan items on his routes of the scan's local day, give or take this.
    route_day_slack_days: int = 1

    @classmethod
    def from_settings(cls, settings: Any | None = None) -> ScanPolicy:
        settings = settings or get_settings()
        overrides = {
            f.name: getattr(settings, f"scan_{f.name}")
            for f in fields(cls)
            if getattr(settings, f"scan_{f.name}", None) is not None
        }
        return replace(cls(), **overrides)

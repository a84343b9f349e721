"""The SMS outbox's knobs, with their defaults and why.

The environment is read once, by ``logistics.config.Settings`` (``NOTIFY_*``
variables); this model holds the defaults and validation, overridden by what is set.
"""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, field_validator

from logistics.config import get_settings


class NotifySettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # No SMS between these local times [guess, DOMAIN.md §6]; equal times disable the rule.
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    # At most this many SMS per phone in any rolling hour; the excess is held.
    max_per_phone_per_hour: int = 5
    # Delivery codes are never held (the postman is at the door) but have an allowance
    # of their own per phone and rolling hour: beyond it a code is refused, not queued.
    max_codes_per_phone_per_hour: int = 6
    # A pending row untouched this long lost its broker message: the sweep sends it again.
    dispatch_grace_s: int = 60
    # A row claimed ("sending") this long ago belongs to a dead worker: sent again. Must
    # exceed the provider timeout (10 s) by a margin; the re-send may duplicate an SMS the
    # provider had accepted just before the crash (the one window we cannot close).
    sending_lease_s: int = 120
    # Provider calls before a transiently failing message is given up as failed.
    max_tries: int = 8
    # Rows the sweep re-dispatches per run (the rest wait for the next minute).
    sweep_batch: int = 1000
    # Rows per send job: claimed in one statement, their answers recorded every
    # ``record_every`` messages (so a crash re-sends at most that many).
    batch_size: int = 50
    record_every: int = 10
    # Rescheduling from the tracking page: windows on the next working days.
    reschedule_horizon_days: int = 5
    delivery_slots: tuple[str, ...] = ("08:00-10:00", "10:00-12:00", "14:00-16:00", "16:00-18:00")

    @field_validator("delivery_slots")
    @classmethod
    def _check_slots(cls, slots: tuple[str, ...]) -> tuple[str, ...]:
        for slot in slots:
            start, _, end = slot.partition("-")
            if time.fromisoformat(start) >= time.fromisoformat(end):
                raise ValueError(f"delivery slot {slot!r} must be HH:MM-HH:MM with start < end")
        return slots

    @property
    def quiet_hours_enabled(self) -> bool:
        return self.quiet_start != self.quiet_end


def get_notify_settings() -> NotifySettings:
    return get_settings().section("notify_", NotifySettings)

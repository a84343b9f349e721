"""The webhook outbox's knobs (``WEBHOOKS_*`` variables through ``logistics.config``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from logistics.config import get_settings


class WebhookSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Attempts before a delivery that keeps failing (5xx, timeout) is marked failed.
    max_tries: int = 8
    # Seconds to wait for the endpoint's answer.
    timeout_s: float = 10.0
    # Retry n waits backoff_base_s * 2**(n-1) seconds, at most backoff_max_s.
    backoff_base_s: float = 5.0
    backoff_max_s: float = 900.0
    # A pending row untouched this long lost its broker message: the sweep sends it again.
    dispatch_grace_s: int = 60
    # A row claimed ("sending") this long ago belongs to a dead worker; must exceed timeout_s.
    sending_lease_s: int = 120
    sweep_batch: int = 500

    def backoff(self, tries: int) -> float:
        """Seconds before the next try after ``tries`` failed ones."""
        return min(self.backoff_max_s, self.backoff_base_s * 2 ** max(0, tries - 1))


def get_webhook_settings() -> WebhookSettings:
    return WebhookSettings(**get_settings().overrides("webhooks_"))

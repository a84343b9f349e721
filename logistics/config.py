"""One ``Settings`` object for the whole product, read from the environment (and `.env`).

Embedded defaults let a fresh machine run everything with no server: a SQLite file
under ``./var/``, a file-system Celery broker with a worker process that
``logistics serve`` starts, and SMS stored and logged instead of sent. Production sets
``DATABASE_URL`` (PostgreSQL), ``JOBS_BROKER_URL`` (Redis) and ``SMS_BACKEND=twilio``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from datetime import time
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from logistics.exceptions import ConfigurationError

M = TypeVar("M", bound=BaseModel)

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")
    _sections: dict[str, BaseModel] = PrivateAttr(default_factory=dict)  # see section()

    app_env: Literal["development", "test", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    database_echo: bool = False

    # Celery. "embedded" means the file-system transport under var_dir (no server);
    # PLATFORM.md measured it as the fastest serverless option with working broadcast,
    # but at-most-once on a crash: the outboxes make up for that with a beat sweep.
    # Named JOBS_* because Celery's own CLI and app read BROKER_URL, CELERY_BROKER_URL and
    # RESULT_BACKEND from the environment and would override the embedded default.
    jobs_broker_url: str = "embedded"
    jobs_result_backend: str = ""
    # Redis redelivers unacknowledged tasks after this; it must exceed the longest
    # task (a 1,000-stop plan takes about a minute) plus any countdown.
    broker_visibility_timeout_s: int = 3600
    # How long a mergeable job (an SMS send over a list of ids) waits in the API process
    # for others to share its broker message (logistics.jobs); 0 sends each at once.
    jobs_merge_linger_ms: int = Field(default=50, ge=0, le=5000)

    # OSRM (``osrm-routed``) base URL for the planner's travel times, e.g. http://osrm:5000;
    # empty = straight-line distance x circuity (logistics.routing.matrix).
    routing_osrm_url: str = ""
    # Processes one plan searches in (logistics.routing.processes), at most the CPUs
    # available; 1 = the worker's own process alone.
    routing_search_processes: int = Field(default=2, ge=1)

    # Requests of one API process that hold a database session at once (at most the
    # pool's 10), tracking pages' reads included; the others wait their turn on the event loop. At 200 single scans a
    # second on 2 cores: 10 at once p99 0.15-0.8 s, 3 at once 43-333 ms (bench/
    # scan_ingest.py, 2026-12). A slow request (a large report) holds its place while it
    # runs: raise this where such requests are common or the database is far away.
    api_db_sessions: int = Field(default=3, ge=1)

    # Two-letter S10 service indicator for identifiers this installation issues.
    s10_prefix: str = Field(default="RR", pattern=r"^[A-Z]{2}$")

    # Where proof photos and signatures go: empty = var_dir/files; s3://bucket/prefix
    # (with S3_ENDPOINT_URL for MinIO/Ceph) needs the "s3" extra.
    file_store_url: str = ""

    # "console" (store and log), "twilio", or a gateway registered in logistics.notify.sms.
    sms_backend: str = "console"
    sms_sender: str = "BUUDIEN"
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_base_url: str = ""  # a Twilio-compatible server (tests, local gateways); empty = Twilio

    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr = SecretStr("change-me")
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Literal["vi", "en"] = "vi"

    access_token_ttl_s: int = 12 * 3600
    refresh_token_ttl_s: int = 30 * 24 * 3600

    # Logs: "json" or "text"; unset = text in development, JSON elsewhere (logistics.logs).
    log_format: Literal["json", "text"] | None = None
    log_level: str = "INFO"
    # GET /metrics (Prometheus): open when empty, else "Authorization: Bearer <token>".
    metrics_token: SecretStr = SecretStr("")
    # No request body may be larger (routes taking files or batches have their own, lower, limits).
    max_request_body_bytes: int = 6 * 1024 * 1024
    # The dispatcher console's map tiles ({z}/{x}/{y}); with no internet the map shows no
    # tiles and everything else works (Leaflet is served by the app itself).
    console_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    console_tile_attribution: str = "© OpenStreetMap contributors"

    demo_province: str = "Gia Lai"
    demo_seed: int = 7

    # Domain knobs, None = the default documented beside the code that uses it
    # (logistics.notify.settings, logistics.tracking.links, logistics.tracking.policy).
    # Read from NOTIFY_QUIET_START, TRACKING_LINK_TTL_DAYS_AFTER_DONE, SCAN_GEOFENCE_RADIUS_M...
    notify_quiet_start: time | None = None
    notify_quiet_end: time | None = None
    notify_max_per_phone_per_hour: int | None = None
    notify_dispatch_grace_s: int | None = None
    notify_sending_lease_s: int | None = None
    notify_max_tries: int | None = None
    notify_sweep_batch: int | None = None
    notify_reschedule_horizon_days: int | None = None
    notify_delivery_slots: tuple[str, ...] | None = None
    webhooks_max_tries: int | None = None
    webhooks_timeout_s: float | None = None
    webhooks_backoff_base_s: float | None = None
    webhooks_backoff_max_s: float | None = None
    webhooks_dispatch_grace_s: int | None = None
    webhooks_sending_lease_s: int | None = None
    notify_max_codes_per_phone_per_hour: int | None = None
    notify_batch_size: int | None = None
    notify_record_every: int | None = None
    tracking_link_ttl_days_after_done: int | None = None
    tracking_link_max_age_days: int | None = None
    tracking_link_lookup_rate_per_s: float | None = None
    tracking_link_lookup_burst: int | None = None
    scan_future_tolerance_s: int | None = None
    scan_before_item_tolerance_s: int | None = None
    scan_clock_skew_flag_s: int | None = None
    scan_geofence_radius_m: float | None = None
    scan_poor_accuracy_m: float | None = None
    scan_route_day_slack_days: int | None = None
    # logistics.accounts.throttle (SIGN_IN_MAX_FAILURES_PER_DEVICE...)
    sign_in_max_failures_per_device: int | None = None
    sign_in_max_failures_per_user: int | None = None
    sign_in_max_failures_per_address: int | None = None
    sign_in_window_s: int | None = None
    sign_in_lockout_s: int | None = None
    sign_in_max_lockout_s: int | None = None
    # logistics.tracking.proof_retention (PROOF_ORPHAN_AGE_DAYS, PROOF_RETENTION_DAYS)
    proof_orphan_age_days: int | None = None
    proof_retention_days: int | None = None

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.var_dir / 'logistics.db').resolve()}"
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_embedded_broker(self) -> bool:
        return self.jobs_broker_url == "embedded"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def broker_folder(self) -> Path:
        return (self.var_dir / "broker").resolve()

    def overrides(self, prefix: str) -> dict[str, Any]:
        """The knobs set under ``prefix`` (e.g. ``notify_``), without the prefix."""
        return {
            name.removeprefix(prefix): value
            for name, value in self.__dict__.items()
            if name.startswith(prefix) and value is not None
        }

    def section(self, prefix: str, model: type[M]) -> M:
        """``model`` built from the knobs set under ``prefix``, once for this ``Settings``
        object: hot paths ask on every request (a tracking lookup, a scan's SMS), and a
        model built per call cost ~15 us of a page view; tests that change the
        environment make a new ``Settings``, so a new section."""
        built = self._sections.get(prefix)
        if built is None:
            built = self._sections[prefix] = model(**self.overrides(prefix))
        return built

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Settings:
        copy = super().model_copy(update=update, deep=deep)
        copy._sections = {}  # a shallow copy would share them, built from the old values
        return copy

    def check_secrets(self) -> None:
        """Refuse to run outside development with a placeholder secret."""
        if self.app_env != "development":
            if self.secret_key.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS or len(
                self.secret_key.get_secret_value()
            ) < 32:
                raise ConfigurationError(
                    "SECRET_KEY is a placeholder or shorter than 32 characters; "
                    "set a long random value before running in production.",
                    code="unsafe_secret_key",
                )
            if self.sms_backend == "twilio" and not self.twilio_auth_token.get_secret_value():
                raise ConfigurationError(
                    "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
                    code="missing_twilio_credentials",
                )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    settings.check_secrets()
    return settings


def reset_settings_cache() -> None:
    """Forget the cached settings (tests that change the environment call this)."""
    get_settings.cache_clear()

"""Settings: embedded defaults, and no placeholder secret outside development."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from logistics.config import Settings
from logistics.exceptions import ConfigurationError


def test_defaults_need_no_server(tmp_path, monkeypatch):
    """With nothing configured: SQLite under var/, the embedded broker, console SMS, Vietnam's time zone."""
    for name in ("DATABASE_URL", "JOBS_BROKER_URL", "JOBS_RESULT_BACKEND", "SMS_BACKEND", "APP_ENV", "VAR_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'logistics.db'}"
    assert settings.is_embedded_broker
    assert settings.sms_backend == "console"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    settings.check_secrets()  # development accepts the placeholder


@pytest.mark.parametrize("env", ["production", "test"])
@pytest.mark.parametrize("secret", ["change-me", "secret", "short-but-not-placeholder"])
def test_outside_development_a_placeholder_secret_is_refused(secret, env):
    """Outside development a placeholder or short SECRET_KEY is refused with a clear error."""
    settings = Settings(_env_file=None, app_env=env, secret_key=SecretStr(secret))
    with pytest.raises(ConfigurationError) as raised:
        settings.check_secrets()
    assert raised.value.code == "unsafe_secret_key"


def test_production_accepts_long_random_secret():
    """A long random secret passes in production."""
    Settings(_env_file=None, app_env="production", secret_key=SecretStr("x7" * 24)).check_secrets()


def test_twilio_needs_credentials_in_production():
    """SMS through Twilio in production needs the account's credentials."""
    settings = Settings(_env_file=None, app_env="production", secret_key=SecretStr("k" * 40), sms_backend="twilio")
    with pytest.raises(ConfigurationError, match="TWILIO"):
        settings.check_secrets()


def test_a_section_is_built_once_per_settings_and_never_shared_with_a_copy():
    """``Settings.section``: the knobs under a prefix as their model, built once for a
    ``Settings`` object; a copy with other values builds its own."""
    from logistics.notify.settings import NotifySettings

    settings = Settings(notify_batch_size=20)
    first = settings.section("notify_", NotifySettings)
    assert first.batch_size == 20 and settings.section("notify_", NotifySettings) is first
    copy = settings.model_copy(update={"notify_batch_size": 7})
    assert copy.section("notify_", NotifySettings).batch_size == 7
    assert settings.section("notify_", NotifySettings).batch_size == 20

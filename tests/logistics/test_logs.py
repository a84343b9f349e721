"""Log lines: JSON or text by setting, the request id on each, and no personal data or
secret anywhere in a record (message, arguments, extra fields, traceback)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from logistics.config import Settings
from logistics.logs import bind_request_id, configure_logging, log_format, reset_request_id
from logistics.redaction import Redactor, is_sensitive_key

SECRET = "s3cr3t-" + "x" * 40
PHONE = "+84912345678"


@pytest.fixture()
def stream() -> Iterator[io.StringIO]:
    """The root logger's output through our handler, as in production (JSON)."""
    out = io.StringIO()
    settings = Settings(log_format="json", secret_key=SecretStr(SECRET), twilio_auth_token=SecretStr("tw-" + "t" * 30))
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(settings, stream=out)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def _lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


@pytest.mark.parametrize(("text", "masked"), [
    ("to=+84912345678 chars=80", "to=***"),
    ("call 0912 345 678.", "call ***678."),
    ("(+84) 912.345.678", "***678"),
    ("+1 415 555 0100", "***100"),
    ('{"full_name": "Nguyễn Văn An", "x": 1}', '{"full_name": "***", "x": 1}'),
    ("full_name='Nguyễn Văn An' address='12 Nguyễn Huệ'", "full_name='***' address='***'"),
    ("Authorization: Bearer abcDEF123456.xyz", "Authorization: ***"),
    ("sent with Bearer abcDEF123456.xyz", "Bearer ***"),
    ("postgresql://bcci:pa55word@db:5432/bcci", "postgresql://bcci:***@db:5432/bcci"),
    ("GET /t/AbCdEfGhIjKlMnOpQrStUv.json 200", "GET /t/***.json 200"),
    ("pin=1234 password=hunter2 otp_code: '482913'", "pin=*** password=*** otp_code: '***'"),
])
def test_masks(text, masked):
    assert masked in Redactor().text(text)


@pytest.mark.parametrize("text", [
    "seconds=0.1234567891", "EB123456785VN", "request 3f2a0912345678ab", "000.00.22.H21-261120-0001",
    "2026-11-20 08:00:00", "error_code=invalid_phone", "tokens_revoked count=3", "item 42 delivered",
])
def test_leaves_ordinary_text(text):
    assert Redactor().text(text) == text


def test_sensitive_keys():
    assert all(map(is_sensitive_key, ["pin", "x_pin", "password", "access_token", "full_name", "phone_e164", "otp"]))
    assert not any(map(is_sensitive_key, ["pinned", "item_id", "status", "MessageSid", "duration_ms"]))


def test_json_line_carries_the_request_id(stream):
    token = bind_request_id("req-123")
    try:
        logging.getLogger("logistics.test").info("item %s delivered", 42)
    finally:
        reset_request_id(token)
    logging.getLogger("logistics.test").info("outside")
    first, second = _lines(stream)
    assert first["message"] == "item 42 delivered" and first["request_id"] == "req-123"
    assert first["level"] == "INFO" and first["logger"] == "logistics.test" and first["time"]
    assert second["request_id"] == "-"


def test_nothing_personal_or_secret_survives(stream):
    """Message arguments, extra fields, nested structures, the traceback, the secret key."""
    log = logging.getLogger("logistics.test")
    try:
        raise ValueError(
            "(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint \"uq_person\"\n"
            f"DETAIL:  Key (full_name, phone_e164)=(Nguyễn Văn An, {PHONE}) already exists.\n"
            "[SQL: INSERT INTO person (full_name, phone_e164, pin) VALUES (%(a)s, %(b)s, %(c)s)]\n"
            f"[parameters: {{'a': 'Nguyễn Văn An', 'b': '{PHONE}', 'c': '1234', 'k': '{SECRET}'}}]\n"
            "(Background on this error at: https://sqlalche.me/e/20/gkpj)"
        )
    except ValueError:
        log.exception("could not save %s for %s", PHONE, {"full_name": "Nguyễn Văn An", "address": "12 Lê Lợi"},
                      extra={"phone": "0912345678", "recipient": {"full_name": "Trần Thị Bình", "pin": "9876"},
                             "headers": {"Authorization": "Bearer abcdef0123456789"}, "item_id": 7})
    text = stream.getvalue()
    for leak in (PHONE, "912345678", "912 345 678", "Nguyễn Văn An", "12 Lê Lợi", "Trần Thị Bình", "9876", "1234",
                 SECRET, "abcdef0123456789"):
        assert leak not in text, leak
    (line,) = _lines(stream)
    assert line["item_id"] == 7 and line["phone"] == "***" and "ValueError" in line["exc_info"]
    assert "***678" in line["message"] and "[parameters: ***]" in line["exc_info"]


def test_text_in_development_json_elsewhere():
    assert log_format(Settings(app_env="development")) == "text"
    assert log_format(Settings(app_env="production", secret_key=SecretStr("p" * 40))) == "json"
    assert log_format(Settings(app_env="development", log_format="json")) == "json"


def test_text_format_names_the_request():
    out = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(Settings(log_format="text"), stream=out)
    try:
        token = bind_request_id("abc")
        logging.getLogger("x").warning("sent to %s", PHONE)
        reset_request_id(token)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    line = out.getvalue().strip()
    assert "WARNING" in line and "[abc] x: sent to ***678" in line and PHONE not in line


def test_records_skip_what_no_format_shows(stream):
    """No walk up the stack for the caller, no thread or process names: every request's
    access line would pay for them, and no format of ours shows them."""
    records: list[logging.LogRecord] = []
    keep = logging.Handler()
    keep.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("lean")
    logger.addHandler(keep)
    try:
        logger.warning("x")
    finally:
        logger.removeHandler(keep)
    assert (records[0].lineno, records[0].threadName, records[0].processName) == (0, None, None)
    assert _lines(stream)[-1]["message"] == "x"


def test_database_errors_hide_statement_parameters(engine):
    """Engines never quote parameters (names, phones) in their errors or echo lines."""
    import sqlalchemy as sa

    with pytest.raises(sa.exc.DBAPIError) as raised, engine.connect() as connection:
        connection.execute(sa.text("select :phone from no_such_table"), {"phone": PHONE})
    assert PHONE not in str(raised.value) and "hidden" in str(raised.value)


def test_uvicorn_logging_config(capsys):
    """``logistics serve`` hands uvicorn this dictConfig: its loggers go through the same
    masking JSON handler, and its own access lines are off (ours carry the route)."""
    import logging.config

    from logistics.logs import logging_config

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logging.config.dictConfig(logging_config(Settings(log_format="json")))
        logging.getLogger("uvicorn.error").info("client 0912345678 connected")
        logging.getLogger("uvicorn.access").info("GET /t/AbCdEfGhIjKlMnOpQrStUv 200")
    finally:
        root.handlers[:], root.level = saved
    (line,) = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert line["logger"] == "uvicorn.error" and line["message"] == "client ***678 connected"

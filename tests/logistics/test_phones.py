"""Vietnamese mobile numbers and the masking of phones and names on public surfaces."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.exceptions import InvalidInput
from logistics.phones import mask_name, mask_phone, normalise_vn_mobile

# Current mobile prefixes (after the 2018 switch from 11 to 10 digits) of the
# big carriers; the test does not claim which carrier owns which.
MOBILE_PREFIXES = ["32", "35", "39", "70", "77", "81", "86", "88", "90", "91", "96", "97", "98"]


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        "0912.345.678",
        "0912-345-678",
        " 091 234 5678 ",
        "(+84) 912-345-678",
        "+84912345678",
    ],
)
def test_accepts_the_usual_ways_of_writing_a_mobile(raw: str) -> None:
    """National, international and 84-prefixed forms with separators all give E.164."""
    assert normalise_vn_mobile(raw) == "+84912345678"


@given(st.sampled_from(MOBILE_PREFIXES), st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_every_current_mobile_prefix_normalises(prefix: str, rest: str) -> None:
    """0[35789]x xxx xxxx numbers of current prefixes are mobiles and keep their digits."""
    assert normalise_vn_mobile(f"0{prefix}{rest}") == f"+84{prefix}{rest}"


def test_normalising_is_idempotent() -> None:
    """An E.164 number we stored normalises to itself."""
    e164 = normalise_vn_mobile("0987 654 321")
    assert normalise_vn_mobile(e164) == e164


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("024 3822 1234", "landline"),  # Hà Nội landline
        ("028 3829 1234", "landline"),  # Hồ Chí Minh City landline
        ("1900 1234", "landline or service"),  # premium-rate service number
        ("+1 415 555 0123", "+1 number"),  # United States
        ("+66 81 234 5678", "+66 number"),  # a Thai mobile
        ("091234567", "not a valid Vietnamese number"),  # 9 digits
        ("09123456789", "not a valid Vietnamese number"),  # 11 digits
        ("113", "not a valid Vietnamese number"),  # emergency short number
    ],
)
def test_refuses_landlines_foreign_and_short_numbers(raw: str, reason: str) -> None:
    """Only valid Vietnamese mobile numbers pass; the error says why the number was refused."""
    with pytest.raises(InvalidInput) as err:
        normalise_vn_mobile(raw)
    assert err.value.code == "invalid_phone"
    assert err.value.status_code == 422
    assert reason in err.value.detail


@pytest.mark.parametrize(
    "raw", ["", "   ", "09I2345678", "0912345678 ext 2", "+84 912 345 678#", "số điện thoại"]
)
def test_refuses_text_that_is_not_a_number(raw: str) -> None:
    """Empty text, letters (even one that looks like a 1) and extensions are refused."""
    with pytest.raises(InvalidInput) as err:
        normalise_vn_mobile(raw)
    assert err.value.code == "invalid_phone"


def test_error_message_shows_only_the_last_three_digits() -> None:
    """Refusals end up in logs, so the sentence names the number by its last 3 digits only."""
    with pytest.raises(InvalidInput) as err:
        normalise_vn_mobile("024 3822 1234")
    assert "ending 234" in err.value.detail
    assert "3822" not in err.value.detail


def test_mask_phone_keeps_country_code_and_last_three_digits() -> None:
    """+84912345678 is shown as +84 *** *** 678."""
    assert mask_phone("+84912345678") == "+84 *** *** 678"


@given(st.sampled_from(MOBILE_PREFIXES), st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_mask_phone_reveals_nothing_but_the_tail(prefix: str, rest: str) -> None:
    """No digit of a Vietnamese mobile number shows except its last three."""
    masked = mask_phone(normalise_vn_mobile(f"0{prefix}{rest}"))
    assert masked == f"+84 *** *** {rest[-3:]}"


@pytest.mark.parametrize(
    "value", ["0912345678", "84912345678", "+84 912 345 678", "", "+0123456789"]
)
def test_mask_phone_wants_stored_e164(value: str) -> None:
    """mask_phone works on the stored E.164 form only, never on raw input."""
    with pytest.raises(InvalidInput) as err:
        mask_phone(value)
    assert err.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("full_name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Trần Thị Thu Hà", "Trần T. T. H."),
        ("Lê Hoa", "Lê H."),
        ("  Phạm   Minh  Đức ", "Phạm M. Đ."),
        ("Ánh", "Á."),
        ("NGUYỄN VĂN AN", "NGUYỄN V. A."),
    ],
)
def test_mask_name_keeps_family_name_and_initials(full_name: str, masked: str) -> None:
    """Family name in full, every other word as its initial; a lone word is reduced too."""
    assert mask_name(full_name) == masked


def test_mask_name_keeps_accents_of_decomposed_input() -> None:
    """A name typed in decomposed Unicode (NFD) keeps the accent on its initials."""
    assert mask_name(unicodedata.normalize("NFD", "Võ Ánh Đào")) == "Võ Á. Đ."


@pytest.mark.parametrize("full_name", ["", "   "])
def test_mask_name_refuses_empty(full_name: str) -> None:
    """An empty name is an input error, not an empty mask."""
    with pytest.raises(InvalidInput) as err:
        mask_name(full_name)
    assert err.value.code == "invalid_name"


@given(
    st.lists(
        st.text(
            alphabet="abcdeghiklmnopqrstuvxyăâđêôơưáàảãạếềểễệốồổỗộớờởỡợứừửữự",
            min_size=2,
            max_size=8,
        ),
        min_size=2,
        max_size=5,
    )
)
def test_mask_name_never_shows_a_given_name_in_full(words: list[str]) -> None:
    """Only the first word survives whole; the others are reduced to one letter and a dot."""
    masked = mask_name(" ".join(words)).split(" ")
    assert masked[0] == words[0]
    assert masked[1:] == [f"{w[0]}." for w in words[1:]]

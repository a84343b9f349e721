"""Made-up people: Vietnamese names, addresses and valid mobile numbers, reproducible."""

from __future__ import annotations

import numpy as np
import phonenumbers
from phonenumbers import PhoneNumberType

from logistics.demo import names
from logistics.geography.communes import load_communes
from logistics.phones import normalise_vn_mobile


def test_every_mobile_prefix_is_a_vietnamese_mobile_for_phonenumbers() -> None:
    """Every number a demo prefix can give (any fourth digit) is a valid VN mobile for
    libphonenumber: some ranges are valid only from a fourth digit on (0992 is not)."""
    for prefix in names.MOBILE_PREFIXES:
        for tail in (f"{d}{rest}" for d in range(10) for rest in ("000000", "123456", "999999")):
            number = phonenumbers.parse(prefix + tail, "VN")
            assert phonenumbers.is_valid_number(number), prefix
            assert phonenumbers.number_type(number) == PhoneNumberType.MOBILE, prefix


def test_generated_phones_normalise_to_the_e164_the_demo_stores() -> None:
    """A generated number is 10 digits 0[35789]…, and to_e164 agrees with the product's parser."""
    rng = np.random.default_rng(1)
    for _ in range(300):
        national = names.mobile_phone(rng)
        assert len(national) == 10 and national[0] == "0" and national[1] in "35789"
        assert names.to_e164(national) == normalise_vn_mobile(national)


def test_names_are_reproducible_from_the_seed_and_gender_aware() -> None:
    """The same seed gives the same names; Văn is never a woman's and Thị never a man's middle name."""
    a = [names.person_name(np.random.default_rng(5)) for _ in range(3)]
    b = [names.person_name(np.random.default_rng(5)) for _ in range(3)]
    assert a == b
    rng = np.random.default_rng(2)
    for _ in range(200):
        assert names.person_name(rng, "f").split()[1] != "Văn"
        assert names.person_name(rng, "m").split()[1] != "Thị"
        assert len(names.person_name(rng).split()) == 3


def test_addresses_name_the_commune_and_province() -> None:
    """An address ends with the commune's and province's full names; offices get a street."""
    rng = np.random.default_rng(3)
    commune = next(c for c in load_communes() if c.unit_type == "Xã" and c.lat < 11)
    for _ in range(50):
        address = names.street_address(rng, commune)
        assert address.endswith(f"{commune.name}, {commune.province_name}")
        assert address.startswith(("Số ", "Ấp "))
        assert names.street_address(rng, commune, street_only=True).startswith("Số ")

import hashlib
import hmac
import os
import stat

import pytest
from jeugdmonitor.transforms.bsn import bsn_check_digit, is_valid_bsn, mask_bsn

from jeugdmonitor.config import PrivacyConfig
from jeugdmonitor.pseudonym import Pseudonymiser, PseudonymKeyError, create_key_file, load_key


@pytest.mark.parametrize("value", ["999900006", "999900018", "111222333", "123456782"])
def test_valid_bsns_pass_the_elfproef(value):
    assert is_valid_bsn(value)


@pytest.mark.parametrize(
    "value",
    [
        "999900007",
        "123456789",
        "000000000",
        "99990000",
        "9999000061",
        "99990000x",
        "",
        None,
        "١٢٣٤٥٦٧٨٢",
        "１２３４５６７８２",
    ],
)
def test_invalid_bsns_fail(value):
    assert not is_valid_bsn(value)


def test_check_digit_makes_a_valid_bsn_or_says_none_exists():
    assert bsn_check_digit("99990000") == 6
    for prefix in ("12345678", "99990001", "90000000"):
        digit = bsn_check_digit(prefix)
        if digit is None:
            assert not any(is_valid_bsn(prefix + str(d)) for d in range(10))
        else:
            assert is_valid_bsn(prefix + str(digit))


def test_mask_shows_two_digits_at_each_end_only():
    assert mask_bsn("999900006") == "99*****06"
    assert mask_bsn("123") == "***"
    assert mask_bsn("") == ""


def test_known_answer_rfc4231_case_6():
    # RFC 4231 test case 6: a 131-byte key of 0xaa; data is ASCII. Independent of our code.
    pseudonymise = Pseudonymiser(b"\xaa" * 131)
    assert pseudonymise("Test Using Larger Than Block-Size Key - Hash Key First") == (
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    )


def test_known_answer_for_a_test_bsn():
    # Computed independently: printf 999900006 | openssl dgst -sha256 -mac HMAC -macopt hexkey:aa..aa (32 bytes)
    assert Pseudonymiser(b"\xaa" * 32)("999900006") == (
        "e7d73d2d23fba77a147288160fa24286eb0296d78dd7a6813a287bb2c859a332"
    )


def test_same_key_same_pseudonym_other_key_other_pseudonym():
    a, b = Pseudonymiser(b"\x01" * 32), Pseudonymiser(b"\x02" * 32)
    assert a("999900006") == a("999900006") != b("999900006")
    assert "999900006" not in a("999900006")


def test_short_key_is_refused_and_key_never_shown():
    with pytest.raises(PseudonymKeyError):
        Pseudonymiser(b"short")
    pseudonymiser = Pseudonymiser(b"\x07" * 32)
    assert "07" * 4 not in repr(pseudonymiser)
    assert len(pseudonymiser.key_id) == 12


def test_key_lookup_order_environment_then_file(tmp_path):
    key_file = tmp_path / "k.key"
    key_file.write_text("11" * 32)
    privacy = PrivacyConfig(key_env="TEST_KEY_VAR", key_file=key_file)
    assert load_key(privacy, {"TEST_KEY_VAR": "22" * 32}) == b"\x22" * 32
    assert load_key(privacy, {}) == b"\x11" * 32


def test_missing_key_is_an_error_unless_creation_is_allowed(tmp_path):
    missing = tmp_path / "sub" / "new.key"
    with pytest.raises(PseudonymKeyError, match="no pseudonymisation key"):
        load_key(PrivacyConfig(key_file=missing), {})
    assert not missing.exists()
    key = load_key(PrivacyConfig(key_file=missing, create_key_file=True), {})
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(missing).st_mode) == 0o600
    # the second call reads the same key instead of making a new one
    assert load_key(PrivacyConfig(key_file=missing, create_key_file=True), {}) == key


def test_create_key_file_refuses_to_overwrite(tmp_path):
    path = tmp_path / "k.key"
    create_key_file(path)
    with pytest.raises(FileExistsError):
        create_key_file(path)


def test_non_hex_key_is_reported_with_its_source():
    with pytest.raises(PseudonymKeyError, match=r"\$K"):
        load_key(PrivacyConfig(key_env="K"), {"K": "not hex"})


def test_prefect_secret_block_is_used_when_configured(monkeypatch):
    from prefect.blocks import system

    class FakeSecret:
        @staticmethod
        def load(name):
            assert name == "jeugdmonitor-key"

            class Value:
                def get(self):
                    return "33" * 32

            return Value()

    monkeypatch.setattr(system, "Secret", FakeSecret)
    assert load_key(PrivacyConfig(key_env="UNSET_VAR", key_block="jeugdmonitor-key"), {}) == b"\x33" * 32


def test_pseudonym_is_plain_hmac_sha256():
    key = os.urandom(32)
    assert Pseudonymiser(key)("999900018") == hmac.new(key, b"999900018", hashlib.sha256).hexdigest()


def test_pseudonymiser_gives_the_same_pseudonyms_after_pickling_and_call_after_call():
    """It goes to the parse workers by pickle, and keeps a keyed HMAC state that every call copies."""
    import pickle

    key = os.urandom(32)
    pseudonymise = pickle.loads(pickle.dumps(Pseudonymiser(key)))
    for bsn in ("999900018", "999900006", "999900018"):
        assert pseudonymise(bsn) == hmac.new(key, bsn.encode(), hashlib.sha256).hexdigest()

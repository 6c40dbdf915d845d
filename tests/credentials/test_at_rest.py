import hashlib
import hmac

import pytest
from cryptography.exceptions import InvalidTag

from credentials import at_rest


def test_digest_is_hmac_sha256_under_the_current_pepper(settings):
    pepper_id, pepper = settings.PORTICO_TOKEN_PEPPERS[0]

    digest = at_rest.digest("ptc_bt_example")

    assert digest.pepper_id == pepper_id
    expected = hmac.new(pepper, b"ptc_bt_example", hashlib.sha256).hexdigest()
    assert digest.hexdigest == expected


def test_a_different_pepper_gives_a_different_digest(settings):
    before = at_rest.digest("ptc_bt_example").hexdigest
    settings.PORTICO_TOKEN_PEPPERS = [("t2", b"p" * 32), *settings.PORTICO_TOKEN_PEPPERS]

    assert at_rest.digest("ptc_bt_example").hexdigest != before
    assert before in at_rest.candidate_digests("ptc_bt_example")


def test_encryption_round_trips_and_names_its_key(settings):
    sealed = at_rest.encrypt("ptc_cs_secret", context="api_key:abc")

    assert sealed.key_id == settings.PORTICO_ENCRYPTION_KEYS[0][0]
    assert b"ptc_cs_secret" not in sealed.ciphertext
    assert at_rest.decrypt(sealed, context="api_key:abc") == "ptc_cs_secret"


def test_a_ciphertext_moved_to_another_row_does_not_decrypt():
    sealed = at_rest.encrypt("ptc_cs_secret", context="api_key:abc")

    with pytest.raises(InvalidTag):
        at_rest.decrypt(sealed, context="api_key:other")


def test_the_same_secret_encrypts_differently_each_time():
    first = at_rest.encrypt("ptc_cs_secret", context="x")
    second = at_rest.encrypt("ptc_cs_secret", context="x")

    assert first.ciphertext != second.ciphertext

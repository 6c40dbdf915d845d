import pytest
from django.core.management import CommandError, call_command

from credentials.models import Credential, Kind
from credentials.services import regenerate_credential
from credentials.verification import verify_access_token, verify_api_key
from tests.actors import act

pytestmark = pytest.mark.django_db

NEW_KEY = ("k2", b"n" * 32)


@pytest.fixture
def secrets_by_value(app, standalone_app, user):
    """Three API Keys and an Access Token, each with its secret, under the first key."""
    access = regenerate_credential(app=app, kind=Kind.ACCESS_TOKEN, actor=act(user))
    return {
        app.issued_api_key.value: app.issued_api_key.secret,
        standalone_app.issued_api_key.value: standalone_app.issued_api_key.secret,
        access.value: access.secret,
    }


def secret_of(value: str) -> str:
    verify = verify_api_key if value.startswith("ptc_ck_") else verify_access_token
    return verify(value).secret()


def test_rotation_re_encrypts_every_secret_under_the_newest_key(settings, secrets_by_value):
    old_keys = settings.PORTICO_ENCRYPTION_KEYS
    settings.PORTICO_ENCRYPTION_KEYS = [NEW_KEY, *old_keys]

    call_command("rotate_encryption_keys", batch_size=2)

    assert set(
        Credential.objects.filter(secret_ciphertext__isnull=False).values_list(
            "secret_key_id", flat=True
        )
    ) == {"k2"}
    settings.PORTICO_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can go now
    for value, secret in secrets_by_value.items():
        assert secret_of(value) == secret


def test_an_interrupted_rotation_loses_nothing_and_a_second_run_finishes_it(
    settings, secrets_by_value, monkeypatch
):
    from credentials import at_rest

    settings.PORTICO_ENCRYPTION_KEYS = [NEW_KEY, *settings.PORTICO_ENCRYPTION_KEYS]
    real_encrypt, calls = at_rest.encrypt, []

    def crash_on_the_second_batch(plaintext, *, context):
        calls.append(context)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_encrypt(plaintext, context=context)

    monkeypatch.setattr(at_rest, "encrypt", crash_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_encryption_keys", batch_size=1)
    monkeypatch.setattr(at_rest, "encrypt", real_encrypt)
    key_ids = sorted(
        Credential.objects.exclude(secret_key_id="").values_list("secret_key_id", flat=True)
    )
    assert key_ids == ["k1", "k1", "k2"]
    for value, secret in secrets_by_value.items():
        assert secret_of(value) == secret

    call_command("rotate_encryption_keys", batch_size=1)
    call_command("rotate_encryption_keys", batch_size=1)  # and again: nothing left to do

    settings.PORTICO_ENCRYPTION_KEYS = [NEW_KEY]
    for value, secret in secrets_by_value.items():
        assert secret_of(value) == secret


def test_a_secret_under_a_key_no_longer_configured_stops_the_rotation(settings, secrets_by_value):
    settings.PORTICO_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(CommandError, match="not in PORTICO_ENCRYPTION_KEYS"):
        call_command("rotate_encryption_keys")

    assert not Credential.objects.filter(secret_key_id="k2").exists()


def test_a_damaged_secret_is_reported_and_skipped_and_the_rest_is_rotated(
    settings, secrets_by_value, capsys
):
    settings.PORTICO_ENCRYPTION_KEYS = [NEW_KEY, *settings.PORTICO_ENCRYPTION_KEYS]
    damaged = Credential.objects.filter(secret_ciphertext__isnull=False).order_by("pk").first()
    ciphertext = bytearray(damaged.secret_ciphertext)
    ciphertext[-1] ^= 1
    Credential.objects.filter(pk=damaged.pk).update(secret_ciphertext=bytes(ciphertext))

    with pytest.raises(
        CommandError, match=rf"1 damaged and left as they were \(credential {damaged.pk}\)"
    ):
        call_command("rotate_encryption_keys", batch_size=1)

    report = capsys.readouterr().err
    assert f"Credential {damaged.pk} ({damaged.get_kind_display()}) does not decrypt" in report
    assert not any(secret in report for secret in secrets_by_value.values())
    key_ids = dict(
        Credential.objects.filter(secret_ciphertext__isnull=False).values_list(
            "pk", "secret_key_id"
        )
    )
    assert key_ids.pop(damaged.pk) == "k1"
    assert set(key_ids.values()) == {"k2"} and len(key_ids) == 2
    for value, secret in secrets_by_value.items():
        if Credential.objects.filter(pk=damaged.pk, hint=value[-4:]).exists():
            continue
        assert secret_of(value) == secret

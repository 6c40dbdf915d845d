"""Re-encrypt every API Key Secret and Access Token Secret under the current encryption key (the
first of PORTICO_ENCRYPTION_KEYS). Batches commit one by one, so an interrupted run loses nothing
and a second run carries on with what is left. A damaged ciphertext (one that no longer decrypts
under its key) is reported by row and kind, never its content, and skipped; the others are still
re-encrypted, and the command fails at the end so the damage is not missed.
"""

from cryptography.exceptions import InvalidTag
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from credentials import at_rest
from credentials.models import Credential


class Command(BaseCommand):
    help = "Re-encrypt every stored secret under the current key of PORTICO_ENCRYPTION_KEYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        current = at_rest.current_key_id()
        stale = Credential.objects.filter(secret_ciphertext__isnull=False).exclude(
            secret_key_id=current
        )
        total, damaged, last_pk = 0, [], 0
        while True:
            with transaction.atomic():
                batch = list(
                    stale.filter(pk__gt=last_pk).select_for_update().order_by("pk")[:batch_size]
                )
                for credential in batch:
                    last_pk = credential.pk
                    sealed = at_rest.Sealed(credential.secret_key_id, credential.secret_ciphertext)
                    try:
                        secret = at_rest.decrypt(sealed, context=credential.encryption_context)
                    except InvalidTag:
                        damaged.append(credential)
                        self.stderr.write(
                            f"Credential {credential.pk} ({credential.get_kind_display()}) does "
                            f"not decrypt under key “{credential.secret_key_id}”: damaged, "
                            "skipped."
                        )
                        continue
                    except KeyError as error:
                        raise CommandError(
                            f"Credential {credential.pk} is encrypted under key "
                            f"“{credential.secret_key_id}”, which is not in "
                            "PORTICO_ENCRYPTION_KEYS: add it back (after the current key)."
                        ) from error
                    resealed = at_rest.encrypt(secret, context=credential.encryption_context)
                    credential.secret_key_id = resealed.key_id
                    credential.secret_ciphertext = resealed.ciphertext
                    credential.save(update_fields=["secret_key_id", "secret_ciphertext"])
                    total += 1
            if len(batch) < batch_size:
                break
            self.stdout.write(f"{total} secrets re-encrypted so far")
        if damaged:
            ids = ", ".join(str(credential.pk) for credential in damaged)
            raise CommandError(
                f"{total} secrets re-encrypted under key “{current}”; {len(damaged)} damaged "
                f"and left as they were (credential {ids}); their Apps' owners must regenerate "
                "them."
            )
        self.stdout.write(
            self.style.SUCCESS(f"{total} secrets re-encrypted under key “{current}”; none left.")
        )

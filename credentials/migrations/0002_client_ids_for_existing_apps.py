"""Apps created before keys and tokens existed get their OAuth 2.0 Client ID."""

import secrets
import zlib

from django.db import migrations

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _client_id() -> str:
    # A frozen copy of credentials.formats.generate(CLIENT_ID): migrations must not change later.
    head = "pci_" + "".join(secrets.choice(BASE62) for _ in range(32))
    number, digits = zlib.crc32(head.encode("ascii")), []
    for _ in range(6):
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return head + "".join(reversed(digits))


def add_client_ids(apps, schema_editor):
    App = apps.get_model("apps", "App")
    ClientId = apps.get_model("credentials", "ClientId")
    for app in App.objects.filter(oauth2_client_id__isnull=True).iterator():
        ClientId.objects.create(app=app, value=_client_id())


class Migration(migrations.Migration):
    dependencies = [("credentials", "0001_initial")]

    operations = [migrations.RunPython(add_client_ids, migrations.RunPython.noop)]

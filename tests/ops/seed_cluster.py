"""Seed a cluster database for the evidence tests and print what they need as one JSON object:
a developer with an App and one valid value of every kind, and an operator.

    DATABASE_URL=... python -m tests.ops.seed_cluster
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.ops.cluster_settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

from apps.models import UserAuthenticationSettings  # noqa: E402
from credentials.models import ClientId, Kind  # noqa: E402
from credentials.services import regenerate_credential  # noqa: E402
from tests.actors import act  # noqa: E402
from workspace.services import create_app  # noqa: E402

PASSWORD = "cluster-tests-password-42"


def main() -> None:
    users = get_user_model().objects
    owner = users.create_user(email="owner@cluster.example", password=PASSWORD)
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    operator = users.create_superuser(email="operator@cluster.example", password=PASSWORD)
    EmailAddress.objects.create(user=operator, email=operator.email, verified=True, primary=True)
    app = create_app(actor=act(owner), name="Cluster App")
    UserAuthenticationSettings.objects.update_or_create(
        app=app, defaults={"oauth2_enabled": True, "type_of_app": "web"}
    )
    values = {}
    for kind in (Kind.API_KEY, Kind.BEARER_TOKEN, Kind.ACCESS_TOKEN, Kind.CLIENT_SECRET):
        issued = regenerate_credential(app=app, kind=kind, actor=act(owner))
        values[kind.value] = {"value": issued.value, "secret": issued.secret}
    print(
        json.dumps(
            {
                "password": PASSWORD,
                "owner": owner.email,
                "operator": operator.email,
                "app_id": app.app_id,
                "app_pk": app.pk,
                "client_id": ClientId.objects.get(app=app).value,
                "values": values,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Create the bench's client and tokens in django-oauth-toolkit's tables; print them as JSON.

python setup_data.py <refresh tokens> <refresh token file>
"""

import json
import os
import secrets
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dot_bench.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import AccessToken, Application, RefreshToken  # noqa: E402


def main() -> None:
    count, path = int(sys.argv[1]), sys.argv[2]
    user = get_user_model().objects.create_user(username="bench")
    client_secret = secrets.token_urlsafe(32)
    app = Application.objects.create(
        name="bench",
        user=user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=client_secret,  # hashed on save, as the toolkit does by default
    )
    expires = timezone.now() + timedelta(hours=10)
    access = AccessToken.objects.bulk_create(
        AccessToken(
            user=user,
            application=app,
            token=secrets.token_urlsafe(30),
            expires=expires,
            scope="read",
        )
        for _ in range(count + 1)
    )
    refresh_values = [secrets.token_urlsafe(30) for _ in range(count)]
    RefreshToken.objects.bulk_create(
        RefreshToken(user=user, application=app, token=value, access_token=token)
        for value, token in zip(refresh_values, access[1:], strict=True)
    )
    with open(path, "w") as out:
        out.write("\n".join(refresh_values) + "\n")
    print(
        json.dumps(
            {
                "client_id": app.client_id,
                "client_secret": client_secret,
                "access_token": access[0].token,
            }
        )
    )


if __name__ == "__main__":
    main()

"""The rules hold when requests race: the App row lock serialises settings and App details."""

import contextlib
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from apps.models import TypeOfApp, UserAuthenticationSettings
from apps.services import update_app_details
from auth_settings.services import update_auth_settings
from core.errors import ValidationError
from credentials.models import Credential, Kind
from tests.actors import act

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; CI runs the suite on it too",
    ),
]

THREADS = 8


def run_at_once(works: list[Callable[[], object]]) -> list[Exception]:
    """Run `works` in threads released together; the errors other than refusals."""
    barrier = threading.Barrier(len(works))
    errors = []

    def run(work):
        try:
            barrier.wait()
            work()
        except ValidationError:
            pass
        except Exception as error:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=[work]) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_racing_type_switches_leave_a_client_secret_only_on_a_confidential_client(ready_app, user):
    types = [TypeOfApp.WEB, TypeOfApp.NATIVE] * (THREADS // 2)
    errors = run_at_once(
        [
            lambda type_of_app=type_of_app: update_auth_settings(
                app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=type_of_app
            )
            for type_of_app in types
        ]
    )
    assert errors == []
    settings = UserAuthenticationSettings.objects.get(app=ready_app)
    valid = Credential.objects.filter(
        app=ready_app, kind=Kind.CLIENT_SECRET, revoked_at__isnull=True
    ).count()
    assert valid == (1 if settings.is_confidential_client else 0)


def test_racing_email_request_and_terms_removal_never_leave_email_without_terms(ready_app, user):
    works = []
    for _ in range(THREADS // 2):
        works.append(
            lambda: update_auth_settings(app=ready_app, actor=act(user), request_email=True)
        )
        works.append(
            lambda: update_app_details(
                app=type(ready_app).objects.get(pk=ready_app.pk),
                actor=act(user),
                terms_of_service_url="",
            )
        )
    assert run_at_once(works) == []
    ready_app.refresh_from_db()
    settings = UserAuthenticationSettings.objects.filter(app=ready_app).first()
    assert not (settings and settings.request_email and not ready_app.terms_of_service_url)


def test_client_secret_regeneration_racing_a_switch_to_a_public_client_leaves_no_secret(
    ready_app, user, settings
):
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 1000
    from core.errors import Conflict
    from credentials.services import regenerate_credential

    for _ in range(5):
        update_auth_settings(
            app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
        )
        works = [
            lambda: update_auth_settings(
                app=ready_app, actor=act(user), type_of_app=TypeOfApp.NATIVE
            )
        ] + [
            lambda: _refused_or_done(
                Conflict,
                lambda: regenerate_credential(
                    app=ready_app, kind=Kind.CLIENT_SECRET, actor=act(user)
                ),
            )
            for _ in range(THREADS - 1)
        ]
        assert run_at_once(works) == []
        settings = UserAuthenticationSettings.objects.get(app=ready_app)
        assert not settings.is_confidential_client
        assert (
            not Credential.objects.filter(app=ready_app, kind=Kind.CLIENT_SECRET).valid().exists()
        )


def _refused_or_done(refusal, work):
    with contextlib.suppress(refusal):
        work()

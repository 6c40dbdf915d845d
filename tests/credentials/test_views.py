import logging
import re

import pytest
from django.db import connection
from django.urls import reverse

from apps.models import App, Permission, UserAuthenticationSettings
from credentials import formats
from credentials.models import Credential, Kind
from credentials.services import regenerate_credential
from credentials.verification import Reason, verify_access_token, verify_bearer_token
from ops.logs import JsonFormatter
from tests.actors import act
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECRET_PATTERN = re.compile(r"\bptc_[a-z]{2}_[0-9A-Za-z]{38}\b")


def keys_url(app):
    return reverse("credentials:keys", args=[app.app_id])


def regenerate_url(app, kind):
    return reverse("credentials:regenerate", args=[app.app_id, kind])


def revoke_url(app, credential):
    return reverse("credentials:revoke", args=[app.app_id, credential.pk])


def secrets_in(response) -> list[str]:
    return SECRET_PATTERN.findall(response.content.decode())


def database_cells_containing(text: str) -> list[str]:
    """Every table, every row, every column: where `text` appears in clear."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, memoryview | bytes):
                        found = text.encode() in bytes(cell)
                    else:
                        found = text in str(cell)
                    if found:
                        hits.append(table)
    return hits


def confidential(app):
    UserAuthenticationSettings.objects.update_or_create(
        app=app, defaults={"oauth2_enabled": True, "type_of_app": "web"}
    )


@pytest.mark.parametrize("kind", Kind.values)
def test_a_new_value_is_shown_once_and_never_kept_or_logged_in_clear(
    reauthenticated, app, kind, caplog
):
    confidential(app)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    try:
        response = reauthenticated.post(regenerate_url(app, kind), {f"{kind}-grace": ""})
    finally:
        connection.force_debug_cursor = False

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "I have saved it" in response.content.decode()
    shown = secrets_in(response)
    assert len(shown) == (2 if Kind(kind).secret_format else 1)
    assert any(record.name == "django.db.backends" for record in caplog.records)
    assert any(record.name == "portico.requests" for record in caplog.records)
    for value in shown:
        body = value[len("ptc_xx_") :]
        assert database_cells_containing(value) == []
        assert database_cells_containing(body) == []
        for record in caplog.records:
            assert body not in record.getMessage()
            assert body not in str(record.__dict__)
            assert body not in JsonFormatter().format(record)  # the production log line
        later = reauthenticated.get(keys_url(app)).content.decode()
        assert body not in later
        assert f"…{value[-4:]}" in later
        admin = Credential.objects.get(app=app, kind=kind, revoked_at__isnull=True)
        assert body not in str(admin.__dict__)


def test_creating_an_app_shows_its_api_key_and_secret_once(signed_in, user):
    response = signed_in.post(reverse("workspace:app_create"), {"name": "Brand New"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    api_key, api_key_secret = secrets_in(response)
    assert api_key.startswith("ptc_ck_") and api_key_secret.startswith("ptc_cs_")
    app = App.objects.get(name="Brand New")
    assert database_cells_containing(api_key) == []
    assert database_cells_containing(api_key_secret) == []
    later = signed_in.get(keys_url(app)).content.decode()
    assert api_key not in later and api_key_secret not in later
    assert "Reveal API Key hint" in later and api_key[-4:] in later


def test_creating_an_app_through_htmx_swaps_in_the_page_with_the_keys(signed_in):
    response = signed_in.post(
        reverse("workspace:app_create"), {"name": "Htmx App"}, HTTP_HX_REQUEST="true"
    )

    app = App.objects.get(name="Htmx App")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#main" and response["HX-Reselect"] == "#main"
    assert response["HX-Push-Url"] == keys_url(app)
    assert len(secrets_in(response)) == 2


def test_the_tab_shows_hints_dates_and_who_created_each_value(reauthenticated, app, user):
    reauthenticated.post(regenerate_url(app, "bearer_token"))

    page = reauthenticated.get(keys_url(app)).content.decode()

    bearer = Credential.objects.get(app=app, kind=Kind.BEARER_TOKEN)
    assert f"…{bearer.hint}" in page
    assert "by ada@example.com" in page
    assert "never" in page
    assert app.oauth2_client_id.value in page
    assert 'data-copy-target="client-id"' in page
    assert secrets_in(reauthenticated.get(keys_url(app))) == []


def test_during_a_grace_period_the_tab_shows_both_values_with_the_old_ones_expiry(
    reauthenticated, app
):
    old = Credential.objects.get(app=app, kind=Kind.API_KEY)

    response = reauthenticated.post(regenerate_url(app, "api_key"), {"api_key-grace": "24h"})

    page = response.content.decode()
    assert page.count("Reveal API Key hint") == 2
    assert f"Revoke …{old.hint} now" in page
    assert "stops working on" in page


def test_regenerating_through_the_tab_invalidates_the_old_value(reauthenticated, app, user):
    old = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    response = reauthenticated.post(regenerate_url(app, "bearer_token"))

    (new,) = secrets_in(response)
    assert verify_bearer_token(old.value).reason == Reason.REVOKED
    assert verify_bearer_token(new).ok


def test_revoking_through_the_tab_takes_effect_at_once(reauthenticated, app, user):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    response = reauthenticated.post(revoke_url(app, issued.credential))

    assert response.status_code == 302
    assert verify_bearer_token(issued.value).reason == Reason.REVOKED
    page = reauthenticated.get(keys_url(app)).content.decode()
    assert "was revoked" in page
    assert "No Bearer Token yet" in page


def test_an_unknown_grace_period_is_refused_next_to_the_field(reauthenticated, app):
    before = Credential.objects.count()

    response = reauthenticated.post(regenerate_url(app, "api_key"), {"api_key-grace": "forever"})

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Credential.objects.count() == before


def test_the_current_api_key_cannot_be_revoked(reauthenticated, app):
    current = Credential.objects.get(app=app, kind=Kind.API_KEY)

    response = reauthenticated.post(revoke_url(app, current))

    assert response.status_code == 422
    assert "regenerate them instead" in response.content.decode()
    current.refresh_from_db()
    assert current.revoked_at is None


def test_a_public_client_gets_no_client_secret(reauthenticated, app):
    response = reauthenticated.post(regenerate_url(app, "client_secret"))

    assert response.status_code == 422
    assert "Only confidential clients" in response.content.decode()
    assert not Credential.objects.filter(kind=Kind.CLIENT_SECRET).exists()


def test_an_access_token_shows_its_permissions_and_is_flagged_when_they_change(
    reauthenticated, app
):
    UserAuthenticationSettings.objects.create(app=app, oauth1_permission=Permission.READ_WRITE)
    (token, _) = secrets_in(reauthenticated.post(regenerate_url(app, "access_token")))
    page = reauthenticated.get(keys_url(app)).content.decode()
    assert "Created with Read and write permissions" in page
    assert "Out of date" not in page

    UserAuthenticationSettings.objects.filter(app=app).update(oauth1_permission=Permission.READ)

    page = reauthenticated.get(keys_url(app)).content.decode()
    assert "Out of date" in page
    assert verify_access_token(token).permission == Permission.READ_WRITE


# Re-authentication


def test_regenerating_demands_the_password_again(signed_in, app):
    before = list(Credential.objects.values_list("pk", "revoked_at"))

    response = signed_in.post(regenerate_url(app, "bearer_token"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert list(Credential.objects.values_list("pk", "revoked_at")) == before


def test_after_the_password_the_regeneration_goes_ahead_and_shows_the_value(signed_in, app):
    asked = signed_in.post(regenerate_url(app, "bearer_token"))

    response = signed_in.post(asked["Location"], {"password": PASSWORD})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (token,) = secrets_in(response)
    assert verify_bearer_token(token).ok


def test_a_wrong_password_changes_nothing(signed_in, app):
    asked = signed_in.post(regenerate_url(app, "bearer_token"))

    response = signed_in.post(asked["Location"], {"password": "not-my-password"})

    assert secrets_in(response) == []
    assert not Credential.objects.filter(kind=Kind.BEARER_TOKEN).exists()


def test_an_htmx_regeneration_goes_ahead_after_the_password_on_a_full_page(signed_in, app):
    asked = signed_in.post(
        regenerate_url(app, "bearer_token"),
        {"bearer_token-grace": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{keys_url(app)}",
    )
    assert asked.status_code == 200
    assert asked["HX-Redirect"] == (
        f"{reverse('account_reauthenticate')}?"
        f"next={regenerate_url(app, 'bearer_token').replace('/', '%2F')}"
    )
    assert not Credential.objects.filter(kind=Kind.BEARER_TOKEN).exists()

    response = signed_in.post(asked["HX-Redirect"], {"password": PASSWORD})

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert page.startswith("<!doctype html>")  # the whole tab, not an htmx fragment
    assert "Your new Bearer Token" in page
    (token,) = secrets_in(response)
    assert verify_bearer_token(token).ok


def test_a_password_sign_in_minutes_ago_counts_as_recent(client, user, app, settings):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    response = client.post(regenerate_url(app, "bearer_token"))

    assert response.status_code == 200
    (token,) = secrets_in(response)
    assert verify_bearer_token(token).ok


def test_a_password_sign_in_longer_ago_than_the_timeout_does_not(client, user, app, settings):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    response = client.post(regenerate_url(app, "bearer_token"))

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Credential.objects.filter(kind=Kind.BEARER_TOKEN).exists()


def test_revoking_demands_the_password_again(signed_in, app, user):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    response = signed_in.post(revoke_url(app, issued.credential))

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert verify_bearer_token(issued.value).ok


def test_deleting_an_app_demands_the_password_again(signed_in, app):
    response = signed_in.post(reverse("apps:delete", args=[app.app_id]), {"confirm_name": app.name})

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert App.objects.filter(pk=app.pk).exists()


def test_deleting_an_app_after_the_password_destroys_its_credentials(reauthenticated, app):
    response = reauthenticated.post(
        reverse("apps:delete", args=[app.app_id]), {"confirm_name": app.name}
    )

    assert response.status_code == 302
    assert not Credential.objects.exists()


def test_deleting_a_project_demands_the_password_again(signed_in, project, app):
    response = signed_in.post(
        reverse("workspace:project_delete", args=[project.pk]), {"confirm_name": project.name}
    )

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Credential.objects.filter(app=app).exists()


# Rate limit


def test_regenerate_and_revoke_are_rate_limited_per_account(reauthenticated, app, settings):
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 2
    reauthenticated.post(regenerate_url(app, "bearer_token"))
    reauthenticated.post(regenerate_url(app, "bearer_token"))
    before = list(Credential.objects.values_list("pk", "revoked_at"))

    response = reauthenticated.post(regenerate_url(app, "bearer_token"))

    assert response.status_code == 422
    assert "Too many changes" in response.content.decode()
    assert secrets_in(response) == []
    assert list(Credential.objects.values_list("pk", "revoked_at")) == before
    current = Credential.objects.get(kind=Kind.BEARER_TOKEN, revoked_at__isnull=True)
    assert reauthenticated.post(revoke_url(app, current)).status_code == 422


def test_deleting_apps_counts_against_the_same_limit(reauthenticated, app, settings):
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 0

    response = reauthenticated.post(
        reverse("apps:delete", args=[app.app_id]), {"confirm_name": app.name}
    )

    assert response.status_code == 422
    assert App.objects.filter(pk=app.pk).exists()


# Other people's Apps


def test_another_users_app_answers_404_on_every_keys_url(client_of, other_user, app, user):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    client = client_of(other_user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert client.get(keys_url(app)).status_code == 404
    for kind in Kind.values:
        assert client.post(regenerate_url(app, kind)).status_code == 404
    assert client.post(revoke_url(app, issued.credential)).status_code == 404
    assert verify_bearer_token(issued.value).ok


def test_a_credential_of_another_app_is_404_under_my_app(reauthenticated, app, standalone_app):
    other = Credential.objects.get(app=standalone_app, kind=Kind.API_KEY)

    assert reauthenticated.post(revoke_url(app, other)).status_code == 404


def test_an_unknown_kind_is_404(reauthenticated, app):
    assert reauthenticated.post(regenerate_url(app, "password")).status_code == 404


def test_a_get_of_regenerate_or_revoke_changes_nothing_and_returns_to_the_tab(reauthenticated, app):
    current = Credential.objects.get(app=app, kind=Kind.API_KEY)

    for url in (regenerate_url(app, "api_key"), revoke_url(app, current)):
        response = reauthenticated.get(url)
        assert response.status_code == 302 and response["Location"] == keys_url(app)
    assert list(Credential.objects.all()) == [current]


def test_client_id_is_public_and_not_a_scanner_match(reauthenticated, app):
    page = reauthenticated.get(keys_url(app)).content.decode()

    assert re.search(formats.CLIENT_ID.pattern, page)
    assert secrets_in(reauthenticated.get(keys_url(app))) == []


def test_the_admin_shows_hints_but_no_digest_or_ciphertext(client, django_user_model, app):
    admin_user = django_user_model.objects.create_superuser(email="op@example.com", password="x")
    client.force_login(admin_user)
    credential = Credential.objects.get(app=app, kind=Kind.API_KEY)

    listing = client.get(reverse("admin:credentials_credential_changelist")).content.decode()
    detail = client.get(
        reverse("admin:credentials_credential_change", args=[credential.pk])
    ).content.decode()

    for page in (listing, detail):
        assert credential.hint in page
        assert credential.digest not in page
        assert app.issued_api_key.value not in page


def test_a_suspended_apps_keys_cannot_be_regenerated_but_can_be_revoked(reauthenticated, app, user):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    App.objects.filter(pk=app.pk).update(status="suspended")

    regenerated = reauthenticated.post(regenerate_url(app, "bearer_token"))

    assert regenerated.status_code == 422
    assert "This App is suspended" in regenerated.content.decode()
    assert secrets_in(regenerated) == []
    assert Credential.objects.filter(kind=Kind.BEARER_TOKEN).get().revoked_at is None
    assert verify_bearer_token(issued.value).reason == Reason.APP_SUSPENDED

    reauthenticated.post(revoke_url(app, issued.credential))
    assert Credential.objects.filter(kind=Kind.BEARER_TOKEN).get().revoked_at is not None


def test_htmx_regenerate_answers_the_tab_partial_with_the_dialog(reauthenticated, app):
    response = reauthenticated.post(regenerate_url(app, "bearer_token"), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert page.lstrip().startswith('<div id="keys-and-tokens"')
    assert "<dialog" in page and len(secrets_in(response)) == 1


def test_htmx_refusal_re_renders_the_partial_with_the_message(reauthenticated, app):
    response = reauthenticated.post(
        regenerate_url(app, "api_key"), {"api_key-grace": "1y"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    assert response.content.decode().lstrip().startswith('<div id="keys-and-tokens"')
    assert "Select a valid choice" in response.content.decode()


def test_an_error_report_after_generating_does_not_contain_the_new_value(
    reauthenticated, app, monkeypatch
):
    import sys

    from django.test import RequestFactory
    from django.views.debug import ExceptionReporter

    from credentials import pages

    generated = []
    real_generate = formats.generate
    monkeypatch.setattr(
        formats, "generate", lambda fmt: generated.append(real_generate(fmt)) or generated[-1]
    )

    def broken_render(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(pages, "render_page", broken_render)
    request = RequestFactory().post(regenerate_url(app, "access_token"))
    request.user = app.owner
    try:
        pages.render_keys_tab(
            request,
            app,
            issued=regenerate_credential(app=app, kind=Kind.ACCESS_TOKEN, actor=act(app.owner)),
        )
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
        report = reporter.get_traceback_text() + reporter.get_traceback_html()
    (token, secret) = generated
    assert "template exploded" in report
    assert token[7:] not in report and secret[7:] not in report
    assert f"…{token[-4:]}" in report  # what a report shows instead: the hint

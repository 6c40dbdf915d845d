import pytest
from django.urls import reverse

from apps.models import Permission, TypeOfApp, UserAuthenticationSettings
from audit.models import AuditEvent
from auth_settings.services import update_auth_settings
from tests.actors import act
from tests.auth_settings.conftest import fill_app_details

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(app) -> str:
    return reverse("auth_settings:user_authentication", args=[app.app_id])


def form_data(**overrides) -> dict:
    """What the page's form posts: unchecked boxes are simply absent."""
    data = {"oauth1_permission": Permission.READ, "type_of_app": "", **overrides}
    return {name: value for name, value in data.items() if value is not False}


def saved_settings(app) -> UserAuthenticationSettings | None:
    return UserAuthenticationSettings.objects.filter(app=app).first()


def test_the_tab_shows_the_state_at_a_glance_and_what_each_method_serves(signed_in, app):
    response = signed_in.get(url(app))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<dt>OAuth 1.0a</dt>\n    <dd><span class="tag">off</span>' in page
    assert '<dt>OAuth 2.0</dt>\n    <dd><span class="tag">off</span>' in page
    assert "OAuth 2.0 works with the v2 API only" in page
    assert "OAuth 1.0a works with both the v1.1 and v2\n    APIs" in page
    assert 'aria-current="page">User authentication settings' in page
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]


def test_the_tab_explains_public_and_confidential_clients(signed_in, app):
    page = signed_in.get(url(app)).content.decode()
    assert "Web App (confidential client)" in page
    assert "Native App (public client)" in page
    assert "keep a Client Secret safe" in page
    assert "run in a browser or on a device, where a secret cannot stay secret" in page


def test_the_tab_says_existing_access_tokens_keep_their_permissions(signed_in, app):
    page = signed_in.get(url(app)).content.decode()
    assert "existing access tokens keep the permissions they were created with" in page
    for label in ("Read", "Read and write", "Read and write and Direct message"):
        assert f"\n {label}</label>" in page


def test_the_tab_lists_the_operators_scopes_read_only(signed_in, app, settings):
    settings.PORTICO_OAUTH2_SCOPES = {
        "tweet.read": "Read posts for the user.",
        "users.email": "Read the user's email address.",
    }
    page = signed_in.get(url(app)).content.decode()
    assert "<code>tweet.read</code></td>\n          <td>Read posts for the user.</td>" in page
    assert "<code>users.email</code>" in page
    assert '<span class="tag">needs “Request email address from users”' in page
    assert "dm.write" not in page
    assert 'name="scopes"' not in page


def test_users_email_scope_shows_available_once_email_is_requested(signed_in, ready_app, user):
    update_auth_settings(app=ready_app, actor=act(user), request_email=True)
    page = signed_in.get(url(ready_app)).content.decode()
    assert '<span class="tag">needs “Request email address from users”' not in page
    assert page.count('<span class="tag state-on">available</span>') == 13


def test_full_page_submit_saves_and_shows_the_new_state(signed_in, ready_app):
    response = signed_in.post(
        url(ready_app),
        form_data(oauth1_enabled="on", oauth1_permission=Permission.READ_WRITE_DM),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<!doctype html>" in page
    assert "User authentication settings saved." in page
    assert "App permissions: Read and write and Direct message" in page
    settings = saved_settings(ready_app)
    assert settings.oauth1_enabled
    assert settings.oauth1_permission == Permission.READ_WRITE_DM
    event = AuditEvent.objects.get(action="auth_settings.update")
    assert event.ip_address == "127.0.0.1"


def test_htmx_submit_gets_only_the_settings_partial(reauthenticated, ready_app):
    response = reauthenticated.post(
        url(ready_app), form_data(oauth2_enabled="on", type_of_app=TypeOfApp.BOT), **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="user-authentication">')
    assert "<!doctype html>" not in page
    assert "Automated App or bot, a confidential client" in page
    assert saved_settings(ready_app).type_of_app == TypeOfApp.BOT


def test_changing_permissions_says_existing_tokens_keep_the_old_level(signed_in, ready_app):
    page = signed_in.post(
        url(ready_app), form_data(oauth1_permission=Permission.READ_WRITE), **HTMX
    ).content.decode()
    assert "App permissions are now “Read and write” for access tokens created from now on" in page
    assert "regenerate them, or have users authorize the App again" in page


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["full page", "htmx"])
def test_turning_oauth_on_without_app_details_shows_the_error_with_links(
    reauthenticated, app, headers
):
    response = reauthenticated.post(
        url(app), form_data(oauth1_enabled="on", oauth2_enabled="on", type_of_app="web"), **headers
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "To turn on OAuth 1.0a, add a website URL and at least one callback URL in App details."
        in page
    )
    assert "To turn on OAuth 2.0, add a website URL and at least one callback URL" in page
    details = reverse("apps:details", args=[app.app_id])
    assert f'href="{details}#website-url"' in page
    assert f'href="{details}#callback-urls"' in page
    assert saved_settings(app) is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["full page", "htmx"])
def test_requesting_email_without_terms_and_privacy_shows_the_error_with_links(
    signed_in, app, headers
):
    fill_app_details(app, terms_of_service_url="", privacy_policy_url="")
    response = signed_in.post(url(app), form_data(request_email="on"), **headers)
    assert response.status_code == 422
    page = response.content.decode()
    assert "add a terms of service URL and a privacy policy URL in App details" in page
    details = reverse("apps:details", args=[app.app_id])
    assert f'href="{details}#terms-of-service-url"' in page
    assert f'href="{details}#privacy-policy-url"' in page
    assert saved_settings(app) is None


def test_removing_terms_in_app_details_while_email_is_requested_says_why(
    signed_in, ready_app, user
):
    update_auth_settings(app=ready_app, actor=act(user), request_email=True)
    response = signed_in.post(
        reverse("apps:details", args=[ready_app.app_id]),
        {
            "name": ready_app.name,
            "website_url": ready_app.website_url,
            "callback_urls": "\n".join(ready_app.callback_urls),
            "terms_of_service_url": "",
            "privacy_policy_url": ready_app.privacy_policy_url,
            "environment": ready_app.environment,
        },
        **HTMX,
    )
    assert response.status_code == 422
    assert "“Request email address from users” is on" in response.content.decode()
    ready_app.refresh_from_db()
    assert ready_app.terms_of_service_url == "https://storm.example.com/terms"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"oauth1_permission": "root"}, "oauth1_permission"),
        ({"type_of_app": "mainframe"}, "type_of_app"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(signed_in, ready_app, data, field):
    response = signed_in.post(url(ready_app), form_data(**data), **HTMX)
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert saved_settings(ready_app) is None


def test_oauth2_without_a_type_of_app_is_refused_on_that_field(signed_in, ready_app):
    response = signed_in.post(url(ready_app), form_data(oauth2_enabled="on"), **HTMX)
    assert response.status_code == 422
    assert "Choose the type of App to turn on OAuth 2.0." in response.content.decode()
    assert saved_settings(ready_app) is None


def test_a_suspended_app_shows_why_and_refuses_a_submit(signed_in, ready_app):
    ready_app.status = "suspended"
    ready_app.save()
    page = signed_in.get(url(ready_app)).content.decode()
    assert 'id="suspension-banner"' in page
    assert '<fieldset class="settings" disabled>' in page
    assert "Save user authentication settings" not in page
    response = signed_in.post(url(ready_app), form_data(oauth1_enabled="on"), **HTMX)
    assert response.status_code == 422
    assert "This App is suspended, so its settings and credentials cannot change." in (
        response.content.decode()
    )
    assert saved_settings(ready_app) is None
    assert not AuditEvent.objects.filter(action="auth_settings.update").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_users_app_is_not_found(client_of, other_user, ready_app, method):
    client = client_of(other_user)
    response = getattr(client, method)(url(ready_app), form_data(oauth1_enabled="on"))
    assert response.status_code == 404
    assert saved_settings(ready_app) is None


def test_signed_out_visitors_are_sent_to_sign_in(client, app):
    response = client.get(url(app))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_refused_submit_keeps_what_the_user_chose_and_the_saved_state(reauthenticated, app):
    page = reauthenticated.post(
        url(app), form_data(oauth2_enabled="on", type_of_app=TypeOfApp.WEB), **HTMX
    ).content.decode()
    assert 'value="web" id="id_type_of_app_2" checked' in page
    assert '<dt>OAuth 2.0</dt>\n    <dd><span class="tag">off</span>' in page

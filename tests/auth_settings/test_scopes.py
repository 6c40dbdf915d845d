import pytest

from apps.models import UserAuthenticationSettings
from auth_settings.checks import check_oauth2_scopes
from auth_settings.scopes import is_grantable, scopes_of

DEFAULT_SCOPES = [
    "tweet.read",
    "tweet.write",
    "users.read",
    "users.email",
    "follows.read",
    "follows.write",
    "like.read",
    "like.write",
    "list.read",
    "list.write",
    "dm.read",
    "dm.write",
    "offline.access",
]


def test_the_default_scopes_are_the_issues_list_each_with_a_one_line_description():
    scopes = scopes_of(UserAuthenticationSettings())
    assert [scope.name for scope in scopes] == DEFAULT_SCOPES
    assert all(scope.description and "\n" not in scope.description for scope in scopes)


def test_users_email_is_grantable_only_when_email_is_requested():
    assert not is_grantable("users.email", UserAuthenticationSettings(request_email=False))
    assert is_grantable("users.email", UserAuthenticationSettings(request_email=True))
    assert is_grantable("tweet.read", UserAuthenticationSettings(request_email=False))


def test_a_scope_the_operator_did_not_define_is_not_grantable(settings):
    settings.PORTICO_OAUTH2_SCOPES = {"tweet.read": "Read posts."}
    assert not is_grantable("dm.write", UserAuthenticationSettings(request_email=True))
    assert [scope.name for scope in scopes_of(UserAuthenticationSettings())] == ["tweet.read"]


@pytest.mark.parametrize(
    ("scopes", "error_id"),
    [
        ({}, "auth_settings.E001"),
        ({"tweet read": "Read posts."}, "auth_settings.E002"),
        ({"tweet.read": ""}, "auth_settings.E003"),
        ({"tweet.read": "Read\nposts."}, "auth_settings.E003"),
    ],
)
def test_a_scope_list_the_server_cannot_use_stops_the_portal(settings, scopes, error_id):
    settings.PORTICO_OAUTH2_SCOPES = scopes
    assert [error.id for error in check_oauth2_scopes(None)] == [error_id]


def test_the_default_scope_list_passes_the_system_check():
    assert check_oauth2_scopes(None) == []

"""Ids and counts in paths and queries are ASCII digits: `²` (which str.isdigit() accepts and
int() refuses) and `١` (which int() reads as 1) get the endpoint's 400 problem, never a 500 nor
a lookup of id 1."""

import time

import pytest
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client as Signer

from platform_api.models import DirectMessage, Post
from tests.platform_api.conftest import access_token, app_only, oauth2_headers, post_of
from tests.platform_api.test_authentication import problem

pytestmark = pytest.mark.django_db

NOT_ASCII_DIGITS = ["²", "١", "١٢", "１", "9223372036854775808"]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def refused(response, detail: str) -> None:
    assert response.status_code == 400
    assert problem(response) == "invalid-request"
    assert response.json()["detail"] == detail


@pytest.mark.parametrize("raw", NOT_ASCII_DIGITS)
def test_a_post_id_of_other_digits_is_refused(client, app, user, bearer, raw):
    post_of(user, app)  # id 1 on a fresh sequence: `١` must not find it
    refused(client.get(f"/2/tweets/{raw}", **app_only(bearer)), "The Post id must be a number.")


@pytest.mark.parametrize("raw", NOT_ASCII_DIGITS)
def test_a_user_id_of_other_digits_is_refused(client, bearer, raw):
    refused(
        client.get(f"/2/users/{raw}/tweets", **app_only(bearer)), "The user id must be a number."
    )


@pytest.mark.parametrize("raw", ["²", "١٠", "１０", " 10", "+10", "1" * 20])
def test_max_results_of_other_digits_is_refused(client, user, bearer, raw):
    response = client.get(f"/2/users/{user.pk}/tweets", {"max_results": raw}, **app_only(bearer))
    refused(response, "max_results must be a whole number from 5 to 100.")


@pytest.mark.parametrize("raw", ["²", "١", "1" * 20])
def test_a_pagination_token_of_other_digits_is_refused(client, app, user, bearer, raw):
    post_of(user, app)
    response = client.get(
        f"/2/users/{user.pk}/tweets", {"pagination_token": raw}, **app_only(bearer)
    )
    refused(response, "The pagination_token is not one this API gave.")


@pytest.mark.parametrize("raw", ["²", "٧", "-7", "1" * 20])
def test_usage_days_of_other_digits_are_refused(client, bearer, raw):
    response = client.get("/2/usage/tweets", {"days": raw}, **app_only(bearer))
    refused(response, "days must be a whole number from 1 to 90.")


@pytest.mark.parametrize("raw", ["³", "١"])
def test_a_dm_events_pagination_token_of_other_digits_is_refused(client, app, user, raw):
    response = client.get("/2/dm_events", {"pagination_token": raw}, **oauth2_headers(app, user))
    refused(response, "The pagination_token is not one this API gave.")


@pytest.mark.parametrize("raw", NOT_ASCII_DIGITS)
def test_a_participant_id_of_other_digits_is_refused(client, app, user, other_user, raw):
    response = client.post(
        f"/2/dm_conversations/with/{raw}/messages",
        {"text": "hi"},
        content_type="application/json",
        **oauth2_headers(app, user),
    )
    refused(response, "The participant id must be a number.")
    assert not DirectMessage.objects.exists()


def test_ascii_ids_and_counts_still_work(client, app, user, bearer):
    made = post_of(user, app)
    assert client.get(f"/2/tweets/{made.pk}", **app_only(bearer)).json()["data"]["id"] == str(
        made.pk
    )
    page = client.get(
        f"/2/users/{user.pk}/tweets",
        {"max_results": "5", "pagination_token": str(made.pk + 1)},
        **app_only(bearer),
    )
    assert [item["id"] for item in page.json()["data"]] == [str(made.pk)]
    assert client.get("/2/usage/tweets", {"days": "90"}, **app_only(bearer)).status_code == 200
    assert Post.objects.count() == 1


def signed_at(keys, timestamp: str) -> dict:
    signer = Signer(
        keys.consumer_key,
        client_secret=keys.consumer_secret,
        resource_owner_key=keys.token,
        resource_owner_secret=keys.token_secret,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        timestamp=timestamp,
    )
    _, headers, _ = signer.sign("http://testserver/2/users/me", http_method="GET")
    return {"HTTP_AUTHORIZATION": headers["Authorization"]}


@pytest.mark.parametrize(
    "write",
    [lambda now: now.translate(ARABIC_INDIC), lambda now: f"+{now}", lambda now: f" {now}"],
    ids=["arabic-indic", "plus", "space"],
)
def test_an_oauth1_timestamp_of_other_digits_is_refused_though_signed(client, app, user, write):
    # int() reads all three as the current time; the signature covers them as written.
    keys = access_token(app, user)
    response = client.get("/2/users/me", **signed_at(keys, write(str(int(time.time())))))
    assert response.status_code == 401
    assert problem(response) == "invalid-signed-request"
    assert response.json()["detail"] == "oauth_timestamp must be seconds since 1970."
    assert client.get("/2/users/me", **signed_at(keys, str(int(time.time())))).status_code == 200

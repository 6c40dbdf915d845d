"""Ids and counts in paths and queries are ASCII digits: `²` (which str.isdigit() accepts and
int() refuses) and `١` (which int() reads as 1) get the endpoint's 400 problem, never a 500 nor
a lookup of id 1."""

import pytest

from platform_api.models import DirectMessage, Post
from tests.platform_api.conftest import app_only, oauth2_headers, post_of
from tests.platform_api.test_authentication import problem

pytestmark = pytest.mark.django_db

NOT_ASCII_DIGITS = ["²", "١", "١٢", "１", "9223372036854775808"]


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

"""Posts: created for the token's user with their source, read by anyone's token, deleted only
by their author, paged newest first, and capped per Project and month."""

import unicodedata

import pytest

from apps.services import delete_app, update_app_details
from platform_api.models import Post
from projects.models import UseCase
from projects.services import create_project
from tests.actors import act
from tests.platform_api.conftest import app_only, oauth2_headers
from tests.platform_api.test_authentication import problem
from workspace.services import create_app

pytestmark = pytest.mark.django_db


def post(client, headers, text):
    return client.post("/2/tweets", {"text": text}, content_type="application/json", **headers)


def test_a_post_is_made_for_the_tokens_user_with_its_text_nfc_normalized(client, user, oauth1):
    decomposed = "Cafe\u0301 opens at 9"
    response = post(client, oauth1, decomposed)
    assert response.status_code == 201
    stored = Post.objects.get()
    assert stored.text == unicodedata.normalize("NFC", decomposed)
    assert stored.author == user
    assert response.json() == {"data": {"id": str(stored.pk), "text": stored.text}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": ""}, "empty"),
        ({"text": "   "}, "empty"),
        ({"text": "x" * 281}, "281 characters"),
        ({"text": 5}, "JSON string"),
        ({"text": "a\x00b"}, "NUL character"),
        ({"text": "a\ud800b"}, "half of a UTF-16 surrogate pair"),
        ({}, "JSON string"),
        (["text"], "JSON object"),
    ],
)
def test_a_post_with_bad_text_is_refused_with_a_clear_message(client, oauth1, body, message):
    response = client.post("/2/tweets", body, content_type="application/json", **oauth1)
    assert response.status_code == 400
    assert problem(response) == "invalid-request"
    assert message in response.json()["detail"]
    assert not Post.objects.exists()


def test_280_characters_after_normalization_are_accepted(client, oauth1):
    # 280 letters with combining accents: 560 code points typed, 280 after NFC
    assert post(client, oauth1, "e\u0301" * 280).status_code == 201


def test_a_body_that_is_not_json_is_refused(client, oauth1):
    response = client.post("/2/tweets", "text=hi", content_type="application/json", **oauth1)
    assert response.status_code == 400
    assert problem(response) == "invalid-request"


@pytest.mark.parametrize("body", ["[" * 100_000, '{"text":' * 50_000])
def test_a_body_nested_too_deep_to_read_is_refused_not_a_server_error(client, oauth1, body):
    response = client.post("/2/tweets", body, content_type="application/json", **oauth1)
    assert response.status_code == 400
    assert problem(response) == "invalid-request"
    assert Post.objects.count() == 0


def test_the_source_survives_a_rename_and_a_deletion_of_the_app(client, app, user, oauth1, bearer):
    post_id = post(client, oauth1, "Storm at 5").json()["data"]["id"]
    update_app_details(app=app, actor=act(user), name="Renamed Bot")
    other = create_app(actor=act(user), name="Reader", project=app.project)
    from credentials.models import Kind
    from credentials.services import regenerate_credential

    reader = regenerate_credential(app=other, kind=Kind.BEARER_TOKEN, actor=act(user)).value
    fields = "?tweet.fields=source,created_at,author_id"
    after_rename = client.get(f"/2/tweets/{post_id}{fields}", **app_only(reader)).json()["data"]
    assert after_rename["source"] == "Storm Bot"
    assert after_rename["author_id"] == str(user.pk)
    assert after_rename["created_at"].endswith("Z")

    delete_app(app=app, actor=act(user))
    after_delete = client.get(f"/2/tweets/{post_id}{fields}", **app_only(reader)).json()["data"]
    assert after_delete["source"] == "Storm Bot"
    stored = Post.objects.get()
    assert stored.source_app is None
    assert (stored.source_name, stored.source_url) == ("Storm Bot", "https://storm.example.com")


def test_an_unknown_tweet_field_is_refused(client, bearer, oauth1):
    post_id = post(client, oauth1, "x").json()["data"]["id"]
    response = client.get(f"/2/tweets/{post_id}?tweet.fields=source,secret", **app_only(bearer))
    assert response.status_code == 400
    assert "secret" in response.json()["detail"]


@pytest.mark.parametrize("post_id", ["999", "abc", "9" * 40])
def test_a_missing_or_malformed_post_id_is_a_clear_4xx(client, bearer, post_id):
    response = client.get(f"/2/tweets/{post_id}", **app_only(bearer))
    assert response.status_code in (400, 404)
    assert problem(response) in ("resource-not-found", "invalid-request")


def test_only_the_author_deletes_a_post(client, app, user, other_user, oauth1, bearer):
    post_id = post(client, oauth1, "mine").json()["data"]["id"]
    as_other = client.delete(f"/2/tweets/{post_id}", **oauth2_headers(app, other_user))
    assert as_other.status_code == 403
    assert problem(as_other) == "forbidden"
    as_app = client.delete(f"/2/tweets/{post_id}", **app_only(bearer))
    assert as_app.status_code == 403
    assert problem(as_app) == "unsupported-authentication"
    assert Post.objects.count() == 1

    response = client.delete(f"/2/tweets/{post_id}", **oauth1)
    assert response.json() == {"data": {"deleted": True}}
    assert not Post.objects.exists()


def test_deleting_needs_tweet_write(client, app, user, oauth1, bearer):
    post_id = post(client, oauth1, "mine").json()["data"]["id"]
    response = client.delete(
        f"/2/tweets/{post_id}", **oauth2_headers(app, user, "tweet.read,users.read")
    )
    assert response.status_code == 403
    assert problem(response) == "insufficient-scope"
    assert Post.objects.count() == 1


def test_a_users_posts_come_newest_first_in_pages(client, user, oauth1, bearer):
    ids = [post(client, oauth1, f"post {n}").json()["data"]["id"] for n in range(12)]
    first = client.get(f"/2/users/{user.pk}/tweets?max_results=5", **app_only(bearer)).json()
    assert [item["id"] for item in first["data"]] == ids[::-1][:5]
    assert first["meta"]["result_count"] == 5
    seen = [item["id"] for item in first["data"]]
    token = first["meta"]["next_token"]
    while token:
        page = client.get(
            f"/2/users/{user.pk}/tweets?max_results=5&pagination_token={token}",
            **app_only(bearer),
        ).json()
        seen += [item["id"] for item in page["data"]]
        token = page["meta"].get("next_token")
    assert seen == ids[::-1]


@pytest.mark.parametrize(
    "query", ["max_results=4", "max_results=101", "max_results=x", "pagination_token=abc"]
)
def test_bad_paging_is_refused_with_a_clear_message(client, user, bearer, query):
    response = client.get(f"/2/users/{user.pk}/tweets?{query}", **app_only(bearer))
    assert response.status_code == 400
    assert problem(response) == "invalid-request"


def test_posts_of_an_unknown_user_are_404(client, bearer):
    response = client.get("/2/users/424242/tweets", **app_only(bearer))
    assert response.status_code == 404
    assert problem(response) == "resource-not-found"


def test_past_the_monthly_cap_posting_is_429_usage_capped(
    client, settings, app, user, oauth1, bearer
):
    settings.PORTICO_MONTHLY_POST_CAP = 2
    sibling = create_app(actor=act(user), name="Sibling", project=app.project)
    assert post(client, oauth1, "one").status_code == 201
    assert post(client, oauth2_headers(sibling, user), "two").status_code == 201

    capped = post(client, oauth1, "three")
    assert capped.status_code == 429
    assert problem(capped) == "usage-capped"
    assert "resumes on 1 " in capped.json()["detail"]
    assert Post.objects.count() == 2

    elsewhere = create_project(actor=act(user), name="Elsewhere", use_case=UseCase.MAKING_A_BOT)
    other = create_app(actor=act(user), name="Elsewhere Bot", project=elsewhere)
    assert post(client, oauth2_headers(other, user), "four").status_code == 201

    usage = client.get("/2/usage/tweets", **app_only(bearer)).json()["data"]
    assert (usage["project_cap"], usage["project_usage"], usage["cap_reset_day"]) == ("2", "2", 1)
    assert usage["daily_project_usage"]["usage"][-1]["usage"] == "2"
    per_app = {
        entry["client_app_id"]: entry["usage"][-1]["usage"]
        for entry in usage["daily_client_app_usage"]
    }
    assert per_app == {str(app.app_id): "1", str(sibling.app_id): "1"}

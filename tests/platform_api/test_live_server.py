"""The platform API through a real HTTP client and server: `requests` with a Bearer header."""

import pytest
import requests

from platform_api.models import Post

pytestmark = pytest.mark.django_db(transaction=True)


def test_requests_with_a_bearer_header_reads_a_post_over_http(live_server, app, user, bearer):
    post = Post.objects.create(
        author=user,
        text="Over the wire",
        source_app=app,
        source_project=app.project,
        source_app_public_id=app.app_id,
        source_name=app.name,
    )
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {bearer}"

    response = session.get(
        f"{live_server.url}/2/tweets/{post.pk}", params={"tweet.fields": "source"}, timeout=10
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {"id": str(post.pk), "text": "Over the wire", "source": "Storm Bot"}
    }
    assert int(response.headers["x-rate-limit-remaining"]) == 449
    assert response.headers["Cache-Control"].startswith("max-age=0")

    refused = session.get(f"{live_server.url}/2/users/me", timeout=10)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/unsupported-authentication")

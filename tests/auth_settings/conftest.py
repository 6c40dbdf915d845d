import pytest

from apps.models import App


def fill_app_details(app: App, **overrides) -> App:
    """Give `app` every App detail the user authentication settings can need."""
    details = {
        "website_url": "https://storm.example.com",
        "callback_urls": ["https://storm.example.com/callback"],
        "terms_of_service_url": "https://storm.example.com/terms",
        "privacy_policy_url": "https://storm.example.com/privacy",
        **overrides,
    }
    App.objects.filter(pk=app.pk).update(**details)
    app.refresh_from_db()
    return app


@pytest.fixture
def ready_app(app):
    return fill_app_details(app)

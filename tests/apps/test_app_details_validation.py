"""Every App details rule with the bad inputs the issue names: a clear message, nothing saved."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError

from apps.models import App
from apps.services import update_app_details
from apps.validators import validate_callback_url
from core.errors import ValidationError
from tests.actors import act
from workspace.services import create_app

pytestmark = pytest.mark.django_db


def details_error(app, **details) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        update_app_details(app=app, actor=act(app.owner), **details)
    return caught.value.message_dict


def test_app_name_is_required(app):
    assert "name" in details_error(app, name="")
    assert App.objects.get(pk=app.pk).name == "Storm Bot"


def test_app_name_longer_than_32_characters_is_refused(app):
    errors = details_error(app, name="x" * 33)
    assert "at most 32" in errors["name"][0]
    assert App.objects.get(pk=app.pk).name == "Storm Bot"


def test_app_name_of_32_characters_is_accepted(app):
    update_app_details(app=app, actor=act(app.owner), name="x" * 32)
    assert App.objects.get(pk=app.pk).name == "x" * 32


def test_app_name_is_unique_across_the_portal_without_regard_to_case(app, other_user):
    other_app = create_app(actor=act(other_user), name="Other")
    errors = details_error(other_app, name="STORM bot")
    assert errors["name"] == ["This App name is already taken. Choose another one."]
    assert App.objects.get(pk=other_app.pk).name == "Other"


def test_creating_an_app_with_a_taken_name_is_refused(app, other_user):
    with pytest.raises(ValidationError) as caught:
        create_app(actor=act(other_user), name="storm BOT")
    assert "already taken" in caught.value.message_dict["name"][0]
    assert not App.objects.filter(owner=other_user).exists()


def test_database_refuses_a_duplicate_name_in_another_case(app, other_user):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        App.objects.create(owner=other_user, name="STORM BOT", app_id=1_234_567_890)


@pytest.mark.parametrize(
    ("bad_name", "message"),
    [
        ("Storm\u200bBot", "U+200B"),
        ("Storm Bot\u200d", "U+200D"),
        ("\u202eStorm Bot", "U+202E"),
        ("Storm\u2066 Bot", "U+2066"),
        ("Storm\ufeffBot", "U+FEFF"),
        ("Storm\x07Bot", "U+0007"),
        ("Storm\ue000Bot", "U+E000"),
        ("Storm\u0378Bot", "U+0378"),
    ],
)
def test_app_name_with_invisible_bidi_or_unassigned_character_is_refused(user, bad_name, message):
    with pytest.raises(ValidationError) as caught:
        create_app(actor=act(user), name=bad_name)
    assert message in caught.value.message_dict["name"][0]
    assert "invisible or control character" in caught.value.message_dict["name"][0]
    assert not App.objects.exists()


def test_app_name_with_zero_width_character_is_refused(app):
    errors = details_error(app, name="Storm\u200bBot")
    assert "Remove the invisible or control character U+200B" in errors["name"][0]
    assert App.objects.get(pk=app.pk).name == "Storm Bot"


@pytest.mark.parametrize(
    "bad_name",
    [
        "St\u043erm Bot",  # Cyrillic o
        "\u0421torm Bot",  # Cyrillic S
        "Storm B\u03bft",  # Greek omicron
        "Pay\u0440al",  # Cyrillic er
    ],
)
def test_app_name_mixing_latin_with_cyrillic_or_greek_letters_is_refused(user, bad_name):
    with pytest.raises(ValidationError) as caught:
        create_app(actor=act(user), name=bad_name)
    assert "Write the App name in one alphabet" in caught.value.message_dict["name"][0]
    assert not App.objects.exists()


@pytest.mark.parametrize(
    "good_name",
    [
        "Storm Bot 2.0 (beta)",
        "Café-Météo",
        "\u041f\u043e\u0433\u043e\u0434\u0430 24/7",  # Cyrillic with digits
        "\u03ba\u03b1\u03b9\u03c1\u03cc\u03c2",  # Greek only
        "\u5929\u6c17\u30a2\u30d7\u30ea Pro",  # Japanese with Latin
    ],
)
def test_app_name_in_one_script_with_digits_and_punctuation_is_accepted(user, good_name):
    app = create_app(actor=act(user), name=good_name)
    assert App.objects.get(pk=app.pk).name == good_name


def test_app_name_is_stored_in_nfkc_form(user):
    app = create_app(actor=act(user), name="\uff33\uff54\uff4f\uff52\uff4d \u2160")  # fullwidth
    assert App.objects.get(pk=app.pk).name == "Storm I"


@pytest.mark.parametrize(
    "lookalike",
    [
        "\uff33\uff54\uff4f\uff52\uff4d \uff22\uff4f\uff54",  # fullwidth Storm Bot
        "STORM BOT",
        "Storm  Bot",
        " Storm Bot ",
    ],
)
def test_app_name_equal_after_normalization_and_case_folding_is_taken(app, other_user, lookalike):
    with pytest.raises(ValidationError) as caught:
        create_app(actor=act(other_user), name=lookalike)
    assert caught.value.message_dict["name"] == [
        "This App name is already taken. Choose another one."
    ]
    assert not App.objects.filter(owner=other_user).exists()


def test_app_name_key_folds_case_beyond_ascii(user, other_user):
    create_app(actor=act(user), name="Straße")
    with pytest.raises(ValidationError) as caught:
        create_app(actor=act(other_user), name="STRASSE")
    assert caught.value.message_dict["name"] == [
        "This App name is already taken. Choose another one."
    ]


def test_database_refuses_a_name_that_differs_only_by_invisible_characters(app, other_user):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        App.objects.create(owner=other_user, name="Storm\u200b Bot", app_id=1_234_567_890)


def test_renaming_keeps_the_name_key_in_step_with_the_name(app, other_user):
    from django.db import IntegrityError, transaction

    app.name = "Hail Bot"
    app.save(update_fields=["name"])
    create_app(actor=act(other_user), name="Storm Bot")
    with pytest.raises(IntegrityError), transaction.atomic():
        App.objects.create(owner=other_user, name="HAIL BOT", app_id=1_234_567_890)


def test_description_longer_than_200_characters_is_refused(app):
    errors = details_error(app, description="d" * 201)
    assert "at most 200" in errors["description"][0]
    assert App.objects.get(pk=app.pk).description == ""


@pytest.mark.parametrize(
    "field", ["website_url", "terms_of_service_url", "privacy_policy_url", "organization_url"]
)
@pytest.mark.parametrize(
    "bad_url",
    [
        "javascript:alert(1)",
        "ftp://example.com/terms",
        "data:text/html,<b>hi</b>",
        "example.com",
        "https://" + "a" * 2040 + ".com",
    ],
)
def test_web_urls_must_be_http_or_https_and_at_most_2048_characters(app, field, bad_url):
    errors = details_error(app, **{field: bad_url})
    assert errors[field]
    assert getattr(App.objects.get(pk=app.pk), field) == ""


@pytest.mark.parametrize(
    "field", ["website_url", "terms_of_service_url", "privacy_policy_url", "organization_url"]
)
def test_web_urls_accept_http_and_https(app, field):
    update_app_details(app=app, actor=act(app.owner), **{field: "http://example.com/page"})
    assert getattr(App.objects.get(pk=app.pk), field) == "http://example.com/page"


@pytest.mark.parametrize(
    ("bad_url", "message"),
    [
        ("https://example.com/cb#section", "fragment"),
        ("https://example.com/cb?next=/home", "query string"),
        ("https://user:secret@example.com/cb", "user name or password"),
        ("https://*.example.com/cb", "Wildcards"),
        ("https://example.com/*", "Wildcards"),
        ("http://example.com/cb", "only allowed on loopback"),
        ("http://10.0.0.1/cb", "only allowed on loopback"),
        ("javascript:alert(1)", "javascript: scheme is not allowed"),
        ("JavaScript:alert(1)", "javascript: scheme is not allowed"),
        ("data:text/html;base64,PHNjcmlwdD4=", "data: scheme is not allowed"),
        ("file:///etc/passwd", "file: scheme is not allowed"),
        ("vbscript:msgbox(1)", "vbscript: scheme is not allowed"),
        ("example.com/callback", "absolute URL"),
        ("/callback", "absolute URL"),
        ("https://exa mple.com/cb", "spaces"),
        ("https://", "valid https"),
        ("com.example.app:", "Add a path"),
        ("http://[::1/cb", "Enter a valid URL"),
        ("https://[example.com/cb", "Enter a valid URL"),
        ("https://example.com:65536/cb", "port number from 1 to 65535"),
        ("https://example.com:99999999/cb", "port number from 1 to 65535"),
        ("https://example.com:http/cb", "port number from 1 to 65535"),
        ("http://127.0.0.1:0/cb", "port number from 1 to 65535"),
        ("http://127.0.0.1:0080/cb", "without leading zeros: 80"),
        ("http://[::1]:08080/cb", "without leading zeros: 8080"),
        ("https://example.com:0443/cb", "without leading zeros: 443"),
        ("myapp://callback/path", "myapp: scheme is not allowed"),
        ("myapp:/callback", "domain you own, reversed, such as com.example.app:/callback"),
        ("ftp://example.com/cb", "ftp: scheme is not allowed"),
        ("ws://example.com/cb", "ws: scheme is not allowed"),
        ("https://bücher.example/cb", "ASCII (punycode)"),
        ("https://ex\u0430mple.com/cb", "ASCII (punycode)"),
        ("https://example.com/\u202egpj.exe", "U+202E"),
        ("https://exam\u200bple.com/cb", "U+200B"),
        ("com.example.app:/call\u2066back", "U+2066"),
    ],
)
def test_bad_callback_urls_are_refused_with_the_reason(bad_url, message):
    with pytest.raises(DjangoValidationError) as caught:
        validate_callback_url(bad_url)
    assert message in " ".join(caught.value.messages)


@pytest.mark.parametrize(
    "good_url",
    [
        "https://example.com/oauth/callback",
        "https://example.com:8443/cb",
        "http://127.0.0.1:8080/callback",
        "http://localhost/callback",
        "http://[::1]:3000/cb",
        "com.example.app:/oauth2redirect/example-provider",
        "com.example.app://callback/path",
        "https://xn--bcher-kva.example/cb",
        "https://example.com:65535/cb",
    ],
)
def test_good_callback_urls_are_accepted(good_url):
    validate_callback_url(good_url)


def test_callback_urls_are_saved_in_order(app):
    urls = ["https://b.example.com/cb", "https://a.example.com/cb", "com.example.app:/callback"]
    update_app_details(app=app, actor=act(app.owner), callback_urls=urls)
    assert App.objects.get(pk=app.pk).callback_urls == urls


def test_more_than_ten_callback_urls_are_refused(app):
    urls = [f"https://example.com/cb{n}" for n in range(11)]
    errors = details_error(app, callback_urls=urls)
    assert "at most 10" in errors["callback_urls"][0]
    assert App.objects.get(pk=app.pk).callback_urls == []


def test_ten_callback_urls_are_accepted(app):
    urls = [f"https://example.com/cb{n}" for n in range(10)]
    update_app_details(app=app, actor=act(app.owner), callback_urls=urls)
    assert App.objects.get(pk=app.pk).callback_urls == urls


def test_duplicate_callback_urls_are_refused(app):
    errors = details_error(app, callback_urls=["https://example.com/cb", "https://example.com/cb"])
    assert "listed twice" in errors["callback_urls"][0]


def test_callback_urls_are_compared_as_exact_strings(app):
    urls = ["https://example.com/cb", "https://example.com/cb/", "https://example.com/CB"]
    update_app_details(app=app, actor=act(app.owner), callback_urls=urls)
    assert App.objects.get(pk=app.pk).callback_urls == urls


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://A.com:443/cb", "https://a.com/cb"),
        ("HTTPS://Example.COM/Path/To/CB", "https://example.com/Path/To/CB"),
        ("https://example.com:8443/cb", "https://example.com:8443/cb"),
        ("http://LOCALHOST:80/cb", "http://localhost/cb"),
        ("http://[::1]:3000/Cb", "http://[::1]:3000/Cb"),
        ("COM.Example.App:/Callback", "com.example.app:/Callback"),
    ],
)
def test_callback_url_is_stored_with_lowercase_scheme_and_host_and_no_default_port(
    app, typed, stored
):
    update_app_details(app=app, actor=act(app.owner), callback_urls=[typed])
    assert App.objects.get(pk=app.pk).callback_urls == [stored]


def test_callback_urls_equal_once_canonical_are_refused_as_duplicates(app):
    errors = details_error(
        app, callback_urls=["https://a.com/cb", "https://A.com/cb", "https://a.com:443/cb"]
    )
    assert errors["callback_urls"] == [
        "URL 2 (https://A.com/cb) is listed twice: it is the same as URL 1.",
        "URL 3 (https://a.com:443/cb) is listed twice: it is the same as URL 1.",
    ]
    assert App.objects.get(pk=app.pk).callback_urls == []


def test_callback_urls_are_canonical_whoever_saves_them(app):
    app.callback_urls = ["https://Example.com:443/cb"]
    app.full_clean()
    app.save()
    assert App.objects.get(pk=app.pk).callback_urls == ["https://example.com/cb"]


@pytest.mark.parametrize(
    ("bad_url", "message"),
    [
        ("http://[::1/cb", "Enter a valid URL"),
        ("https://example.com:99999/", "port number from 1 to 65535"),
        ("https://example.com:x/", "port number from 1 to 65535"),
        ("https://example.com:0443/", "without leading zeros: 443"),
        ("https://example.com/\u202eexe.html", "U+202E"),
        ("https://exa\u200bmple.com/", "U+200B"),
    ],
)
def test_web_url_that_cannot_be_read_is_refused_with_a_message(app, bad_url, message):
    errors = details_error(app, website_url=bad_url)
    assert message in errors["website_url"][0]
    assert App.objects.get(pk=app.pk).website_url == ""


def test_one_bad_callback_url_saves_nothing_and_names_its_position(app):
    update_app_details(app=app, actor=act(app.owner), callback_urls=["https://example.com/old"])
    errors = details_error(
        app,
        name="Renamed",
        callback_urls=["https://example.com/new", "javascript:alert(document.cookie)"],
    )
    assert errors["callback_urls"][0].startswith("URL 2 (javascript:alert(document.cookie))")
    saved = App.objects.get(pk=app.pk)
    assert saved.callback_urls == ["https://example.com/old"]
    assert saved.name == "Storm Bot"


def test_environment_outside_the_list_is_refused(app):
    errors = details_error(app, environment="moon")
    assert errors["environment"]
    assert App.objects.get(pk=app.pk).environment == "development"


def test_details_update_records_before_and_after(app):
    from audit.models import AuditEvent

    update_app_details(app=app, actor=act(app.owner, ip_address="203.0.113.9"), description="Hello")
    event = AuditEvent.objects.filter(action="app.update").get()
    assert event.changes == {"description": ["", "Hello"]}
    assert event.actor == app.owner
    assert event.ip_address == "203.0.113.9"


def test_saving_app_details_too_often_is_refused_and_changes_nothing(app, settings):
    from core.errors import TooManyChanges

    settings.PORTICO_APP_DETAILS_SAVES_PER_WINDOW = 2
    for description in ("One", "Two"):
        update_app_details(app=app, actor=act(app.owner), description=description)

    with pytest.raises(TooManyChanges) as refusal:
        update_app_details(app=app, actor=act(app.owner), description="Three")

    assert "at most 2 in 15 minutes" in refusal.value.message
    assert App.objects.get(pk=app.pk).description == "Two"


def test_the_details_page_says_when_saves_are_too_frequent(signed_in, app, settings):
    from django.urls import reverse

    settings.PORTICO_APP_DETAILS_SAVES_PER_WINDOW = 0
    response = signed_in.post(
        reverse("apps:details", args=[app.app_id]),
        {"name": "Storm Bot", "environment": "development", "description": "Refused"},
    )
    assert response.status_code == 422
    assert "Too many saves of App details" in response.content.decode()
    assert App.objects.get(pk=app.pk).description == ""


@pytest.mark.parametrize("protocol", ["oauth1_enabled", "oauth2_enabled"])
@pytest.mark.parametrize(("field", "emptied"), [("website_url", ""), ("callback_urls", [])])
def test_with_oauth_on_the_website_and_callback_urls_cannot_be_removed(
    app, protocol, field, emptied
):
    from apps.models import UserAuthenticationSettings

    App.objects.filter(pk=app.pk).update(
        website_url="https://storm.example.com", callback_urls=["https://storm.example.com/cb"]
    )
    app.refresh_from_db()
    UserAuthenticationSettings.objects.create(app=app, **{protocol: True}, type_of_app="web")

    errors = details_error(app, **{field: emptied})

    assert "is on in User authentication settings" in errors[field][0]
    assert "turn it off first" in errors[field][0]
    assert getattr(App.objects.get(pk=app.pk), field)

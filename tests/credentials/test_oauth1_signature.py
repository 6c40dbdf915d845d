"""The OAuth 1.0a parsing and signature base string written in credentials.oauth1, held to
RFC 5849's worked examples and to the signatures oauthlib (requests-oauthlib's signer) makes."""

from urllib.parse import urlencode, urlsplit

import pytest
from django.test import RequestFactory
from oauthlib.oauth1 import (
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
)
from oauthlib.oauth1 import Client as Signer

from credentials import oauth1

CONSUMER_SECRET = "kd94hf93k423kf44"
TOKEN_SECRET = "pfkkdhi9sl3r4s00"
FORM = "application/x-www-form-urlencoded"


def signature_of(request, consumer_secret=CONSUMER_SECRET, token_secret=TOKEN_SECRET):
    parsed = oauth1.parse(request)
    base_string = oauth1.signature_base_string(parsed)
    return oauth1.hmac_sha1_signature(base_string, consumer_secret, token_secret).decode()


def test_the_worked_example_of_rfc_5849_section_3_4_1_1():
    """Query, form body and header parameters; a repeated name; escapes to decode once and
    encode again; the realm left out."""
    request = RequestFactory().generic(
        "POST",
        "/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        data="c2&a3=2+q",
        content_type=FORM,
        HTTP_HOST="example.com",
        HTTP_AUTHORIZATION=(
            'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", '
            'oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", '
            'oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", '
            'oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"'
        ),
    )

    assert oauth1.signature_base_string(oauth1.parse(request)) == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da"
        "%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2"
        "%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1"
        "%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


def test_the_signed_request_of_rfc_5849_section_1_2():
    request = RequestFactory().get(
        "/photos?file=vacation.jpg&size=original",
        HTTP_HOST="photos.example.net",
        HTTP_AUTHORIZATION=(  # the RFC's line breaks are for display only
            'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", '
            'oauth_token="nnch734d00sl2jdk",\toauth_signature_method="HMAC-SHA1", '
            'oauth_timestamp="137131202",  oauth_nonce="chapoH", '
            'oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"'
        ),
    )

    assert signature_of(request) == "MdpQcU8iPSUjWoN/UDMsK2sui9I="
    assert oauth1.parse(request).signature == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


def signed(
    url,
    *,
    method="GET",
    form=None,
    signature_type=SIGNATURE_TYPE_AUTH_HEADER,
    **signer_options,
):
    """The request oauthlib's client signs, as Django receives it."""
    signer = Signer(
        "ptc_ck_consumer",
        client_secret=CONSUMER_SECRET,
        resource_owner_key="ptc_at_token",
        resource_owner_secret=TOKEN_SECRET,
        signature_type=signature_type,
        **signer_options,
    )
    body = urlencode(form, doseq=True) if form is not None else None
    headers = {"Content-Type": FORM} if form is not None else {}
    uri, headers, body = signer.sign(url, http_method=method, body=body, headers=headers)
    parts = urlsplit(uri)
    extra = {"HTTP_HOST": parts.netloc, "wsgi.url_scheme": parts.scheme}
    if "Authorization" in headers:
        extra["HTTP_AUTHORIZATION"] = headers["Authorization"]
    path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    if form is None:
        return RequestFactory().generic(method, path, **extra)
    return RequestFactory().generic(method, path, data=body, content_type=FORM, **extra)


@pytest.mark.parametrize(
    "request_of",
    [
        pytest.param(lambda: signed("http://api.example.com/2/users/me"), id="no parameters"),
        pytest.param(
            lambda: signed("http://api.example.com/2/tweets/search?query=storm&max_results=10"),
            id="query",
        ),
        pytest.param(
            lambda: signed(
                "http://api.example.com/2/tweets",
                method="POST",
                form={"text": "Hello, world! 100% (sure) ~ *"},
            ),
            id="form body",
        ),
        pytest.param(
            lambda: signed(
                "http://api.example.com/2/users?ids=2&ids=1&ids=1",
                method="POST",
                form={"tag": ["b", "a", "b"], "empty": ""},
            ),
            id="repeated parameters in the query and the body",
        ),
        pytest.param(
            lambda: signed(
                "http://api.example.com/2/tweets?q=caf%C3%A9",
                method="POST",
                form={"text": "日本語 ✓ émoji 🌩", "naïve": "ß"},
            ),
            id="non-ASCII",
        ),
        pytest.param(
            lambda: signed("https://API.Example.COM:8443/2/users/me?a=1"),
            id="non-default port and upper-case host",
        ),
        pytest.param(
            lambda: signed("http://api.example.com:80/2/users/me"),
            id="default port",
        ),
        pytest.param(
            lambda: signed("http://api.example.com/r%20v/caf%C3%A9"),
            id="escaped path",
        ),
        pytest.param(
            lambda: signed(
                "http://api.example.com/oauth/request_token",
                method="POST",
                callback_uri="https://storm.example.com/cb?next=%2Fhome&x=a%20b",
                realm="Portico",
            ),
            id="callback with escapes, and a realm",
        ),
        pytest.param(
            lambda: signed(
                "http://api.example.com/2/users/me?a=1",
                signature_type=SIGNATURE_TYPE_QUERY,
            ),
            id="protocol parameters in the query",
        ),
        pytest.param(
            lambda: signed(
                "http://api.example.com/2/tweets",
                method="POST",
                form={"text": "hi"},
                signature_type=SIGNATURE_TYPE_BODY,
            ),
            id="protocol parameters in the body",
        ),
    ],
)
def test_oauthlibs_signatures_are_recomputed_exactly(request_of):
    request = request_of()

    assert signature_of(request) == oauth1.parse(request).signature
    assert signature_of(request, token_secret="another") != oauth1.parse(request).signature


def test_the_url_as_signed_behind_a_trusted_proxy(settings):
    request = signed("https://api.example.com/2/users/me")
    request.META.update(
        HTTP_HOST="portico-internal:8000",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="API.example.com:443",
    )
    request.META["wsgi.url_scheme"] = "http"
    settings.PORTICO_TRUSTED_PROXY_COUNT = 0
    assert oauth1.parse(request).uri == "http://portico-internal:8000/2/users/me"
    assert signature_of(request) != oauth1.parse(request).signature

    settings.PORTICO_TRUSTED_PROXY_COUNT = 1
    assert oauth1.parse(request).uri == "https://api.example.com/2/users/me"
    assert signature_of(request) == oauth1.parse(request).signature


def header(value):
    return RequestFactory().get("/2/users/me", HTTP_AUTHORIZATION=value)


def test_header_parameters_are_decoded_and_the_realm_is_not_signed():
    parsed = oauth1.parse(
        header('OAuth realm="Photos", oauth_nonce="a%20b" , oauth_token = "t%2Bk",')
    )

    assert parsed.oauth == {"oauth_nonce": "a b", "oauth_token": "t+k"}
    assert ("realm", "Photos") not in parsed.params


def test_unquoted_header_values_are_read_as_authlib_read_them():
    parsed = oauth1.parse(header("OAuth oauth_consumer_key=ptc_ck_x, oauth_nonce=abc"))

    assert parsed.oauth == {"oauth_consumer_key": "ptc_ck_x", "oauth_nonce": "abc"}


@pytest.mark.parametrize(
    "value",
    [
        'OAuth oauth_nonce="abc',
        'OAuth oauth_nonce="a"b"',
        'OAuth oauth_nonce="a\\"b"',
        'OAuth ="abc"',
        'OAuth oauth_nonce="a" oauth_token="b"',
        'OAuth oauth_nonce="a",, oauth_token="b"',
        "OAuth oauth_nonce",
        'Basic oauth_nonce="a"',
        'OAuth oauth_nonce="a"' + " " * 5000 + "x",
    ],
)
def test_a_malformed_header_is_refused_with_a_clear_message(value):
    with pytest.raises(oauth1.SignedRequestRefused, match="header is malformed"):
        oauth1.parse(header(value))


def test_a_protocol_parameter_given_twice_is_refused():
    with pytest.raises(oauth1.SignedRequestRefused, match="oauth_nonce appears twice"):
        oauth1.parse(header('OAuth oauth_nonce="a", oauth_nonce="b"'))


def test_protocol_parameters_in_two_places_are_refused():
    request = RequestFactory().get(
        "/2/users/me?oauth_nonce=b", HTTP_AUTHORIZATION='OAuth oauth_token="a"'
    )

    with pytest.raises(oauth1.SignedRequestRefused, match="one place only"):
        oauth1.parse(request)


def test_a_non_ascii_signature_does_not_match_rather_than_fail():
    parsed = oauth1.parse(header('OAuth oauth_signature="%C3%A9t%C3%A9"'))

    with pytest.raises(oauth1.SignedRequestRefused, match="does not match"):
        oauth1._check_signature(parsed, CONSUMER_SECRET, TOKEN_SECRET)

"""core.client_ip answers what allauth's get_client_ip answers, in every configuration, so
allauth's sign-in limits, Portico's limits and the audit trail see one client."""

import itertools

import pytest
from allauth.core.internal.httpkit import get_client_ip
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from core.client_ip import client_ip

PROXY_COUNTS = (0, 1, 2)
CLIENT_IP_HEADERS = (None, "X-Real-IP")
FORWARDED_FOR = (None, "203.0.113.50", "198.51.100.7, 203.0.113.50", "not an address", "")
REAL_IP = (None, "192.0.2.1", "bogus")
REMOTE_ADDRS = ("127.0.0.1", "10.0.0.2", "::1", "[::1]:8000", "127.0.0.1:5000", "", "unix")


def allauths_answer(request):
    try:
        return get_client_ip(request) or None
    except ImproperlyConfigured as error:
        return error.__class__


def portico_answer(request):
    try:
        return client_ip(request)
    except ImproperlyConfigured as error:
        return error.__class__


@pytest.mark.parametrize(
    ("proxies", "header"), list(itertools.product(PROXY_COUNTS, CLIENT_IP_HEADERS))
)
def test_the_client_address_is_allauths_in_every_configuration(settings, proxies, header):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = header
    cases = itertools.product(FORWARDED_FOR, REAL_IP, REMOTE_ADDRS)
    for forwarded_for, real_ip, remote_addr in cases:
        meta = {"REMOTE_ADDR": remote_addr}
        if forwarded_for is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
        if real_ip is not None:
            meta["HTTP_X_REAL_IP"] = real_ip
        expected = allauths_answer(RequestFactory().get("/", **meta))
        assert portico_answer(RequestFactory().get("/", **meta)) == expected, meta


def test_the_address_is_worked_out_once_per_request(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.9")
    assert client_ip(request) == "192.0.2.9"
    request.META["REMOTE_ADDR"] = "192.0.2.10"
    assert client_ip(request) == "192.0.2.9"

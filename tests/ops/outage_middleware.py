"""A middleware that fails as a database outage would, before any view runs."""

from django.db import OperationalError


class DatabaseDownMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

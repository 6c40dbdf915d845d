"""The request's `Actor`, and domain errors that escape a view mapped to pages."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from core.actor import Actor, Via
from core.client_ip import client_ip
from core.errors import NotFound, ReauthenticationNeeded
from core.reauthentication import reauthentication_response, recently_entered_password


def actor_of(request: HttpRequest, via: Via = Via.WEB) -> Actor:
    user = request.user if request.user.is_authenticated else None
    return Actor(
        user=user,
        ip_address=client_ip(request),
        via=via,
        recently_reauthenticated=user is not None and recently_entered_password(request),
    )


class ActorMiddleware:
    """Sets `request.actor`, built on first use (after authentication has run)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = Via.ADMIN if request.path.startswith("/admin/") else Via.WEB
        request.actor = SimpleLazyObject(lambda: actor_of(request, via))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, ReauthenticationNeeded):
            return reauthentication_response(request)
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        return None

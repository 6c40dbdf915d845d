"""The platform API's endpoints (X API v2 paths and shapes): thin DRF views over the services
and selectors. Every call goes through the same steps: authentication (the classes in
PORTICO_PLATFORM_AUTHENTICATION), permissions, the rate limit, then the endpoint; every answer,
refusals included, gets the rate-limit headers and is counted in the App's usage."""

from functools import cache

from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.models import EMAIL_SCOPE, Permission, UserAuthenticationSettings
from core.api import JSONParser
from core.conf import portico
from core.numbers import parse_id, parse_number
from credentials.verification import TokenUser
from platform_api import selectors, services
from platform_api.access import ACCESS_LEVEL_HEADER, Caller, Context
from platform_api.permissions import (
    AppOnly,
    Authenticated,
    HasAccessLevel,
    HasScope,
    UserContext,
)
from platform_api.problems import InvalidRequest, problem_exception_handler
from platform_api.rate_limits import PlatformRateLimit
from platform_api.usage import record_call

TWEET_FIELDS = ("source", "created_at", "author_id")


@cache
def _authentication_classes(paths: tuple[str, ...]) -> list[type]:
    return [import_string(path) for path in paths]


def _time(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class JSONFirst(DefaultContentNegotiation):
    """DRF's content negotiation, with the common case answered without parsing: a client that
    sends no Accept header, `*/*` or `application/json`, and no `?format=`, gets JSON, the one
    renderer, as DRF would choose it; anything else is negotiated as before (406 included)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        meta = request.META
        if (
            not format_suffix
            and not meta.get("QUERY_STRING")
            and meta.get("HTTP_ACCEPT", "*/*") in ("*/*", "application/json")
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


class PlatformEndpoint(APIView):
    """The steps every platform API call goes through; subclasses name their `route` and add
    their permission classes (instances such as HasScope("tweet.read") are welcome)."""

    route = ""
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    content_negotiation_class = JSONFirst
    permission_classes: list = []
    throttle_classes = [PlatformRateLimit]
    count_usage = True  # off only in bench/platform_api.py, to measure what counting costs

    @property
    def endpoint(self) -> str:
        method = self.request.method
        known = method.lower() in self.http_method_names and hasattr(self, method.lower())
        return f"{method if known else '*'} {self.route}"

    def get_authenticators(self):
        paths = tuple(portico.PLATFORM_AUTHENTICATION)
        return [authentication() for authentication in _authentication_classes(paths)]

    def get_permissions(self):
        return [Authenticated(), *(permission() for permission in self.permission_classes)]

    def get_throttles(self):
        if self.endpoint.startswith("*"):
            return []  # 405 follows; nothing to count against
        return super().get_throttles()

    def get_exception_handler(self):
        return problem_exception_handler

    def check_permissions(self, request):
        # The window is counted once the caller is known and before the endpoint's own
        # permissions, so that their refusals carry the x-rate-limit headers too.
        Authenticated().has_permission(request, self)
        super().check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        pass  # counted in check_permissions

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        django_request = request._request
        for name, value in getattr(django_request, "platform_rate_limit_headers", {}).items():
            response[name] = value
        caller = getattr(request, "_auth", None)
        if isinstance(caller, Caller) and caller.context == Context.OAUTH1_USER:
            response["x-access-level"] = ACCESS_LEVEL_HEADER[caller.access_level]
        app_pk = getattr(django_request, "platform_app_pk", None)
        if app_pk is not None and self.count_usage:
            record_call(
                app_pk=app_pk,
                endpoint=self.endpoint,
                status=response.status_code,
                problem_type=getattr(response, "problem_slug", ""),
            )
        return response

    # Input helpers: a clear 400 for anything else.
    def body_text(self, request) -> object:
        if not isinstance(request.data, dict):
            raise InvalidRequest('Send a JSON object such as {"text": "Hello"}.')
        return request.data.get("text")

    def max_results(self, request, *, default: int, low: int, high: int) -> int:
        number = parse_number(request.query_params.get("max_results", str(default)), low, high)
        if number is None:
            raise InvalidRequest(f"max_results must be a whole number from {low} to {high}.")
        return number

    def tweet_fields(self, request) -> list[str]:
        raw = request.query_params.get("tweet.fields", "")
        fields = [field for field in raw.split(",") if field]
        unknown = [field for field in fields if field not in TWEET_FIELDS]
        if unknown:
            raise InvalidRequest(
                f"tweet.fields: {', '.join(unknown[:5])} is not one of {', '.join(TWEET_FIELDS)}."
            )
        return fields


def post_data(post, fields=()) -> dict:
    data = {"id": str(post.pk), "text": post.text}
    if "created_at" in fields:
        data["created_at"] = _time(post.created_at)
    if "author_id" in fields:
        data["author_id"] = str(post.author_id)
    if "source" in fields:
        data["source"] = post.source_name
    return data


def _public_fields(user) -> TokenUser:
    return TokenUser(user.pk, user.first_name, user.last_name, user.email, user.date_joined)


def _ids(route_id: str, what: str) -> int:
    number = parse_id(route_id)
    if number is None:
        raise InvalidRequest(f"The {what} id must be a number.")
    return number


class UsersMe(PlatformEndpoint):
    route = "/2/users/me"
    permission_classes = [UserContext, HasScope("users.read")]

    def get(self, request):
        caller: Caller = request.auth
        # An OAuth 2.0 token's verification read the public fields already; an OAuth 1.0a
        # caller's user is loaded here.
        user = caller.profile or _public_fields(caller.user)
        data = {
            "id": str(user.id),
            "name": user.full_name or f"User {user.id}",
            "username": f"user_{user.id}",
            "created_at": _time(user.date_joined),
        }
        if self._may_see_email(caller):
            data["confirmed_email"] = user.email
        return Response({"data": data})

    @staticmethod
    def _may_see_email(caller: Caller) -> bool:
        if caller.context == Context.OAUTH2_USER:
            # Effective scopes: users.email is dropped once the App stops requesting email.
            return EMAIL_SCOPE in caller.scopes
        return UserAuthenticationSettings.objects.filter(
            app_id=caller.app_pk, request_email=True
        ).exists()


class Tweets(PlatformEndpoint):
    route = "/2/tweets"
    permission_classes = [
        UserContext,
        HasScope("tweet.read", "tweet.write", "users.read"),
        HasAccessLevel(Permission.READ_WRITE),
    ]

    def post(self, request):
        post = services.create_post(caller=request.auth, text=self.body_text(request))
        return Response({"data": post_data(post)}, status=status.HTTP_201_CREATED)


class Tweet(PlatformEndpoint):
    route = "/2/tweets/:id"
    permission_classes = [HasScope("tweet.read", "users.read")]

    def get_permissions(self):
        permissions = super().get_permissions()
        if self.request.method == "DELETE":
            permissions += [
                UserContext(),
                HasScope("tweet.write")(),
                HasAccessLevel(Permission.READ_WRITE)(),
            ]
        return permissions

    def get(self, request, post_id: str):
        fields = self.tweet_fields(request)
        post = selectors.post(_ids(post_id, "Post"))
        return Response({"data": post_data(post, fields)})

    def delete(self, request, post_id: str):
        services.delete_post(caller=request.auth, post_id=_ids(post_id, "Post"))
        return Response({"data": {"deleted": True}})


class UserTweets(PlatformEndpoint):
    route = "/2/users/:id/tweets"
    permission_classes = [HasScope("tweet.read", "users.read")]

    def get(self, request, user_id: str):
        fields = self.tweet_fields(request)
        page = selectors.posts_of(
            _ids(user_id, "user"),
            max_results=self.max_results(request, default=10, low=5, high=100),
            pagination_token=request.query_params.get("pagination_token"),
        )
        meta = {"result_count": len(page.items)}
        if page.items:
            meta["newest_id"], meta["oldest_id"] = str(page.items[0].pk), str(page.items[-1].pk)
        if page.next_token:
            meta["next_token"] = page.next_token
        body = {"meta": meta}
        if page.items:
            body["data"] = [post_data(post, fields) for post in page.items]
        return Response(body)


class DirectMessageToParticipant(PlatformEndpoint):
    route = "/2/dm_conversations/with/:participant_id/messages"
    permission_classes = [
        UserContext,
        HasScope("dm.write", "dm.read", "users.read"),
        HasAccessLevel(Permission.READ_WRITE_DM),
    ]

    def post(self, request, participant_id: str):
        message = services.send_direct_message(
            caller=request.auth,
            participant_id=_ids(participant_id, "participant"),
            text=self.body_text(request),
        )
        return Response(
            {
                "data": {
                    "dm_conversation_id": message.conversation_id,
                    "dm_event_id": str(message.pk),
                }
            },
            status=status.HTTP_201_CREATED,
        )


class DirectMessageEvents(PlatformEndpoint):
    route = "/2/dm_events"
    permission_classes = [
        UserContext,
        HasScope("dm.read", "users.read"),
        HasAccessLevel(Permission.READ_WRITE_DM),
    ]

    def get(self, request):
        page = selectors.direct_messages_of(
            request.auth.user,
            max_results=self.max_results(request, default=100, low=1, high=100),
            pagination_token=request.query_params.get("pagination_token"),
        )
        meta = {"result_count": len(page.items)}
        if page.next_token:
            meta["next_token"] = page.next_token
        data = [
            {
                "id": str(message.pk),
                "event_type": "MessageCreate",
                "text": message.text,
                "sender_id": str(message.sender_id),
                "dm_conversation_id": message.conversation_id,
                "created_at": _time(message.created_at),
            }
            for message in page.items
        ]
        return Response({"data": data, "meta": meta} if data else {"meta": meta})


class UsageTweets(PlatformEndpoint):
    route = "/2/usage/tweets"
    permission_classes = [AppOnly]

    def get(self, request):
        days = self.max_results_days(request)
        app = selectors.app_of(request.auth)
        usage = selectors.post_usage_of_app(app)
        total, per_app = selectors.daily_posts(app, days)
        usage_of = [
            {"date": f"{entry.day:%Y-%m-%d}T00:00:00.000Z", "usage": str(entry.count)}
            for entry in total
        ]
        return Response(
            {
                "data": {
                    "project_id": str(app.project_id or ""),
                    "project_cap": str(usage.cap),
                    "project_usage": str(usage.used),
                    "cap_reset_day": usage.reset_date.day,
                    "daily_project_usage": {
                        "project_id": str(app.project_id or ""),
                        "usage": usage_of,
                    },
                    "daily_client_app_usage": [
                        {
                            "client_app_id": str(app_id),
                            "usage": [
                                {
                                    "date": f"{entry.day:%Y-%m-%d}T00:00:00.000Z",
                                    "usage": str(entry.count),
                                }
                                for entry in entries
                            ],
                            "usage_result_count": len(entries),
                        }
                        for app_id, entries in sorted(per_app.items())
                    ],
                }
            }
        )

    def max_results_days(self, request) -> int:
        days = parse_number(request.query_params.get("days", "7"), 1, 90)
        if days is None:
            raise InvalidRequest("days must be a whole number from 1 to 90.")
        return days


def as_view(endpoint: type[PlatformEndpoint]):
    # never_cache: answers depend on the credential; no cache in between may keep them
    return never_cache(endpoint.as_view())

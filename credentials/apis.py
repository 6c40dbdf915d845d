"""An App's keys and tokens through the portal REST API: list them (hints and dates, never a
value), regenerate (with a grace period) and revoke. A new value appears only in the body of
the response that made it, which no cache may keep (`Cache-Control: no-store`).

Also the account's own personal access tokens: list and revoke (they are created on the
account page or with `manage.py issue_portal_token`, never by another token)."""

from django.urls import path
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.apis import APP_NOT_FOUND, APP_SUSPENDED, NOT_AUTHENTICATED, REAUTHENTICATION_NEEDED
from apps.selectors import owned_app
from core.api import no_store, problem_example, validated
from core.errors import NotFound, TooManyChanges
from credentials import selectors, services
from credentials.models import Credential, Kind, PersonalAccessToken, TokenScope

# Examples in the OpenAPI schema: values in Portico's formats, never issued to anyone.
EXAMPLE_API_KEY = {
    "credential_id": 3107,
    "kind": "api_key",
    "label": "API Key and Secret",
    "hint": "6gos",
    "secret_hint": "WebD",
    "created_at": "2026-03-02T09:14:07.512000Z",
    "created_by": "dana@example.com",
    "last_used_at": "2026-03-06T07:58:12.000000Z",
    "grace_expires_at": None,
    "permission": "",
    "out_of_date": False,
    "revocable": False,
}
EXAMPLE_ISSUED_API_KEY = {
    "credential": EXAMPLE_API_KEY | {"last_used_at": None},
    "value": "ptc_ck_KGZiNrhhPenVGIqunED9NARpMercTqz91P6gos",
    "secret": "ptc_cs_fgy8vyoQNqcqgolhDcNhtRsh5MaWnMM01JWebD",
}
EXAMPLE_BEARER_TOKEN = {
    "credential_id": 3122,
    "kind": "bearer_token",
    "label": "Bearer Token",
    "hint": "ev70",
    "secret_hint": "",
    "created_at": "2026-03-06T09:00:12.774000Z",
    "created_by": "dana@example.com",
    "last_used_at": None,
    "grace_expires_at": None,
    "permission": "",
    "out_of_date": False,
    "revocable": True,
}
EXAMPLE_CLIENT_ID = "pci_mfZd5P0krv35aIib9wGFWfa4QjEcoChR0BAjvE"
EXAMPLE_TOKEN = {
    "token_id": 41,
    "name": "ci",
    "hint": "x3Qe",
    "scopes": ["read", "write"],
    "created_at": "2026-02-20T14:00:00.000000Z",
    "last_used_at": "2026-03-06T06:30:09.117000Z",
    "expires_at": "2026-05-21T14:00:00.000000Z",
}

KIND_SLUGS = {kind.value.replace("_", "-"): kind for kind in Kind}


class CredentialOutput(serializers.ModelSerializer):
    credential_id = serializers.IntegerField(source="pk")
    label = serializers.SerializerMethodField()
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    grace_expires_at = serializers.DateTimeField(
        source="expires_at",
        allow_null=True,
        help_text="Set on an old value kept working after it was regenerated: when it stops.",
    )
    permission = serializers.CharField(
        help_text="Access Tokens: the OAuth 1.0a permission level they were created with."
    )
    out_of_date = serializers.SerializerMethodField(
        help_text="An Access Token created with other permissions than the App has now: "
        "regenerate it to get them."
    )
    revocable = serializers.BooleanField(source="is_revocable")

    class Meta:
        model = Credential
        fields = [
            "credential_id",
            "kind",
            "label",
            "hint",
            "secret_hint",
            "created_at",
            "created_by",
            "last_used_at",
            "grace_expires_at",
            "permission",
            "out_of_date",
            "revocable",
        ]
        ref_name = "Credential"

    def get_label(self, credential: Credential) -> str:
        return Kind(credential.kind).label

    def get_out_of_date(self, credential: Credential) -> bool:
        return credential.pk in self.context.get("out_of_date", ())


class KeysAndTokensOutput(serializers.Serializer):
    app_id = serializers.IntegerField(source="app.app_id")
    client_id = serializers.CharField(help_text="The OAuth 2.0 Client ID: public.")
    is_confidential_client = serializers.BooleanField()
    credentials = serializers.SerializerMethodField()

    class Meta:
        ref_name = "KeysAndTokens"

    @extend_schema_field(CredentialOutput(many=True))
    def get_credentials(self, keys: selectors.KeysAndTokens) -> list[dict]:
        valid = [credential for on_tab in keys.kinds.values() for credential in on_tab.valid]
        context = {"out_of_date": keys.out_of_date_access_tokens}
        return CredentialOutput(valid, many=True, context=context).data


class IssuedOutput(serializers.Serializer):
    """A new value, in plain text, in this response only."""

    credential = CredentialOutput()
    value = serializers.CharField(help_text="Shown once: store it now.")
    secret = serializers.CharField(
        allow_null=True, help_text="The API Key Secret or Access Token Secret; shown once."
    )

    class Meta:
        ref_name = "IssuedCredential"


class KeysAndTokensApi(APIView):
    @extend_schema(
        summary="List the App's valid keys and tokens (hints and dates only)",
        tags=["Keys and tokens"],
        responses=KeysAndTokensOutput,
        examples=[
            OpenApiExample(
                "An API Key and a Bearer Token",
                value={
                    "app_id": 4817203956,
                    "client_id": EXAMPLE_CLIENT_ID,
                    "is_confidential_client": False,
                    "credentials": [EXAMPLE_API_KEY, EXAMPLE_BEARER_TOKEN],
                },
            ),
            APP_NOT_FOUND,
        ],
    )
    def get(self, request, app_id: int):
        app = owned_app(request.user, app_id)
        return Response(KeysAndTokensOutput(selectors.keys_and_tokens_of(app)).data)


class RegenerateApi(APIView):
    token_scope = TokenScope.CREDENTIALS

    class InputSerializer(serializers.Serializer):
        grace = serializers.ChoiceField(
            choices=["", *services.GRACE_PERIODS],
            required=False,
            default="",
            help_text="Keep the old value working for 1h, 24h or 7d; empty: it stops now.",
        )

        class Meta:
            ref_name = "Regenerate"

    @extend_schema(
        summary="Regenerate a key or token: the new value is in this response only",
        description="`kind` is api-key, bearer-token, access-token or client-secret. A "
        "sensitive action: a personal access token needs the `credentials` scope.",
        tags=["Keys and tokens"],
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KIND_SLUGS))],
        request=InputSerializer,
        responses={201: IssuedOutput},
        examples=[
            OpenApiExample("A day of grace", value={"grace": "24h"}, request_only=True),
            OpenApiExample(
                "A new Bearer Token",
                value={
                    "credential": EXAMPLE_BEARER_TOKEN,
                    "value": "ptc_bt_0kCzDGq7u2v5TXPc34OkQYxeJqUgkeYM2Iev70",
                    "secret": None,
                },
                response_only=True,
            ),
            REAUTHENTICATION_NEEDED,
            APP_SUSPENDED,
            problem_example(
                "Too many changes",
                TooManyChanges(
                    "Too many changes to keys, tokens and Apps from this account: at most 20 in "
                    "15 minutes. Nothing was changed; try again in a few minutes."
                ),
            ),
        ],
    )
    def post(self, request, app_id: int, kind: str):
        app = owned_app(request.user, app_id)
        if kind not in KIND_SLUGS:
            raise NotFound("No such kind of key or token.")
        grace = validated(self.InputSerializer, request)["grace"]
        issued = services.regenerate_credential(
            app=app, kind=KIND_SLUGS[kind], actor=request.actor, grace=grace
        )
        body = {"credential": issued.credential, "value": issued.value, "secret": issued.secret}
        return no_store(Response(IssuedOutput(body).data, status=201))


class RevokeApi(APIView):
    token_scope = TokenScope.CREDENTIALS

    @extend_schema(
        summary="Revoke a key or token at once",
        description="A sensitive action: a personal access token needs the `credentials` "
        "scope. An App's current API Key is regenerated, not revoked.",
        tags=["Keys and tokens"],
        responses={204: None},
        examples=[
            problem_example(
                "No such key or token",
                NotFound("No such key or token, or it no longer works."),
            ),
            REAUTHENTICATION_NEEDED,
        ],
    )
    def delete(self, request, app_id: int, credential_id: int):
        app = owned_app(request.user, app_id)
        credential = selectors.valid_credential_of(app, credential_id)
        services.revoke_credential(credential=credential, actor=request.actor)
        return Response(status=204)


class PersonalAccessTokenOutput(serializers.ModelSerializer):
    token_id = serializers.IntegerField(source="pk")
    scopes = serializers.ListField(source="scope_list", child=serializers.CharField())

    class Meta:
        model = PersonalAccessToken
        fields = ["token_id", "name", "hint", "scopes", "created_at", "last_used_at", "expires_at"]
        ref_name = "PersonalAccessToken"


class PersonalAccessTokenListApi(APIView):
    @extend_schema(
        summary="List your personal access tokens that still work (hints only)",
        tags=["Personal access tokens"],
        responses=PersonalAccessTokenOutput(many=True),
        examples=[
            OpenApiExample("A token for CI", value=EXAMPLE_TOKEN, response_only=True),
            NOT_AUTHENTICATED,
        ],
    )
    def get(self, request):
        tokens = selectors.personal_access_tokens_of(request.user)
        return Response(PersonalAccessTokenOutput(tokens, many=True).data)


class PersonalAccessTokenDetailApi(APIView):
    @extend_schema(
        summary="Revoke one of your personal access tokens",
        tags=["Personal access tokens"],
        responses={204: None},
        examples=[
            problem_example(
                "No such token",
                NotFound("No such personal access token, or it no longer works."),
            )
        ],
    )
    def delete(self, request, token_id: int):
        token = selectors.owned_personal_access_token(request.user, token_id)
        services.revoke_personal_access_token(token=token, actor=request.actor)
        return Response(status=204)


urlpatterns = [
    path("apps/<id:app_id>/credentials/", KeysAndTokensApi.as_view(), name="credentials"),
    path(
        "apps/<id:app_id>/credentials/<slug:kind>/regenerate/",
        RegenerateApi.as_view(),
        name="credential-regenerate",
    ),
    path(
        "apps/<id:app_id>/credentials/<id:credential_id>/",
        RevokeApi.as_view(),
        name="credential",
    ),
    path("personal-access-tokens/", PersonalAccessTokenListApi.as_view(), name="tokens"),
    path(
        "personal-access-tokens/<id:token_id>/",
        PersonalAccessTokenDetailApi.as_view(),
        name="token",
    ),
]

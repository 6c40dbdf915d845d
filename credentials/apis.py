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

from apps.selectors import owned_app
from core.api import no_store, validated
from core.errors import NotFound
from credentials import selectors, services
from credentials.models import Credential, Kind, PersonalAccessToken, TokenScope

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
        examples=[OpenApiExample("A day of grace", value={"grace": "24h"}, request_only=True)],
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
    )
    def get(self, request):
        tokens = selectors.personal_access_tokens_of(request.user)
        return Response(PersonalAccessTokenOutput(tokens, many=True).data)


class PersonalAccessTokenDetailApi(APIView):
    @extend_schema(
        summary="Revoke one of your personal access tokens",
        tags=["Personal access tokens"],
        responses={204: None},
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

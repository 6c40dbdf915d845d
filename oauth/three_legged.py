"""OAuth 1.0a's three legs (RFC 5849 §2): request token, the user's decision, access token.

Signatures are checked by credentials.oauth1; this module keeps the request tokens and
issues users' access tokens, every value as a digest and every secret as AES-GCM ciphertext.
"""

import hmac
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps.models import App, Permission
from apps.selectors import auth_settings_of
from audit.actions import Action, Consent
from audit.services import record_event
from core.actor import Actor
from credentials import at_rest, formats
from credentials.models import (
    REQUEST_TOKEN_LIFETIME,
    VERIFIER_ATTEMPTS,
    Authorization,
    RequestToken,
    UserToken,
    UserTokenKind,
)
from credentials.oauth1 import SignedRequestRefused, TokenGrant
from credentials.verification import Reason, Verification, _effective_permission
from oauth.clients import app_standing_refusal, redirect_uri_registered

ACCESS_TYPES = {"read": Permission.READ, "write": Permission.READ_WRITE}
LEVEL_WORDS = {
    Permission.READ: "Read your posts and profile.",
    Permission.READ_WRITE: "Read and write: read your posts and profile, and post for you.",
    Permission.READ_WRITE_DM: (
        "Read, write and Direct Messages: read your posts and profile, post for you, and "
        "read and send your Direct Messages."
    ),
}
_RANK = {permission: rank for rank, permission in enumerate(Permission.values)}


def oauth1_refusal(app: App) -> str:
    """Why this App may not use OAuth 1.0a now, or ''."""
    if refusal := app_standing_refusal(app, owner_active=app.owner.is_active):
        return refusal
    if not auth_settings_of(app).oauth1_enabled:
        return f"OAuth 1.0a is turned off for {app.name} in its user authentication settings."
    return ""


@dataclass(frozen=True)
class IssuedRequestToken:
    token: str = field(repr=False)
    secret: str = field(repr=False)


def issue_request_token(*, app: App, callback: str, access_type: str) -> IssuedRequestToken:
    """`POST /oauth/request_token`: `callback` is a registered callback URL or `oob`."""
    if refusal := oauth1_refusal(app):
        raise SignedRequestRefused(refusal, status=403)
    if not callback:
        raise SignedRequestRefused("oauth_callback is missing: a registered callback URL or oob.")
    if callback != "oob" and not redirect_uri_registered(app, callback):
        raise SignedRequestRefused(
            "oauth_callback is not one of the App's registered callback URLs (or oob)."
        )
    if access_type and access_type not in ACCESS_TYPES:
        raise SignedRequestRefused("x_auth_access_type must be read or write.")
    token = formats.generate(formats.REQUEST_TOKEN)
    secret = formats.generate(formats.REQUEST_TOKEN_SECRET)
    digest = at_rest.digest(token)
    row = RequestToken(
        app=app,
        pepper_id=digest.pepper_id,
        digest=digest.hexdigest,
        callback=callback,
        access_type=ACCESS_TYPES.get(access_type, ""),
        expires_at=timezone.now() + REQUEST_TOKEN_LIFETIME,
    )
    sealed = at_rest.encrypt(secret, context=row.encryption_context)
    row.secret_key_id, row.secret_ciphertext = sealed.key_id, sealed.ciphertext
    row.save()
    return IssuedRequestToken(token=token, secret=secret)


@sensitive_variables("value")
def pending_request_token(value: str) -> RequestToken | None:
    """A request token still waiting for the user's decision (15 minutes, unused)."""
    if not formats.has_shape(formats.REQUEST_TOKEN, value) or not formats.has_valid_checksum(value):
        return None
    row = (
        RequestToken.objects.select_related("app", "app__owner")
        .filter(digest__in=at_rest.candidate_digests(value), used_at__isnull=True)
        .first()
    )
    if row is None or row.expires_at <= timezone.now() or row.authorized_at is not None:
        return None
    return row


def level_of(request_token: RequestToken) -> str:
    """What the user is asked to grant: the App's level, or less if the App asked for less."""
    app_level = auth_settings_of(request_token.app).oauth1_permission
    if not request_token.access_type:
        return app_level
    return _effective_permission(request_token.access_type, app_level)


def already_authorized(request_token: RequestToken, user) -> bool:
    """`/oauth/authenticate` skips the question when the user granted this level before."""
    authorization = Authorization.objects.filter(
        app=request_token.app, user=user, revoked_at__isnull=True
    ).first()
    if authorization is None or not authorization.oauth1_permission:
        return False
    return _RANK[authorization.oauth1_permission] >= _RANK[level_of(request_token)]


@sensitive_variables("verifier")
def approve_request_token(*, actor: Actor, request_token: RequestToken, asked: bool) -> str:
    """The user said Authorize (`asked`), or /oauth/authenticate found the level authorized
    before and did not ask: returns the verifier (a 7-digit PIN for `oob`), and records the
    grant in the audit trail."""
    verifier = (
        formats.generate_pin()
        if request_token.is_oob
        else formats.generate(formats.OAUTH1_VERIFIER)
    )
    level = level_of(request_token)
    with transaction.atomic():
        updated = RequestToken.objects.filter(
            pk=request_token.pk, authorized_at__isnull=True, used_at__isnull=True
        ).update(
            user=actor.user,
            permission=level,
            verifier_digest=at_rest.digest(f"{request_token.digest}:{verifier}").hexdigest,
            authorized_at=timezone.now(),
        )
        if updated:
            record_event(
                actor=actor,
                action=Action.OAUTH_AUTHORIZATION_GRANT,
                target=request_token.app,
                changes={
                    "user_id": actor.user.pk,
                    "protocol": "oauth1",
                    "scopes": [],
                    "level": level,
                    "consent": _consent(request_token.app, actor.user, level, asked=asked),
                },
            )
    if not updated:
        raise SignedRequestRefused("This request token was already used.", status=400)
    return verifier


def _consent(app: App, user, level: str, *, asked: bool) -> Consent:
    """How this grant compares with the level the user's open Authorization holds (set when
    the App exchanges the verifier)."""
    if not asked:
        return Consent.SKIPPED
    held = (
        Authorization.objects.filter(app=app, user=user, revoked_at__isnull=True)
        .values_list("oauth1_permission", flat=True)
        .first()
    )
    if not held:
        return Consent.NEW
    return Consent.WIDENED if _RANK[level] > _RANK[held] else Consent.REPEATED


def deny_request_token(*, request_token: RequestToken) -> None:
    RequestToken.objects.filter(pk=request_token.pk).update(used_at=timezone.now())


def request_token_grant(value: str, consumer: Verification) -> TokenGrant:
    """The token lookup of `POST /oauth/access_token`: an authorized, unused, unexpired request
    token of the consumer's App."""
    if not formats.has_shape(formats.REQUEST_TOKEN, value) or not formats.has_valid_checksum(value):
        raise SignedRequestRefused("oauth_token is not a request token Portico issued.")
    row = (
        RequestToken.objects.select_related("user")
        .filter(digest__in=at_rest.candidate_digests(value))
        .first()
    )
    if row is None or row.app_id != consumer.app_pk:
        raise SignedRequestRefused("oauth_token is unknown to this App.")
    if row.used_at is not None:
        raise SignedRequestRefused("This request token was already used or refused.")
    if row.expires_at <= timezone.now():
        raise SignedRequestRefused("This request token expired (they live 15 minutes).")
    if row.authorized_at is None:
        raise SignedRequestRefused("The user has not authorized this request token yet.")
    if not row.user.is_active:
        raise SignedRequestRefused(
            "The account that authorized this request token is deactivated.",
            reason=Reason.ACCOUNT_INACTIVE,
        )
    sealed = at_rest.Sealed(row.secret_key_id, row.secret_ciphertext)
    secret = at_rest.decrypt(sealed, context=row.encryption_context)
    return TokenGrant(secret, row.user_id, row.permission, row.pk, "request")


@dataclass(frozen=True)
class IssuedAccessToken:
    token: str = field(repr=False)
    secret: str = field(repr=False)
    user_id: int
    screen_name: str
    permission: str


@sensitive_variables("verifier")
def exchange_request_token(*, request_token_id: int, verifier: str) -> IssuedAccessToken:
    """`POST /oauth/access_token`: the verifier (at most five wrong ones, then the request
    token dies) for the user's own access token and secret."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            RequestToken.objects.select_for_update(of=("self",))
            .select_related("user", "app")
            .get(pk=request_token_id)
        )
        if row.used_at is not None:
            raise SignedRequestRefused("This request token was already used or refused.")
        expected = row.verifier_digest
        candidates = at_rest.candidate_digests(f"{row.digest}:{verifier}")
        if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            row.attempts += 1
            if row.attempts >= VERIFIER_ATTEMPTS:
                row.used_at = now
            row.save(update_fields=["attempts", "used_at"])
            left = VERIFIER_ATTEMPTS - row.attempts
            message = "oauth_verifier is wrong." + (
                f" {left} attempt(s) left." if left else " The request token is now void."
            )
            failed = SignedRequestRefused(message)
        else:
            failed = None
            row.used_at = now
            row.save(update_fields=["used_at"])
            issued = _issue_oauth1_user_token(row)
    if failed is not None:
        raise failed
    return issued


def _issue_oauth1_user_token(row: RequestToken) -> IssuedAccessToken:
    authorization = (
        Authorization.objects.select_for_update(no_key=True)
        .filter(app=row.app, user=row.user, revoked_at__isnull=True)
        .first()
    ) or Authorization.objects.create(app=row.app, user=row.user)
    if authorization.oauth1_permission != row.permission:
        authorization.oauth1_permission = row.permission
        authorization.save(update_fields=["oauth1_permission", "updated_at"])
    token = formats.generate(formats.OAUTH1_USER_TOKEN)
    secret = formats.generate(formats.OAUTH1_USER_TOKEN_SECRET)
    digest = at_rest.digest(token)
    user_token = UserToken(
        kind=UserTokenKind.OAUTH1_ACCESS,
        authorization=authorization,
        app=row.app,
        user=row.user,
        pepper_id=digest.pepper_id,
        digest=digest.hexdigest,
        hint=formats.hint(token),
        permission=row.permission,
        family=secrets.token_hex(16),
    )
    sealed = at_rest.encrypt(secret, context=user_token.encryption_context)
    user_token.secret_key_id, user_token.secret_ciphertext = sealed.key_id, sealed.ciphertext
    user_token.save()
    return IssuedAccessToken(
        token=token,
        secret=secret,
        user_id=row.user_id,
        screen_name=row.user.email.partition("@")[0],
        permission=row.permission,
    )


def invalidate_user_token(*, token_id: int) -> None:
    """`POST /1.1/oauth/invalidate_token`, signed with the token itself."""
    UserToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())

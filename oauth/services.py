"""The authorization server's writes: consent, codes, tokens, rotation, revocation.

Every value is made by credentials.formats and kept as a digest (credentials.at_rest); the
plain text leaves only in the response that made it.
"""

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from authlib.oauth2.rfc7636.challenge import (
    CODE_VERIFIER_PATTERN,
    compare_plain_code_challenge,
    compare_s256_code_challenge,
    create_s256_code_challenge,
)
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps.models import App
from audit.actions import Action, Consent
from audit.services import record_event
from core.actor import Actor
from core.conf import portico
from core.errors import NotFound, Suspended, TooManyChanges, ValidationError
from core.metrics import TOKENS_ISSUED
from core.transactions import retried_on_conflict
from credentials import at_rest, formats, token_store
from credentials.models import (
    AUTHORIZATION_CODE_LIFETIME,
    OAUTH2_ACCESS_TOKEN_LIFETIME,
    Authorization,
    AuthorizationCode,
    Credential,
    ResourceServerKey,
    UserToken,
    UserTokenKind,
)
from credentials.services import revoke_credential, rotate_bearer_token
from credentials.verification import Reason, verify_bearer_token
from oauth.errors import OAuthError, invalid_grant, invalid_request, slow_down

OFFLINE_ACCESS = "offline.access"
# A grant whose user's account an operator deactivated: refused until it is reactivated.
ACCOUNT_DEACTIVATED = (
    "The user's account is deactivated: its grants are refused until an operator reactivates it."
)


@dataclass(frozen=True)
class TokenResponse:
    """RFC 6749 §5.1: what the token endpoint answers (shown once, `no-store`)."""

    access_token: str = field(repr=False)
    scopes: list[str]
    refresh_token: str | None = field(default=None, repr=False)

    def as_json(self) -> dict:
        body = {
            "token_type": "bearer",
            "access_token": self.access_token,
            "expires_in": int(OAUTH2_ACCESS_TOKEN_LIFETIME.total_seconds()),
            "scope": " ".join(self.scopes),
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


def _open_authorization(app: App, user) -> Authorization:
    authorization = (
        Authorization.objects.select_for_update(no_key=True)
        .filter(app=app, user=user, revoked_at__isnull=True)
        .first()
    )
    return authorization or Authorization.objects.create(app=app, user=user)


def approve_oauth2(
    *,
    actor: Actor,
    app: App,
    redirect_uri: str,
    scopes: list[str],
    code_challenge: str,
    code_challenge_method: str,
) -> str:
    """The user said Authorize: record the scopes granted, in the Authorization and in the
    audit trail, and return a new authorization code (30 seconds, single use) for the
    redirect."""
    code = formats.generate(formats.AUTHORIZATION_CODE)
    digest = at_rest.digest(code)
    with transaction.atomic():
        authorization = _open_authorization(app, actor.user)
        held = authorization.scopes
        granted = list(dict.fromkeys([*held, *scopes]))
        if granted != held:
            authorization.scopes = granted
            authorization.save(update_fields=["scopes", "updated_at"])
        record_event(
            actor=actor,
            action=Action.OAUTH_AUTHORIZATION_GRANT,
            target=app,
            changes={
                "user_id": actor.user.pk,
                "protocol": "oauth2",
                "scopes": scopes,
                "level": "",
                "consent": _consent(held, granted),
            },
        )
        AuthorizationCode.objects.create(
            authorization=authorization,
            app=app,
            user=actor.user,
            pepper_id=digest.pepper_id,
            digest=digest.hexdigest,
            redirect_uri=redirect_uri,
            scopes=scopes,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            family=secrets.token_hex(16),
            expires_at=timezone.now() + AUTHORIZATION_CODE_LIFETIME,
        )
    return code


def _consent(held: list[str], granted: list[str]) -> Consent:
    """How a consent changed the scopes the user's open Authorization holds."""
    if not held:
        return Consent.NEW
    return Consent.WIDENED if granted != held else Consent.REPEATED


# Each token the authorization server issues is counted by grant type; bound once.
_ISSUED = {
    grant: TOKENS_ISSUED.labels(grant=grant)
    for grant in ("authorization_code", "refresh_token", "client_credentials", "oauth1")
}


def _new_tokens(kinds: list[UserTokenKind]) -> tuple[list[str], list[token_store.NewToken]]:
    """New values of `kinds` and what is stored of them (digests and hints)."""
    values = [formats.generate(kind.format) for kind in kinds]
    tokens = []
    for kind, value in zip(kinds, values, strict=True):
        digest = at_rest.digest(value)
        tokens.append(
            token_store.NewToken(kind, digest.pepper_id, digest.hexdigest, formats.hint(value))
        )
    return values, tokens


def _issue_oauth2_tokens(
    *,
    grant: str,
    authorization_id: int,
    app_id: int,
    user_id: int,
    scopes: list[str],
    family: str,
) -> TokenResponse:
    """An access token, and a refresh token when `offline.access` was granted, stored as
    digests in one statement (credentials.token_store); the values leave only in the answer."""
    kinds = [UserTokenKind.OAUTH2_ACCESS]
    if OFFLINE_ACCESS in scopes:
        kinds.append(UserTokenKind.OAUTH2_REFRESH)
    values, tokens = _new_tokens(kinds)
    token_store.insert_oauth2_tokens(
        tokens=tokens,
        authorization_id=authorization_id,
        app_id=app_id,
        user_id=user_id,
        scopes=scopes,
        family=family,
    )
    return _issued(grant, values, scopes)


def _issued(grant: str, values: list[str], scopes: list[str]) -> TokenResponse:
    _ISSUED[grant].inc(len(values))
    return TokenResponse(
        access_token=values[0], scopes=scopes, refresh_token=values[1] if len(values) > 1 else None
    )


# On PostgreSQL a code or a refresh token is spent and its tokens stored in one statement
# (credentials.token_store says how); both values are made beforehand, the refresh token kept
# only when the grant holds offline.access.
_BOTH = [UserTokenKind.OAUTH2_ACCESS, UserTokenKind.OAUTH2_REFRESH]


def _spends_and_issues_in_one_statement() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def _revoke_family(family: str, now: datetime) -> int:
    return UserToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)


@retried_on_conflict
@sensitive_variables("code", "code_verifier")
def exchange_code(*, app: App, code: str, redirect_uri: str, code_verifier: str) -> TokenResponse:
    """RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6). A code presented twice revokes every token
    issued from it (RFC 6749 §4.1.2)."""
    # Before anything else: a verifier that cannot be one (RFC 7636 §4.1) never reaches the
    # code, nor the hashing, which takes ASCII only.
    if not code_verifier:
        raise invalid_grant("code_verifier is missing (PKCE is required).")
    if not CODE_VERIFIER_PATTERN.fullmatch(code_verifier):
        raise invalid_grant(
            "code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9 and - . _ ~ "
            "(RFC 7636 §4.1)."
        )
    if not formats.has_shape(formats.AUTHORIZATION_CODE, code) or not formats.has_valid_checksum(
        code
    ):
        raise invalid_grant("The authorization code is not one Portico issued.")
    candidates = at_rest.candidate_digests(code)
    if _spends_and_issues_in_one_statement():
        return _exchange_code_in_one_statement(app, candidates, redirect_uri, code_verifier)
    # One transaction whatever the outcome: the code is spent (or, presented again, its tokens
    # revoked) and committed, and only then is the refusal, or any error, raised.
    failure = None
    with transaction.atomic():
        token_store.begin()
        # Spent whatever follows: no retry with another verifier.
        spent = token_store.spend_code(app_pk=app.pk, candidates=candidates)
        try:
            issued = _exchange_spent_code(app, spent, candidates, redirect_uri, code_verifier)
        except Exception as error:  # noqa: BLE001 - raised below, once the spend is committed
            failure = error
    if failure is not None:
        raise failure
    return issued


@sensitive_variables("code_verifier")
def _exchange_spent_code(
    app: App,
    spent: token_store.SpentCode | None,
    candidates: list[str],
    redirect_uri: str,
    code_verifier: str,
) -> TokenResponse:
    """The tokens for the code just spent, or invalid_grant with the reason."""
    if spent is None:
        raise invalid_grant(_unspendable_code(app, candidates))
    if refusal := _code_refusal(spent, candidates, redirect_uri, code_verifier):
        raise invalid_grant(refusal)
    return _issue_oauth2_tokens(
        grant="authorization_code",
        authorization_id=spent.authorization_id,
        app_id=spent.app_id,
        user_id=spent.user_id,
        scopes=spent.scopes,
        family=spent.family,
    )


@sensitive_variables("code_verifier")
def _exchange_code_in_one_statement(
    app: App, candidates: list[str], redirect_uri: str, code_verifier: str
) -> TokenResponse:
    values, tokens = _new_tokens(_BOTH)
    spent, issued = token_store.spend_code_and_issue(
        app_pk=app.pk,
        candidates=candidates,
        tokens=tokens,
        redirect_uri=redirect_uri,
        # The challenges, not the verifier, go to the database (a `plain` one is the verifier
        # itself, so only where plain PKCE is allowed).
        s256_challenge=create_s256_code_challenge(code_verifier),
        plain_challenge=code_verifier if portico.OAUTH2_ALLOW_PLAIN_PKCE else None,
    )
    if spent is None:
        raise invalid_grant(_unspendable_code(app, candidates))
    refusal = _code_refusal(spent, candidates, redirect_uri, code_verifier)
    if refusal is None and issued:
        return _issued("authorization_code", values[:issued], spent.scopes)
    if issued:  # the database's checks passed where these did not: take the tokens back
        _revoke_family(spent.family, timezone.now())
    raise invalid_grant(refusal or "The authorization code cannot be exchanged.")


def _unspendable_code(app: App, candidates: list[str]) -> str:
    """Why the App's code could not be spent: unknown to this client, or already used, in
    which case every token issued from it is revoked now (the rare path, through the ORM)."""
    row = AuthorizationCode.objects.filter(digest__in=candidates, app_id=app.pk).first()
    if row is None or row.used_at is None:
        return "The authorization code is unknown to this client."
    _revoke_family(row.family, timezone.now())
    return "The authorization code was already used; every token issued from it is revoked."


@sensitive_variables("code_verifier")
def _code_refusal(
    spent: token_store.SpentCode, candidates: list[str], redirect_uri: str, code_verifier: str
) -> str | None:
    if not any(hmac.compare_digest(spent.digest, candidate) for candidate in candidates):
        return "The authorization code is unknown to this client."
    if spent.expired:
        return "The authorization code expired (codes live 30 seconds)."
    if spent.redirect_uri != redirect_uri:
        return "redirect_uri differs from the one in the authorization request."
    compare = (
        compare_s256_code_challenge
        if spent.code_challenge_method == "S256"
        else compare_plain_code_challenge
    )
    if not compare(code_verifier, spent.code_challenge):
        return "code_verifier does not match the code_challenge."
    if spent.authorization_revoked:
        return "The user revoked this App's access."
    if spent.account_inactive:
        return ACCOUNT_DEACTIVATED
    return None


@retried_on_conflict
@sensitive_variables("refresh_token")
def refresh(*, app: App, refresh_token: str, scope: str | None = None) -> TokenResponse:
    """RFC 6749 §6 with rotation: a new refresh token each time, the old one spent; a spent
    one presented again revokes its whole family (RFC 9700 §4.14.2)."""
    if not formats.has_shape(formats.OAUTH2_REFRESH_TOKEN, refresh_token):
        raise invalid_grant("The refresh token is not one Portico issued.")
    if not formats.has_valid_checksum(refresh_token):
        raise invalid_grant("The refresh token is not one Portico issued (bad checksum).")
    candidates = at_rest.candidate_digests(refresh_token)
    if scope is None and _spends_and_issues_in_one_statement():
        # Narrowing the scopes (rare) stays on the statements below, which check the scopes
        # asked for before the token is spent.
        values, tokens = _new_tokens(_BOTH)
        spent, issued = token_store.spend_refresh_token_and_issue(
            app_pk=app.pk, candidates=candidates, tokens=tokens
        )
        if spent is None:
            raise invalid_grant(_unspendable_refresh_token(app, candidates))
        if not any(hmac.compare_digest(spent.digest, c) for c in candidates):
            _revoke_family(spent.family, timezone.now())  # the database matched what this did not
            raise invalid_grant("The refresh token is unknown to this client.")
        return _issued("refresh_token", values[:issued], spent.scopes)
    with transaction.atomic():
        token_store.begin()
        spent = token_store.spend_refresh_token(app_pk=app.pk, candidates=candidates)
        if spent is None or not any(hmac.compare_digest(spent.digest, c) for c in candidates):
            refusal = _unspendable_refresh_token(app, candidates)
        else:
            refusal = None
            scopes = spent.scopes
            if scope is not None:
                asked = scope.split()
                if not set(asked) <= set(spent.scopes):
                    # Raised inside the transaction: the token stays unspent.
                    raise OAuthError(
                        "invalid_scope", "A refresh may only narrow the scopes first granted."
                    )
                scopes = asked
            issued = _issue_oauth2_tokens(
                grant="refresh_token",
                authorization_id=spent.authorization_id,
                app_id=spent.app_id,
                user_id=spent.user_id,
                scopes=scopes,
                family=spent.family,
            )
    if refusal is not None:
        raise invalid_grant(refusal)
    return issued


def _unspendable_refresh_token(app: App, candidates: list[str]) -> str:
    """Why the App's refresh token could not be spent; a used one presented again revokes
    its whole family now (the rare path, through the ORM)."""
    row = (
        UserToken.objects.select_related("authorization", "user")
        .filter(kind=UserTokenKind.OAUTH2_REFRESH, digest__in=candidates, app_id=app.pk)
        .first()
    )
    if row is None:
        return "The refresh token is unknown to this client."
    if row.used_at is not None:
        _revoke_family(row.family, timezone.now())
        return "The refresh token was already used; every token of its family is revoked."
    if row.revoked_at is not None or row.authorization.revoked_at is not None:
        return "The refresh token was revoked."
    if not row.user.is_active:
        return ACCOUNT_DEACTIVATED
    return "The refresh token expired (six months without use)."


@sensitive_variables("value")
def _find_by_digest(queryset, value: str):
    """The row whose digest matches `value` under any configured pepper, locked."""
    return queryset.select_for_update().filter(digest__in=at_rest.candidate_digests(value)).first()


@retried_on_conflict
def revoke_token(*, app: App, token: str) -> None:
    """RFC 7009: the App's own access or refresh token stops at once (a refresh token takes
    its access tokens with it); an unknown token or another App's is ignored."""
    kinds = {
        formats.OAUTH2_ACCESS_TOKEN.prefix: UserTokenKind.OAUTH2_ACCESS,
        formats.OAUTH2_REFRESH_TOKEN.prefix: UserTokenKind.OAUTH2_REFRESH,
    }
    kind = kinds.get(token[:7])
    if kind is None or not formats.has_shape(kind.format, token):
        return
    if not formats.has_valid_checksum(token):
        return
    now = timezone.now()
    with transaction.atomic():
        row = _find_by_digest(UserToken.objects, token)
        if row is None or row.app_id != app.pk:
            return
        if kind == UserTokenKind.OAUTH2_REFRESH:
            _revoke_family(row.family, now)
        elif row.revoked_at is None:
            row.revoked_at = now
            row.save(update_fields=["revoked_at"])


@retried_on_conflict
def revoke_connected_app(*, actor: Actor, authorization_id: int) -> None:
    """Connected apps: every token of that App for this user stops at once.

    Only the rows it changes are locked, the Authorization first (FOR NO KEY UPDATE, which
    lets a concurrent refresh still insert tokens that refer to it), then its tokens: a
    refresh holds its token's row and needs only key-share locks on the Authorization, the
    App and the user, so neither waits for the other in a cycle. A token a refresh inserts
    while this runs is not in this UPDATE, but it dies all the same: verification and the
    refresh-spending statement refuse every token of a revoked Authorization."""
    now = timezone.now()
    with transaction.atomic():
        authorization = (
            Authorization.objects.select_for_update(no_key=True, of=("self",))
            .filter(pk=authorization_id, user=actor.user, revoked_at__isnull=True)
            .first()
        )
        if authorization is None:
            raise NotFound("No such connected App.")
        authorization.revoked_at = now
        authorization.save(update_fields=["revoked_at"])
        revoked = UserToken.objects.filter(
            authorization=authorization, revoked_at__isnull=True
        ).update(revoked_at=now)
        record_event(
            actor=actor,
            action=Action.OAUTH_AUTHORIZATION_REVOKE,
            target=authorization.app,
            changes={"user_id": actor.user.pk, "tokens": revoked},
        )


def issue_app_bearer_token(*, app: App, actor: Actor) -> str:
    """client_credentials: a new Bearer Token for the App (Portico cannot return the current
    one, which it keeps only as a digest). The Keys tab's rule for regenerating applies, with
    a one-hour grace period for the previous value."""
    try:
        value = rotate_bearer_token(app=app, actor=actor)
    except Suspended as error:
        raise OAuthError("unauthorized_client", error.message, status=403) from error
    except TooManyChanges as error:
        raise slow_down(error) from error
    _ISSUED["client_credentials"].inc()
    return value


@sensitive_variables("value")
def invalidate_app_bearer_token(*, app: App, value: str, actor: Actor) -> None:
    """`/oauth2/invalidate_token`: the App's Bearer Token `value` stops at once."""
    verification = verify_bearer_token(value)
    if verification.app_pk != app.pk or verification.reason not in (None, Reason.APP_SUSPENDED):
        raise invalid_request("access_token is not a valid Bearer Token of this App.")
    credential = Credential.objects.select_related("app").get(pk=verification.credential_id)
    revoke_credential(credential=credential, actor=actor)


def issue_resource_server_key(*, actor: Actor, name: str) -> tuple[ResourceServerKey, str]:
    """An operator's new resource-server key (introspection); the value is shown once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the resource server this key is for."})
    value = formats.generate(formats.RESOURCE_SERVER_KEY)
    digest = at_rest.digest(value)
    with transaction.atomic():
        if ResourceServerKey.objects.filter(name=name).exists():
            raise ValidationError({"name": "A resource server of that name has a key already."})
        key = ResourceServerKey.objects.create(
            name=name,
            pepper_id=digest.pepper_id,
            digest=digest.hexdigest,
            hint=formats.hint(value),
            created_by=actor.user,
        )
        record_event(
            actor=actor,
            action=Action.RESOURCE_SERVER_KEY_ISSUE,
            target=key,
            changes={"name": name, "hint": key.hint},
        )
    return key, value


def revoke_resource_server_keys(*, actor: Actor, keys: list[ResourceServerKey]) -> int:
    """Operators revoke keys; introspection refuses them on the next call."""
    now = timezone.now()
    revoked = 0
    with transaction.atomic():
        for key in keys:
            if key.revoked_at is None:
                key.revoked_at = now
                key.save(update_fields=["revoked_at"])
                record_event(
                    actor=actor,
                    action=Action.RESOURCE_SERVER_KEY_REVOKE,
                    target=key,
                    changes={"name": key.name, "hint": key.hint},
                )
                revoked += 1
    return revoked

from dataclasses import dataclass, field
from datetime import datetime

from apps.models import App
from apps.selectors import auth_settings_of
from core.errors import NotFound
from credentials.models import ClientId, Credential, Kind, PersonalAccessToken


@dataclass
class KindOnTab:
    """One kind of credential on the Keys and tokens tab: its current value and the old one
    still valid during a grace period."""

    kind: Kind
    current: Credential | None = None
    in_grace: list[Credential] = field(default_factory=list)

    @property
    def valid(self) -> list[Credential]:
        return [c for c in [self.current, *self.in_grace] if c is not None]


@dataclass(frozen=True)
class KeysAndTokens:
    app: App
    client_id: str
    is_confidential_client: bool
    oauth1_permission_label: str
    kinds: dict[str, KindOnTab]
    # Access Tokens created with other OAuth 1.0a permissions than the App has now.
    out_of_date_access_tokens: set[int]


def keys_and_tokens_of(app: App, *, now: datetime | None = None) -> KeysAndTokens:
    """What the Keys and tokens tab shows: hints and dates of the valid values, never a secret."""
    kinds = {kind.value: KindOnTab(kind) for kind in Kind}
    valid = (
        Credential.objects.filter(app=app)
        .valid(now)
        .select_related("created_by")
        .defer("secret_ciphertext", "digest")
    )
    for credential in valid:
        on_tab = kinds[credential.kind]
        if credential.expires_at is None:
            on_tab.current = credential
        else:
            on_tab.in_grace.append(credential)
    settings = auth_settings_of(app)
    client_id = ClientId.objects.filter(app=app).values_list("value", flat=True).first()
    return KeysAndTokens(
        app=app,
        client_id=client_id or "",
        is_confidential_client=settings.is_confidential_client,
        oauth1_permission_label=settings.get_oauth1_permission_display(),
        kinds=kinds,
        out_of_date_access_tokens={
            credential.pk
            for credential in kinds[Kind.ACCESS_TOKEN].valid
            if credential.permission != settings.oauth1_permission
        },
    )


def valid_credential_of(app: App, credential_id: int) -> Credential:
    """One of the App's valid credentials by id; NotFound for another App's, a revoked or an
    expired one."""
    credential = (
        Credential.objects.filter(app=app, pk=credential_id).valid().select_related("app").first()
    )
    if credential is None:
        raise NotFound("No such key or token, or it no longer works.")
    return credential


def personal_access_tokens_of(user) -> list[PersonalAccessToken]:
    """The account's tokens that still work, newest first: hints and dates, never a value."""
    return list(PersonalAccessToken.objects.filter(user=user).valid().defer("digest"))


def owned_personal_access_token(user, token_id: int) -> PersonalAccessToken:
    """One of the account's valid tokens; NotFound for anybody else's."""
    token = PersonalAccessToken.objects.filter(user=user, pk=token_id).valid().first()
    if token is None:
        raise NotFound("No such personal access token, or it no longer works.")
    return token

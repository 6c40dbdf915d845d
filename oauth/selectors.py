"""The authorization server's reads: introspection answers and the Connected apps page."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from accounts.models import User
from apps.models import App, Permission
from credentials.models import Authorization, UserToken
from credentials.verification import UserTokenVerification

OAUTH1_LEVELS = {
    Permission.READ: "Read",
    Permission.READ_WRITE: "Read and write",
    Permission.READ_WRITE_DM: "Read, write and Direct Messages",
}


def introspection_of(verification: UserTokenVerification) -> dict:
    """RFC 7662 §2.2 for an active token."""
    token = UserToken.objects.select_related("user", "app__oauth2_client_id").get(
        pk=verification.token_id
    )
    return {
        "active": True,
        "scope": " ".join(verification.scopes),
        "client_id": token.app.oauth2_client_id.value,
        "username": token.user.email,
        "sub": str(token.user_id),
        "token_type": "bearer",
        "exp": int(token.expires_at.timestamp()),
        "iat": int(token.created_at.timestamp()),
        "app_id": token.app.app_id,
    }


@dataclass(frozen=True)
class ConnectedApp:
    authorization: Authorization
    app: App
    scopes: list[str]
    oauth1_level: str
    last_used_at: datetime | None


def connected_apps_of(user: User) -> list[ConnectedApp]:
    """Every App the user authorized and has not revoked, with when it last used a token."""
    authorizations = (
        Authorization.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("app")
        .annotate(last_used_at=Max("tokens__last_used_at"))
        .order_by("-created_at")
    )
    return [
        ConnectedApp(
            authorization=authorization,
            app=authorization.app,
            scopes=authorization.scopes,
            oauth1_level=OAUTH1_LEVELS.get(authorization.oauth1_permission, ""),
            last_used_at=authorization.last_used_at,
        )
        for authorization in authorizations
    ]

"""Writes of the platform API: Posts and Direct Messages, made by an App for its user.

These are the platform's content, written by Apps at API rates, not changes to the portal: they
are not audited (the audit trail records what developers and operators do to Projects, Apps and
keys); each Post records its source instead.
"""

import re
import unicodedata

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.models import App
from core.errors import LimitReached, NotFound, PorticoError, ValidationError
from platform_api.access import Caller
from platform_api.models import DM_MAX_LENGTH, POST_MAX_LENGTH, DirectMessage, Post
from platform_api.selectors import post_usage_of_app
from projects.models import Project


class PostCapReached(LimitReached):
    """The Project created its monthly cap of Posts; the cap resets on the first of the month."""

    status = 429
    type = "usage-capped"
    title = "Usage Capped"


class NotTheAuthor(PorticoError):
    status = 403
    type = "forbidden"
    title = "Forbidden"


# Half of a UTF-16 surrogate pair: JSON's \ud800 escapes can spell one, UTF-8 cannot encode it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(text: object, *, field: str, maximum: int, what: str) -> str:
    if not isinstance(text, str):
        raise ValidationError({field: f"Send the {what} as a JSON string under “{field}”."})
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise ValidationError({field: f"The {what} is empty: write at least one character."})
    if len(text) > maximum:
        raise ValidationError(
            {field: f"The {what} has {len(text)} characters; the most is {maximum}."}
        )
    if "\x00" in text:
        raise ValidationError({field: f"The {what} contains a NUL character."})
    if _SURROGATE.search(text):
        raise ValidationError(
            {field: f"The {what} contains half of a UTF-16 surrogate pair, not a character."}
        )
    return text


def create_post(*, caller: Caller, text: object) -> Post:
    """A Post by the caller's user, its source the caller's App (name and website as they are
    now); refused with PostCapReached once the App's Project made its monthly cap of Posts."""
    text = _text(text, field="text", maximum=POST_MAX_LENGTH, what="Post")
    with transaction.atomic():
        app = App.objects.select_related("project").filter(pk=caller.app_pk).first()
        if app is None:
            raise NotFound("The App that made this call no longer exists.")
        if app.project_id is not None:
            # One Post at a time per Project, so concurrent calls cannot pass the cap together.
            Project.objects.select_for_update().filter(pk=app.project_id).first()
        usage = post_usage_of_app(app)
        if usage.used >= usage.cap:
            raise PostCapReached(
                f"The Project created its {usage.cap} Posts for this month, its monthly cap "
                f"(PORTICO_MONTHLY_POST_CAP). Posting resumes on "
                f"{usage.reset_date.day} {usage.reset_date:%B %Y} (UTC)."
            )
        return Post.objects.create(
            author=caller.user,
            text=text,
            source_app=app,
            source_project_id=app.project_id,
            source_app_public_id=app.app_id,
            source_name=app.name,
            source_url=app.website_url,
        )


def delete_post(*, caller: Caller, post_id: int) -> None:
    """Delete a Post of the caller's user; another user's Post is refused."""
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(pk=post_id).first()
        if post is None:
            raise NotFound(f"Could not find a Post with id {post_id}.")
        if post.author_id != caller.user_pk:
            raise NotTheAuthor("Only the author of a Post can delete it.")
        post.delete()


def send_direct_message(*, caller: Caller, participant_id: int, text: object) -> DirectMessage:
    """A Direct Message from the caller's user to `participant_id`, readable by the two only."""
    text = _text(text, field="text", maximum=DM_MAX_LENGTH, what="message")
    if participant_id == caller.user_pk:
        raise ValidationError({"participant_id": "A Direct Message goes to another user."})
    recipient = get_user_model().objects.filter(pk=participant_id, is_active=True).first()
    if recipient is None:
        raise NotFound(f"Could not find a user with id {participant_id}.")
    with transaction.atomic():
        return DirectMessage.objects.create(
            sender=caller.user, recipient=recipient, text=text, source_app_id=caller.app_pk
        )

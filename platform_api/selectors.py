"""Reads of the platform API and of the pages that show its usage, each in a constant number of
queries."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from apps.models import App
from core.conf import portico
from core.errors import NotFound, ValidationError
from core.numbers import parse_id
from platform_api.models import DailyUsage, DirectMessage, Outcome, Post, RecentError


@dataclass(frozen=True)
class PostUsage:
    """Posts made this calendar month (UTC) against the monthly cap."""

    used: int
    cap: int
    reset_date: date

    @property
    def percent(self) -> int:
        return min(100, self.used * 100 // self.cap) if self.cap else 100

    @property
    def is_capped(self) -> bool:
        return self.used >= self.cap


def month_bounds(today: date | None = None) -> tuple[datetime, date]:
    """The start of this month (UTC) and the first day of the next, when the cap resets."""
    today = today or datetime.now(UTC).date()
    start = today.replace(day=1)
    reset = (start + timedelta(days=32)).replace(day=1)
    return datetime(start.year, start.month, 1, tzinfo=UTC), reset


def _usage(used: int) -> PostUsage:
    _, reset = month_bounds()
    return PostUsage(used=used, cap=portico.MONTHLY_POST_CAP, reset_date=reset)


def post_usage_of_app(app: App) -> PostUsage:
    """The cap is the Project's (all its Apps together); a standalone App has its own."""
    start, _ = month_bounds()
    posts = Post.objects.filter(created_at__gte=start)
    if app.project_id is not None:
        posts = posts.filter(source_project_id=app.project_id)
    else:
        posts = posts.filter(source_app=app, source_project__isnull=True)
    return _usage(posts.count())


def post_usage_of_projects(project_pks: list[int]) -> dict[int, PostUsage]:
    """Each Project's Posts this month: one query."""
    start, _ = month_bounds()
    counts = dict(
        Post.objects.filter(source_project_id__in=project_pks, created_at__gte=start)
        .values_list("source_project_id")
        .annotate(n=Count("id"))
        .values_list("source_project_id", "n")
    )
    return {pk: _usage(counts.get(pk, 0)) for pk in project_pks}


def post(post_id: int) -> Post:
    found = Post.objects.filter(pk=post_id).first()
    if found is None:
        raise NotFound(f"Could not find a Post with id {post_id}.")
    return found


@dataclass(frozen=True)
class Page:
    items: list
    next_token: str | None


def _page(queryset, *, max_results: int, pagination_token: str | None) -> Page:
    if pagination_token:
        before = parse_id(pagination_token)
        if before is None:
            raise ValidationError(
                {"pagination_token": "The pagination_token is not one this API gave."}
            )
        queryset = queryset.filter(pk__lt=before)
    items = list(queryset.order_by("-id")[: max_results + 1])
    more = len(items) > max_results
    items = items[:max_results]
    return Page(items=items, next_token=str(items[-1].pk) if more else None)


def posts_of(user_id: int, *, max_results: int, pagination_token: str | None) -> Page:
    """A user's Posts, newest first; NotFound for a user who does not exist."""
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        raise NotFound(f"Could not find a user with id {user_id}.")
    return _page(
        Post.objects.filter(author_id=user_id),
        max_results=max_results,
        pagination_token=pagination_token,
    )


def direct_messages_of(user, *, max_results: int, pagination_token: str | None) -> Page:
    """Messages the user sent or received, newest first: nobody else's."""
    return _page(
        DirectMessage.objects.filter(Q(sender=user) | Q(recipient=user)),
        max_results=max_results,
        pagination_token=pagination_token,
    )


@dataclass(frozen=True)
class DailyPosts:
    day: date
    count: int


def daily_posts(app: App, days: int) -> tuple[list[DailyPosts], dict[int, list[DailyPosts]]]:
    """Posts per day over the last `days` days (UTC): the Project's (or standalone App's), and
    each of its Apps' (by App ID)."""
    today = datetime.now(UTC).date()
    first = today - timedelta(days=days - 1)
    posts = Post.objects.filter(
        created_at__gte=datetime(first.year, first.month, first.day, tzinfo=UTC)
    )
    if app.project_id is not None:
        posts = posts.filter(source_project_id=app.project_id)
    else:
        posts = posts.filter(source_app=app, source_project__isnull=True)
    by_app: dict[int, dict[date, int]] = {}
    for app_id, created_at in posts.values_list("source_app_public_id", "created_at"):
        day = created_at.astimezone(UTC).date()
        by_app.setdefault(app_id, {}).setdefault(day, 0)
        by_app[app_id][day] += 1
    span = [first + timedelta(days=n) for n in range(days)]
    total = [DailyPosts(day, sum(per.get(day, 0) for per in by_app.values())) for day in span]
    return total, {
        app_id: [DailyPosts(day, per.get(day, 0)) for day in span] for app_id, per in by_app.items()
    }


@dataclass(frozen=True)
class UsageDay:
    day: date
    counts: dict[str, int]  # outcome -> calls

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class AppUsage:
    days: list[UsageDay]
    outcomes: list[tuple[str, str]]  # value, label
    top_endpoints: list[tuple[str, int]]
    last_errors: list[RecentError]
    post_usage: PostUsage

    @property
    def total(self) -> int:
        return sum(day.total for day in self.days)

    @property
    def busiest(self) -> int:
        return max((day.total for day in self.days), default=0)


USAGE_DAYS = 30


def usage_of_app(app: App, *, days: int = USAGE_DAYS, today: date | None = None) -> AppUsage:
    """Calls per day and outcome over the last `days` days, the busiest endpoints and the last
    refused calls: three queries, plus the Post cap's."""
    today = today or datetime.now(UTC).date()
    first = today - timedelta(days=days - 1)
    rows = DailyUsage.objects.filter(app=app, day__gte=first, day__lte=today)
    per_day: dict[date, dict[str, int]] = {}
    for day, outcome, count in (
        rows.values_list("day", "outcome")
        .annotate(n=Sum("count"))
        .values_list("day", "outcome", "n")
    ):
        per_day.setdefault(day, {})[outcome] = count
    top = list(
        rows.values_list("endpoint")
        .annotate(n=Sum("count"))
        .order_by("-n", "endpoint")
        .values_list("endpoint", "n")[:5]
    )
    return AppUsage(
        days=[
            UsageDay(
                day=first + timedelta(days=n),
                counts={
                    outcome: per_day.get(first + timedelta(days=n), {}).get(outcome, 0)
                    for outcome in Outcome.values
                },
            )
            for n in range(days)
        ],
        outcomes=list(Outcome.choices),
        top_endpoints=top,
        last_errors=list(RecentError.objects.filter(app=app)[:10]),
        post_usage=post_usage_of_app(app),
    )


def app_of(caller) -> App:
    app = App.objects.filter(pk=caller.app_pk).first()
    if app is None:
        raise NotFound("The App that made this call no longer exists.")
    return app

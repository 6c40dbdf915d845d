"""The Usage tab of an App: requests per day, the busiest endpoints, the last errors."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from apps.selectors import owned_app
from core.rendering import render_page
from platform_api import charts, selectors, usage


@login_required
@require_GET
def app_usage(request, app_id: int):
    app = owned_app(request.user, app_id)
    usage.flush()  # what this process counted so far; other processes' within their interval
    app_usage = selectors.usage_of_app(app)
    return render_page(
        request,
        "platform_api/app_usage.html",
        {
            "app": app,
            "tab": "usage",
            "usage": app_usage,
            "chart": charts.requests_per_day_svg(app_usage),
            "legend": [
                (value, label, pattern, charts.legend_svg(value))
                for value, label, pattern in charts.legend()
            ],
        },
    )

"""The Usage tab's chart: requests per day as stacked bars, one band per outcome, drawn on the
server as inline SVG (no script; the page's Content-Security-Policy is unchanged). Each outcome
has its own pattern as well as its colour, and each bar names its numbers (`<title>` and
`data-*`), so the chart reads without colour; the table under it holds the same numbers."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from platform_api.models import Outcome
from platform_api.selectors import AppUsage

WIDTH, HEIGHT = 720, 220
LEFT, BOTTOM, TOP = 40, 24, 10


@dataclass(frozen=True)
class Look:
    colour: str
    pattern: str  # SVG for a 8x8 tile drawn over the colour
    name: str


LOOKS = {
    Outcome.SUCCESS: Look("#2f7d4f", "", "solid"),
    Outcome.UNAUTHORIZED: Look(
        "#b3261e", '<path d="M0,8 L8,0" stroke="#fff" stroke-width="2"/>', "diagonal lines"
    ),
    Outcome.FORBIDDEN: Look("#8a5a00", '<circle cx="4" cy="4" r="1.6" fill="#fff"/>', "dots"),
    Outcome.RATE_LIMITED: Look(
        "#4a3aa8", '<path d="M0,4 H8 M4,0 V8" stroke="#fff" stroke-width="1.5"/>', "crosses"
    ),
    Outcome.OTHER: Look(
        "#5f6368", '<path d="M0,4 H8" stroke="#fff" stroke-width="2"/>', "horizontal lines"
    ),
}


def _n(number: float) -> str:
    return f"{number:.1f}"


def _defs() -> SafeString:
    tiles = []
    for outcome, look in LOOKS.items():
        tiles.append(
            format_html(
                '<pattern id="usage-{}" width="8" height="8" patternUnits="userSpaceOnUse">'
                '<rect width="8" height="8" fill="{}"/>{}</pattern>',
                outcome.value,
                look.colour,
                mark_safe(look.pattern),  # noqa: S308 - constant markup above
            )
        )
    return mark_safe("<defs>" + "".join(tiles) + "</defs>")  # noqa: S308 - built with format_html


def requests_per_day_svg(usage: AppUsage) -> SafeString:
    """The chart of `usage.days`; the y axis runs to the busiest day."""
    busiest = max(usage.busiest, 1)
    plot_width = WIDTH - LEFT
    plot_height = HEIGHT - BOTTOM - TOP
    slot = plot_width / max(len(usage.days), 1)
    bar = max(slot - 4, 2)
    parts = []
    for index, day in enumerate(usage.days):
        x = LEFT + index * slot + 2
        y = TOP + plot_height
        for outcome in Outcome:
            count = day.counts.get(outcome.value, 0)
            if not count:
                continue
            height = count / busiest * plot_height
            y -= height
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" '
                    'fill="url(#usage-{})" data-day="{}" data-outcome="{}" data-count="{}">'
                    "<title>{}: {} {}</title></rect>",
                    x,
                    y,
                    bar,
                    height,
                    outcome.value,
                    day.day.isoformat(),
                    outcome.value,
                    count,
                    f"{day.day:%d %b}",
                    f"{count:,}",
                    outcome.label,
                )
            )
        if index % 5 == 0 or index == len(usage.days) - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                    x + bar / 2,
                    HEIGHT - 6,
                    f"{day.day:%d %b}",
                )
            )
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end">0</text>',
        LEFT,
        TOP + plot_height,
        WIDTH,
        TOP + plot_height,
        LEFT - 4,
        TOP + 8,
        f"{busiest:,}",
        LEFT - 4,
        TOP + plot_height,
    )
    return format_html(
        '<svg class="usage-chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'aria-labelledby="usage-chart-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="usage-chart-title">Requests per day over the last {} days, by outcome; '
        "the table below lists the same numbers</title>{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        len(usage.days),
        _defs(),
        axis,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def legend() -> list[tuple[str, str, str]]:
    """Outcome value, label and pattern name, for the legend under the chart."""
    return [(outcome.value, outcome.label, LOOKS[outcome].name) for outcome in Outcome]


def legend_svg(outcome: str) -> SafeString:
    """A swatch of the outcome's pattern (defined once, in the chart)."""
    return format_html(
        '<svg width="16" height="16" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
        '<rect width="16" height="16" fill="url(#usage-{})" stroke="#333"/></svg>',
        outcome,
    )

"""Portico's Prometheus metrics, defined once here so that any layer may count into them; the
`ops` app serves them (`/metrics`, protected) and times every request.

With several gunicorn workers, prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR,
set up by gunicorn.conf.py) keeps each value in a file per process and sums them when scraped.
Labels are bounded: routes are URL patterns, never paths; outcomes and grants are fixed lists.
"""

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "portico_http_requests",
    "HTTP requests answered, by route (the URL pattern), method and status code.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "portico_http_request_duration_seconds",
    "Time to answer a request, by route (the URL pattern).",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
VERIFICATIONS = Counter(
    "portico_credential_verifications",
    "Presented keys and tokens checked by credentials.verification, by outcome.",
    ["outcome"],
)
TOKENS_ISSUED = Counter(
    "portico_oauth_tokens_issued",
    "Tokens issued by the authorization server, by grant type.",
    ["grant"],
)
NOTICES_PENDING = Gauge(
    "portico_notices_pending",
    "Email notices not delivered yet (read from the database when scraped).",
    multiprocess_mode="mostrecent",
)

"""Transactions that PostgreSQL may abort to break a deadlock or a serialization conflict are
run again, a bounded number of times, rather than answered with a 503: the conflict says
nothing about the request, only about its timing."""

import functools
import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.views.decorators.debug import sensitive_variables

logger = logging.getLogger(__name__)

# SQLSTATE deadlock_detected and serialization_failure: the transaction was rolled back whole.
CONFLICTS = frozenset({"40P01", "40001"})
ATTEMPTS = 3


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error, as psycopg has it (Django's wraps psycopg's)."""
    for candidate in (error, error.__cause__):
        code = getattr(candidate, "sqlstate", None)
        if code:
            return code
    return None


def retried_on_conflict[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` (which opens its own transaction) again when PostgreSQL aborted it for
    a deadlock or a serialization conflict, up to ATTEMPTS times in all. Inside a caller's
    transaction nothing is retried: the caller's transaction is aborted too, and it decides.
    The arguments may be secrets (a code, a verifier): error reports show none of them."""

    @sensitive_variables()
    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        attempt = 1
        while True:
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                code = sqlstate(error)
                in_transaction = connections[DEFAULT_DB_ALIAS].in_atomic_block
                if code not in CONFLICTS or in_transaction or attempt == ATTEMPTS:
                    raise
                logger.info("%s: run again after SQLSTATE %s", function.__qualname__, code)
                attempt += 1

    return run

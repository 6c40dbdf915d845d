"""A transaction PostgreSQL aborts to break a deadlock runs again instead of failing the
request; inside a caller's transaction nothing is retried."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from accounts.models import User
from core.transactions import ATTEMPTS, retried_on_conflict

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="deadlocks need PostgreSQL's row locks; CI runs the suite on it too",
    ),
]


def lock_in_opposite_orders(decorate):
    """Two transactions lock two rows in opposite orders, both holding their first lock
    before either asks for its second: PostgreSQL aborts one of them for deadlock."""
    first = User.objects.create_user(email="first@example.com", password="x")
    second = User.objects.create_user(email="second@example.com", password="x")
    both_hold_one = threading.Barrier(2)
    runs = {"first": 0, "second": 0}
    errors = []

    def lock(name, order):
        runs[name] += 1
        with transaction.atomic():
            User.objects.select_for_update().get(pk=order[0].pk)
            if runs[name] == 1:
                both_hold_one.wait()
            User.objects.select_for_update().get(pk=order[1].pk)

    def run(name, order):
        try:
            decorate(lock)(name, order)
        except OperationalError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("first", (first, second))),
        threading.Thread(target=run, args=("second", (second, first))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs, errors


def test_a_transaction_aborted_for_deadlock_runs_again_and_succeeds():
    runs, errors = lock_in_opposite_orders(retried_on_conflict)
    assert errors == []
    assert sorted(runs.values()) == [1, 2]  # the deadlock's victim ran once more


def test_without_the_retry_the_deadlock_reaches_the_caller():
    runs, errors = lock_in_opposite_orders(lambda function: function)
    assert len(errors) == 1 and "deadlock" in str(errors[0])


def test_inside_a_callers_transaction_a_conflict_is_not_retried():
    calls = []

    @retried_on_conflict
    def conflicting():
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$")

    with pytest.raises(OperationalError), transaction.atomic():
        conflicting()
    assert calls == [1]
    calls.clear()
    with pytest.raises(OperationalError):
        conflicting()
    assert len(calls) == ATTEMPTS

"""Backups: a pg_dump restored into a new database verifies every key and token it held, with
the same peppers and encryption keys; without them (they live outside the backup), it verifies
nothing."""

import json
import subprocess

from tests.ops.cluster import manage, postgres_bin, run_script


def test_a_restored_pg_dump_verifies_every_key_and_token(cluster, tmp_path):
    postgres = cluster.postgres
    postgres.psql("postgres", "CREATE DATABASE backup_source")
    postgres.psql("postgres", "CREATE DATABASE backup_restored")
    # Its own Redis database: the seeded account's limit is counted apart from the cluster's.
    elsewhere_in_redis = {**cluster.environment, "REDIS_URL": cluster.redis.url(1)}
    source = {**elsewhere_in_redis, "DATABASE_URL": postgres.url("backup_source")}
    restored = {**elsewhere_in_redis, "DATABASE_URL": postgres.url("backup_restored")}
    manage(source, "migrate", "--noinput")
    seed = run_script(source, "tests.ops.seed_cluster")
    dump = tmp_path / "portico.dump"

    subprocess.run(  # noqa: S603 - PostgreSQL's own tools
        [postgres_bin("pg_dump"), "-Fc", "-f", str(dump), postgres.url("backup_source")],
        check=True,
        timeout=120,
    )
    subprocess.run(  # noqa: S603
        [postgres_bin("pg_restore"), "--no-owner", "-d", postgres.url("backup_restored"), dump],
        check=True,
        timeout=120,
    )
    postgres.psql("postgres", "DROP DATABASE backup_source")
    answers = run_script(restored, "tests.ops.verify_values", _json(seed))

    assert set(answers) == {"api_key", "bearer_token", "access_token", "client_secret"}
    for kind, answer in answers.items():
        assert answer["ok"], kind
        assert answer["app_id"] == seed["app_id"]
    assert answers["api_key"]["secret_matches"] and answers["access_token"]["secret_matches"]
    # The peppers are not in the backup: under another pepper no value verifies.
    elsewhere = {
        **restored,
        "PORTICO_TOKEN_PEPPERS": "x1:b3RoZXItcGVwcGVyLW5vdC1pbi10aGUtYmFja3VwLTA",
    }
    assert not any(
        answer["ok"]
        for answer in run_script(elsewhere, "tests.ops.verify_values", _json(seed)).values()
    )


def _json(seed: dict) -> str:
    return json.dumps(seed)

import pytest

from core.actor import system_actor
from credentials.models import Kind
from credentials.services import regenerate_credential


@pytest.fixture
def bearer_token(app, user) -> str:
    return regenerate_credential(
        app=app, kind=Kind.BEARER_TOKEN, actor=system_actor(user=user, reauthenticated=True)
    ).value


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """Our own PostgreSQL and Redis, migrated and seeded, and two Portico instances (gunicorn,
    two workers each) on them: A and B. Tests that stop a server start it again."""
    from tests.ops import cluster as servers

    folder = tmp_path_factory.mktemp("cluster")
    postgres = servers.Postgres().create()
    redis_server = servers.Redis().start()
    instances = []
    try:
        postgres.psql("postgres", "CREATE DATABASE portico")
        environment = servers.portico_environment(
            postgres.url("portico"),
            redis_server.url(),
            PORTICO_CREDENTIAL_CHANGES_PER_WINDOW="4",
            GUNICORN_MAX_REQUESTS="100000",  # no worker recycled during a test
        )
        servers.manage(environment, "migrate", "--noinput")
        seed = servers.run_script(environment, "tests.ops.seed_cluster")
        instances = [servers.Gunicorn(environment, folder, name).start() for name in ("a", "b")]
        yield ClusterHandle(postgres, redis_server, instances, environment, seed)
    finally:
        for instance in instances:
            instance.stop()
        redis_server.stop()
        postgres.destroy()


class ClusterHandle:
    def __init__(self, postgres, redis_server, instances, environment, seed) -> None:
        self.postgres = postgres
        self.redis = redis_server
        self.a, self.b = instances
        self.environment = environment
        self.seed = seed

    def sql(self, query: str) -> str:
        return self.postgres.psql("portico", query).strip()

    def forget_limits(self) -> None:
        """Empty Redis: each test starts with no sensitive action counted."""
        import redis

        redis.Redis.from_url(self.redis.url()).flushdb()

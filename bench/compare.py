"""`make bench`'s benches for a commit and for the working tree, alternating in one run, on
SQLite and on PostgreSQL + Redis: both figures and the change for every figure.

    python bench/compare.py --ref REF [--runs 3] [--quick] [--databases sqlite postgresql]
        [--benches verify_bearer platform_api oauth_tokens]

or `make bench-compare REF=<commit> [RUNS=3]`. REF is checked out in a temporary `git worktree`
(removed afterwards, whatever happens). For each database, each bench script runs from REF's
tree and from the working tree in turn (ref, work, ref, work, ... --runs times each), each a
subprocess of this Python with its tree as the working directory, so it imports that tree's
code (both use this one virtualenv: a REF with other dependencies is measured with these).

Figures are ratios to a bare request measured in the same run (lower is better), never
absolute times: a figure's value is the median of its runs; the change is the working tree's
median against REF's, in %. A figure more than 10 % worse is over budget and the exit status
is 1 (so it can gate); 2 when a bench or git fails, or a bench's output cannot be read.

Databases: `sqlite`, a fresh SQLite file per run (as the benches make on their own), with the
local-memory cache; `postgresql`, a fresh database per run on --postgres's server (created and
dropped: `<name>_compare_<pid>_<n>`), with the Redis database of --redis as the cache, flushed
before each run and at the end (give it one of its own).

The figures are read from the benches' human output, so that a REF from before this script is
read too. Expected lines (anything else is ignored):

  verify_bearer.py  `ratio:  1.21 (target <= 1.30)`
                    -> "Bearer Token verification"
  platform_api.py   `endpoint: GET /2/users/me with ...`, then per variant
                    `+ verify   798.7 us CPU per request ...`, the first one `bare`
                    -> "GET /2/users/me + verify" and so on: each variant's time over bare's
  oauth_tokens.py   `refresh: bare 576.1 us, 2226.5 us CPU per request, ratio 3.86 (...)`
                    -> "refresh"

--quick gives each script a few calls (a smoke run: its figures are noise, not evidence).
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:
    from bench import loadgen  # imported as bench.compare (the tests)
except ImportError:  # run as a script: its folder is on sys.path
    import loadgen

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 10.0  # % a figure may get worse
BENCH_TIMEOUT = 3600  # seconds for one run of one bench script


def _verify_bearer(output: str) -> dict[str, float]:
    found = re.search(r"^ratio:\s+(\d+(?:\.\d+)?)", output, re.MULTILINE)
    return {"Bearer Token verification": float(found[1])} if found else {}


def _platform_api(output: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    endpoint, bare = None, None
    for line in output.splitlines():
        if found := re.match(r"endpoint: (.+?) with ", line):
            endpoint, bare = found[1], None
        elif endpoint and (
            found := re.match(r"(bare|\+ [a-z ]+?)\s+(\d+(?:\.\d+)?) us CPU per request", line)
        ):
            variant, micros = found[1], float(found[2])
            if variant == "bare":
                bare = micros
            elif bare:
                figures[f"{endpoint} {variant}"] = micros / bare
    return figures


def _oauth_tokens(output: str) -> dict[str, float]:
    pattern = r"^(.+?): bare [\d.]+ us, [\d.]+ us CPU per request, ratio (\d+(?:\.\d+)?)"
    return {name: float(ratio) for name, ratio in re.findall(pattern, output, re.MULTILINE)}


@dataclass(frozen=True)
class Bench:
    script: str
    quick: tuple[str, ...]  # arguments of a --quick run
    figures: Callable[[str], dict[str, float]]


BENCHES = {
    "verify_bearer": Bench(
        "bench/verify_bearer.py", ("--calls", "20", "--rounds", "2"), _verify_bearer
    ),
    "platform_api": Bench(
        "bench/platform_api.py", ("--calls", "20", "--rounds", "2"), _platform_api
    ),
    "oauth_tokens": Bench(
        "bench/oauth_tokens.py", ("--calls", "5", "--rounds", "1"), _oauth_tokens
    ),
}
DATABASES = ("sqlite", "postgresql")


def figures(bench: str, output: str) -> dict[str, float]:
    """The figures (name -> ratio to the bare request) in one run's output of a bench."""
    return BENCHES[bench].figures(output)


class Failed(Exception):
    """A bench, git or a database step failed: the message says which and why."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="the commit to compare the working tree with")
    parser.add_argument("--runs", type=int, default=3, help="runs of each bench per tree")
    parser.add_argument("--quick", action="store_true", help="a few calls per bench: a smoke run")
    parser.add_argument("--databases", nargs="+", choices=DATABASES, default=list(DATABASES))
    parser.add_argument("--benches", nargs="+", choices=list(BENCHES), default=list(BENCHES))
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/portico",
        help="PostgreSQL server to make disposable databases on (named after its database)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",
        help="a Redis database of the comparison's own: it is flushed",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    # A TERM (a CI timeout, kill) unwinds like Ctrl-C, so the worktree and databases go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return compare(args)
    except Failed as failure:
        print(f"bench/compare.py: {failure}", file=sys.stderr)
        return 2


def compare(args: argparse.Namespace) -> int:
    commit = _git("rev-parse", "--verify", "--quiet", f"{args.ref}^{{commit}}", what=args.ref)
    described = _git("log", "-1", "--format=%h %s", commit)
    described = described if len(described) <= 72 else described[:71] + "…"
    if "postgresql" in args.databases:
        _check_servers(args.postgres, args.redis)
    work = Path(tempfile.mkdtemp(prefix="portico-compare-"))
    ref_tree = work / "ref"
    try:
        _git("worktree", "add", "--detach", "--quiet", str(ref_tree), commit)
        print(f"{args.ref} checked out in {ref_tree}", file=sys.stderr, flush=True)
        trees = {"ref": ref_tree, "work": ROOT}
        results = run_all(args, trees, work)
    finally:
        _remove_worktree(ref_tree)
        shutil.rmtree(work, ignore_errors=True)
        if "postgresql" in args.databases:
            loadgen.redis_cli(args.redis, "FLUSHDB")
    dirty = _git("status", "--porcelain")
    head = _git("log", "-1", "--format=%h", "HEAD") + (" + uncommitted changes" if dirty else "")
    print(f"REF: {args.ref} = {described}")
    print(f"working tree: {ROOT} at {head}")
    print(
        f"{args.runs} run(s) of each bench per tree, alternating; figures are ratios to a bare "
        f"request in the same run (lower is better), the median of the runs"
        + ("; --quick: a smoke run, its figures are noise" if args.quick else "")
    )
    return print_table(results, args.ref)


def run_all(args, trees: dict[str, Path], work: Path) -> dict:
    """{(database, bench): {"ref": [figures of each run], "work": [...]}}, run alternately."""
    results = {}
    number = 0
    for database in args.databases:
        for name in args.benches:
            bench = BENCHES[name]
            runs = {side: [] for side in trees}
            for round_ in range(1, args.runs + 1):
                for side, tree in trees.items():
                    if not (tree / bench.script).exists():
                        continue  # a bench REF does not have yet: its figures are new
                    number += 1
                    started = time.monotonic()
                    output = _run_bench(args, database, bench, tree, work, number)
                    found = bench.figures(output)
                    if not found:
                        raise Failed(
                            f"no figures in {side}'s {bench.script} output on {database} (has "
                            f"its format changed? see bench/compare.py's docstring):\n{output}"
                        )
                    runs[side].append(found)
                    print(
                        f"{database} {name} {side} run {round_}/{args.runs}: "
                        f"{time.monotonic() - started:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
            results[database, name] = runs
    return results


def _run_bench(args, database: str, bench: Bench, tree: Path, work: Path, number: int) -> str:
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    for name in ("DATABASE_POOL", "DATABASE_PREPARED_STATEMENTS"):  # settings one may compare
        if name in os.environ:
            environment[name] = os.environ[name]
    server = loadgen.with_database(args.postgres, "postgres")
    database_name = loadgen.disposable_name(args.postgres, "compare") + f"_{number}"
    if database == "sqlite":
        environment["DATABASE_URL"] = f"sqlite:///{work}/run-{number}.sqlite3"
    else:
        loadgen.psql(server, f"CREATE DATABASE {database_name}")
        loadgen.redis_cli(args.redis, "FLUSHDB")
        environment["DATABASE_URL"] = loadgen.with_database(args.postgres, database_name)
        environment["REDIS_URL"] = args.redis
    try:
        done = subprocess.run(  # noqa: S603 - a bench script of one of the two trees
            [sys.executable, bench.script, *(bench.quick if args.quick else ())],
            cwd=tree,
            env=environment,
            capture_output=True,
            text=True,
            timeout=BENCH_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        raise Failed(
            f"{bench.script} in {tree} on {database} ran over {timeout.timeout} s"
        ) from None
    finally:
        if database == "sqlite":
            Path(work, f"run-{number}.sqlite3").unlink(missing_ok=True)
        else:
            loadgen.psql(server, f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)")
    if done.returncode:
        raise Failed(
            f"{bench.script} in {tree} on {database} exited {done.returncode}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-3000:]}"
        )
    return done.stdout


def print_table(results: dict, ref: str) -> int:
    """Prints one line per figure; returns 1 when a figure is over budget, else 0."""
    rows = [("database", "bench", "figure", ref, "working tree", "change", f"budget {BUDGET:g} %")]
    over = 0
    for (database, bench), runs in results.items():
        medians = {
            side: {
                name: statistics.median(run[name] for run in side_runs if name in run)
                for name in dict.fromkeys(name for run in side_runs for name in run)
            }
            for side, side_runs in runs.items()
        }
        before, after = medians["ref"], medians["work"]
        for name in dict.fromkeys([*before, *after]):
            if name in before and name in after:
                change = (after[name] / before[name] - 1) * 100
                verdict = "ok" if change <= BUDGET else "OVER"
                over += verdict == "OVER"
                shown = f"{change:+.1f} %"
            else:
                shown, verdict = "n/a", "new" if name in after else "gone"
            rows.append(
                (database, bench, name, _ratio(before.get(name)), _ratio(after.get(name)))
                + (shown, verdict)
            )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if 3 <= column <= 5 else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    if over:
        print(f"{over} figure(s) more than {BUDGET:g} % worse than at {ref}")
    return 1 if over else 0


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _git(*arguments: str, what: str = "") -> str:
    done = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), *arguments],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode:
        if what:
            raise Failed(f"{what} is not a commit of this repository")
        raise Failed(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _remove_worktree(tree: Path) -> None:
    """Removes REF's worktree; if git cannot, its folder, and git's record of worktrees whose
    folder is gone (`git worktree prune` touches no other)."""
    removed = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],  # noqa: S607
        capture_output=True,
        check=False,
        timeout=300,
    )
    if removed.returncode:
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "worktree", "prune"],  # noqa: S607
            capture_output=True,
            check=False,
            timeout=300,
        )


def _check_servers(postgres: str, redis: str) -> None:
    try:
        loadgen.psql(loadgen.with_database(postgres, "postgres"), "SELECT 1")
        loadgen.redis_cli(redis, "PING")
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        raise Failed(
            f"PostgreSQL at {postgres} or Redis at {redis} does not answer ({error}); start them, "
            "pass --postgres and --redis, or compare on --databases sqlite only"
        ) from None


if __name__ == "__main__":
    sys.exit(main())

"""Import throughput and peak memory into SQLite and PostgreSQL.

Reproduce:  .venv/bin/python benchmarks/import_throughput.py --sizes 100000 1000000
            (--no-postgres / --no-sqlite to skip one; --pg-url to point elsewhere)

For each size it generates a corpus with `nastavnik generate` once, then runs
`nastavnik import` in a fresh database of each kind as a child process and reports
conversations per second (wall clock of the whole import, including validation, PII
masking, metrics and the upsert) and the child's peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
NASTAVNIK = [sys.executable, "-m", "nastavnik"]


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a child to completion; return (seconds, peak RSS in MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def fresh_database(kind: str, workdir: Path, pg_url: str) -> str:
    if kind == "sqlite":
        path = workdir / f"bench-{time.time_ns()}.sqlite3"
        return f"sqlite:///{path}"
    name = f"nastavnik_bench_{os.getpid()}"
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    """Remove a benchmark database (gigabytes at a million conversations)."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/nastavnik_bench")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    kinds = [
        kind
        for kind, skipped in (("sqlite", args.no_sqlite), ("postgres", args.no_postgres))
        if not skipped
    ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as tmp:
        workdir = Path(tmp)
        base_env = {**os.environ, "NASTAVNIK_HOME": str(workdir), "NASTAVNIK_LOG_LEVEL": "ERROR"}
        for size in args.sizes:
            corpus = workdir / f"corpus-{size}.jsonl"
            gen_s, gen_mb = run(
                [
                    *NASTAVNIK,
                    "generate",
                    "--conversations",
                    str(size),
                    "--out",
                    str(corpus),
                    "--quiet",
                ],
                base_env,
            )
            mb = corpus.stat().st_size / 2**20
            print(
                f"generated {size:,} conversations ({mb:,.0f} MiB) in {gen_s:.1f} s "
                f"({size / gen_s:,.0f}/s, peak {gen_mb:.0f} MiB)",
                flush=True,
            )
            for kind in kinds:
                env = {**base_env, "DATABASE_URL": fresh_database(kind, workdir, args.pg_url)}
                run([*NASTAVNIK, "migrate", "--verbosity", "0"], env)
                seconds, peak = run(
                    [*NASTAVNIK, "import", str(corpus), "--source", "bench", "--quiet"], env
                )
                rerun_s, _ = run(
                    [*NASTAVNIK, "import", str(corpus), "--source", "bench", "--quiet"], env
                )
                rows.append((kind, size, seconds, size / seconds, peak, size / rerun_s))
                if kind == "postgres":
                    drop_database(env["DATABASE_URL"])
                print(
                    f"{kind:8} {size:>9,}  {seconds:7.1f} s  {size / seconds:9,.0f} conv/s  "
                    f"peak {peak:6.0f} MiB  re-run {size / rerun_s:9,.0f} conv/s",
                    flush=True,
                )
            corpus.unlink()
    print()
    print(
        "| database | conversations | time, s | conversations/s | peak RSS, MiB "
        "| re-run (unchanged), conv/s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for kind, size, seconds, rate, peak, rerun in rows:
        print(f"| {kind} | {size:,} | {seconds:.1f} | {rate:,.0f} | {peak:.0f} | {rerun:,.0f} |")
    print(f"\ncommand: {' '.join(sys.argv)}  (cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()

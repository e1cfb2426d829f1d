"""Auto-QA of stored conversations (`nastavnik autoqa`) on SQLite: conv/s and peak RSS by workers.

Reproduce:  .venv/bin/python benchmarks/autoqa_stored.py --conversations 100000 --workers 1 2

A corpus is generated (`nastavnik generate`) and imported into a fresh SQLite database in a
temporary NASTAVNIK_HOME with the default scorecards active. Then, for each `--workers`
value, the real command runs twice in a child process: first on a database without
automatic evaluations (insert only), then again (the re-run replaces every evaluation:
delete + insert). Wall time, CPU time of the whole process tree (the command and its
worker processes) and the peak RSS of the largest process are taken from `wait4`.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def nastavnik(env: dict[str, str], *args: str) -> None:
    """Run a `nastavnik` sub-command quietly; fail loudly."""
    subprocess.run(
        [sys.executable, "-m", "nastavnik", *args],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def timed_autoqa(env: dict[str, str], workers: int) -> tuple[float, float, float, float]:
    """Run `nastavnik autoqa --workers N`.

    Returns wall s, CPU s of the process tree, peak RSS MiB and the 5-minute load average
    at the end (other work on the machine shows there: a shared machine skews wall times).
    """
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "nastavnik", "autoqa", "--workers", str(workers), "--quiet"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    load = os.getloadavg()[1]
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"autoqa --workers {workers} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load


def drop_auto_evaluations(database: Path) -> None:
    """Empty the evaluation tables, so the next run inserts only."""
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM evaluations_answer")
        db.execute("DELETE FROM evaluations_evaluation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as tmp:
        env = {**os.environ, "NASTAVNIK_HOME": tmp, "NASTAVNIK_LOG_LEVEL": "WARNING"}
        env.pop("DATABASE_URL", None)
        corpus = Path(tmp) / "corpus.jsonl"
        size = str(args.conversations)
        nastavnik(env, "migrate", "-v0")
        nastavnik(env, "generate", "--conversations", size, "--out", str(corpus), "--quiet")
        nastavnik(env, "import", str(corpus), "--source", "bench", "--quiet")
        nastavnik(env, "scorecard", "install-defaults")
        corpus.unlink()
        for workers in args.workers:
            drop_auto_evaluations(Path(tmp) / "nastavnik.sqlite3")
            for run in ("first run", "re-run"):
                wall, cpu, peak, load = timed_autoqa(env, workers)
                rows.append((workers, run, wall, cpu, peak, load))
                print(
                    f"workers={workers} {run:9}: {wall:6.1f} s wall, "
                    f"{args.conversations / wall:6,.0f} conv/s, CPU {cpu:6.1f} s "
                    f"({1e6 * cpu / args.conversations:5.0f} µs/conv), peak {peak:4.0f} MiB, "
                    f"load {load:.1f}",
                    flush=True,
                )
    print()
    print(
        "| workers | run | conversations | wall, s | conv/s (wall) | CPU µs/conv (all processes) "
        "| peak RSS of the largest process, MiB | load average (5 min) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for workers, run, wall, cpu, peak, load in rows:
        print(
            f"| {workers} | {run} | {args.conversations:,} | {wall:.1f} "
            f"| {args.conversations / wall:,.0f} | {1e6 * cpu / args.conversations:,.0f} "
            f"| {peak:.0f} | {load:.1f} |"
        )
    print(
        f"\ncommand: {' '.join([Path(sys.executable).name, *sys.argv])}  (cores: {os.cpu_count()})"
    )


if __name__ == "__main__":
    main()

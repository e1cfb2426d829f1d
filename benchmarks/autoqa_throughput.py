"""Auto-QA throughput and peak memory, with the floor of reading and tokenising alone.

Reproduce:  .venv/bin/python benchmarks/autoqa_throughput.py --sizes 100000 1000000

For each size a corpus is generated once (`nastavnik generate`). Then child processes read
it line by line (constant memory) and run, per conversation:

* floor — JSON decode, validation into engine dataclasses and lemmatised tokens of every
  turn (the work any detector needs);
* auto-QA — the same plus every detector of the conversation's channel's default
  scorecard (compiled once) and the score formula.

Each mode runs in one process (per-core figure) and in N processes over interleaved lines
(`--processes`, default: all cores) for the wall-clock figure of the whole machine.
`--turn-cache 0` turns off the matcher's memory of recurring turn texts
(``nastavnik.engine.text.phrases.TURN_CACHE_SIZE``), to show what it is worth on a corpus.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(path: str, mode: str, part: int, parts: int, turn_cache: int | None = None) -> None:
    """Child: process lines part, part+parts, … of the corpus and print the count."""
    from nastavnik.engine import formats, scorecards, scoring
    from nastavnik.engine.detectors.compile import compile_scorecard
    from nastavnik.engine.text import morph, phrases

    if turn_cache is not None:
        phrases.TURN_CACHE_SIZE = turn_cache

    compiled = {}
    if mode == "autoqa":
        compiled = {
            channel: compile_scorecard(scorecards.default_scorecard(f"default-{channel}"))
            for channel in ("call", "chat", "email", "messenger")
        }
    count = 0
    with open(path, "rb") as stream:
        lines = (line for index, line in enumerate(stream) if index % parts == part)
        for parsed in formats.parse_lines(lines, default_source="bench"):
            conversation = parsed.conversation
            if mode == "floor":
                for turn in conversation.turns:
                    morph.lemma_tokens(turn.text)
            else:
                card = compiled[conversation.channel]
                scoring.score(card.spec, card.evaluate(conversation), allow_missing=True)
            count += 1
    print(count)


def run_children(
    path: Path, mode: str, parts: int, turn_cache: int | None = None
) -> tuple[float, float, float]:
    """Run ``parts`` children; return (wall seconds, CPU seconds, peak RSS MiB of one)."""
    started = time.perf_counter()
    extra = [] if turn_cache is None else [str(turn_cache)]
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", str(path), mode, str(part), str(parts), *extra],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        for part in range(parts)
    ]
    cpu = 0.0
    peak = 0.0
    for child in children:
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{mode} worker failed")
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss / 1024)
    return time.perf_counter() - started, cpu, peak


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        turn_cache = int(sys.argv[6]) if len(sys.argv) > 6 else None
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), turn_cache)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--modes", nargs="+", choices=("floor", "autoqa"), default=None)
    parser.add_argument("--turn-cache", type=int, default=None, help="TURN_CACHE_SIZE (0: off)")
    args = parser.parse_args()
    modes = args.modes or ["floor", "autoqa"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as tmp:
        env = {**os.environ, "NASTAVNIK_HOME": tmp}
        for size in args.sizes:
            corpus = Path(tmp) / f"corpus-{size}.jsonl"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nastavnik",
                    "generate",
                    "--conversations",
                    str(size),
                    "--out",
                    str(corpus),
                    "--quiet",
                ],
                check=True,
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            for mode in modes:
                for parts in sorted({1, args.processes}):
                    wall, cpu, peak = run_children(corpus, mode, parts, args.turn_cache)
                    rows.append((mode, size, parts, wall, size / cpu, size / wall, peak))
                    print(
                        f"{mode:6} {size:>9,} ×{parts}: {wall:7.1f} s wall, "
                        f"{size / cpu:7,.0f} conv/s per core, {size / wall:7,.0f} conv/s "
                        f"machine, peak {peak:5.0f} MiB per process",
                        flush=True,
                    )
            corpus.unlink()
    print()
    print(
        "| work | conversations | processes | wall, s | conv/s per core (CPU time) "
        "| conv/s (wall) | peak RSS per process, MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, size, parts, wall, per_core, machine, peak in rows:
        print(
            f"| {mode} | {size:,} | {parts} | {wall:.1f} | {per_core:,.0f} | {machine:,.0f} "
            f"| {peak:.0f} |"
        )
    print(f"\ncommand: {' '.join(sys.argv)}  (cores: {os.cpu_count()}, load {os.getloadavg()})")


if __name__ == "__main__":
    main()

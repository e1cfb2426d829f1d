"""Exit 0 when PostgreSQL answers: ``service_check.py postgres URL``."""

from __future__ import annotations

import sys


def main() -> int:
    kind, url = sys.argv[1], sys.argv[2]
    try:
        if kind == "postgres":
            import psycopg

            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
                return 0
    except Exception as error:  # any failure means "not reachable"
        print(f"{kind} not reachable at {url}: {error}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())

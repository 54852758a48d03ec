#!/usr/bin/env python3
"""The disk's own limit: single-row commits per second with SQLite WAL + synchronous=FULL."""
import os
import sqlite3
import sys
import tempfile
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
    db = sqlite3.connect(os.path.join(d, "f.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    start = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN")
        db.execute("INSERT INTO t (v) VALUES (?)", ("x" * 200,))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    print(f"single-row synchronous=FULL commits: {n / elapsed:.0f}/s ({n} commits, {elapsed * 1000 / n:.2f} ms each)")

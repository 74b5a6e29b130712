#!/usr/bin/env python3
"""best-of.py N COMMAND...: the best (least) wall time of N runs of
COMMAND, in seconds, output discarded; -1 if a run exits above 1 (0 and 1
are the answers of ckpt's search commands). Used by bench/procs.sh and
bench/scale.sh, with a monotonic clock."""
import subprocess
import sys
import time

n, best = int(sys.argv[1]), None
for _ in range(n):
    t = time.monotonic()
    r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w = time.monotonic() - t
    if r.returncode not in (0, 1):
        print("-1")
        sys.exit(0)
    best = w if best is None or w < best else best
print("%.4f" % best)

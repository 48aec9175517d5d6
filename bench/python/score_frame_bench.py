"""score_frame against `targeting score` on the same CSV, and a check that
they agree record for record (issue 15's target: at least 50% of the
command's rate).

  PYTHONPATH=build/python /usr/bin/python3 bench/python/score_frame_bench.py \\
      build/targeting rules/ CORPUS/manifest.csv [--as-of 2026-09-30]

Reports the command's wall time (CSV in, JSON lines out, one thread), and the
module's time to score a DataFrame already in memory (pandas.read_csv is
timed apart: it is the analyst's, not the engine's).
"""
import argparse
import json
import subprocess
import tempfile
import time

import pandas as pd

import targeting


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cli")
    p.add_argument("rules")
    p.add_argument("csv")
    p.add_argument("--as-of", default="2026-09-30")
    a = p.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as out:
        t0 = time.perf_counter()
        subprocess.run([a.cli, "score", a.rules, a.csv, "--as-of", a.as_of, "-o", out.name, "--threads", "1"],
                       check=True, capture_output=True)
        cli_s = time.perf_counter() - t0
        lines = open(out.name).read().splitlines()
    t0 = time.perf_counter()
    frame = pd.read_csv(a.csv, dtype=str, keep_default_na=False)
    read_s = time.perf_counter() - t0
    scorer = targeting.Scorer(targeting.compile(a.rules), as_of=a.as_of)
    t0 = time.perf_counter()
    result = scorer.score_frame(frame)
    frame_s = time.perf_counter() - t0
    n = len(frame)
    mismatches = 0
    for line, row in zip(lines, result.itertuples()):
        e = json.loads(line)
        if (e["record_id"], e["score"], e["lane"], e["sampled"], [f["id"] for f in e["fired"]]) != (
                row.record_id, row.score, row.lane, bool(row.sampled), list(row.fired)):
            mismatches += 1
    mismatches += abs(len(lines) - n)
    print(json.dumps({"records": n, "cli_s": round(cli_s, 3), "cli_rps": round(n / cli_s),
                      "read_csv_s": round(read_s, 3), "score_frame_s": round(frame_s, 3),
                      "score_frame_rps": round(n / frame_s), "ratio": round(cli_s / frame_s, 3),
                      "mismatches": mismatches}))


if __name__ == "__main__":
    main()

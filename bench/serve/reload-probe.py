#!/usr/bin/python3
"""Is a reload's compile the latency tail? (bench/README.md, "The service under wrk")

    bench/serve/reload-probe.py [--seconds S] [--reload-every S] PORT_FILE_OR_PORT CORPUS.jsonl

Sends the corpus's records one at a time on one keep-alive connection to a
running `targeting serve`, timing each request, while a second connection
POSTs /v1/reload every second and notes when each reload was sent and
answered. Prints the p50/p99 of all requests, of those sent while a reload
compiled, and of those sent outside a reload, so that what a compile costs
requests in flight is told apart from the machine's own noise (which moves
wrk's p99 from run to run). Standard library only.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("port", help="the port, or the --port-file the server wrote")
    ap.add_argument("corpus", help="JSON Lines records (targeting gen's manifest.jsonl)")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--reload-every", type=float, default=1.0, help="0: no reloads")
    ap.add_argument("--format", choices=["text", "json"], default="text")
    args = ap.parse_args()
    port = int(open(args.port).read()) if os.path.exists(args.port) else int(args.port)
    with open(args.corpus, "rb") as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    if not lines:
        sys.exit(f"reload-probe: {args.corpus}: no records")

    windows = []
    stop = threading.Event()

    def reloader():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        while not stop.is_set():
            sent = time.perf_counter()
            conn.request("POST", "/v1/reload", b"")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                sys.exit(f"reload-probe: reload answered {response.status}")
            windows.append((sent, time.perf_counter()))
            stop.wait(args.reload_every)

    thread = None
    if args.reload_every > 0:
        thread = threading.Thread(target=reloader, daemon=True)
        thread.start()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    timed = []
    end = time.perf_counter() + args.seconds
    i = 0
    while time.perf_counter() < end:
        body = lines[i % len(lines)]
        i += 1
        sent = time.perf_counter()
        conn.request("POST", "/v1/score", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"reload-probe: /v1/score answered {response.status}")
        timed.append((sent, time.perf_counter() - sent))
    stop.set()
    if thread:
        thread.join()

    # A request is "in a reload" when it was sent between a reload's sending
    # and its answer (a millisecond either side).
    def in_reload(t):
        return any(a - 0.001 <= t <= b + 0.001 for a, b in windows)

    groups = {
        "all": [l for _, l in timed],
        "in_reload": [l for t, l in timed if in_reload(t)],
        "outside": [l for t, l in timed if not in_reload(t)],
    }
    out = {k: {"requests": len(v), "p50_ms": round(percentile(v, 0.5), 3), "p99_ms": round(percentile(v, 0.99), 3)}
           for k, v in groups.items()}
    out["reloads"] = len(windows)
    out["reload_ms_median"] = round(percentile([b - a for a, b in windows], 0.5), 1) if windows else None
    if args.format == "json":
        print(json.dumps(out))
        return
    for k in ("all", "in_reload", "outside"):
        g = out[k]
        print(f"{k:10s} {g['requests']:7d} requests  p50 {g['p50_ms']:.3f} ms  p99 {g['p99_ms']:.3f} ms")
    print(f"reloads    {out['reloads']:7d} (median {out['reload_ms_median']} ms from sending to answer)")


if __name__ == "__main__":
    main()

"""Backtests on Dask's distributed scheduler.

The inputs are split into partitions (byte ranges of whole records of each
.csv or .jsonl file, from targeting.split_ranges); each worker computes a
partial backtest of its partitions through the binding, and the partials are
merged, in input order, into the report one `targeting backtest` gives.
Backtest metrics are counts, so the merge is exact. Each worker reads the
rule set and the outcomes once, not once per partition.

    python3 -m targeting.dask backtest RULES INPUT... --outcomes F \\
        --scheduler ADDRESS|local[:N] -o REPORT.json [--as-of DATE]

On a cluster every worker must see RULES, INPUT and the outcomes file at the
same paths: shared storage (NFS, a parallel file system) or a copy on each
worker machine. docs/measurement.md ("Backtests on Dask") has the details.
"""

import argparse
import os
import sys
import threading

import targeting

# Per worker process: (rules path, outcomes path, their mtimes) -> (RuleSet, Outcomes).
_cache = {}
_cache_lock = threading.Lock()


def _loaded(rules_path, outcomes_path):
    key = (rules_path, outcomes_path, _mtime(rules_path), _mtime(outcomes_path))
    with _cache_lock:
        if key not in _cache:
            rules = targeting.compile(rules_path)
            _cache.clear()
            _cache[key] = (rules, targeting.read_outcomes(rules, outcomes_path))
        return _cache[key]


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def partial_of_range(rules_path, outcomes_path, path, begin, end, as_of):
    """One partition's partial backtest (JSON text); runs on a worker."""
    rules, outcomes = _loaded(rules_path, outcomes_path)
    return targeting.backtest_partial(rules, [(path, begin, end)], outcomes, as_of=as_of)


def partitions(inputs, parts_per_input):
    """(path, begin, end) for every partition of every input, in input order."""
    out = []
    for path in inputs:
        for begin, end in targeting.split_ranges(path, parts_per_input):
            out.append((path, begin, end))
    return out


def _client(scheduler):
    from distributed import Client, LocalCluster

    if scheduler.startswith("local"):
        n = int(scheduler.split(":", 1)[1]) if ":" in scheduler else (os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def backtest(client, rules_path, inputs, outcomes_path, as_of=None, partitions_per_worker=4,
             progress=True):
    """The report JSON text of a backtest of `inputs` computed on `client`'s
    workers; equal, byte for byte, to `targeting backtest -o`'s. Rule sets
    whose aggregates would see a different stream when sharded are refused
    by the merge."""
    rules_path = os.path.abspath(rules_path)
    outcomes_path = os.path.abspath(outcomes_path)
    inputs = [os.path.abspath(p) for p in inputs]
    targeting.compile(rules_path)  # fail here, with the issues, rather than on every worker
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    per_input = max(1, (workers * partitions_per_worker + len(inputs) - 1) // len(inputs))
    parts = partitions(inputs, per_input)
    # By reference to this module, not by value: run as __main__, this
    # module's functions would otherwise be pickled with their globals.
    import importlib

    task = importlib.import_module("targeting.dask").partial_of_range
    futures = client.map(task, [rules_path] * len(parts), [outcomes_path] * len(parts),
                         [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts],
                         [as_of] * len(parts), pure=False)
    if progress:
        from distributed import progress as show_progress

        show_progress(futures)
        print(file=sys.stderr)
    texts = client.gather(futures)
    names = ["%s@%d-%d" % p for p in parts]
    return targeting.merge_json(texts, names)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m targeting.dask",
        description="Backtest a rule set on Dask's distributed scheduler: partials per partition "
                    "on the workers, merged into the report `targeting backtest -o` writes.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backtest", help="backtest RULES over INPUT... against --outcomes")
    b.add_argument("rules", metavar="RULES")
    b.add_argument("inputs", metavar="INPUT", nargs="+", help=".csv or .jsonl files")
    b.add_argument("--outcomes", required=True, metavar="FILE")
    b.add_argument("--scheduler", default="local", metavar="ADDRESS|local[:N]",
                   help="a scheduler address (tcp://host:8786), or local[:N] for a LocalCluster "
                        "of N worker processes (default: one per core)")
    b.add_argument("-o", "--output", metavar="REPORT.json", help="write the report here (default: "
                                                                 "standard output)")
    b.add_argument("--as-of", metavar="DATE", help="date for records without one (default today, UTC)")
    b.add_argument("--partitions-per-worker", type=int, default=4, metavar="K",
                   help="partitions per worker (default 4)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        client, cluster = _client(args.scheduler)
    except Exception as e:  # noqa: BLE001 - any failure to reach a scheduler is one line
        print("targeting.dask: cannot reach the scheduler %s: %s" % (args.scheduler, e), file=sys.stderr)
        return 2
    try:
        text = backtest(client, args.rules, args.inputs, args.outcomes, as_of=args.as_of,
                        partitions_per_worker=args.partitions_per_worker, progress=not args.quiet)
    except targeting.CompileError as e:
        print(str(e), file=sys.stderr)
        return 2
    except targeting.Error as e:
        print("targeting.dask: %s" % e, file=sys.stderr)
        return 2
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if args.output and args.output != "-":
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

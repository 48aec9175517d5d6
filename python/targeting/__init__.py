"""targeting: rule-based cargo targeting you can measure, for Python.

Compile a rule set once, score records or whole pandas frames, backtest them
against exam outcomes, and merge partial backtests (as ``targeting.dask``
does on a cluster). The engine is the C++ library behind the ``targeting``
command, so every figure is the command's, record for record.

    import targeting
    rules = targeting.compile("rules/")
    scorer = targeting.Scorer(rules, as_of="2026-09-30")
    scorer.score({"record_id": "B1", "hts_code": "4202.21.6000", ...}).fired
    frame = scorer.score_frame(pandas.read_csv("manifest.csv", dtype=str, keep_default_na=False))
    report = targeting.backtest(rules, "manifest.csv", "outcomes.csv", as_of="2026-09-30")

Thread-safety: a RuleSet is immutable and may be shared by threads; a Scorer
is not thread-safe (one per thread). The GIL is released while records are
scored, read and backtested, so scorers on several threads run in parallel.
Errors are exceptions with the command's messages: CompileError (with
``.issues``) for rules that do not compile, Error for everything else; bad
input never aborts the interpreter.
"""

import json
import os

from ._targeting import (  # noqa: F401
    CompileError,
    Entry,
    Error,
    Fired,
    Issue,
    Outcomes,
    Result,
    RuleSet,
    compile,
    split_ranges,
)
from . import _targeting

__all__ = [
    "CompileError", "Entry", "Error", "Fired", "Issue", "Outcomes", "Result", "RuleSet",
    "Scorer", "backtest", "backtest_partial", "compile", "explain", "merge", "merge_json",
    "read_outcomes", "split_ranges",
]


def _columns(frame, schema_fields=None):
    """A frame as {column: numpy array}, with dtypes the engine reads (object,
    float, int, bool); other dtypes (datetimes, categories) become objects."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        kind = col.dtype.kind
        if kind not in "Ofiub":
            col = col.astype(object)
        out[str(name)] = col.to_numpy()
    return out


class Scorer:
    """Scores records against one RuleSet (SPEC section 5).

    ``as_of`` (a date or 'YYYY-MM-DD', default today UTC) stands in for a
    record's missing date. On a rule set with aggregates the Scorer carries
    the stream (SPEC section 8): every record it scores, in order, is a
    record of its stream; ``state`` (a path) is loaded first, and
    save_state() writes it back. Not thread-safe: use one Scorer per thread;
    the GIL is released while scoring, so they run in parallel.
    """

    def __init__(self, rule_set, as_of=None, state=None):
        self.rule_set = rule_set
        self.as_of = as_of
        self._scorer = _targeting._Scorer(rule_set, as_of)
        self.state_not_in_file = []
        if state is not None:
            self.state_not_in_file = self.load_state(state)

    def load_state(self, path):
        """Reads a stream state file (SPEC section 8, `--state`) before the
        first record: the aggregates continue from it. A missing file starts
        empty. Returns the aggregates the file does not hold (they start
        empty). Raises Error for a corrupt, truncated, foreign or newer file,
        and leaves the stream as it was."""
        return self._scorer.load_state(os.fspath(path))

    def save_state(self, path):
        """Writes the stream's history to `path` (replaced whole or not at
        all), for the next run or the next Scorer to load."""
        self._scorer.save_state(os.fspath(path))

    def explain(self, record, entry_id):
        """Why ``entry_id`` would fire on ``record`` (a dict) were it this
        scorer's next record: as the module's explain(), but aggregate
        conditions are measured against the scorer's stream, which the
        record does not join (asking changes nothing). ``entry_id`` may be a
        list of ids, which gives a list."""
        ids = [entry_id] if isinstance(entry_id, str) else list(entry_id)
        out = [json.loads(t) for t in self._scorer.explain(record, ids)]
        return out[0] if isinstance(entry_id, str) else out

    def score(self, record):
        """Scores one record, a dict of field -> value, and returns a Result
        with .score, .lane, .sampled and .fired (each with id, kind, version,
        status, weight). None and NaN are missing; a list gives a list
        field's elements, and a str in a list field is split on the field's
        separator, as a CSV cell. Keys that are not fields are ignored.
        Raises Error when a value does not parse."""
        return self._scorer.score(record)

    def score_frame(self, frame):
        """Scores every row of a pandas DataFrame whose columns are fields.

        Returns a DataFrame with the input's index and one row per input row,
        in order: record_id, score, lane, sampled, fired (the sorted list of
        fired entry ids) and rejected (empty, or why the row could not be
        read; its score is NaN and its lane None). Columns are converted in
        C++, a chunk of rows at a time, and scored without the GIL. Read CSVs
        with dtype=str, keep_default_na=False so codes keep leading zeros."""
        import pandas

        cols = self._scorer.score_columns(_columns(frame))
        return pandas.DataFrame(cols, index=frame.index,
                                columns=["record_id", "score", "lane", "sampled", "fired", "rejected"])


def read_outcomes(rule_set, outcomes):
    """Exam outcomes (SPEC section 6) from a CSV path or a DataFrame with the
    outcomes file's columns, read once for any number of backtests."""
    if isinstance(outcomes, Outcomes):
        return outcomes
    if isinstance(outcomes, (str, os.PathLike)):
        return _targeting._outcomes_path(rule_set, os.fspath(outcomes))
    cols = {str(c): list(outcomes[c]) for c in outcomes.columns}
    return _targeting._outcomes_columns(rule_set, cols, len(outcomes))


def _inputs(records):
    """(paths, ranges, frame) for the C++ backtest: a path, a list of paths,
    (path, begin, end) byte ranges from split_ranges, or a DataFrame."""
    if hasattr(records, "columns"):
        return [], [], _columns(records)
    if isinstance(records, (str, os.PathLike, tuple)):
        records = [records]
    paths, ranges = [], []
    for r in records:
        if isinstance(r, tuple):
            path, begin, end = r
            paths.append(os.fspath(path))
            ranges.append((int(begin), int(end)))
        else:
            paths.append(os.fspath(r))
            ranges.append((1, 0))  # begin > end: the whole file
    return paths, ranges, None


def _backtest_text(rule_set, records, outcomes, as_of, partial):
    paths, ranges, frame = _inputs(records)
    return _targeting._backtest(rule_set, read_outcomes(rule_set, outcomes), paths, ranges, frame,
                                as_of, partial)


def backtest(rule_set, records, outcomes, as_of=None):
    """The SPEC section 6 report of scoring ``records`` (a path, paths, byte
    ranges or a DataFrame) joined with ``outcomes`` (a path, a DataFrame or
    read_outcomes()), as a dict equal to ``targeting backtest -o``'s JSON."""
    return json.loads(_backtest_text(rule_set, records, outcomes, as_of, False))


def backtest_partial(rule_set, records, outcomes, as_of=None):
    """A partial backtest (JSON text, as ``targeting backtest --partial``) of
    one shard of the records, for merge()."""
    return _backtest_text(rule_set, records, outcomes, as_of, True)


def merge_json(partials, names=None):
    """The report JSON text (exactly ``targeting merge -o``'s) of partial
    backtests (texts, or paths to partial files), given in shard order."""
    texts, labels = [], []
    for i, p in enumerate(partials):
        if isinstance(p, os.PathLike) or (isinstance(p, str) and not p.lstrip().startswith("{")):
            with open(p, encoding="utf-8") as f:
                texts.append(f.read())
            labels.append(os.fspath(p))
        else:
            texts.append(p)
            labels.append(names[i] if names else "partial %d" % (i + 1))
    return _targeting._merge(texts, labels)


def merge(partials, names=None):
    """The report, as a dict, of partial backtests given in shard order; equal
    field for field to one backtest over every shard's records."""
    return json.loads(merge_json(partials, names))


def explain(rule_set, record, entry_id, as_of=None):
    """Why ``entry_id`` fires on ``record`` (a dict) or not: the
    ``targeting explain --format json`` object, as a dict. ``entry_id`` may
    be a list of ids, which gives a list."""
    ids = [entry_id] if isinstance(entry_id, str) else list(entry_id)
    out = [json.loads(t) for t in _targeting._explain(rule_set, record, ids, as_of)]
    return out[0] if isinstance(entry_id, str) else out

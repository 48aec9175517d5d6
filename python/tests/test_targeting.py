"""The module against the command: the same rules and records give the same
figures, and bad input comes back as exceptions with the command's messages."""
import json
import os
import threading

import pandas as pd
import pytest

import targeting
from conftest import AS_OF, run, score_lines

README_RECORD = {"record_id": "B123", "mode": "EXPRESS", "hts_code": "4202.21.6000",
                 "routing": "CN;HK", "declared_value_usd": 100, "gross_weight_kg": 20,
                 "description": "GUCCI bags"}


def test_compile_exposes_the_rule_set(rules_dir):
    rules = targeting.compile(rules_dir)
    out, _ = run("check", rules_dir)
    assert rules.fingerprint in out
    ids = [e.id for e in rules.entries]
    assert ids == sorted(ids) and "UDR-IPR-0001" in ids
    ipr = next(e for e in rules.entries if e.id == "UDR-IPR-0001")
    assert (ipr.kind, ipr.status, ipr.weight) == ("rule", "active", 40)
    assert rules.config["lanes"] == {"red": 60, "yellow": 30}
    assert "health_safety" in rules.config["priorities"]
    assert rules.config["promotion"]["min_examined"] == 30


def test_compile_errors_carry_every_issue(src):
    path = os.path.join(src, "tests/golden/errors/spec_errors.yaml")
    with pytest.raises(targeting.CompileError) as info:
        targeting.compile(path)
    issues = info.value.issues
    out, _ = run("check", path)
    cli_errors = [line for line in out.splitlines() if ": error: " in line]
    assert [str(i) for i in issues if i.severity == "error"] == cli_errors
    first = issues[0]
    assert (first.file, first.line, first.column) == (path, 2, 8)
    assert isinstance(info.value, targeting.Error)
    with pytest.raises(targeting.Error, match="no such file"):
        targeting.compile("/nonexistent/rules")
    with pytest.raises(TypeError, match="unknown limit 'max_bogus'"):
        targeting.compile(os.path.join(src, "rules"), max_bogus=1)
    with pytest.raises(targeting.CompileError, match="max_entries"):
        targeting.compile(os.path.join(src, "rules"), max_entries=3)


def test_score_one_record(rules_dir):
    scorer = targeting.Scorer(targeting.compile(rules_dir), as_of=AS_OF)
    r = scorer.score(README_RECORD)
    assert [f.id for f in r.fired] == ["UDR-IPR-0001"]
    assert (r.score, r.lane, r.sampled, r.record_id) == (40, "yellow", False, "B123")
    f = r.fired[0]
    assert (f.kind, f.version, f.status, f.weight) == ("rule", 3, "active", 40)
    # A list gives a list field's elements, as the str split on ';' does.
    assert [f.id for f in scorer.score(dict(README_RECORD, routing=["CN", "HK"])).fired] == ["UDR-IPR-0001"]
    assert scorer.score(dict(README_RECORD, routing="CN")).fired == []


def test_bad_values_raise_the_commands_reasons(rules_dir):
    scorer = targeting.Scorer(targeting.compile(rules_dir), as_of=AS_OF)
    with pytest.raises(targeting.Error, match="declared_value_usd: not a number"):
        scorer.score(dict(README_RECORD, declared_value_usd="12,5"))
    with pytest.raises(targeting.Error, match="record_id"):
        scorer.score({"mode": "SEA"})
    with pytest.raises(targeting.Error, match="cannot read a value of type dict"):
        scorer.score(dict(README_RECORD, mode={"a": 1}))
    with pytest.raises(targeting.Error, match="as_of"):
        targeting.Scorer(targeting.compile(rules_dir), as_of="30/09/2026")


def test_score_frame_equals_the_command(rules_dir, corpus):
    frame = pd.read_csv(corpus / "manifest.csv", dtype=str, keep_default_na=False)
    out = targeting.Scorer(targeting.compile(rules_dir), as_of=AS_OF).score_frame(frame)
    assert list(out.columns) == ["record_id", "score", "lane", "sampled", "fired", "rejected"]
    assert len(out) == len(frame) == 20000
    expected = score_lines(rules_dir, corpus / "manifest.csv")
    got = [{"record_id": r.record_id, "score": r.score, "lane": r.lane, "sampled": bool(r.sampled),
            "fired": list(r.fired)} for r in out.itertuples()]
    want = [{"record_id": e["record_id"], "score": e["score"], "lane": e["lane"], "sampled": e["sampled"],
             "fired": [f["id"] for f in e["fired"]]} for e in expected]
    assert got == want
    assert (out.rejected == "").all()
    assert out.fired.map(len).sum() > 100


def test_score_frame_rows_that_cannot_be_read(rules_dir):
    frame = pd.DataFrame({"record_id": ["A", "B", None], "declared_value_usd": ["5", "five", "7"],
                          "mode": ["SEA", "AIR", "SEA"]})
    out = targeting.Scorer(targeting.compile(rules_dir), as_of=AS_OF).score_frame(frame)
    assert list(out.rejected) == ["", "field declared_value_usd: not a number", "missing record_id"]
    assert out.lane[0] == "green" and out.lane[1] is None and out.score.isna().tolist() == [False, True, True]
    # Numeric columns, as pandas reads them by default, score the same.
    typed = pd.DataFrame({"record_id": ["A"], "declared_value_usd": [100.0], "gross_weight_kg": [20],
                          "hts_code": ["4202.21.6000"], "routing": ["CN;HK"], "mode": ["EXPRESS"],
                          "description": ["GUCCI bags"]})
    assert targeting.Scorer(targeting.compile(rules_dir), as_of=AS_OF).score_frame(typed).fired[0] == ["UDR-IPR-0001"]


def test_backtest_equals_the_command(rules_dir, corpus, cli_report):
    rules = targeting.compile(rules_dir)
    want = json.loads(cli_report)
    by_path = targeting.backtest(rules, str(corpus / "manifest.csv"), str(corpus / "outcomes.csv"), as_of=AS_OF)
    assert by_path == want
    assert want["records"] == 20000 and want["discrepant"] > 30
    frame = pd.read_csv(corpus / "manifest.csv", dtype=str, keep_default_na=False)
    outcomes = pd.read_csv(corpus / "outcomes.csv", dtype=str, keep_default_na=False)
    assert targeting.backtest(rules, frame, outcomes, as_of=AS_OF) == want
    # Outcomes read once serve many backtests.
    once = targeting.read_outcomes(rules, str(corpus / "outcomes.csv"))
    assert targeting.backtest(rules, str(corpus / "manifest.jsonl"), once, as_of=AS_OF) == want


def test_partials_of_byte_ranges_merge_into_the_report(flat_rules, rules_dir, corpus, flat_report):
    rules = targeting.compile(flat_rules)
    outcomes = targeting.read_outcomes(rules, str(corpus / "outcomes.csv"))
    path = str(corpus / "manifest.csv")
    ranges = targeting.split_ranges(path, 4)
    assert len(ranges) == 4 and ranges[-1][1] == os.path.getsize(path)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    partials = [targeting.backtest_partial(rules, [(path, b, e)], outcomes, as_of=AS_OF) for b, e in ranges]
    assert targeting.merge_json(partials) == flat_report
    assert targeting.merge(partials) == json.loads(flat_report)
    other = targeting.backtest_partial(targeting.compile(rules_dir), path, str(corpus / "outcomes.csv"), as_of=AS_OF)
    with pytest.raises(targeting.Error, match="cannot be merged: rule set"):
        targeting.merge([partials[0], other])
    # The pack itself has aggregates: its shards do not merge, and say why.
    full = targeting.compile(rules_dir)
    halves = [targeting.backtest_partial(full, [(path, b, e)], outcomes_for(full, corpus), as_of=AS_OF)
              for b, e in targeting.split_ranges(path, 2)]
    with pytest.raises(targeting.Error, match=r"rule set with aggregates \(Q-NTC-0701, Q-NTC-0702, UDR-VAL-0001\)"):
        targeting.merge(halves)


def outcomes_for(rules, corpus):
    return targeting.read_outcomes(rules, str(corpus / "outcomes.csv"))


def test_explain_equals_the_command(rules_dir, tmp_path):
    rules = targeting.compile(rules_dir)
    got = targeting.explain(rules, README_RECORD, "UDR-IPR-0001", as_of=AS_OF)
    csv = tmp_path / "one.csv"
    csv.write_text("record_id,mode,hts_code,routing,declared_value_usd,gross_weight_kg,description\n"
                   "B123,EXPRESS,4202.21.6000,CN;HK,100,20,GUCCI bags\n")
    out, _ = run("explain", rules_dir, str(csv), "--record", "B123", "--entry", "UDR-IPR-0001",
                 "--as-of", AS_OF, "--format", "json")
    cli = json.loads(out.splitlines()[0])
    assert got["fires"] is True
    cli_entry = cli["entries"][0] if "entries" in cli else cli
    assert got == cli_entry
    with pytest.raises(targeting.Error, match="no entry 'NOPE'"):
        targeting.explain(rules, README_RECORD, "NOPE")


def test_scorer_explain_measures_its_stream(rules_dir, corpus):
    # Scorer.explain of the record that comes next says what `targeting
    # explain` says of it in the whole stream, aggregates included, and the
    # scorer goes on exactly as if it had not been asked.
    rules = targeting.compile(rules_dir)
    want = score_lines(rules_dir, corpus / "manifest.csv")
    k = next(i for i, e in enumerate(want) if i > len(want) // 3 and
             any(f["id"] == "UDR-VAL-0001" for f in e["fired"]))
    frame = pd.read_csv(corpus / "manifest.csv", dtype=str, keep_default_na=False)
    scorer = targeting.Scorer(rules, as_of=AS_OF)
    scorer.score_frame(frame.iloc[:k])
    record = {c: v for c, v in frame.iloc[k].items() if v != ""}
    ids = ["UDR-VAL-0001", "Q-NTC-0701"]
    out, _ = run("explain", rules_dir, str(corpus / "manifest.csv"), "--record", record["record_id"],
                 "--entry", ids[0], "--entry", ids[1], "--as-of", AS_OF, "--format", "json")
    cli = json.loads(out.splitlines()[0])["entries"]
    assert scorer.explain(record, ids) == cli
    assert scorer.explain(record, ids[0])["fires"] is True
    # The module's explain has no stream: the aggregate is false there.
    assert targeting.explain(rules, record, ids[0], as_of=AS_OF)["fires"] is False
    rest = scorer.score_frame(frame.iloc[k:])
    assert [list(f) for f in rest.fired] == [[x["id"] for x in e["fired"]] for e in want[k:]]


def test_scorers_on_threads_agree(rules_dir, corpus):
    rules = targeting.compile(rules_dir)
    frame = pd.read_csv(corpus / "manifest.csv", dtype=str, keep_default_na=False)
    results = [None, None]

    def work(i):
        results[i] = targeting.Scorer(rules, as_of=AS_OF).score_frame(frame)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0].equals(results[1])


def test_stream_state_across_scorers_equals_one_run(rules_dir, corpus, tmp_path):
    rules = targeting.compile(rules_dir)
    frame = pd.read_csv(corpus / "manifest.csv", dtype=str, keep_default_na=False)
    want = score_lines(rules_dir, corpus / "manifest.csv")
    # Split just before a record that UDR-VAL-0001 fires on: several parcels of
    # one day add up, so its earlier parcels are on the other side.
    half = next(i for i, e in enumerate(want) if i > len(want) // 3 and
                any(f["id"] == "UDR-VAL-0001" for f in e["fired"]))
    state = tmp_path / "ecom.state"
    first = targeting.Scorer(rules, as_of=AS_OF, state=state)  # missing: starts empty
    assert first.state_not_in_file == []
    a = first.score_frame(frame.iloc[:half])
    first.save_state(state)
    second = targeting.Scorer(rules, as_of=AS_OF, state=state)
    b = second.score_frame(frame.iloc[half:])
    both = pd.concat([a, b])
    assert [list(f) for f in both.fired] == [[x["id"] for x in e["fired"]] for e in want]
    # The aggregates did fire, and across the split too.
    agg = {"UDR-VAL-0001", "Q-NTC-0701", "Q-NTC-0702"}
    assert any(agg & set(f) for f in b.fired)
    # A fresh scorer on the second half alone sees less.
    alone = targeting.Scorer(rules, as_of=AS_OF).score_frame(frame.iloc[half:])
    assert "UDR-VAL-0001" in b.fired.iloc[0] and "UDR-VAL-0001" not in alone.fired.iloc[0]
    broken = tmp_path / "broken.state"
    broken.write_bytes(state.read_bytes()[:40])
    with pytest.raises(targeting.Error, match="broken.state"):
        targeting.Scorer(rules, as_of=AS_OF, state=broken)
    assert broken.stat().st_size == 40  # left untouched
    flat = targeting.Scorer(targeting.compile(os.path.join(rules_dir, "..", "tests/golden/score/rules.yaml")))
    with pytest.raises(targeting.Error, match="no aggregates"):
        flat.save_state(tmp_path / "x.state")

"""A backtest on a distributed.LocalCluster of 2 worker processes gives the
report a single-process backtest gives, byte for byte."""
import subprocess
import sys

import pytest

distributed = pytest.importorskip("distributed")

import targeting  # noqa: E402
import targeting.dask  # noqa: E402
from conftest import AS_OF  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_local_cluster_report_equals_one_process(client, flat_rules, corpus, flat_report):
    rules_dir = flat_rules
    text = targeting.dask.backtest(client, rules_dir, [str(corpus / "manifest.csv"), str(corpus / "manifest.jsonl")],
                                   str(corpus / "outcomes.csv"), as_of=AS_OF, progress=False)
    # Two copies of the corpus: every count doubles, and the outcomes join the same.
    single = targeting.backtest(targeting.compile(rules_dir),
                                [str(corpus / "manifest.csv"), str(corpus / "manifest.jsonl")],
                                str(corpus / "outcomes.csv"), as_of=AS_OF)
    import json

    assert json.loads(text) == single
    assert single["records"] == 40000
    one = targeting.dask.backtest(client, rules_dir, [str(corpus / "manifest.csv")], str(corpus / "outcomes.csv"),
                                  as_of=AS_OF, progress=False)
    assert one == flat_report
    # The work was spread: both workers computed partials.
    assert len(client.scheduler_info()["workers"]) == 2


def test_command_line(flat_rules, rules_dir, corpus, flat_report, tmp_path):
    out = tmp_path / "report.json"
    p = subprocess.run([sys.executable, "-m", "targeting.dask", "backtest", flat_rules, str(corpus / "manifest.csv"),
                        "--outcomes", str(corpus / "outcomes.csv"), "--scheduler", "local:2", "--as-of", AS_OF,
                        "-o", str(out), "--quiet"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert out.read_text() == flat_report
    refused = subprocess.run([sys.executable, "-m", "targeting.dask", "backtest", rules_dir, str(corpus / "manifest.csv"),
                              "--outcomes", str(corpus / "outcomes.csv"), "--scheduler", "local:2", "--quiet"],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "rule set with aggregates" in refused.stderr
    bad = subprocess.run([sys.executable, "-m", "targeting.dask", "backtest", "/nonexistent", str(corpus / "manifest.csv"),
                          "--outcomes", str(corpus / "outcomes.csv"), "--scheduler", "local:1", "--quiet"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no such file" in bad.stderr

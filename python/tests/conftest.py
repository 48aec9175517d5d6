"""Fixtures: the command and the source tree (from ctest's environment), and a
generated corpus shared by the tests."""
import json
import os
import subprocess

import pytest

CLI = os.environ.get("TARGETING_CLI", "targeting")
SRC = os.environ.get("TARGETING_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
AS_OF = "2026-09-30"


def run(*args, check=True):
    """Runs the targeting command; returns (stdout, stderr)."""
    p = subprocess.run([CLI, *args], capture_output=True, text=True)
    if check and p.returncode not in (0, 1):
        raise AssertionError("targeting %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout, p.stderr


@pytest.fixture(scope="session")
def src():
    return SRC


@pytest.fixture(scope="session")
def rules_dir():
    return os.path.join(SRC, "rules")


@pytest.fixture(scope="session")
def flat_rules(tmp_path_factory):
    """The pack without its aggregate entries: shards of a stream see only
    their own records, so only such a rule set's partials merge."""
    import shutil
    d = tmp_path_factory.mktemp("flat") / "rules"
    shutil.copytree(os.path.join(SRC, "rules"), d)
    os.remove(d / "ecommerce.yaml")
    os.remove(d / "queries" / "ecommerce.yaml")
    return str(d)


@pytest.fixture(scope="session")
def flat_report(corpus, flat_rules, tmp_path_factory):
    out = tmp_path_factory.mktemp("flat-report") / "report.json"
    run("backtest", flat_rules, str(corpus / "manifest.csv"), "--outcomes", str(corpus / "outcomes.csv"),
        "--as-of", AS_OF, "-o", str(out))
    return out.read_text()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    run("gen", "--records", "20000", "--seed", "5", "--quiet", "-o", str(d))
    return d


@pytest.fixture(scope="session")
def cli_report(corpus, rules_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.json"
    run("backtest", rules_dir, str(corpus / "manifest.csv"), "--outcomes", str(corpus / "outcomes.csv"),
        "--as-of", AS_OF, "-o", str(out))
    return out.read_text()


def score_lines(rules_dir, path):
    out, _ = run("score", rules_dir, str(path), "--as-of", AS_OF)
    return [json.loads(line) for line in out.splitlines()]

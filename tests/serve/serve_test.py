#!/usr/bin/env python3
"""End-to-end tests of `targeting serve`: each test starts the server on an
ephemeral port (--listen 127.0.0.1:0 --port-file) and drives it over real
sockets with http.client, comparing its answers with what the command line
(targeting score, targeting explain) writes for the same records.

  tests/serve/serve_test.py TARGETING_BINARY [unittest args, e.g. ServeApi.test_score_matches_cli]

ctest runs one test method per ctest test (tests/CMakeLists.txt).
"""
import http.client
import json
import os
import pathlib
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGETING = None  # set from argv
AS_OF = "2026-09-30"
# The ThreadSanitizer build is several times slower: waits scale with it.
SLOW = float(os.environ.get("TARGETING_SERVE_SLOW", "1"))


def run_cli(*args, check=True):
    p = subprocess.run([TARGETING, *map(str, args)], capture_output=True, text=True)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"targeting {' '.join(map(str, args))}: exit {p.returncode}: {p.stderr}")
    return p


class Server:
    """A `targeting serve` process on an ephemeral port."""

    def __init__(self, rules, *extra, tmp):
        self.port_file = pathlib.Path(tmp) / f"port-{time.monotonic_ns()}"
        self.stderr_path = pathlib.Path(tmp) / f"stderr-{time.monotonic_ns()}"
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            [TARGETING, "serve", str(rules), "--listen", "127.0.0.1:0", "--port-file", str(self.port_file),
             "--as-of", AS_OF, "--threads", "2", *map(str, extra)],
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        deadline = time.monotonic() + 60 * SLOW
        while not self.port_file.exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited {self.proc.returncode}: {self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError("the server did not start: " + self.log())
            time.sleep(0.02)
        self.port = int(self.port_file.read_text())

    def log(self):
        if not self.stderr.closed:
            self.stderr.flush()
        return self.stderr_path.read_text()

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SLOW)

    def request(self, method, path, body=None, headers=None, conn=None):
        c = conn or self.conn()
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def post_json(self, path, obj_or_text, ctype="application/json", **kw):
        body = obj_or_text if isinstance(obj_or_text, (str, bytes)) else json.dumps(obj_or_text)
        if isinstance(body, str):
            body = body.encode("utf-8")  # http.client would send latin-1
        headers = {"Content-Type": ctype, **kw.pop("headers", {})}
        return self.request("POST", path, body, headers, **kw)

    def metrics(self, headers=None):
        status, _, data = self.request("GET", "/metrics", headers=headers)
        assert status == 200, status
        out = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout * SLOW)
        self.stderr.close()
        return code


class ServeTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="serve-test-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, rules=ROOT / "rules", *extra):
        s = Server(rules, *extra, tmp=self.tmp)
        self.servers.append(s)
        return s

    def stop_ok(self, s):
        code = s.stop()
        self.assertEqual(code, 0, "the server did not exit 0 after SIGTERM: " + s.log())

    def copy_rules(self, name="rules"):
        dst = pathlib.Path(self.tmp) / name
        shutil.copytree(ROOT / "rules", dst)
        return dst

    def cli_score_lines(self, rules, path):
        p = run_cli("score", rules, path, "--as-of", AS_OF)
        return p.stdout.splitlines(keepends=True), p.stderr

    def gen_corpus(self, records=2000, seed=11):
        out = pathlib.Path(self.tmp) / f"corpus-{records}-{seed}"
        run_cli("gen", "--records", records, "--seed", seed, "-o", out)
        return out / "manifest.jsonl"


def cli_explain(corpus, record_id, entry_ids):
    """`targeting explain --format json` of one record of `corpus` for these
    entries, with the example pack."""
    args = ["explain", ROOT / "rules", corpus, "--record", record_id, "--format", "json", "--as-of", AS_OF]
    for e in entry_ids:
        args += ["--entry", e]
    return json.loads(run_cli(*args).stdout.splitlines()[0])


def pack_entries(path=None):
    """How many entries `targeting check` compiles in the pack (active, shadow and draft)."""
    import re
    out = run_cli("check", path or ROOT / "rules").stdout
    return int(re.search(r": (\d+) entries \(", out).group(1))


def fingerprint_of(stderr):
    for line in stderr.splitlines():
        if " fingerprint " in line:
            return line.rsplit(" ", 1)[1]
    raise AssertionError("no fingerprint in: " + stderr)


class ServeApi(ServeTestCase):
    def test_score_matches_cli(self):
        s = self.start()
        for path in [ROOT / "examples/data/manifest.jsonl", self.gen_corpus()]:
            expected, err = self.cli_score_lines(ROOT / "rules", path)
            fp = fingerprint_of(err)
            records = path.read_text().splitlines(keepends=True)
            self.assertEqual(len(records), len(expected))
            # NDJSON in batches: exactly the lines targeting score writes.
            got = []
            for i in range(0, len(records), 700):
                status, headers, data = s.post_json("/v1/score", "".join(records[i:i + 700]), "application/x-ndjson")
                self.assertEqual(status, 200)
                self.assertEqual(headers["targeting-fingerprint"], fp)
                self.assertEqual(headers["content-type"], "application/x-ndjson")
                got += data.decode().splitlines(keepends=True)
            self.assertEqual(got, expected)
            # A JSON array: the same objects, byte for byte, in order.
            status, headers, data = s.post_json("/v1/score", "[" + ",".join(records[:300]) + "]")
            self.assertEqual(status, 200)
            body = data.decode()
            prefix = '{"fingerprint":"' + fp + '","results":['
            self.assertTrue(body.startswith(prefix), body[:200])
            self.assertEqual(body, prefix + ",".join(l.rstrip("\n") for l in expected[:300]) + "]}\n")
            self.assertEqual(json.loads(body)["results"], [json.loads(l) for l in expected[:300]])
            # One object, pretty-printed: one result object.
            conn = s.conn()
            for i in range(0, len(records), max(1, len(records) // 40)):
                pretty = json.dumps(json.loads(records[i]), indent=2)
                status, headers, data = s.post_json("/v1/score", pretty, conn=conn)
                self.assertEqual(status, 200)
                self.assertEqual(data.decode(), expected[i])
            conn.close()
        self.stop_ok(s)

    def test_unreadable_records_answered_in_place(self):
        s = self.start()
        good = (ROOT / "examples/data/manifest.jsonl").read_text().splitlines()[:4]
        bad = ['{"record_id":"B1","arrival_date":"2026-02-30"}', '{"mode":"SEA"}',
               '{"record_id":"B3","quantity":"many"}', '[1,2]', '{"record_id":"B5","routing":{"x":1}}']
        lines = [good[0], bad[0], good[1], bad[1], bad[2], good[2], bad[3], bad[4], good[3]]
        path = pathlib.Path(self.tmp) / "mixed.jsonl"
        path.write_text("\n".join(lines) + "\n")
        rejects = pathlib.Path(self.tmp) / "rejects.jsonl"
        p = run_cli("score", ROOT / "rules", path, "--as-of", AS_OF, "--rejects", rejects)
        self.assertEqual(p.returncode, 1)
        scored = iter(p.stdout.splitlines())
        cli_rejects = {r["line"]: r for r in map(json.loads, rejects.read_text().splitlines())}
        self.assertEqual(len(cli_rejects), len(bad))
        status, _, data = s.post_json("/v1/score", path.read_text(), "application/x-ndjson")
        self.assertEqual(status, 200)
        answers = data.decode().splitlines()
        self.assertEqual(len(answers), len(lines))
        for n, answer in enumerate(answers, 1):
            if n in cli_rejects:
                obj = json.loads(answer)
                self.assertEqual(obj, {"record_id": cli_rejects[n]["record_id"],
                                       "error": {"position": n, "reason": cli_rejects[n]["reason"]}})
            else:
                self.assertEqual(answer, next(scored))
        # In an array, positions count elements from 1.
        status, _, data = s.post_json("/v1/score", "[" + ",".join(lines) + "]")
        results = json.loads(data)["results"]
        self.assertEqual([r["error"]["position"] for r in results if "error" in r], sorted(cli_rejects))
        # A number past Boost.JSON's exponent range is still JSON, and the
        # reader takes it as its text (found by the serve fuzz target).
        odd = ['{"record_id":"E1","port_of_entry":2e-1111111111111111111116}',
               '{"record_id":"E2","quantity":1E+99999999999999999999999}']
        path2 = pathlib.Path(self.tmp) / "odd.jsonl"
        path2.write_text("\n".join(odd) + "\n")
        p2 = run_cli("score", ROOT / "rules", path2, "--as-of", AS_OF, "--rejects", pathlib.Path(self.tmp) / "r2")
        status, _, data = s.post_json("/v1/score", "[" + ",".join(odd) + "]")
        self.assertEqual(status, 200, data)
        got = [json.dumps(r, separators=(",", ":")) for r in json.loads(data)["results"]]
        self.assertEqual(got[0], p2.stdout.splitlines()[0])
        self.assertEqual(json.loads(got[1])["record_id"], "E2")
        # One record that cannot be read: 422 with its error object.
        status, _, data = s.post_json("/v1/score", bad[1])
        self.assertEqual(status, 422)
        self.assertEqual(json.loads(data), {"record_id": None, "error": {"position": 1, "reason": "missing record_id"}})
        self.stop_ok(s)

    def test_explain_matches_cli(self):
        s = self.start()
        corpus = self.gen_corpus(3000, 7)
        expected, _ = self.cli_score_lines(ROOT / "rules", corpus)
        records = corpus.read_text().splitlines()
        fired = [i for i, l in enumerate(expected) if '"fired":[{' in l][:3]
        self.assertTrue(fired)
        for i in fired + [0]:
            rid = json.loads(records[i])["record_id"]
            ids = ["UDR-AUTO-0001", "Q-NTC-0142", "UDR-IPR-0001"]
            cli = cli_explain(corpus, rid, ids)
            status, headers, data = s.post_json("/v1/explain", '{"record": ' + records[i] + ', "entries": ' + json.dumps(ids) + "}")
            self.assertEqual(status, 200, data)
            got = json.loads(data)
            self.assertEqual(got["line"], 1)
            cli["line"] = 1
            self.assertEqual(got, cli)
        # Every entry when none is named.
        status, _, data = s.post_json("/v1/explain", {"record": json.loads(records[0])})
        self.assertEqual(status, 200)
        self.assertEqual(len(json.loads(data)["entries"]), pack_entries())
        status, _, data = s.post_json("/v1/explain", {"record": json.loads(records[0]), "entries": ["NOPE-1"]})
        self.assertEqual(status, 400)
        self.assertIn("NOPE-1", json.loads(data)["error"])
        status, _, data = s.post_json("/v1/explain", {"entries": ["UDR-AUTO-0001"]})
        self.assertEqual(status, 400)
        status, _, data = s.post_json("/v1/explain", {"record": {"mode": "SEA"}})
        self.assertEqual(status, 422)
        self.stop_ok(s)

    def test_rules_health_ready(self):
        s = self.start()
        _, err = self.cli_score_lines(ROOT / "rules", ROOT / "examples/data/manifest.jsonl")
        status, headers, data = s.request("GET", "/v1/rules")
        self.assertEqual(status, 200)
        rules = json.loads(data)
        self.assertEqual(rules["fingerprint"], fingerprint_of(err))
        self.assertEqual(len(rules["entries"]), pack_entries())
        self.assertRegex(rules["loaded_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        auto = next(e for e in rules["entries"] if e["id"] == "UDR-AUTO-0001")
        self.assertEqual(auto, {"id": "UDR-AUTO-0001", "kind": "rule", "version": 2, "status": "active",
                                "weight": 60, "priorities": auto["priorities"]})
        self.assertIn("health_safety", auto["priorities"])
        self.assertEqual([e["id"] for e in rules["entries"]], sorted(e["id"] for e in rules["entries"]))
        self.assertEqual(s.request("GET", "/healthz")[:1], (200,))
        self.assertEqual(s.request("GET", "/readyz")[2], b"ready\n")
        status, headers, data = s.request("HEAD", "/v1/rules")
        self.assertEqual((status, data), (200, b""))
        self.stop_ok(s)

    def test_error_answers(self):
        s = self.start(ROOT / "rules", "--max-body-bytes", "20000", "--max-records", "5")
        cases = [('{"record_id": "A", "mode": }', 27), ('{"record_id": "A",}', 18), ('[1, 2', 5),
                 ('{"a": 1} {"b": 2}', 9), ('', 0), ('{"a": "\xff"}'.encode("latin-1"), 7)]
        for body, offset in cases:
            status, _, data = s.post_json("/v1/score", body)
            self.assertEqual(status, 400, body)
            obj = json.loads(data)
            self.assertEqual(obj["error"], "malformed JSON")
            self.assertEqual(obj["offset"], offset, (body, obj))
            self.assertTrue(obj["reason"])
        status, _, data = s.post_json("/v1/score", "42")
        self.assertEqual(status, 400)
        # Too large: the declared length, and too many records.
        status, _, _ = s.post_json("/v1/score", "[" + ",".join(['{"record_id":"X"}'] * 2000) + "]")
        self.assertEqual(status, 413)
        status, _, data = s.post_json("/v1/score", "[" + ",".join(['{"record_id":"X"}'] * 6) + "]")
        self.assertEqual(status, 413)
        self.assertIn("--max-records", json.loads(data)["error"])
        status, _, _ = s.post_json("/v1/score", '{"record_id":"X"}\n' * 6, "application/x-ndjson")
        self.assertEqual(status, 413)
        status, _, _ = s.post_json("/v1/score", '{"record_id":"X"}\n' * 5, "application/x-ndjson")
        self.assertEqual(status, 200)
        # Content types.
        for ctype in ["text/plain", "application/x-www-form-urlencoded", ""]:
            status, _, _ = s.post_json("/v1/score", '{"record_id":"X"}', ctype)
            self.assertEqual(status, 415, ctype)
        status, _, _ = s.post_json("/v1/score", '{"record_id":"X"}', "Application/JSON; charset=utf-8")
        self.assertEqual(status, 200)
        status, _, _ = s.post_json("/v1/explain", '{"record_id":"X"}', "application/x-ndjson")
        self.assertEqual(status, 415)
        # Paths and methods.
        self.assertEqual(s.request("GET", "/v2/score")[0], 404)
        self.assertEqual(s.request("GET", "/")[0], 404)
        status, headers, _ = s.request("GET", "/v1/score")
        self.assertEqual((status, headers["allow"]), (405, "POST"))
        status, headers, _ = s.request("DELETE", "/v1/rules")
        self.assertEqual((status, headers["allow"]), (405, "GET, HEAD"))
        self.assertEqual(s.request("POST", "/healthz", "x")[0], 405)
        self.assertEqual(s.request("GET", "/healthz?verbose=1")[0], 200)
        self.stop_ok(s)


class ServeAuth(ServeTestCase):
    def test_token(self):
        token = "s3cret-Token_1234567890"
        tf = pathlib.Path(self.tmp) / "token"
        tf.write_text(token + "\n")
        s = self.start(ROOT / "rules", "--token-file", tf)
        record = (ROOT / "examples/data/manifest.jsonl").read_text().splitlines()[0]
        for auth in [None, "Bearer wrong", "Bearer " + token[:-1], "Bearer " + token + "x", "Basic " + token,
                     token, "Bearer"]:
            headers = {"Authorization": auth} if auth else {}
            for method, path, body in [("POST", "/v1/score", record), ("GET", "/v1/rules", None),
                                       ("GET", "/metrics", None), ("POST", "/v1/reload", ""),
                                       ("POST", "/v1/explain", "{}"), ("GET", "/nowhere", None),
                                       ("GET", "/v1/score", None)]:
                status, h, data = s.request(method, path, body, {"Content-Type": "application/json", **headers})
                self.assertEqual(status, 401, (auth, path))
                self.assertEqual(data, b"")
                self.assertNotIn("targeting-fingerprint", h)
                self.assertNotIn("server", h)
                self.assertEqual(h.get("www-authenticate"), "Bearer")
        for path in ["/healthz", "/readyz"]:
            self.assertEqual(s.request("GET", path)[0], 200)
        good = {"Authorization": "Bearer " + token}
        status, _, data = s.post_json("/v1/score", record, headers=good)
        self.assertEqual(status, 200)
        self.assertEqual(s.request("GET", "/v1/rules", headers=good)[0], 200)
        self.assertEqual(s.request("GET", "/nowhere", headers=good)[0], 404)
        self.assertEqual(s.metrics(good)["targeting_records_scored_total"], 1)
        self.stop_ok(s)

    def test_bad_token_file(self):
        p = run_cli("serve", ROOT / "rules", "--token-file", pathlib.Path(self.tmp) / "missing", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--token-file", p.stderr)
        p = run_cli("serve", ROOT / "tests/golden/errors/spec_errors.yaml", "--listen", "127.0.0.1:0", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("does not compile", p.stderr)
        p = run_cli("serve", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("/v1/score", p.stdout)


class ServeReload(ServeTestCase):
    def change_weight(self, rules):
        f = rules / "automotive.yaml"
        text = f.read_text()
        self.assertIn("weight: 60", text)
        f.write_text(text.replace("weight: 60", "weight: 65", 1))

    def test_failed_reload_keeps_old_set(self):
        rules = self.copy_rules()
        s = self.start(rules)
        corpus = self.gen_corpus(1500, 5)
        before, err = self.cli_score_lines(rules, corpus)
        fp_old = fingerprint_of(err)
        body = corpus.read_text()
        self.change_weight(rules)
        after, err = self.cli_score_lines(rules, corpus)
        fp_new = fingerprint_of(err)
        self.assertNotEqual(fp_old, fp_new)
        self.assertNotEqual(before, after)
        status, h, data = s.post_json("/v1/score", body, "application/x-ndjson")
        self.assertEqual((h["targeting-fingerprint"], data.decode().splitlines(keepends=True)), (fp_old, before))
        status, h, data = s.request("POST", "/v1/reload")
        self.assertEqual(status, 200, data)
        answer = json.loads(data)
        self.assertIsInstance(answer.pop("compile_ms"), int)
        self.assertEqual(answer, {"reloaded": True, "fingerprint": fp_new, "previous": fp_old,
                                  "entries": pack_entries(), "warnings": 0})
        status, h, data = s.post_json("/v1/score", body, "application/x-ndjson")
        self.assertEqual((h["targeting-fingerprint"], data.decode().splitlines(keepends=True)), (fp_new, after))
        # A rule file that does not compile: 422 with the issues, the new set stays.
        (rules / "broken.yaml").write_text("rules:\n  - id: BROKEN-1\n    when: {hts_cod: '4202'}\n")
        status, h, data = s.request("POST", "/v1/reload")
        self.assertEqual(status, 422)
        obj = json.loads(data)
        self.assertEqual((obj["reloaded"], obj["fingerprint"]), (False, fp_new))
        self.assertTrue(any("broken.yaml:3" in i and "hts_cod" in i for i in obj["issues"]), obj)
        status, h, data = s.post_json("/v1/score", body, "application/x-ndjson")
        self.assertEqual((status, h["targeting-fingerprint"]), (200, fp_new))
        self.assertEqual(data.decode().splitlines(keepends=True), after)
        self.assertEqual(json.loads(s.request("GET", "/v1/rules")[2])["fingerprint"], fp_new)
        # SIGHUP does the same: fails while broken, succeeds once fixed.
        s.proc.send_signal(signal.SIGHUP)
        self.wait_for(lambda: s.metrics()["targeting_reloads_failed_total"] == 2)
        (rules / "broken.yaml").unlink()
        self.change_weight_back(rules)
        s.proc.send_signal(signal.SIGHUP)
        self.wait_for(lambda: s.metrics()["targeting_reloads_total"] == 2)
        self.assertEqual(json.loads(s.request("GET", "/v1/rules")[2])["fingerprint"], fp_old)
        m = s.metrics()
        self.assertEqual(m['targeting_rule_set_info{fingerprint="%s",loaded_at="%s"}' % (
            fp_old, json.loads(s.request("GET", "/v1/rules")[2])["loaded_at"])], 1)
        self.stop_ok(s)

    def change_weight_back(self, rules):
        f = rules / "automotive.yaml"
        f.write_text(f.read_text().replace("weight: 65", "weight: 60", 1))

    def wait_for(self, cond, timeout=30):
        deadline = time.monotonic() + timeout * SLOW
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting")
            time.sleep(0.05)

    def test_reload_under_load(self):
        """Clients score all along while the rule set is swapped back and
        forth: every answer is 200 and is exactly the CLI's output for the
        fingerprint it carries. Run under ThreadSanitizer too, where the
        pack's SDN screening list would make each of its 11 compiles take
        4 s: the swap is what is tested, so the copy goes without it."""
        rules = self.copy_rules()
        (rules / "screening.yaml").unlink()
        corpus = self.gen_corpus(400, 9)
        body = corpus.read_text()
        expected = {}
        lines, err = self.cli_score_lines(rules, corpus)
        expected[fingerprint_of(err)] = "".join(lines)
        self.change_weight(rules)
        lines, err = self.cli_score_lines(rules, corpus)
        expected[fingerprint_of(err)] = "".join(lines)
        self.change_weight_back(rules)
        self.assertEqual(len(expected), 2)
        s = self.start(rules)
        stop = threading.Event()
        failures, seen, counts = [], set(), [0]
        lock = threading.Lock()

        def client():
            conn = s.conn()
            while not stop.is_set():
                try:
                    status, h, data = s.post_json("/v1/score", body, "application/x-ndjson", conn=conn)
                except Exception as e:  # noqa: BLE001
                    failures.append(repr(e))
                    return
                fp = h.get("targeting-fingerprint")
                with lock:
                    counts[0] += 1
                    seen.add(fp)
                    if status != 200 or expected.get(fp) != data.decode():
                        failures.append((status, fp))
            conn.close()

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        reloads = 8
        for i in range(reloads):
            (self.change_weight if i % 2 == 0 else self.change_weight_back)(rules)
            status, _, data = s.request("POST", "/v1/reload")
            self.assertEqual(status, 200, data)
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(seen, set(expected))
        m = s.metrics()
        self.assertEqual(m["targeting_reloads_total"], reloads)
        self.assertEqual(m["targeting_records_scored_total"], counts[0] * 400)
        self.stop_ok(s)


class ServeMetrics(ServeTestCase):
    def test_counters_add_up(self):
        s = self.start()
        corpus = self.gen_corpus(2500, 13)
        expected, _ = self.cli_score_lines(ROOT / "rules", corpus)
        records = corpus.read_text().splitlines()
        bad = ['{"mode":"SEA"}', "not json", '{"record_id":"Z","quantity":"x"}']
        requests = 0
        for i in range(0, len(records), 500):
            body = "\n".join(records[i:i + 500] + bad) + "\n"
            self.assertEqual(s.post_json("/v1/score", body, "application/x-ndjson")[0], 200)
            requests += 1
        for r in records[:50]:
            self.assertEqual(s.post_json("/v1/score", r)[0], 200)
            requests += 1
        self.assertEqual(s.post_json("/v1/score", "[" + ",".join(records[:100]) + "]")[0], 200)
        requests += 1
        self.assertEqual(s.post_json("/v1/score", "{")[0], 400)  # not a record: counts nothing
        m = s.metrics()
        sent = len(records) + 150
        rejected = 3 * 5
        self.assertEqual(m["targeting_records_scored_total"], sent)
        self.assertEqual(m["targeting_records_rejected_total"], rejected)
        lanes = sum(m[f'targeting_records_lane_total{{lane="{l}"}}'] for l in ("green", "yellow", "red"))
        self.assertEqual(lanes, sent)
        results = [json.loads(l) for l in expected]
        results += results[:50] + results[:100]
        want_fired = {}
        want_red = 0
        for r in results:
            want_red += r["lane"] == "red"
            for f in r["fired"]:
                want_fired[(f["id"], f["kind"])] = want_fired.get((f["id"], f["kind"]), 0) + 1
        self.assertGreater(len(want_fired), 3)
        self.assertEqual(m['targeting_records_lane_total{lane="red"}'], want_red)
        for (eid, kind), n in want_fired.items():
            self.assertEqual(m[f'targeting_entry_fired_total{{id="{eid}",kind="{kind}"}}'], n, eid)
        self.assertEqual(sum(v for k, v in m.items() if k.startswith("targeting_entry_fired_total")),
                         sum(want_fired.values()))
        self.assertEqual(m['targeting_http_requests_total{endpoint="score",code="200"}'], requests)
        self.assertEqual(m['targeting_http_request_duration_seconds_count{endpoint="score"}'], requests + 1)
        self.assertEqual(m['targeting_http_request_duration_seconds_bucket{endpoint="score",le="+Inf"}'], requests + 1)
        self.assertEqual(m["targeting_reloads_total"], 0)
        self.stop_ok(s)


class ServeHostile(ServeTestCase):
    def raw(self, s, data, read=True, timeout=10):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=timeout * SLOW)
        c.sendall(data)
        out = b""
        if read:
            try:
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except socket.timeout:
                pass
        c.close()
        return out

    def test_malformed_and_partial_requests(self):
        s = self.start(ROOT / "rules", "--timeout", "2", "--max-body-bytes", "100000")
        self.assertTrue(self.raw(s, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400"))
        self.assertTrue(self.raw(s, b"GET / HTTP/9.9\r\n\r\n").startswith(b"HTTP/1.1 400"))
        self.assertTrue(self.raw(s, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20000 + b"\r\n\r\n").startswith(b"HTTP/1.1 431"))
        self.assertTrue(self.raw(s, b"POST /v1/score HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n").startswith(b"HTTP/1.1 413"))
        self.assertTrue(self.raw(s, b"POST /v1/score HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n").startswith(b"HTTP/1.1 400"))
        # A declared body over the limit, sent whole anyway: the client gets
        # the 413. (On loopback it would get it without the server's drain
        # too; the drain is for real networks, where a reset can overtake it.)
        big_body = b"[" + b'{"record_id":"X"},' * 30000 + b'{"record_id":"X"}]'
        out = self.raw(s, b"POST /v1/score HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: "
                       + str(len(big_body)).encode() + b"\r\n\r\n" + big_body)
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:100])
        self.assertIn(b"Connection: close", out)
        chunked = b"POST /v1/score HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        big = b"186a0\r\n" + b" " * 100000 + b"\r\n" + b"186a0\r\n" + b" " * 100000 + b"\r\n0\r\n\r\n"
        self.assertTrue(self.raw(s, chunked + big).startswith(b"HTTP/1.1 413"))
        # Partial requests, the connection then closed: nothing to answer.
        for partial in [b"POST /v1/score HTTP/1.1\r\nContent-Ty", b"POST /v1/score HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"rec"]:
            self.assertEqual(self.raw(s, partial, read=False), b"")
        # Partial and left open: closed after --timeout, without an answer.
        start = time.monotonic()
        self.assertEqual(self.raw(s, b"POST /v1/score HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{", timeout=20), b"")
        self.assertLess(time.monotonic() - start, 10 * SLOW)
        self.assertEqual(s.request("GET", "/healthz")[0], 200)
        # The close reaches the client as the server's handler runs: poll.
        deadline = time.monotonic() + 5 * SLOW
        while s.metrics()["targeting_connections_timed_out_total"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertGreaterEqual(s.metrics()["targeting_connections_timed_out_total"], 1)
        self.stop_ok(s)

    def test_slowloris_trickle(self):
        s = self.start(ROOT / "rules", "--timeout", "2")
        c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
        start = time.monotonic()
        closed = False
        for b in request:
            try:
                c.send(bytes([b]))
            except OSError:
                closed = True
                break
            # Meanwhile the server answers others.
            if time.monotonic() - start > 1 and not hasattr(self, "_checked"):
                self._checked = True
                self.assertEqual(s.request("GET", "/healthz")[0], 200)
            time.sleep(0.05)
            if time.monotonic() - start > 8 * SLOW:
                break
        if not closed:
            c.settimeout(5 * SLOW)
            try:
                closed = c.recv(100) == b""
            except OSError:
                closed = True
        self.assertTrue(closed, "a trickling client was not closed")
        self.assertLess(time.monotonic() - start, 8 * SLOW)
        c.close()
        self.stop_ok(s)

    def test_pipelining(self):
        s = self.start()
        record = (ROOT / "examples/data/manifest.jsonl").read_text().splitlines()[0].encode()
        reqs = b""
        for path in [b"/healthz", b"/v1/score", b"/nowhere", b"/v1/score", b"/readyz"]:
            if path == b"/v1/score":
                reqs += (b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(record)).encode() + b"\r\n\r\n" + record)
            else:
                reqs += b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        reqs += b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        out = self.raw(s, reqs)
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", out)
        self.assertEqual(statuses, [b"200", b"200", b"404", b"200", b"200", b"200"])
        self.assertEqual(out.count(b'"record_id":"R0000000001"'), 2)
        self.stop_ok(s)

    def test_many_idle_connections(self):
        # 1000 idle connections in ctest (the issue asks for 10k; the same
        # code path, kept small for CI's time and fd limits; docs/service.md).
        want = 1000
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < want + 200:
            want = max(100, hard - 200)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, want + 200)) if hard != resource.RLIM_INFINITY else max(soft, want + 200), hard))
        s = self.start(ROOT / "rules", "--timeout", "5")
        socks = []
        for _ in range(want):
            socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=10))
        # Half of them send half a request.
        for c in socks[::2]:
            c.send(b"POST /v1/score HTTP/1.1\r\nHost: x\r\n")
        deadline = time.monotonic() + 10 * SLOW
        while s.metrics()["targeting_connections_open"] < want and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(s.metrics()["targeting_connections_open"], want)
        start = time.monotonic()
        record = (ROOT / "examples/data/manifest.jsonl").read_text().splitlines()[0]
        self.assertEqual(s.post_json("/v1/score", record)[0], 200)
        self.assertLess(time.monotonic() - start, 2 * SLOW)
        # They are closed after --timeout.
        # (The scrape's own connection is open, and the last scrape's may
        # not be closed yet on the server's side.)
        deadline = time.monotonic() + 20 * SLOW
        while (open_now := s.metrics()["targeting_connections_open"]) > 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertLessEqual(open_now, 2)
        for c in socks:
            c.close()
        self.stop_ok(s)

    def test_connection_limit(self):
        s = self.start(ROOT / "rules", "--max-connections", "5", "--timeout", "5")
        socks = [socket.create_connection(("127.0.0.1", s.port), timeout=10) for _ in range(5)]
        time.sleep(0.3 * SLOW)
        extra = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        self.assertEqual(extra.recv(10), b"")  # closed at once
        extra.close()
        for c in socks:
            c.close()
        deadline = time.monotonic() + 10 * SLOW
        while time.monotonic() < deadline:
            try:
                if s.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        m = s.metrics()
        self.assertGreaterEqual(m["targeting_connections_refused_total"], 1)
        self.stop_ok(s)


class ServeShutdown(ServeTestCase):
    def test_graceful(self):
        s = self.start()
        corpus = self.gen_corpus(10000, 21)
        body = corpus.read_text().encode()
        expected, _ = self.cli_score_lines(ROOT / "rules", corpus)
        idle = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c = socket.create_connection(("127.0.0.1", s.port), timeout=60 * SLOW)
        c.sendall(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
                  + str(len(body)).encode() + b"\r\n\r\n" + body[:-1000])
        time.sleep(0.2)
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        c.sendall(body[-1000:])  # the request in flight is finished and answered
        out = b""
        while True:
            chunk = c.recv(1 << 20)
            if not chunk:
                break
            out += chunk
        head, _, payload = out.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        self.assertIn(b"Connection: close", head)
        self.assertEqual(payload.decode().splitlines(keepends=True), expected)
        self.assertEqual(idle.recv(10), b"")  # the idle one is closed
        code = s.proc.wait(timeout=30 * SLOW)
        self.assertEqual(code, 0, s.log())
        self.assertIn("stopped", s.log())
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=2)


class ServeState(ServeTestCase):
    """--state: the aggregates' stream across restarts (SPEC section 8)."""

    def post_lines(self, s, lines, batch=1000):
        got = []
        for i in range(0, len(lines), batch):
            status, _, data = s.post_json("/v1/score", "".join(lines[i:i + batch]), "application/x-ndjson")
            self.assertEqual(status, 200)
            got += data.decode().splitlines(keepends=True)
        return got

    def split_corpus(self):
        corpus = self.gen_corpus(20000, 13)
        expected, _ = self.cli_score_lines(ROOT / "rules", corpus)
        records = corpus.read_text().splitlines(keepends=True)
        self.assertEqual(len(records), len(expected))
        # Split just before a record an aggregate entry of the pack fires on,
        # past the first third, so the second half needs the first's history.
        aggregate_ids = ("UDR-VAL-0001", "Q-NTC-0701", "Q-NTC-0702")
        split = next(i for i in range(len(expected) // 3, len(expected))
                     if any(f'"id":"{a}"' in expected[i] for a in aggregate_ids))
        return records, expected, split

    def test_restart_continues_the_stream(self):
        records, expected, half = self.split_corpus()
        state = pathlib.Path(self.tmp) / "stream.state"
        a = self.start(ROOT / "rules", "--state", state)
        self.assertIn("does not exist yet", a.log())
        got = self.post_lines(a, records[:half])
        self.stop_ok(a)
        self.assertIn("stream state saved to", a.log())
        self.assertTrue(state.exists())
        saved = state.read_bytes()
        b = self.start(ROOT / "rules", "--state", state)
        self.assertIn("restored", b.log())
        got += self.post_lines(b, records[half:])
        self.stop_ok(b)
        # Exactly what one uninterrupted run writes, record for record.
        self.assertEqual(got, expected)
        # Without the state the second half scores differently: the test
        # is about the carried history, not a coincidence.
        c = self.start(ROOT / "rules")
        fresh = self.post_lines(c, records[half:])
        self.stop_ok(c)
        self.assertTrue(fresh != expected[half:], "the second half scores the same without the state")
        # The file is the one `targeting score --state` writes for the same records.
        first = pathlib.Path(self.tmp) / "first.jsonl"
        first.write_text("".join(records[:half]))
        cli_state = pathlib.Path(self.tmp) / "cli.state"
        p = run_cli("score", ROOT / "rules", first, "--as-of", AS_OF, "--state", cli_state)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(cli_state.read_bytes(), saved)

    def test_explain_measures_against_the_live_stream(self):
        # /v1/explain of the record that comes next is what `targeting
        # explain` says of it in the whole stream, aggregate leaves included,
        # and asking changes nothing: the stream scores on exactly as
        # `targeting score` does.
        records, expected, split = self.split_corpus()
        corpus = pathlib.Path(self.tmp) / "corpus.jsonl"
        corpus.write_text("".join(records))
        s = self.start()
        got = self.post_lines(s, records[:split])
        rid = json.loads(records[split])["record_id"]
        ids = ["UDR-VAL-0001", "Q-NTC-0701", "Q-NTC-0702"]
        cli = cli_explain(corpus, rid, ids)
        cli["line"] = 1
        for _ in range(2):  # asked twice: the first question did not join the stream
            status, _, data = s.post_json("/v1/explain", '{"record": ' + records[split].strip() +
                                          ', "entries": ' + json.dumps(ids) + "}")
            self.assertEqual(status, 200, data)
            answer = json.loads(data)
            self.assertEqual(answer, cli)
        self.assertTrue(any(e["fires"] for e in answer["entries"]), answer)
        self.assertEqual(answer["score"], json.loads(expected[split]))
        got += self.post_lines(s, records[split:])
        self.assertEqual(got, expected)
        self.assertEqual(s.metrics()["targeting_records_scored_total"], len(records))
        self.stop_ok(s)

    def test_checkpoint_survives_a_crash(self):
        records, expected, half = self.split_corpus()
        state = pathlib.Path(self.tmp) / "stream.state"
        a = self.start(ROOT / "rules", "--state", state, "--checkpoint-seconds", "1")
        got = self.post_lines(a, records[:half])
        # Wait for a checkpoint that holds every record sent.
        deadline = time.monotonic() + 30 * SLOW
        while a.metrics()["targeting_state_checkpointed_records"] < half:
            self.assertLess(time.monotonic(), deadline, "no checkpoint: " + a.log())
            time.sleep(0.1)
        a.proc.kill()  # no shutdown, no final checkpoint
        a.proc.wait()
        b = self.start(ROOT / "rules", "--state", state)
        got += self.post_lines(b, records[half:])
        self.stop_ok(b)
        self.assertEqual(got, expected)

    def test_unreadable_state_is_refused(self):
        state = pathlib.Path(self.tmp) / "stream.state"
        state.write_bytes(b"not a state file at all\n")
        p = run_cli("serve", ROOT / "rules", "--listen", "127.0.0.1:0", "--state", state, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(str(state), p.stderr)
        self.assertEqual(state.read_bytes(), b"not a state file at all\n")  # left for someone to look at
        missing_dir = pathlib.Path(self.tmp) / "no-such-dir" / "stream.state"
        p = run_cli("serve", ROOT / "rules", "--listen", "127.0.0.1:0", "--state", missing_dir, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--state", p.stderr)
        p = run_cli("serve", ROOT / "rules", "--checkpoint-seconds", "5", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--checkpoint-seconds needs --state", p.stderr)

    def test_reload_keeps_the_stream(self):
        records, expected, half = self.split_corpus()
        rules = self.copy_rules()
        state = pathlib.Path(self.tmp) / "stream.state"
        s = self.start(rules, "--state", state)
        got = self.post_lines(s, records[:half])
        # A reload that changes no aggregate keeps every history.
        status, _, data = s.post_json("/v1/reload", "")
        self.assertEqual(status, 200, data)
        got += self.post_lines(s, records[half:])
        self.stop_ok(s)
        self.assertEqual(got, expected)


if __name__ == "__main__":
    TARGETING = sys.argv.pop(1)
    unittest.main(verbosity=2)

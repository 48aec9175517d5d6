#!/usr/bin/env python3
"""The HTML report in a real browser: headless Chromium loads it with no console
message (the page's Content-Security-Policy turns any attempted fetch or script into
one), the page references nothing outside itself, and its screenshot is not blank.

    tests/html/check-report.py TARGETING SOURCE_DIR WORK_DIR [--keep-screenshot PNG]

Chromium runs with every background service off, a dead local proxy and a host
resolver that resolves nothing, so neither the page nor the browser reaches any
network. Exit 0 when every check holds; 77 (skipped) when chromium is not installed.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib


def png_pixels_vary(path):
    """Whether an 8-bit RGB(A) PNG has more than one colour (filters undone per row)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                row[i] = (row[i] + a) & 255
            elif f == 2:
                row[i] = (row[i] + b) & 255
            elif f == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 16 == 0:
            for x in range(0, width, 8):
                colours.add(bytes(row[x * bpp:x * bpp + 3]))
        prev = row
    return len(colours), width, height


def main():
    cli, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
    keep = sys.argv[sys.argv.index("--keep-screenshot") + 1] if "--keep-screenshot" in sys.argv else None
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed: skipped")
        return 77
    os.makedirs(work, exist_ok=True)
    corpus = os.path.join(work, "corpus")
    subprocess.run([cli, "gen", "--records", "60000", "--seed", "4", "--quiet", "-o", corpus], check=True)
    page = os.path.join(work, "report.html")
    subprocess.run([cli, "backtest", os.path.join(src, "rules"), os.path.join(corpus, "manifest.csv"),
                    "--outcomes", os.path.join(corpus, "outcomes.csv"), "--as-of", "2026-09-30",
                    "--html", page], check=True, capture_output=True)
    html = open(page, encoding="utf-8").read()
    problems = []
    # Nothing outside the page: no external resource of any kind.
    for pattern in [r"<script", r"<link", r"<img", r"<iframe", r"@import", r"url\(",
                    r"(src|href)\s*=\s*[\"']?(https?:|//|file:)"]:
        if re.search(pattern, html, re.I):
            problems.append("the page has " + pattern)
    if "default-src 'none'" not in html:
        problems.append("the page has no Content-Security-Policy of default-src 'none'")
    fingerprint = re.search(r"sha256:[0-9a-f]{64}", html)
    if not fingerprint or html.count(fingerprint.group(0)) < 2:
        problems.append("the fingerprint is not in the page's header and footer")
    for chart in ["discrepancy rate against records fired", "precision and recall against the exam budget",
                  "per month"]:
        if chart not in html:
            problems.append("no chart: " + chart)
    shot = os.path.join(work, "shot.png")
    profile = os.path.join(work, "profile")
    shutil.rmtree(profile, ignore_errors=True)
    p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-pings", "--disable-domain-reliability", "--proxy-server=127.0.0.1:9",
                        "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile,
                        "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
                        "--window-size=1100,2400", "--screenshot=" + shot, "file://" + page],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        problems.append("chromium exited %d: %s" % (p.returncode, p.stderr[-500:]))
    console = [line for line in p.stderr.splitlines() if "CONSOLE" in line]
    problems += ["console: " + line for line in console]
    if not os.path.exists(shot):
        problems.append("no screenshot")
    else:
        colours, w, h = png_pixels_vary(shot)
        if colours < 8:
            problems.append("the screenshot is blank (%d colours)" % colours)
        if keep:
            shutil.copyfile(shot, keep)
    if problems:
        print("\n".join(problems))
        return 1
    print("html report: %d bytes, no console message, no external reference, screenshot %dx%d with %d colours"
          % (len(html), w, h, colours))
    return 0


if __name__ == "__main__":
    sys.exit(main())

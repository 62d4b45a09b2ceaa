#!/usr/bin/env python3
"""Conformance of quench's flow table against tshark's conversation tables.

For every capture under DATA (recursively: *.pcap, *.pcapng, *.cap), runs
  quench hunt FILE --out TMP --flows --no-progress -q
  tshark -n -r FILE -q -o tcp.analyze_sequence_numbers:FALSE -z conv,tcp -z conv,udp
and compares, per protocol (TCP, UDP), the sets of UNIQUE unordered endpoint pairs
{(addrA, portA), (addrB, portB)}. quench cuts one conversation into several records (idle/active
timeouts, port reuse) and tshark cuts TCP by stream index, so counting records would compare
policies, not decoding; the set of endpoint pairs is what both must agree on.

Also a crash detector: quench exiting non-zero, dying on a signal, timing out, or printing a
sanitizer report (AddressSanitizer, LeakSanitizer, UBSan "runtime error:") fails the run.

Writes OUT/conformance.csv, OUT/conformance.md, OUT/conformance.json and
OUT/disagreements.jsonl (the differing pairs, for investigation). Exit status: 0 pass, 1 fail,
77 skip (data or tshark absent). Python 3 standard library only.
"""

import argparse
import concurrent.futures
import csv
import datetime
import hashlib
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")
PROTOS = ("tcp", "udp")
SKIP_RETURN_CODE = 77
TSHARK_ARGS = ["-n", "-q", "-o", "tcp.analyze_sequence_numbers:FALSE",
               "-z", "conv,tcp", "-z", "conv,udp"]
# Sanitizer reports; UBSan with -fno-sanitize-recover aborts after "runtime error:".
SANITIZER_PATTERNS = (
    re.compile(r"ERROR: AddressSanitizer"),
    re.compile(r"ERROR: LeakSanitizer"),
    re.compile(r"runtime error:"),
    re.compile(r"SUMMARY: UndefinedBehaviorSanitizer"),
    re.compile(r"WARNING: ThreadSanitizer"),
)
SECTION_RE = re.compile(r"^\s*(TCP|UDP) Conversations\s*$")
ROW_RE = re.compile(r"^\s*(\S+)\s+<->\s+(\S+)\s+\d+")
MAX_EXAMPLES = 20


def norm_addr(text):
    """Canonical text of an IP address (IPv6 compressed); unparsable text is kept as is."""
    text = text.strip("[]")
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text


def split_endpoint(token):
    """'10.0.0.1:80' or 'fe80::1:546' (tshark prints IPv6 without brackets) -> (addr, port)."""
    addr, sep, port = token.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return (norm_addr(addr), int(port))


def pair_key(a, b):
    return (a, b) if a <= b else (b, a)


def parse_tshark_conv(text):
    """Parses `tshark -q -z conv,tcp -z conv,udp` text. Returns ({proto: set(pairs)},
    {proto: rows}, unparsed_rows). rows counts table lines (tshark splits TCP by stream)."""
    pairs = {p: set() for p in PROTOS}
    rows = {p: 0 for p in PROTOS}
    unparsed = []
    section = None
    for line in text.splitlines():
        m = SECTION_RE.match(line)
        if m:
            section = m.group(1).lower()
            continue
        if line.startswith("====="):
            section = None
            continue
        if section is None or "<->" not in line:
            continue
        m = ROW_RE.match(line)
        a = b = None
        if m:
            a, b = split_endpoint(m.group(1)), split_endpoint(m.group(2))
        if a is None or b is None:
            unparsed.append(line.strip())
            continue
        rows[section] += 1
        pairs[section].add(pair_key(a, b))
    return pairs, rows, unparsed


def parse_quench_flows(path):
    """Reads quench's flows.jsonl. Returns ({proto: set(pairs)}, {proto: records}, bad_lines)."""
    pairs = {p: set() for p in PROTOS}
    records = {p: 0 for p in PROTOS}
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                flow = json.loads(line)
                proto = flow["proto"]
                if proto not in pairs:
                    continue
                a = (norm_addr(flow["src"]), int(flow["sport"]))
                b = (norm_addr(flow["dst"]), int(flow["dport"]))
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            records[proto] += 1
            pairs[proto].add(pair_key(a, b))
    return pairs, records, bad


def run(cmd, timeout, env=None):
    """Runs cmd; returns (returncode or None on timeout, stdout, stderr, seconds)."""
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, env=env, check=False)
        rc = proc.returncode
        out, err = proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        rc = None
        out, err = e.stdout or b"", e.stderr or b""
    return (rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
            time.monotonic() - start)


def sanitizer_excerpt(stderr):
    """First sanitizer report in stderr: its headline and the top stack frames, else None."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if any(p.search(line) for p in SANITIZER_PATTERNS):
            frames = [l.strip() for l in lines[i + 1:i + 60] if re.match(r"\s*#\d+ ", l)]
            return {"headline": line.strip(), "frames": frames[:8]}
    return None


def describe_rc(rc):
    if rc is None:
        return "timeout"
    if rc < 0:
        try:
            return "signal " + signal.Signals(-rc).name
        except ValueError:
            return "signal %d" % -rc
    return "exit %d" % rc


class TsharkCache:
    """tshark's answer per capture, keyed by path, size, mtime and tshark version/arguments:
    tshark is the slow half of a run and its answer does not change between quench builds."""

    def __init__(self, path, tshark_id):
        self.path = path
        self.tshark_id = tshark_id
        self.entries = {}
        if path and os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as f:
                    data = json.load(f)
                if data.get("tshark") == tshark_id:
                    self.entries = data.get("entries", {})
            except (OSError, ValueError):
                self.entries = {}

    @staticmethod
    def key(capture):
        st = os.stat(capture)
        return "%s|%d|%d" % (os.path.abspath(capture), st.st_size, st.st_mtime_ns)

    def get(self, capture):
        return self.entries.get(self.key(capture))

    def put(self, capture, value):
        self.entries[self.key(capture)] = value

    def save(self):
        if not self.path:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"tshark": self.tshark_id, "entries": self.entries}, f)
        os.replace(tmp, self.path)


def tshark_side(args, capture, cache):
    cached = cache.get(capture)
    if cached is not None:
        return cached
    rc, out, err, secs = run([args.tshark, "-r", capture] + TSHARK_ARGS, args.timeout)
    pairs, rows, unparsed = parse_tshark_conv(out)
    result = {
        "rc": rc,
        "stderr": "\n".join(l for l in err.splitlines() if "Running as user" not in l)[:2000],
        "pairs": {p: sorted([list(a), list(b)] for a, b in pairs[p]) for p in PROTOS},
        "rows": rows,
        "unparsed": unparsed[:5],
        "seconds": round(secs, 3),
    }
    if rc is not None:  # a timeout may be load, not the file: ask again next run
        cache.put(capture, result)
    return result


def quench_env():
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:symbolize=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


def quench_side(args, capture, workdir):
    out_dir = os.path.join(workdir, "out")
    cmd = [args.quench, "hunt", capture, "--out", out_dir, "--flows", "--no-progress", "-q"]
    rc, _, err, secs = run(cmd, args.timeout, env=quench_env())
    result = {"rc": rc, "status": describe_rc(rc), "seconds": round(secs, 3),
              "sanitizer": sanitizer_excerpt(err), "stderr": err[-3000:],
              "pairs": {p: set() for p in PROTOS}, "records": {p: 0 for p in PROTOS},
              "warnings": [], "anomalies": {}, "counts": {}}
    flows = os.path.join(out_dir, "flows.jsonl")
    if rc == 0 and os.path.exists(flows):
        result["pairs"], result["records"], result["bad_lines"] = parse_quench_flows(flows)
        try:
            with open(os.path.join(out_dir, "summary.json"), encoding="utf-8") as f:
                summary = json.load(f)
            result["warnings"] = summary.get("warnings", [])
            result["anomalies"] = {k: v for k, v in summary.get("anomalies", {}).items() if v}
            result["counts"] = summary.get("counts", {})
        except (OSError, ValueError) as e:
            result["warnings"].append("summary.json unreadable: %s" % e)
    elif rc == 0:
        result["status"] = "no flows.jsonl"
    return result


def compare_one(args, capture, cache, tmp_root):
    rel = os.path.relpath(capture, args.data)
    workdir = tempfile.mkdtemp(prefix="conv_", dir=tmp_root)
    try:
        q = quench_side(args, capture, workdir)
        if args.keep_dir and (q["rc"] != 0 or q["sanitizer"]):
            dest = os.path.join(args.keep_dir, hashlib.sha1(rel.encode()).hexdigest()[:10])
            shutil.copytree(workdir, dest, dirs_exist_ok=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    t = tshark_side(args, capture, cache)
    row = {"file": rel, "quench_status": q["status"], "quench_seconds": q["seconds"],
           "tshark_rc": t["rc"], "tshark_stderr": t["stderr"], "sanitizer": q["sanitizer"],
           "quench_stderr": q["stderr"] if (q["rc"] != 0 or q["sanitizer"]) else "",
           "warnings": q["warnings"], "anomalies": q["anomalies"], "counts": q["counts"],
           "tshark_unparsed": t["unparsed"]}
    crashed = q["rc"] != 0 or q["sanitizer"] is not None or q["status"] == "no flows.jsonl"
    row["crash"] = crashed
    row["exact"] = not crashed
    for p in PROTOS:
        ts = {(tuple(a), tuple(b)) for a, b in t["pairs"][p]}
        qs = q["pairs"][p]
        matched = ts & qs
        only_t = sorted(ts - qs)
        only_q = sorted(qs - ts)
        row[p] = {"tshark": len(ts), "tshark_rows": t["rows"][p], "quench": len(qs),
                  "quench_records": q["records"][p], "matched": len(matched),
                  "only_tshark": len(only_t), "only_quench": len(only_q),
                  "only_tshark_examples": only_t[:MAX_EXAMPLES],
                  "only_quench_examples": only_q[:MAX_EXAMPLES]}
        if crashed or only_t or only_q:
            row["exact"] = False
    return row


def find_captures(data):
    found = []
    for root, dirs, files in os.walk(data):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(CAPTURE_SUFFIXES):
                found.append(os.path.join(root, name))
    return found


def pct(num, den):
    return 100.0 * num / den if den else 100.0


def totals_of(rows):
    tot = {p: {"tshark": 0, "quench": 0, "matched": 0, "only_tshark": 0, "only_quench": 0}
           for p in PROTOS}
    for r in rows:
        for p in PROTOS:
            for k in tot[p]:
                tot[p][k] += r[p][k]
    for p in PROTOS:
        tot[p]["agreement_pct"] = round(pct(tot[p]["matched"], tot[p]["tshark"]), 3)
    return tot


def write_reports(args, rows, tot, elapsed, command):
    os.makedirs(args.out, exist_ok=True)
    fields = ["file", "quench_status", "quench_seconds", "tshark_rc"]
    for p in PROTOS:
        fields += ["%s_%s" % (p, k) for k in
                   ("tshark", "tshark_rows", "quench", "quench_records", "matched",
                    "only_tshark", "only_quench")]
    fields += ["exact", "sanitizer", "warnings"]
    with open(os.path.join(args.out, "conformance.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in rows:
            vals = [r["file"], r["quench_status"], r["quench_seconds"], r["tshark_rc"]]
            for p in PROTOS:
                vals += [r[p][k] for k in ("tshark", "tshark_rows", "quench", "quench_records",
                                           "matched", "only_tshark", "only_quench")]
            vals += [int(r["exact"]), (r["sanitizer"] or {}).get("headline", ""),
                     " | ".join(r["warnings"])]
            w.writerow(vals)
    with open(os.path.join(args.out, "disagreements.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            if not r["exact"]:
                f.write(json.dumps(r, sort_keys=True) + "\n")
    exact = sum(1 for r in rows if r["exact"])
    crashes = [r for r in rows if r["crash"]]
    summary = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
               "command": command, "files": len(rows), "exact_files": exact,
               "crashes": len(crashes), "seconds": round(elapsed, 1), "totals": tot}
    with open(os.path.join(args.out, "conformance.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(args.out, "conformance.md"), "w", encoding="utf-8") as f:
        f.write("# quench vs tshark conversations (%s)\n\n" % summary["date"])
        f.write("`%s`\n\n" % command)
        f.write(totals_markdown(tot, len(rows), exact, len(crashes), elapsed))
        f.write("\n## Files that disagree\n\n")
        f.write("| file | quench | tcp t/q/match | udp t/q/match | warnings |\n")
        f.write("| --- | --- | --- | --- | --- |\n")
        for r in rows:
            if r["exact"]:
                continue
            f.write("| %s | %s | %d/%d/%d | %d/%d/%d | %s |\n" % (
                r["file"], r["quench_status"] + (" SANITIZER" if r["sanitizer"] else ""),
                r["tcp"]["tshark"], r["tcp"]["quench"], r["tcp"]["matched"],
                r["udp"]["tshark"], r["udp"]["quench"], r["udp"]["matched"],
                "; ".join(r["warnings"])[:200].replace("|", "/")))
    return summary


def totals_markdown(tot, files, exact, crashes, elapsed):
    lines = ["| proto | tshark pairs | quench pairs | matched | only tshark | only quench |"
             " agreement (matched/tshark) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for p in PROTOS:
        t = tot[p]
        lines.append("| %s | %d | %d | %d | %d | %d | %.2f%% |" % (
            p, t["tshark"], t["quench"], t["matched"], t["only_tshark"], t["only_quench"],
            t["agreement_pct"]))
    lines.append("")
    lines.append("Files: %d; exact agreement (both protocols): %d; quench crashes or sanitizer "
                 "reports: %d; wall time %.0f s." % (files, exact, crashes, elapsed))
    return "\n".join(lines) + "\n"


def tshark_identity(tshark):
    rc, out, _, _ = run([tshark, "--version"], 30)
    first = out.splitlines()[0] if out else "unknown"
    return "%s %s" % (first, " ".join(TSHARK_ARGS))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quench", required=True, help="path to the quench binary")
    ap.add_argument("--data", required=True, help="directory searched for captures")
    ap.add_argument("--out", required=True, help="report directory (build dir)")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per tool per file")
    ap.add_argument("--min-tcp", type=float, default=0.0, help="fail below this TCP agreement %%")
    ap.add_argument("--min-udp", type=float, default=0.0, help="fail below this UDP agreement %%")
    ap.add_argument("--filter", default="", help="only files whose path matches this regex")
    ap.add_argument("--no-cache", action="store_true", help="do not reuse tshark results")
    ap.add_argument("--keep-dir", default="", help="copy quench outputs of crashed files here")
    args = ap.parse_args()

    command = " ".join([os.path.basename(sys.argv[0])] + sys.argv[1:])
    if not os.path.isdir(args.data):
        print("SKIP: capture directory %s absent" % args.data)
        return SKIP_RETURN_CODE
    if shutil.which(args.tshark) is None:
        print("SKIP: tshark (%s) absent" % args.tshark)
        return SKIP_RETURN_CODE
    if not os.access(args.quench, os.X_OK):
        print("FAIL: quench binary %s is not executable" % args.quench)
        return 1
    captures = find_captures(args.data)
    if args.filter:
        captures = [c for c in captures if re.search(args.filter, c)]
    if not captures:
        print("SKIP: no captures under %s" % args.data)
        return SKIP_RETURN_CODE

    os.makedirs(args.out, exist_ok=True)
    cache = TsharkCache(None if args.no_cache else os.path.join(args.out, "tshark_cache.json"),
                        tshark_identity(args.tshark))
    tmp_root = tempfile.mkdtemp(prefix="conformance_")
    start = time.monotonic()
    rows = []
    try:
        # Largest first so the two workers finish together.
        captures.sort(key=lambda c: -os.path.getsize(c))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(compare_one, args, c, cache, tmp_root): c for c in captures}
            for fut in concurrent.futures.as_completed(futures):
                rows.append(fut.result())
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    cache.save()
    elapsed = time.monotonic() - start
    rows.sort(key=lambda r: r["file"])
    tot = totals_of(rows)
    summary = write_reports(args, rows, tot, elapsed, command)

    print(totals_markdown(tot, len(rows), summary["exact_files"], summary["crashes"], elapsed))
    warned = [r for r in rows if r["warnings"]]
    if warned:
        print("quench warnings (not failures) in %d file(s), e.g.:" % len(warned))
        for r in warned[:10]:
            print("  %s: %s" % (r["file"], "; ".join(r["warnings"])[:300]))
    failed = False
    for r in rows:
        if r["crash"]:
            failed = True
            print("FAIL: %s: quench %s" % (r["file"], r["quench_status"]))
            if r["sanitizer"]:
                print("    " + r["sanitizer"]["headline"])
                for fr in r["sanitizer"]["frames"][:5]:
                    print("      " + fr)
            else:
                for l in r["quench_stderr"].strip().splitlines()[-5:]:
                    print("    " + l)
    for p, minimum in (("tcp", args.min_tcp), ("udp", args.min_udp)):
        if tot[p]["agreement_pct"] < minimum:
            failed = True
            print("FAIL: %s agreement %.3f%% is below the threshold %.3f%%"
                  % (p, tot[p]["agreement_pct"], minimum))
    print("Reports: %s/conformance.{md,csv,json}, disagreements.jsonl" % args.out)
    print("FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

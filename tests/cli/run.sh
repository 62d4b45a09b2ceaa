#!/usr/bin/env bash
# End-to-end checks of `quench hunt` as a user meets it: errors that name the file, output
# that survives a failed run, bounded memory that is reported, and the summary contract.
#   run.sh QUENCH PCAPGEN WORK_DIR
set -uo pipefail
quench=$1 pcapgen=$2 work=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
failures=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
expect_in() {  # expect_in NAME FILE NEEDLE
  if grep -qF -- "$3" "$2"; then
    pass "$1"
  else
    fail "$1: '$3' not in $(basename "$2")"
    sed 's/^/    /' "$2" | head -5
  fi
}

"$pcapgen" -q "$root/samples/demo.json" -o "$work/demo.pcap"

# 1. A missing input is refused before any work, naming the file.
"$quench" hunt "$work/missing.pcap" --out "$work/o1" > "$work/1.out" 2>&1
[ $? -ne 0 ] && pass "missing input exits non-zero" || fail "missing input exits non-zero"
expect_in "missing input is named" "$work/1.out" "missing.pcap"

# 2. A file that is not a capture: a clear error naming it, and earlier results stay intact.
mkdir -p "$work/o2"
"$quench" hunt "$work/demo.pcap" --intel "$root/packs/intel/router-botnets.txt" --out "$work/o2" -q
cp "$work/o2/hosts.jsonl" "$work/hosts.before"
echo "this is not a capture" > "$work/notes.txt"
"$quench" hunt "$work/notes.txt" --out "$work/o2" > "$work/2.out" 2>&1
[ $? -eq 1 ] && pass "non-capture exits 1" || fail "non-capture exits 1"
expect_in "non-capture is named" "$work/2.out" "notes.txt: cannot read as a pcap or pcapng capture"
cmp -s "$work/hosts.before" "$work/o2/hosts.jsonl" && pass "failed run leaves earlier hosts.jsonl intact" \
  || fail "failed run leaves earlier hosts.jsonl intact"
ls "$work/o2" | grep -q '\.tmp\.' && fail "no temporary files left" || pass "no temporary files left"

# 3. A bad indicator line is reported with file and line, and the good lines still work.
printf '# family: test\n194.126.178.8\n300.1.2.3\nexample.org\n88.209.251.6:443\n' > "$work/intel.txt"
"$quench" hunt "$work/demo.pcap" --intel "$work/intel.txt" --out "$work/o3" > "$work/3.out" 2>&1
expect_in "bad intel line named with its line number" "$work/3.out" "intel.txt:3"
expect_in "good intel lines still match" "$work/3.out" "194.126.178.8"
python3 - "$work/o3/summary.json" <<'PY' && pass "summary reports skipped domain line" || fail "summary reports skipped domain line"
import json, sys
s = json.load(open(sys.argv[1]))
intel = s["intel"][0]
assert intel["loaded"] == 2 and intel["invalid"] == 1, intel
assert intel["skipped"]["domain"]["count"] == 1, intel
PY

# 4. --max-flows bounds the table; evictions are counted in summary.json, findings survive.
"$quench" hunt "$work/demo.pcap" --intel "$root/packs/intel/router-botnets.txt" --max-flows 4 --idle-timeout 3600 \
  --out "$work/o4" -q
python3 - "$work/o4/summary.json" "$work/o4/hosts.jsonl" <<'PY' && pass "max-flows evicts, counts, keeps findings" || fail "max-flows evicts, counts, keeps findings"
import json, sys
s = json.load(open(sys.argv[1]))
ft = s["flow_table"]
assert ft["max_flows"] == 4 and ft["peak_active"] <= 4, ft
assert ft["evicted"] > 0 and s["anomalies"]["flow_table_full_evictions"] == ft["evicted"], s
hosts = [json.loads(l) for l in open(sys.argv[2])]
assert any(h["host"] == "198.51.100.23" and h["verdict"] == "compromised" for h in hosts), hosts
PY

# 5. summary.json and flows.jsonl keep the contract (DESIGN.md section 4).
"$quench" hunt "$work/demo.pcap" --out "$work/o5" --flows -q
python3 - "$work/o5" <<'PY' && pass "summary and flows follow the contract" || fail "summary and flows follow the contract"
import json, sys, re
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
for key in ("version", "inputs", "counts", "anomalies", "timings", "flow_table"):
    assert key in s, key
c = s["counts"]
assert c["packets"] == 2143 and c["ip_packets"] == 2143 and c["flows"] == 228, c
rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
flows = [json.loads(l) for l in open(d + "/flows.jsonl")]
assert len(flows) == c["flows"]
for f in flows:
    for key in ("src", "sport", "dst", "dport", "proto", "start", "end", "packets", "bytes",
                "packets_to_server", "packets_to_client", "bytes_to_server", "bytes_to_client"):
        assert key in f, (key, f)
    assert rfc3339.match(f["start"]) and rfc3339.match(f["end"]), f
    assert f["packets"] == f["packets_to_server"] + f["packets_to_client"], f
assert sum(f["packets"] for f in flows) == c["ip_packets"]
assert open(d + "/hosts.jsonl").read() == "" and open(d + "/findings.jsonl").read() == ""
PY

# 6. Several inputs are read as one stream in time order: splitting the demo in two halves
#    by time and giving them in reverse order yields the same flows as the whole file.
editcap -r "$work/demo.pcap" "$work/part1.pcap" 1-1000 >/dev/null 2>&1 && \
editcap -r "$work/demo.pcap" "$work/part2.pcap" 1001-9999 >/dev/null 2>&1
if [ -s "$work/part2.pcap" ]; then
  "$quench" hunt "$work/part2.pcap" "$work/part1.pcap" --out "$work/o6" --flows -q
  if cmp -s <(sort "$work/o5/flows.jsonl") <(sort "$work/o6/flows.jsonl"); then
    pass "two files in either order equal the whole capture"
  else
    fail "two files in either order equal the whole capture"
  fi
else
  echo "skip: editcap not available, multi-file order check not run"
fi

echo "cli checks: $failures failure(s)"
[ $failures -eq 0 ]

#!/usr/bin/env bash
# Golden test: runs `quench hunt` on one case and compares hosts.jsonl and findings.jsonl with
# the case's expected/ files (key order ignored, line order kept).
#   run.sh QUENCH PCAPGEN CASE_DIR WORK_DIR
# A case directory holds `args` (the hunt arguments after the inputs; paths relative to the
# repository root); its inputs: `spec.json` (generated with pcapgen at test time), `input*.pcap`,
# `inputs` (repository-relative paths, one per line) or `prepare.sh` (writes WORK/input*.pcap);
# expected/{hosts,findings}.jsonl; optionally `expect_stdout` (lines the report must contain).
# QUENCH_GOLDEN_UPDATE=1 rewrites expected/.
set -euo pipefail
quench=$1 pcapgen=$2 case_dir=$3 work=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
name=$(basename "$case_dir")
rm -rf "$work" && mkdir -p "$work"

inputs=()
if [ -f "$case_dir/spec.json" ]; then
  "$pcapgen" -q "$case_dir/spec.json" -o "$work/input.pcap" >/dev/null
  inputs+=("$work/input.pcap")
fi
for f in "$case_dir"/input*.pcap; do [ -e "$f" ] && inputs+=("$f"); done
if [ -f "$case_dir/inputs" ]; then
  # repository-relative paths of shipped captures, one per line
  while IFS= read -r f; do [ -n "$f" ] && inputs+=("$root/$f"); done < "$case_dir/inputs"
fi
if [ -f "$case_dir/prepare.sh" ]; then
  inputs=()
  # prepare.sh writes the inputs into WORK (e.g. a deliberately truncated capture)
  bash "$case_dir/prepare.sh" "$pcapgen" "$case_dir" "$work"
  for f in "$work"/input*.pcap; do inputs+=("$f"); done
fi
read -r -a args < "$case_dir/args"

cd "$root"
"$quench" hunt "${inputs[@]}" "${args[@]}" --out "$work/out" --no-progress > "$work/stdout.txt"
echo "golden $name: $(wc -l < "$work/out/hosts.jsonl") hosts, $(wc -l < "$work/out/findings.jsonl") findings"

normalize() { jq -cS . "$1"; }
status=0
for f in hosts.jsonl findings.jsonl; do
  if [ "${QUENCH_GOLDEN_UPDATE:-0}" = 1 ]; then
    mkdir -p "$case_dir/expected"
    normalize "$work/out/$f" > "$case_dir/expected/$f"
    continue
  fi
  if ! diff -u <(normalize "$case_dir/expected/$f") <(normalize "$work/out/$f") > "$work/$f.diff"; then
    echo "golden $name: $f differs from expected:"
    head -40 "$work/$f.diff" | cut -c1-400
    status=1
  fi
done
if [ -f "$case_dir/expect_stdout" ]; then
  while IFS= read -r needle; do
    [ -z "$needle" ] && continue
    if ! grep -qF -- "$needle" "$work/stdout.txt"; then
      echo "golden $name: report lacks: $needle"; status=1
    fi
  done < "$case_dir/expect_stdout"
fi
exit $status

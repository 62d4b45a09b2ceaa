#!/usr/bin/env bash
# Writes WORK/input.pcap: this case's capture cut in the middle of its last records,
# as a capture interrupted by a full disk would be.
set -euo pipefail
pcapgen=$1 case_dir=$2 work=$3
"$pcapgen" -q "$case_dir/spec.json" -o "$work/full.pcap" >/dev/null
size=$(stat -c %s "$work/full.pcap")
head -c $((size - 150)) "$work/full.pcap" > "$work/input.pcap"
rm -f "$work/full.pcap"

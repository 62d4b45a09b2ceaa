#!/bin/sh
# Regenerates samples/demo.pcap from samples/demo.json with a built pcapgen.
#   samples/regen.sh [--check] [PATH/TO/pcapgen]
# --check regenerates into a temporary file and fails if it differs from demo.pcap.
# Without a path, uses $PCAPGEN, else the newest build/*/tools/pcapgen/pcapgen.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
bin=${1:-${PCAPGEN:-}}
if [ -z "$bin" ]; then
  bin=$(ls -t "$root"/build/*/tools/pcapgen/pcapgen 2>/dev/null | head -n 1 || true)
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "regen.sh: no pcapgen binary; build it (cmake --build BUILD --target pcapgen) or pass its path" >&2
  exit 2
fi
if [ "$check" = 1 ]; then
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  "$bin" "$here/demo.json" -o "$tmp"
  cmp "$tmp" "$here/demo.pcap" && echo "samples/demo.pcap is up to date"
else
  "$bin" "$here/demo.json" -o "$here/demo.pcap"
fi

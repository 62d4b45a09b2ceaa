#!/usr/bin/env bash
# bench/run.sh: whole-run throughput and memory of `quench hunt` against a bare libpcap read
# loop (the floor) and against peers (ndpiReader, softflowd, nfpcapd) on the same captures.
# `make bench` builds the release tree and runs this. Method, caveats and a real run:
# docs/benchmarks.md. Writes the markdown report to build/bench-results.md (and stdout).
#
# Environment (all optional):
#   BUILD=build/release   where quench, tools/pcapgen/pcapgen and bench/pcap_floor are
#   WORK=build/bench-data inputs (generated once, reused) and scratch output
#   SHARED=../shared/data real public captures; input (b) is skipped when absent
#   RUNS=3                timed runs per tool and capture; the best wall time is reported
#   SLOW_SECONDS=40       a tool whose first run takes longer is not repeated (keeps the
#                         whole script near 10 minutes; the table says how many runs were done)
#   ONLY="gen real mem"   which parts to run
#   RESULTS=build/bench-results.md
# Usage: bench/run.sh [--prepare-only]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build/release}
WORK=${WORK:-$ROOT/build/bench-data}
SHARED=${SHARED:-$ROOT/../shared/data}
RUNS=${RUNS:-3}
SLOW_SECONDS=${SLOW_SECONDS:-40}
ONLY=${ONLY:-gen real mem}
RESULTS=${RESULTS:-$ROOT/build/bench-results.md}
PREPARE_ONLY=0
[[ ${1:-} == --prepare-only ]] && PREPARE_ONLY=1

QUENCH=${QUENCH:-$BUILD/quench}
PCAPGEN=${PCAPGEN:-$BUILD/tools/pcapgen/pcapgen}
FLOOR=${FLOOR:-$BUILD/bench/pcap_floor}
READER_FLOOR=${READER_FLOOR:-$BUILD/bench/reader_floor}
TIME=/usr/bin/time

# Inputs. (a) synthetic: 10 M packets over 500 k flows. (b) a real capture replicated:
# REAL_COPIES copies, copy i shifted by i*REAL_SPACING_S seconds - longer than every tool's
# flow timeouts (softflowd's TCP default is 3600 s), so a flow never spans two copies.
# (c) memory: 5 M flows of 2 packets (SYN, SYN-ACK), all alive at the end of the capture.
GEN_FLOWS=500000 GEN_PACKETS=10000000 GEN_SEED=1
REAL_SRC=$SHARED/pcaps/slips/test-cc-capture-1.pcap
REAL_COPIES=${REAL_COPIES:-202}
REAL_SPACING_S=4000
MEM_FLOWS=5000000 MEM_PACKETS=10000000 MEM_SEED=2
MEM_MAX_FLOWS=${MEM_MAX_FLOWS:-1000000 5000000}
# A UDP port on loopback that nothing listens on: softflowd's NetFlow export goes nowhere.
DEAD_COLLECTOR=127.0.0.1:39999

GEN_PCAP=$WORK/gen-${GEN_FLOWS}f-${GEN_PACKETS}p-s${GEN_SEED}.pcap
REAL_PCAP=$WORK/real-cc1-x${REAL_COPIES}.pcap
MEM_PCAP=$WORK/mem-${MEM_FLOWS}f-${MEM_PACKETS}p-s${MEM_SEED}.pcap
SCRATCH=$WORK/scratch
TSV=$WORK/results.tsv

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
want() { [[ " $ONLY " == *" $1 "* ]]; }
have() { command -v "$1" >/dev/null 2>&1; }

mkdir -p "$WORK" "$SCRATCH"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
[[ -x $TIME ]] || die "$TIME missing (Debian package 'time'; scripts/install-deps.sh installs it)"
[[ -x $FLOOR ]] || die "$FLOOR missing: build the release tree first (make release)"

# ---------------------------------------------------------------------------------------
# 1. Inputs (each written to a temporary name and renamed, so a cut-short run never leaves a
#    half file that a later run would reuse).

gen_bulk() {  # OUT FLOWS PACKETS SEED
  local out=$1
  [[ -s $out ]] && { log "reusing $(basename "$out")"; return 0; }
  [[ -x $PCAPGEN ]] || { log "skip $(basename "$out"): $PCAPGEN not built"; return 1; }
  log "generating $(basename "$out") (pcapgen --bulk --flows $2 --packets $3 --seed $4)"
  "$PCAPGEN" --bulk --flows "$2" --packets "$3" --seed "$4" -q -o "$out.tmp"
  mv "$out.tmp" "$out"
}

make_real() {
  [[ -s $REAL_PCAP ]] && { log "reusing $(basename "$REAL_PCAP")"; return 0; }
  if [[ ! -r $REAL_SRC ]]; then
    log "skip (b): $REAL_SRC not found (set SHARED=/path/to/shared/data)"
    return 1
  fi
  have editcap && have mergecap || { log "skip (b): editcap/mergecap missing"; return 1; }
  log "replicating $(basename "$REAL_SRC") x$REAL_COPIES (editcap -t i*${REAL_SPACING_S}s, mergecap -a)"
  local dir=$WORK/real-copies
  rm -rf "$dir" && mkdir -p "$dir"
  local i files=()
  for ((i = 0; i < REAL_COPIES; i++)); do
    local f
    f=$(printf '%s/copy-%04d.pcap' "$dir" "$i")
    editcap -F pcap -t $((i * REAL_SPACING_S)) "$REAL_SRC" "$f"
    files+=("$f")
  done
  mergecap -F pcap -a -w "$REAL_PCAP.tmp" "${files[@]}"
  mv "$REAL_PCAP.tmp" "$REAL_PCAP"
  rm -rf "$dir"
}

have_gen=0 have_real=0 have_mem=0
if want gen; then gen_bulk "$GEN_PCAP" $GEN_FLOWS $GEN_PACKETS $GEN_SEED && have_gen=1 || true; fi
if want real; then make_real && have_real=1 || true; fi
if want mem; then gen_bulk "$MEM_PCAP" $MEM_FLOWS $MEM_PACKETS $MEM_SEED && have_mem=1 || true; fi
((PREPARE_ONLY)) && { log "inputs ready in $WORK"; exit 0; }

# ---------------------------------------------------------------------------------------
# 2. Throughput. Every tool reads the same file from a warm page cache; wall time and peak
#    RSS come from /usr/bin/time. Output that a tool writes goes to $SCRATCH, cleared before
#    each run outside the timed region.

: >"$TSV"
have_quench=0
[[ -x $QUENCH ]] && have_quench=1

declare -A FLOOR_PACKETS

# time_run LABEL -- CMD...: runs CMD up to RUNS times; appends the best run to $TSV as
# capture tool runs wall_s rss_kib cpu_s status.
time_run() {
  local capture=$1 tool=$2 setup=$3
  shift 3
  local best="" best_rss="" best_cpu="" n=0 status=ok
  local tf=$SCRATCH/time.txt lf=$SCRATCH/$tool.log
  while ((n < RUNS)); do
    eval "$setup"
    local rc=0 t0 t1
    t0=$EPOCHREALTIME
    $TIME -f '%e %M %U %S' -o "$tf" "$@" >"$lf" 2>&1 || rc=$?
    t1=$EPOCHREALTIME
    if ((rc != 0)); then
      status="failed (exit $rc; see $lf)"
      log "$tool on $capture failed (exit $rc): $(tail -3 "$lf" | tr '\n' ' ')"
      break
    fi
    n=$((n + 1))
    # Wall time from bash's microsecond clock (time's %e has only 10 ms resolution);
    # peak RSS (KiB) and user+system CPU seconds from /usr/bin/time.
    local wall rss usr sys cpu
    read -r _ rss usr sys < <(tail -1 "$tf")
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    log "$tool on $capture run $n: ${wall}s wall, ${cpu}s cpu, ${rss} KiB peak RSS"
    if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$wall best_rss=$rss best_cpu=$cpu
    fi
    awk -v a="$wall" -v s="$SLOW_SECONDS" 'BEGIN { exit !(a > s) }' && break
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$capture" "$tool" "$n" "${best:--}" "${best_rss:--}" \
    "${best_cpu:--}" "$status" >>"$TSV"
}

bench_capture() {  # NAME FILE
  local name=$1 file=$2 out=$SCRATCH/out
  log "warming the page cache with $(basename "$file") ($(du -h "$file" | cut -f1))"
  cat "$file" >/dev/null
  # The floor also gives the packet count every other row is divided by.
  local floor_line
  floor_line=$("$FLOOR" "$file")
  FLOOR_PACKETS[$name]=${floor_line%% *}
  log "$name: ${FLOOR_PACKETS[$name]} packets"

  time_run "$name" pcap_floor ":" "$FLOOR" "$file"
  # quench's own reader alone (not a peer, not the floor): shows how much of quench's rate
  # comes from reading classic pcap without libpcap's per-record stdio calls.
  if [[ -x $READER_FLOOR ]]; then
    time_run "$name" reader_floor ":" "$READER_FLOOR" "$file"
  fi
  if ((have_quench)); then
    time_run "$name" quench "rm -rf '$out'; mkdir -p '$out'" \
      "$QUENCH" hunt "$file" --out "$out" --no-progress -q
  else
    printf '%s\tquench\t0\t-\t-\t-\tnot built (%s missing)\n' "$name" "$QUENCH" >>"$TSV"
  fi
  if have ndpiReader; then
    # -q: no per-flow listing; stdout then holds only the banner and totals.
    time_run "$name" ndpiReader ":" ndpiReader -q -i "$file"
  else
    printf '%s\tndpiReader\t0\t-\t-\t-\tnot installed\n' "$name" >>"$TSV"
  fi
  if have softflowd; then
    # -r implies foreground and no control socket (passing -c as well makes 1.1.0 block in
    # accept()). -m 4194304 gives it the same flow capacity as quench's default --max-flows;
    # -v 9 -6 so IPv6 flows are tracked too. Export goes to a loopback port nobody listens on.
    time_run "$name" softflowd "rm -f '$SCRATCH/softflowd.pid'" \
      softflowd -r "$file" -n "$DEAD_COLLECTOR" -v 9 -6 -m 4194304 -p "$SCRATCH/softflowd.pid"
  else
    printf '%s\tsoftflowd\t0\t-\t-\t-\tnot installed\n' "$name" >>"$TSV"
  fi
  if have nfpcapd; then
    # Flows are written as nfdump files under -w, its normal offline output.
    time_run "$name" nfpcapd "rm -rf '$out'; mkdir -p '$out'" nfpcapd -r "$file" -w "$out"
  else
    printf '%s\tnfpcapd\t0\t-\t-\t-\tnot installed\n' "$name" >>"$TSV"
  fi
  rm -rf "$out"
}

((have_gen)) && bench_capture gen "$GEN_PCAP"
((have_real)) && bench_capture real "$REAL_PCAP"

# ---------------------------------------------------------------------------------------
# 3. Memory: quench on 5 M distinct flows with a bounded table. --idle-timeout 3600 keeps
#    every flow alive to the end, so the table really holds min(5 M, --max-flows) flows.

MEM_TSV=$WORK/memory.tsv
: >"$MEM_TSV"
if ((have_mem && have_quench)); then
  log "warming the page cache with $(basename "$MEM_PCAP")"
  cat "$MEM_PCAP" >/dev/null
  for mf in $MEM_MAX_FLOWS; do
    out=$SCRATCH/mem-$mf
    rm -rf "$out" && mkdir -p "$out"
    if $TIME -f '%e %M' -o "$SCRATCH/time.txt" "$QUENCH" hunt "$MEM_PCAP" --out "$out" \
        --no-progress -q --max-flows "$mf" --idle-timeout 3600 >"$SCRATCH/mem.log" 2>&1; then
      read -r wall rss < <(tail -1 "$SCRATCH/time.txt")
      s=$out/summary.json
      pa=$(jq '.flow_table.peak_active' "$s")
      pm=$(jq '.flow_table.peak_memory_bytes' "$s")
      ev=$(jq '.flow_table.evicted' "$s")
      fr=$(jq '.counts.frames' "$s")
      log "memory --max-flows $mf: ${wall}s, ${rss} KiB RSS, peak_active $pa, table $pm bytes, evicted $ev"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mf" "$wall" "$rss" "$pa" "$pm" "$ev" "$fr" >>"$MEM_TSV"
    else
      log "quench --max-flows $mf failed: $(tail -3 "$SCRATCH/mem.log" | tr '\n' ' ')"
      printf '%s\t-\t-\t-\t-\t-\tfailed\n' "$mf" >>"$MEM_TSV"
    fi
    rm -rf "$out"
  done
fi

# ---------------------------------------------------------------------------------------
# 4. Report.

report() {
  local cpu_model
  cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  echo "# quench benchmark results"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) cores, ${cpu_model:-unknown CPU}," \
    "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
  echo "- load average (1, 5, 15 min) at the start: $LOAD_AT_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- quench: $([[ $have_quench == 1 ]] && "$QUENCH" --version 2>/dev/null | head -1 || echo 'not built') ($QUENCH)"
  echo "- best of up to $RUNS runs (a run longer than ${SLOW_SECONDS}s is not repeated), warm page cache"
  echo
  local cap
  for cap in gen real; do
    grep -q "^$cap	" "$TSV" 2>/dev/null || continue
    local title
    case $cap in
      gen) title="(a) synthetic: $(basename "$GEN_PCAP") (pcapgen --bulk, $GEN_FLOWS flows)" ;;
      real) title="(b) real: test-cc-capture-1.pcap x$REAL_COPIES copies, each shifted ${REAL_SPACING_S}s" ;;
    esac
    echo "## $title"
    echo
    echo "| tool | runs | packets | wall s | Mpps | CPU s | peak RSS MiB | vs floor | vs fastest peer | note |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    awk -F'\t' -v cap="$cap" -v pk="${FLOOR_PACKETS[$cap]:-0}" '
      $1 == cap { n++; tool[n] = $2; runs[n] = $3; wall[n] = $4; rss[n] = $5; cpu[n] = $6; st[n] = $7
                  if ($4 != "-" && $4 > 0) mpps[n] = pk / $4 / 1e6
                  if ($2 == "pcap_floor") floor = mpps[n]
                  if (($2 == "ndpiReader" || $2 == "softflowd" || $2 == "nfpcapd") && mpps[n] > peer) peer = mpps[n] }
      END {
        for (i = 1; i <= n; i++) {
          if (st[i] != "ok" || wall[i] == "-") {
            printf "| %s | %s | - | - | - | - | - | - | - | %s |\n", tool[i], runs[i], st[i]; continue }
          vf = floor > 0 ? sprintf("%.0f%%", 100 * mpps[i] / floor) : "-"
          vp = (peer > 0 && tool[i] != "pcap_floor" && tool[i] != "reader_floor") ? sprintf("%.2fx", mpps[i] / peer) : "-"
          printf "| %s | %d | %d | %.3f | %.3f | %.2f | %.0f | %s | %s | |\n", tool[i], runs[i], pk,
                 wall[i], mpps[i], cpu[i], rss[i] / 1024, vf, vp }
      }' "$TSV"
    echo
  done
  if [[ -s $MEM_TSV ]]; then
    echo "## (c) memory: quench on $(basename "$MEM_PCAP") ($MEM_FLOWS flows), --idle-timeout 3600"
    echo
    echo "| --max-flows | wall s | peak RSS MiB | peak active flows | table peak bytes | table bytes / active flow | RSS bytes / active flow | evicted |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '$2 == "-" { printf "| %s | failed | | | | | | |\n", $1; next }
      { printf "| %d | %.2f | %.0f | %d | %d | %.1f | %.1f | %d |\n", $1, $2, $3 / 1024, $4, $5,
               ($4 > 0 ? $5 / $4 : 0), ($4 > 0 ? $3 * 1024 / $4 : 0), $6 }' "$MEM_TSV"
    echo
  fi
  echo "## targets"
  echo
  targets
}

targets() {
  local cap line
  for cap in gen real; do
    line=$(awk -F'\t' -v cap="$cap" -v pk="${FLOOR_PACKETS[$cap]:-0}" '
      $1 == cap && $7 == "ok" && $4 > 0 { m = pk / $4 / 1e6
        if ($2 == "pcap_floor") { floor = m; fc = $6 } else if ($2 == "quench") { q = m; qc = $6 }
        else if ($2 == "reader_floor") { rf = m }
        else { if (m > peer) { peer = m; pn = $2 }; if (pc == 0 || $6 < pc) { pc = $6; pcn = $2 } } }
        $1 == cap && $2 == "quench" && $7 != "ok" { qs = $7 }
      END { if (q == 0) { if (qs != "") printf "- %s: quench %s, so no throughput target could be checked\n", cap, qs; exit }
        printf "- %s: quench %.0f%% of the floor (target >= 80%%: %s); %.2fx the fastest peer, %s (target >= 1.5x: %s)\n",
          cap, 100 * q / floor, (q >= 0.8 * floor ? "met" : "MISSED"), (peer > 0 ? q / peer : 0), pn,
          (peer > 0 && q >= 1.5 * peer ? "met" : "MISSED")
        if (qc > 0) printf "  - by CPU seconds instead of wall time (less sensitive to a busy machine): floor/quench %.0f%%, cheapest peer (%s)/quench %.2fx\n",
          100 * fc / qc, pcn, pc / qc
        if (rf > 0) printf "  - quench keeps %.0f%% of its own capture reader'"'"'s rate (reader_floor); decode, flows and detection cost the rest\n", 100 * q / rf }' "$TSV")
    [[ -n $line ]] && echo "$line"
  done
  if [[ -s $MEM_TSV ]]; then
    awk -F'\t' '$4 > 0 { b = $5 / $4
      printf "- memory at --max-flows %d: %.1f bytes per active flow (target <= 256: %s)\n", $1, b,
             (b <= 256 ? "met" : "MISSED") }' "$MEM_TSV"
  fi
  ((have_quench)) || echo "- quench was not built, so no target could be checked"
}

mkdir -p "$(dirname "$RESULTS")"
report | tee "$RESULTS"
log "wrote $RESULTS"

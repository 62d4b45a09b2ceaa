// RunHunt: the `quench hunt` pipeline on packet captures (DESIGN.md §3):
// pcap files -> frames -> L2-L4 decode -> flow table -> detectors -> host verdicts -> sinks.
// One thread: the caller's. Owns every stage for the duration of the call; writes
// hosts.jsonl, findings.jsonl, summary.json (and flows.jsonl) under options.out_dir, each
// atomically, and returns the same facts for the text report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "quench/core/anomaly.h"
#include "quench/core/status.h"
#include "quench/detect/finding.h"
#include "quench/detect/host_verdict.h"
#include "quench/flow/flow_table.h"

namespace quench {

struct HuntOptions {
  std::vector<std::string> inputs;        // pcap/pcapng files, read as one time-ordered stream
  std::string out_dir;                    // created if missing; empty = write nothing
  bool write_flows = false;               // also write flows.jsonl
  std::vector<std::string> intel_files;   // plain indicator lists (IP, CIDR, ip:port)
  FlowTableOptions flow_table;
  bool progress = false;                  // a progress line on stderr (for terminals)
};

struct HuntCounts {
  uint64_t frames = 0;          // frames read from the inputs
  uint64_t frame_bytes = 0;     // their wire bytes
  uint64_t ip_packets = 0;      // decoded to an IP packet (DecodeStatus::kOk)
  uint64_t not_ip = 0;
  uint64_t malformed = 0;
  uint64_t unsupported = 0;
  uint64_t flows = 0;           // flow records ended (and written, with --flows)
};

struct HuntReport {
  HuntCounts counts;
  FlowTableStats flow_stats;
  AnomalyCounters anomalies;
  std::vector<std::string> warnings;   // truncated inputs, bad intel lines, ...
  std::vector<Finding> findings;
  std::vector<HostVerdict> hosts;
  nlohmann::json summary;              // exactly what summary.json holds
  double wall_seconds = 0.0;
};

// Errors: an unreadable input or intel file, an unwritable output directory. Broken packets
// and truncated files are not errors: they are counted and reported as warnings.
Result<HuntReport> RunHunt(const HuntOptions& options);

// The human summary printed by `quench hunt` on stdout.
std::string FormatHuntReport(const HuntReport& report, const HuntOptions& options);

}  // namespace quench

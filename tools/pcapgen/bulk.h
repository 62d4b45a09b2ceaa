// GenerateBulk: the benchmark mode. Writes exactly `packets` packets over `flows` distinct
// flows (TCP with handshakes and FIN teardown, some UDP DNS), interleaved across a window of
// concurrently open flows, straight into the writer's buffer: no per-packet allocation.
// Memory is O(open flows), independent of the flow and packet counts. Thread-compatible.
#pragma once

#include <cstdint>

#include "capture_writer.h"
#include "packet_builder.h"
#include "quench/core/status.h"
#include "quench/core/time.h"

namespace pcapgen {

struct BulkOptions {
  uint64_t flows = 1000;
  uint64_t packets = 100000;
  double v6_share = 0.1;           // fraction of flows over IPv6
  double udp_share = 0.1;          // fraction of flows that are UDP (DNS) instead of TCP
  uint32_t max_payload = 1200;     // largest TCP data segment
  uint32_t open_flows = 4096;      // interleaving window
  uint64_t seed = 1;
  quench::Timestamp start = 1705312800LL * quench::kNanosPerSecond;  // 2024-01-15T10:00:00Z
  double mean_gap_us = 10;         // mean time between packets
  Link link = Link::kEthernet;
};

struct BulkStats {
  uint64_t packets = 0;
  uint64_t flows_started = 0;
  uint64_t tcp_flows = 0;
  uint64_t udp_flows = 0;
  uint64_t v6_flows = 0;
};

// REQUIRES: flows >= 1, packets >= flows (every flow gets at least one packet).
quench::Result<BulkStats> GenerateBulk(const BulkOptions& opts, CaptureWriter& writer);

}  // namespace pcapgen

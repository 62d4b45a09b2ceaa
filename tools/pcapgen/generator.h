// GenerateFromSpec: expands a Spec (flows x repeat instances) into packets, sorts them by
// time (ties keep spec order) and writes them. Deterministic: one spec and seed give the same
// bytes on every run. Uses memory proportional to the capture; not for the bulk benchmark
// mode (bulk.h). Thread-compatible.
#pragma once

#include <cstdint>

#include "capture_writer.h"
#include "quench/core/status.h"
#include "spec.h"

namespace pcapgen {

struct GenerateStats {
  uint64_t packets = 0;
  uint64_t tcp_connections = 0;  // flow instances by protocol
  uint64_t udp_flows = 0;
  uint64_t icmp_flows = 0;
};

quench::Result<GenerateStats> GenerateFromSpec(const Spec& spec, CaptureWriter& writer);

}  // namespace pcapgen

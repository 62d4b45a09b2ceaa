// Finding: one piece of evidence-backed suspicion about one host, as written to
// findings.jsonl (DESIGN.md §4). Detectors create them; the HostScorer and sinks read them.
// Plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "quench/core/ip_address.h"
#include "quench/core/time.h"
#include "quench/flow/flow_record.h"

namespace quench {

enum class Severity : uint8_t { kLow = 0, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);

struct Finding {
  std::string id;          // stable for the same detector, host, subject and first time
  Timestamp ts = 0;        // when the behaviour was first seen
  Timestamp last_ts = 0;   // when it was last seen
  IpAddress host;          // the host the finding is about (ours, not the attacker's)
  std::string detector;    // "indicator-contact"
  std::vector<std::string> attack;  // MITRE ATT&CK technique ids, e.g. "T1071"
  Severity severity = Severity::kLow;
  double confidence = 0.0;  // 0..1: how sure the detector is that the behaviour is malicious
  // True when the finding shows exposure (something reachable that should not be), not
  // activity; a host with only exposure findings gets the verdict "exposed".
  bool exposure = false;
  std::string summary;     // one sentence: what happened and what to do

  // Evidence.
  std::vector<FlowRecord> flows;  // up to limits::kMaxEvidenceFlows, earliest first
  uint64_t flow_count = 0;        // every flow that contributed (flows may be a sample)
  std::vector<IpAddress> peers;   // the other parties
  nlohmann::json indicator;       // which indicator matched (null when none)
  nlohmann::json details;         // detector-specific facts (null when none)
};

// Where detectors put findings. Implementations decide about ordering and storage.
class FindingSink {
 public:
  virtual ~FindingSink() = default;
  virtual void Emit(Finding finding) = 0;
};

// A stable finding id: hex of a 64-bit hash over the parts.
std::string MakeFindingId(std::string_view detector, const IpAddress& host,
                          std::string_view subject, Timestamp first_ts);

}  // namespace quench

// Host verdicts: findings combined per host into compromised / suspicious / exposed with a
// score, as written to hosts.jsonl (DESIGN.md §4). Pure function over a finished list of
// findings; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quench/core/ip_address.h"
#include "quench/core/time.h"
#include "quench/detect/finding.h"

namespace quench {

enum class Verdict : uint8_t { kExposed = 0, kSuspicious, kCompromised };
std::string_view VerdictName(Verdict v);

struct HostVerdict {
  IpAddress host;
  Verdict verdict = Verdict::kSuspicious;
  double score = 0.0;          // 0..1
  std::string role = "unknown";  // "router" once known or inferred
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  std::vector<std::string> detectors;  // distinct, in order of strongest finding
  uint64_t findings = 0;
  std::vector<size_t> finding_indices;  // into the findings list, strongest first
  std::string summary;
};

// Score: 1 - prod(1 - w(severity) * confidence) over the host's findings, with
// w = {low 0.15, medium 0.4, high 0.8, critical 1.0}. Verdict: compromised when the score
// is >= 0.7; exposed when every finding is an exposure finding; suspicious otherwise.
// Hosts come out by descending score, then address.
std::vector<HostVerdict> ScoreHosts(const std::vector<Finding>& findings);

}  // namespace quench

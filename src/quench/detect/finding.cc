#include "quench/detect/finding.h"

#include <fmt/format.h>

namespace quench {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "low";
}

namespace {
// FNV-1a, 64 bit: stable across runs and builds (std::hash is not).
uint64_t Fnv1a(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}
}  // namespace

std::string MakeFindingId(std::string_view detector, const IpAddress& host,
                          std::string_view subject, Timestamp first_ts) {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = Fnv1a(h, detector.data(), detector.size());
  h = Fnv1a(h, host.bytes().data(), host.bytes().size());
  h = Fnv1a(h, subject.data(), subject.size());
  h = Fnv1a(h, &first_ts, sizeof(first_ts));
  return fmt::format("{:016x}", h);
}

}  // namespace quench

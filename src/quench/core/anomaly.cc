#include "quench/core/anomaly.h"

namespace quench {

namespace {
constexpr std::string_view kNames[] = {
#define QUENCH_ANOMALY_NAME_(e, n) n,
    QUENCH_ANOMALIES(QUENCH_ANOMALY_NAME_)
#undef QUENCH_ANOMALY_NAME_
};
static_assert(std::size(kNames) == kAnomalyCount);
}  // namespace

std::string_view AnomalyName(Anomaly a) { return kNames[static_cast<size_t>(a)]; }

uint64_t AnomalyCounters::Total() const {
  uint64_t total = 0;
  for (uint64_t c : counts_) total += c;
  return total;
}

void AnomalyCounters::Add(const AnomalyCounters& other) {
  for (size_t i = 0; i < kAnomalyCount; ++i) counts_[i] += other.counts_[i];
}

}  // namespace quench

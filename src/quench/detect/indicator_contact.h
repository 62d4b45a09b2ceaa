// IndicatorContactDetector: flows touching an address, CIDR or ip:port from the intel index.
// Direction-aware: the finding is about our side of the flow (the party that is not the
// indicator), and says whether it reached out to the indicator or was reached by it, and
// whether data was exchanged or only attempted. Flows are aggregated per (host, indicator
// address, service port, direction) so a beacon yields one finding with every flow counted.
// Borrows the index (which must outlive the detector); single-threaded like every detector.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "quench/detect/detector.h"
#include "quench/intel/ip_indicator_index.h"

namespace quench {

class IndicatorContactDetector final : public Detector {
 public:
  explicit IndicatorContactDetector(const IpIndicatorIndex* index);

  std::string_view name() const override { return "indicator-contact"; }
  void OnFlow(const FlowRecord& flow, FindingSink& sink) override;
  void Finish(FindingSink& sink) override;

 private:
  enum class Direction : uint8_t { kToIndicator, kFromIndicator };
  struct Key {
    IpAddress host;
    IpAddress peer;
    uint16_t service_port;
    uint8_t proto;
    Direction direction;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.host, k.peer, k.service_port, k.proto, k.direction);
    }
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct Contact {
    const IpIndicator* indicator = nullptr;
    Timestamp first_ts = 0;
    Timestamp last_ts = 0;
    uint64_t flows = 0;
    uint64_t answered_flows = 0;   // the responder sent something back
    uint64_t data_flows = 0;       // both sides sent payload
    uint64_t bytes = 0;
    std::vector<FlowRecord> evidence;
  };

  Finding MakeFinding(const Key& key, const Contact& contact) const;

  const IpIndicatorIndex* index_;
  absl::flat_hash_map<Key, Contact> contacts_;
  std::vector<Key> order_;  // first-seen order, for stable output
};

}  // namespace quench

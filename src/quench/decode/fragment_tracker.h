// FragmentTracker: gives later IP fragments the ports of their datagram's first fragment so
// every fragment joins the same flow. A fixed-size open-addressing table keyed by
// (src, dst, protocol, IP id), allocated once at construction; entries expire after a timeout
// in packet time. Owned by one pipeline worker; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quench/core/anomaly.h"
#include "quench/core/ip_address.h"
#include "quench/core/limits.h"
#include "quench/core/time.h"
#include "quench/decode/packet.h"

namespace quench {

class FragmentTracker {
 public:
  // `capacity` is rounded up to a power of two; it bounds the entries held at once.
  explicit FragmentTracker(size_t capacity = limits::kMaxTrackedFragments,
                           DurationNs timeout = limits::kFragmentTimeoutSeconds * kNanosPerSecond);

  // Call after DecodeFrame returned kOk. Not a fragment: no-op. A first fragment with ports:
  // remembered (kFragmentTableFull when no slot is free). A later fragment: gets sport/dport
  // and has_ports = true when its first fragment was seen within the timeout, otherwise it
  // keeps has_ports = false and counts kFragmentWithoutFirst. A later fragment that arrives
  // before its first fragment is counted the same way (no buffering).
  // REQUIRES: pkt and anomalies non-null.
  void Resolve(PacketInfo* pkt, AnomalyCounters* anomalies);

  size_t capacity() const { return slots_.size(); }

 private:
  // Linear probing stops after this many slots: bounds the work per packet under a flood.
  static constexpr size_t kMaxProbes = 32;

  struct Slot {
    IpAddress src;
    IpAddress dst;
    uint32_t ip_id = 0;
    uint8_t proto = 0;
    bool used = false;
    uint16_t sport = 0;
    uint16_t dport = 0;
    Timestamp expires_at = 0;
  };

  size_t Home(const PacketInfo& pkt) const;
  static bool Matches(const Slot& slot, const PacketInfo& pkt) {
    return slot.ip_id == pkt.ip_id && slot.proto == pkt.ip_proto && slot.src == pkt.src &&
           slot.dst == pkt.dst;
  }

  std::vector<Slot> slots_;
  size_t mask_;
  DurationNs timeout_;
};

}  // namespace quench

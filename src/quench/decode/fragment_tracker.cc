// Worked example: a 3000-byte UDP datagram 10.0.0.1:5353 > 10.0.0.2:53, IP id 77, arrives as
// three fragments. The first (offset 0) decodes with ports; Resolve() stores (src, dst, 17,
// 77) -> (5353, 53), expiring 30 s later. The second and third (offsets 1480, 2960) decode
// without ports; Resolve() finds the entry and copies the ports, so the flow table sees one
// flow of three packets. Entries are never erased: an expired slot is reused by a later
// insert, and because slots never become empty again a lookup may stop at the first empty
// slot of its probe sequence.
#include "quench/decode/fragment_tracker.h"

#include <bit>
#include <cstring>

namespace quench {

namespace {

uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

FragmentTracker::FragmentTracker(size_t capacity, DurationNs timeout)
    : slots_(std::bit_ceil(capacity < 1 ? size_t{1} : capacity)),
      mask_(slots_.size() - 1),
      timeout_(timeout) {}

size_t FragmentTracker::Home(const PacketInfo& pkt) const {
  const uint8_t* s = pkt.src.bytes().data();
  const uint8_t* d = pkt.dst.bytes().data();
  uint64_t h = Load64(s) * 0x9e3779b97f4a7c15ULL;
  h = (h ^ Load64(s + 8)) * 0x9e3779b97f4a7c15ULL;
  h = (h ^ Load64(d)) * 0x9e3779b97f4a7c15ULL;
  h = (h ^ Load64(d + 8)) * 0x9e3779b97f4a7c15ULL;
  h ^= (uint64_t{pkt.ip_id} << 8) | pkt.ip_proto;
  return static_cast<size_t>(Mix(h)) & mask_;
}

void FragmentTracker::Resolve(PacketInfo* pkt, AnomalyCounters* anomalies) {
  if (!pkt->is_fragment) return;
  const size_t home = Home(*pkt);
  const size_t probes = kMaxProbes < slots_.size() ? kMaxProbes : slots_.size();

  if (pkt->is_first_fragment) {
    if (!pkt->has_ports) return;
    Slot* free_slot = nullptr;
    for (size_t i = 0; i < probes; ++i) {
      Slot& slot = slots_[(home + i) & mask_];
      if (!slot.used) {
        if (free_slot == nullptr) free_slot = &slot;
        break;
      }
      if (Matches(slot, *pkt)) {
        free_slot = &slot;
        break;
      }
      if (free_slot == nullptr && pkt->ts >= slot.expires_at) free_slot = &slot;
    }
    if (free_slot == nullptr) {
      anomalies->Increment(Anomaly::kFragmentTableFull);
      return;
    }
    free_slot->src = pkt->src;
    free_slot->dst = pkt->dst;
    free_slot->ip_id = pkt->ip_id;
    free_slot->proto = pkt->ip_proto;
    free_slot->used = true;
    free_slot->sport = pkt->sport;
    free_slot->dport = pkt->dport;
    free_slot->expires_at = pkt->ts + timeout_;
    return;
  }

  for (size_t i = 0; i < probes; ++i) {
    const Slot& slot = slots_[(home + i) & mask_];
    if (!slot.used) break;
    if (Matches(slot, *pkt)) {
      if (pkt->ts >= slot.expires_at) break;
      pkt->sport = slot.sport;
      pkt->dport = slot.dport;
      pkt->has_ports = true;
      return;
    }
  }
  anomalies->Increment(Anomaly::kFragmentWithoutFirst);
}

}  // namespace quench

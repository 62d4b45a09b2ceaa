// FlowIndex: the flow table's hash index, an open-addressing (linear probing) table of 8-byte
// buckets, each a 32-bit-ish slot id into the flow slab plus a 37-bit hash tag, so most
// mismatches are rejected without touching the slab. Deletion shifts back (no tombstones).
// It stores no keys: Find() takes an equality callback that looks the slot up in the caller's
// storage. Also HashFlowKey, a direction-independent hash of a flow's tuple.
// Plain value; thread-compatible. See docs/decisions/0001-flow-table-hash.md for the choice.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "quench/core/check.h"
#include "quench/core/ip_address.h"

namespace quench {

namespace flow_internal {

__extension__ using Uint128 = unsigned __int128;

// Multiply-fold: the high and low halves of the 128-bit product, xored (as wyhash/absl).
inline uint64_t Mum(uint64_t a, uint64_t b) {
  const Uint128 p = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

inline uint64_t HashEndpoint(const IpAddress& addr, uint16_t port) {
  uint64_t w[2];
  std::memcpy(w, addr.bytes().data(), 16);
  return Mum(w[0] ^ 0xa0761d6478bd642fULL, w[1] ^ 0xe7037ed1a0b428dbULL ^ (uint64_t{port} << 3));
}

}  // namespace flow_internal

// Hash of (a:pa, b:pb, proto, vlan) that is the same for (b:pb, a:pa): both directions of a
// conversation land on one bucket chain without ordering the endpoints first.
inline uint64_t HashFlowKey(const IpAddress& a, uint16_t pa, const IpAddress& b, uint16_t pb,
                            uint8_t proto, uint16_t vlan) {
  using flow_internal::Mum;
  const uint64_t sym = flow_internal::HashEndpoint(a, pa) + flow_internal::HashEndpoint(b, pb);
  return Mum(sym ^ 0x8ebc6af09c88c6e3ULL,
             (uint64_t{proto} << 16 | vlan) ^ 0x589965cc75374cc3ULL);
}

class FlowIndex {
 public:
  static constexpr int kSlotBits = 27;
  // Largest slot id the index can hold; bounds max_flows (134M flows, far beyond any RAM here).
  static constexpr uint32_t kMaxSlot = (uint32_t{1} << kSlotBits) - 2;
  static constexpr uint32_t kNotFound = 0xffffffffu;

  // The bucket array grows by doubling at 3/4 load, so it stays within 2.67 buckets per entry.
  explicit FlowIndex(size_t max_entries) {
    QUENCH_CHECK(max_entries <= size_t{kMaxSlot} + 1);
    Rehash(kMinCapacity);
  }

  // Slot whose entry eq(slot) accepts among those stored with this hash, or kNotFound.
  template <typename Eq>
  uint32_t Find(uint64_t hash, Eq&& eq) const {
    const uint64_t tag = hash >> kSlotBits;
    size_t i = tag & mask_;
    for (;;) {
      const uint64_t b = buckets_[i];
      if (b == 0) return kNotFound;
      if ((b >> kSlotBits) == tag) {
        const uint32_t slot = static_cast<uint32_t>(b & kSlotMask) - 1;
        if (eq(slot)) return slot;
      }
      i = (i + 1) & mask_;
    }
  }

  // REQUIRES: slot <= kMaxSlot and not already present; size() < max_entries.
  void Insert(uint64_t hash, uint32_t slot) {
    if ((size_ + 1) * 4 > (mask_ + 1) * 3) Rehash((mask_ + 1) * 2);
    const uint64_t tag = hash >> kSlotBits;
    size_t i = tag & mask_;
    while (buckets_[i] != 0) i = (i + 1) & mask_;
    buckets_[i] = (tag << kSlotBits) | (uint64_t{slot} + 1);
    ++size_;
  }

  // REQUIRES: (hash, slot) was inserted.
  void Erase(uint64_t hash, uint32_t slot) {
    const uint64_t want = ((hash >> kSlotBits) << kSlotBits) | (uint64_t{slot} + 1);
    size_t i = (hash >> kSlotBits) & mask_;
    while (buckets_[i] != want) {
      QUENCH_CHECK(buckets_[i] != 0);
      i = (i + 1) & mask_;
    }
    // Backward-shift deletion: pull later members of the cluster into the hole when their
    // home bucket is not cyclically inside (hole, j].
    size_t hole = i;
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      const uint64_t b = buckets_[j];
      if (b == 0) break;
      const size_t home = (b >> kSlotBits) & mask_;
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        buckets_[hole] = b;
        hole = j;
      }
    }
    buckets_[hole] = 0;
    --size_;
  }

  void Clear() {
    std::fill(buckets_.begin(), buckets_.end(), 0);
    size_ = 0;
  }
  size_t size() const { return size_; }
  size_t bucket_count() const { return mask_ + 1; }
  size_t MemoryBytes() const { return buckets_.capacity() * sizeof(uint64_t); }

 private:
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  static constexpr size_t kMinCapacity = 16;

  void Rehash(size_t capacity) {
    std::vector<uint64_t> old;
    old.swap(buckets_);
    buckets_.assign(capacity, 0);
    mask_ = capacity - 1;
    for (uint64_t b : old) {
      if (b == 0) continue;
      size_t i = (b >> kSlotBits) & mask_;
      while (buckets_[i] != 0) i = (i + 1) & mask_;
      buckets_[i] = b;
    }
  }

  std::vector<uint64_t> buckets_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace quench

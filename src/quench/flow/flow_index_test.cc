#include "quench/flow/flow_index.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

namespace quench {
namespace {

TEST(HashFlowKeyTest, SameForBothDirections) {
  const IpAddress a = *IpAddress::Parse("10.0.0.1");
  const IpAddress b = *IpAddress::Parse("2001:db8::1");
  EXPECT_EQ(HashFlowKey(a, 1, b, 2, 6, 0), HashFlowKey(b, 2, a, 1, 6, 0));
  EXPECT_NE(HashFlowKey(a, 1, b, 2, 6, 0), HashFlowKey(a, 2, b, 1, 6, 0));
  EXPECT_NE(HashFlowKey(a, 1, b, 2, 6, 0), HashFlowKey(a, 1, b, 2, 17, 0));
  EXPECT_NE(HashFlowKey(a, 1, b, 2, 6, 0), HashFlowKey(a, 1, b, 2, 6, 1));
}

// Random inserts and erases against a std::unordered_map; hashes come from a tiny range so
// clusters, wrap-around and backward-shift deletion are exercised hard.
TEST(FlowIndexTest, MatchesReferenceUnderChurn) {
  for (uint64_t hash_range : {uint64_t{7}, uint64_t{1000}, ~uint64_t{0}}) {
    std::mt19937_64 rng(42);
    FlowIndex index(4096);
    std::unordered_map<uint32_t, uint64_t> ref;  // slot -> hash
    std::vector<uint32_t> free_slots;
    for (uint32_t s = 0; s < 4096; ++s) free_slots.push_back(4095 - s);
    for (int step = 0; step < 100000; ++step) {
      const bool insert = !free_slots.empty() && (ref.empty() || rng() % 3 != 0);
      if (insert) {
        const uint32_t slot = free_slots.back();
        free_slots.pop_back();
        // Spread the small range over the tag bits so equal tags collide fully.
        const uint64_t hash = (rng() % hash_range) * 0x9e3779b97f4a7c15ULL;
        index.Insert(hash, slot);
        ref[slot] = hash;
      } else {
        auto it = ref.begin();
        std::advance(it, rng() % ref.size());
        index.Erase(it->second, it->first);
        free_slots.push_back(it->first);
        ref.erase(it);
      }
      ASSERT_EQ(index.size(), ref.size());
      if (step % 1009 == 0) {
        for (const auto& [slot, hash] : ref) {
          const uint32_t s = slot;
          ASSERT_EQ(index.Find(hash, [&](uint32_t cand) { return cand == s; }), s);
        }
        for (uint32_t s : free_slots) {
          ASSERT_EQ(index.Find(s * 0x9e3779b97f4a7c15ULL, [&](uint32_t cand) { return cand == s; }),
                    FlowIndex::kNotFound);
        }
      }
    }
    EXPECT_LE(index.bucket_count(), 8192u);
  }
}

}  // namespace
}  // namespace quench

// Flow table kernels (docs/decisions/0001-flow-table-hash.md).
//  - Index choice: absl::flat_hash_map<key, slot> (with absl::Hash and with HashFlowKey)
//    against FlowIndex (linear probing over slot ids + hash tags, keys in a side array as the
//    flow slab holds them): lookup-hit, insert, and a mixed stream with locality and churn.
//  - FlowTable::Add on a realistic packet stream (ns/packet = 1e9 / items_per_second).
//  - Memory per flow for 1M and 5M flows: MemoryBytes() and RSS growth.
// Run: build/release/bench/flow_table_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "quench/flow/flow_index.h"
#include "quench/flow/flow_table.h"

namespace quench {
namespace {

// ---- keys and a cheap deterministic generator -----------------------------------------------

struct Rng {
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

struct FlowKey {
  IpAddress a;
  IpAddress b;
  uint16_t pa = 0;
  uint16_t pb = 0;
  uint8_t proto = 0;
  uint16_t vlan = 0;

  friend bool operator==(const FlowKey&, const FlowKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const FlowKey& k) {
    return H::combine(std::move(h), k.a, k.b, k.pa, k.pb, k.proto, k.vlan);
  }
};

struct QuenchHasher {
  size_t operator()(const FlowKey& k) const {
    return HashFlowKey(k.a, k.pa, k.b, k.pb, k.proto, k.vlan);
  }
};

// Flow i: client 10.x.y.z (i / 50000) : 1024 + i % 50000 -> a pseudo-random server on 443/53.
FlowKey MakeKey(uint64_t i) {
  FlowKey k;
  k.a = IpAddress::FromV4(0x0A000000u + static_cast<uint32_t>(i / 50000));
  k.pa = static_cast<uint16_t>(1024 + i % 50000);
  const uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ULL;
  k.b = IpAddress::FromV4(static_cast<uint32_t>(h >> 32));
  k.pb = (h & 1) ? 443 : 53;
  k.proto = (h & 1) ? kIpProtoTcp : kIpProtoUdp;
  return k;
}

std::vector<FlowKey> MakeKeys(size_t n) {
  std::vector<FlowKey> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i] = MakeKey(i);
  return keys;
}

// ---- the index options behind one interface -------------------------------------------------

template <typename Hasher>
class AbslIndex {
 public:
  explicit AbslIndex(const std::vector<FlowKey>* keys) : keys_(keys) {}
  uint32_t Find(uint32_t id) const {
    auto it = map_.find((*keys_)[id]);
    return it == map_.end() ? FlowIndex::kNotFound : it->second;
  }
  void Insert(uint32_t id) { map_.emplace((*keys_)[id], id); }
  void Erase(uint32_t id) { map_.erase((*keys_)[id]); }
  // The map holds a second copy of every key (the slab holds the first).
  size_t MemoryBytes() const {
    return map_.capacity() * (sizeof(std::pair<const FlowKey, uint32_t>) + 1);
  }

 private:
  const std::vector<FlowKey>* keys_;
  absl::flat_hash_map<FlowKey, uint32_t, Hasher> map_;
};

class OwnIndex {
 public:
  explicit OwnIndex(const std::vector<FlowKey>* keys) : keys_(keys), index_(keys->size()) {}
  uint32_t Find(uint32_t id) const {
    const FlowKey& k = (*keys_)[id];
    return index_.Find(Hash(k), [&](uint32_t slot) { return (*keys_)[slot] == k; });
  }
  void Insert(uint32_t id) { index_.Insert(Hash((*keys_)[id]), id); }
  void Erase(uint32_t id) { index_.Erase(Hash((*keys_)[id]), id); }
  size_t MemoryBytes() const { return index_.MemoryBytes(); }

 private:
  static uint64_t Hash(const FlowKey& k) {
    return HashFlowKey(k.a, k.pa, k.b, k.pb, k.proto, k.vlan);
  }
  const std::vector<FlowKey>* keys_;
  FlowIndex index_;
};

using AbslMapAbslHash = AbslIndex<absl::Hash<FlowKey>>;
using AbslMapFlowHash = AbslIndex<QuenchHasher>;

template <typename Index>
void BM_IndexLookupHit(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<FlowKey> keys = MakeKeys(n);
  Index index(&keys);
  for (uint32_t i = 0; i < n; ++i) index.Insert(i);
  Rng rng;
  for (auto _ : state) {
    for (int j = 0; j < 1024; ++j) {
      benchmark::DoNotOptimize(index.Find(static_cast<uint32_t>(rng.Next() % n)));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1024);
  state.counters["index_bytes_per_flow"] = static_cast<double>(index.MemoryBytes()) / n;
}

template <typename Index>
void BM_IndexInsert(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<FlowKey> keys = MakeKeys(n);
  size_t bytes = 0;
  for (auto _ : state) {
    Index index(&keys);
    for (uint32_t i = 0; i < n; ++i) index.Insert(i);
    bytes = index.MemoryBytes();
    state.PauseTiming();
    { Index drop = std::move(index); }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["index_bytes_per_flow"] = static_cast<double>(bytes) / n;
}

// n live flows out of a pool of 2n keys. Per op: 1/32 churn (the oldest flow ends, a new one
// starts), else a lookup: 7/8 from 256 recently used flows, 1/8 uniform over the live flows.
template <typename Index>
void BM_IndexMixed(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t pool = 2 * n;
  const std::vector<FlowKey> keys = MakeKeys(pool);
  Index index(&keys);
  for (uint32_t i = 0; i < n; ++i) index.Insert(i);
  uint32_t recent[256];
  for (uint32_t& r : recent) r = 0;
  size_t head = 0;
  Rng rng;
  for (auto _ : state) {
    for (int j = 0; j < 1024; ++j) {
      const uint64_t r = rng.Next();
      if ((r & 31) == 0) {
        index.Erase(static_cast<uint32_t>(head % pool));
        index.Insert(static_cast<uint32_t>((head + n) % pool));
        ++head;
      } else if ((r >> 5 & 7) != 0) {
        benchmark::DoNotOptimize(index.Find(recent[(r >> 8) & 255]));
      } else {
        const uint32_t id = static_cast<uint32_t>((head + (r >> 16) % n) % pool);
        recent[(r >> 8) & 255] = id;
        benchmark::DoNotOptimize(index.Find(id));
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1024);
  state.counters["index_bytes_per_flow"] = static_cast<double>(index.MemoryBytes()) / n;
}

#define QUENCH_INDEX_BENCH(kernel, index)                                              \
  BENCHMARK_TEMPLATE(kernel, index)->Arg(10'000)->Arg(1'000'000)->Arg(5'000'000)     \
      ->Unit(benchmark::kNanosecond)
QUENCH_INDEX_BENCH(BM_IndexLookupHit, AbslMapAbslHash);
QUENCH_INDEX_BENCH(BM_IndexLookupHit, AbslMapFlowHash);
QUENCH_INDEX_BENCH(BM_IndexLookupHit, OwnIndex);
QUENCH_INDEX_BENCH(BM_IndexInsert, AbslMapAbslHash)->Iterations(3);
QUENCH_INDEX_BENCH(BM_IndexInsert, AbslMapFlowHash)->Iterations(3);
QUENCH_INDEX_BENCH(BM_IndexInsert, OwnIndex)->Iterations(3);
QUENCH_INDEX_BENCH(BM_IndexMixed, AbslMapAbslHash);
QUENCH_INDEX_BENCH(BM_IndexMixed, AbslMapFlowHash);
QUENCH_INDEX_BENCH(BM_IndexMixed, OwnIndex);

// ---- FlowTable::Add ---------------------------------------------------------------------------

class CountingConsumer : public FlowConsumer {
 public:
  void OnFlowEnd(const FlowRecord& flow) override { packets_ += flow.packets(); }
  uint64_t packets_ = 0;
};

PacketInfo MakePacket(const FlowKey& k, bool reply, uint8_t flags, Timestamp ts) {
  PacketInfo p;
  p.ts = ts;
  p.src = reply ? k.b : k.a;
  p.dst = reply ? k.a : k.b;
  p.sport = reply ? k.pb : k.pa;
  p.dport = reply ? k.pa : k.pb;
  p.ip_proto = k.proto;
  p.ip_version = 4;
  p.has_ports = true;
  p.tcp_flags = k.proto == kIpProtoTcp ? flags : 0;
  p.payload_len = 200;
  p.ip_len = 240;
  p.wire_len = 254;
  return p;
}

// A table holding n flows (max_flows = n) fed a stream of 64Ki precomputed packets (7 MiB, cache-resident like a just-decoded packet), 100 ns apart:
// 7/8 of packets go to 256 recently active flows, the rest to a uniformly chosen one; with
// churn, 1/32 of packets are the SYN of a brand-new flow, which evicts the least recent one.
void BM_FlowTableAdd(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const bool churn = state.range(1) != 0;
  constexpr size_t kStream = size_t{1} << 16;
  CountingConsumer consumer;
  FlowTableOptions options;
  options.max_flows = n;
  FlowTable table(options, &consumer);
  Timestamp ts = 1'700'000'000 * kNanosPerSecond;
  for (size_t i = 0; i < n; ++i) table.Add(MakePacket(MakeKey(i), false, kTcpSyn, ts));
  std::vector<PacketInfo> stream(kStream);
  uint64_t recent[256] = {};
  uint64_t next_new = n;
  Rng rng;
  for (size_t i = 0; i < kStream; ++i) {
    const uint64_t r = rng.Next();
    uint64_t id;
    uint8_t flags = kTcpAck;
    if (churn && (r & 31) == 0) {
      id = next_new++;
      flags = kTcpSyn;
    } else if ((r >> 5 & 7) != 0) {
      id = recent[(r >> 8) & 255];
    } else {
      id = (r >> 16) % n;
    }
    recent[(r >> 8) & 255] = id;
    stream[i] = MakePacket(MakeKey(id), (r >> 40) & 1, flags, 0);
  }
  size_t i = 0;
  for (auto _ : state) {
    PacketInfo& p = stream[i];
    ts += 100;
    p.ts = ts;
    table.Add(p);
    if (++i == kStream) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["flows"] = static_cast<double>(table.size());
  state.counters["bytes_per_flow"] = static_cast<double>(table.MemoryBytes()) / table.size();
  state.counters["evicted"] = static_cast<double>(table.stats().evicted);
}
BENCHMARK(BM_FlowTableAdd)
    ->Args({10'000, 0})
    ->Args({10'000, 1})
    ->Args({1'000'000, 0})
    ->Args({1'000'000, 1})
    ->Args({5'000'000, 1})
    ->Unit(benchmark::kNanosecond);

size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size_pages = 0;
  unsigned long resident_pages = 0;
  const int got = std::fscanf(f, "%lu %lu", &size_pages, &resident_pages);
  std::fclose(f);
  return got == 2 ? resident_pages * 4096 : 0;
}

// Inserts n distinct flows (packets generated on the fly, nothing else allocated) and reports
// bytes per flow from MemoryBytes() and from the growth of the resident set.
void BM_FlowTableMemory(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    CountingConsumer consumer;
    FlowTableOptions options;
    options.max_flows = n;
    const size_t rss_before = ResidentBytes();
    auto table = std::make_unique<FlowTable>(options, &consumer);
    Timestamp ts = 1'700'000'000 * kNanosPerSecond;
    for (size_t i = 0; i < n; ++i) table->Add(MakePacket(MakeKey(i), false, kTcpSyn, ts += 10));
    const size_t rss_after = ResidentBytes();
    state.counters["flows"] = static_cast<double>(table->size());
    state.counters["memory_bytes_per_flow"] =
        static_cast<double>(table->MemoryBytes()) / table->size();
    state.counters["rss_bytes_per_flow"] =
        static_cast<double>(rss_after - rss_before) / table->size();
    state.PauseTiming();
    table.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_FlowTableMemory)
    ->Arg(1'000'000)
    ->Arg(3'000'000)
    ->Arg(5'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace quench

BENCHMARK_MAIN();

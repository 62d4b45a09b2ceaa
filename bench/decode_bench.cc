// DecodeFrame kernels: one typical frame per encapsulation, decoded over and over.
// Reports items/s (frames) and bytes/s (captured bytes); ns/frame = 1e9 / items_per_second.
#include <benchmark/benchmark.h>

#include "quench/decode/decoder.h"
#include "quench/decode/fragment_tracker.h"
#include "quench/decode/test_frames.h"

namespace quench {
namespace {

using namespace test_frames;  // NOLINT(build/namespaces)

constexpr uint32_t kA = 0x0a000001;
constexpr uint32_t kB = 0x0a000002;

void RunDecode(benchmark::State& state, const Bytes& bytes, LinkType linktype) {
  const Frame frame = MakeFrame(bytes, linktype);
  AnomalyCounters anomalies;
  PacketInfo pkt;
  for (auto _ : state) {
    DecodeStatus status = DecodeFrame(frame, &pkt, &anomalies);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(pkt);
  }
  if (DecodeFrame(frame, &pkt, &anomalies) != DecodeStatus::kOk) state.SkipWithError("not ok");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

void BM_DecodeEthernetIpv4Tcp(benchmark::State& state) {
  RunDecode(state, TypicalTcpFrame(100), LinkType::kEthernet);
}
BENCHMARK(BM_DecodeEthernetIpv4Tcp);

void BM_DecodeEthernetIpv6Udp(benchmark::State& state) {
  RunDecode(state,
            Ethernet(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 17, Udp(5353, 53, Filler(60)))),
            LinkType::kEthernet);
}
BENCHMARK(BM_DecodeEthernetIpv6Udp);

void BM_DecodeEthernetIpv6Tcp(benchmark::State& state) {
  RunDecode(state,
            Ethernet(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 6,
                                  Tcp(51000, 443, 0x18, Filler(100), 1000, 2000))),
            LinkType::kEthernet);
}
BENCHMARK(BM_DecodeEthernetIpv6Tcp);

void BM_DecodeVlanIpv4Tcp(benchmark::State& state) {
  RunDecode(state, Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(51000, 443, 0x10, Filler(100))), {{0x8100, 7}}),
            LinkType::kEthernet);
}
BENCHMARK(BM_DecodeVlanIpv4Tcp);

void BM_DecodeGtpuIpv4Tcp(benchmark::State& state) {
  RunDecode(state,
            Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(2152, 2152, Gtpu(Ipv4(0xc0a80001, 0xc0a80002, 6,
                                                                          Tcp(1234, 80, 0x18, Filler(100))))))),
            LinkType::kEthernet);
}
BENCHMARK(BM_DecodeGtpuIpv4Tcp);

void BM_DecodeQinQIpv4Tcp(benchmark::State& state) {
  RunDecode(state,
            Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(51000, 443, 0x10, Filler(100))),
                     {{0x88a8, 100}, {0x8100, 200}}),
            LinkType::kEthernet);
}
BENCHMARK(BM_DecodeQinQIpv4Tcp);

void BM_DecodeVxlanIpv4Tcp(benchmark::State& state) {
  Bytes inner = Ethernet(0x0800, Ipv4(0xc0a80001, 0xc0a80002, 6, Tcp(1234, 80, 0x18, Filler(100))));
  RunDecode(state, Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(49152, 4789, Vxlan(42, inner)))),
            LinkType::kEthernet);
}
BENCHMARK(BM_DecodeVxlanIpv4Tcp);

void BM_DecodeLinuxSllIpv4Tcp(benchmark::State& state) {
  RunDecode(state, Sll(0x0800, Ipv4(kA, kB, 6, Tcp(1, 2, 0x10, Filler(100)))),
            LinkType::kLinuxSll);
}
BENCHMARK(BM_DecodeLinuxSllIpv4Tcp);

// The cost the pipeline adds per fragment: DecodeFrame plus a FragmentTracker lookup.
void BM_DecodeAndResolveIpv4Fragment(benchmark::State& state) {
  Ipv4Options first;
  first.more_fragments = true;
  Ipv4Options later;
  later.fragment_offset_units = 185;
  const Bytes first_bytes = Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(1, 2, Filler(1472)), first));
  const Bytes later_bytes = Ethernet(0x0800, Ipv4(kA, kB, 17, Filler(500), later));
  FragmentTracker tracker;
  AnomalyCounters anomalies;
  PacketInfo pkt;
  DecodeFrame(MakeFrame(first_bytes), &pkt, &anomalies);
  tracker.Resolve(&pkt, &anomalies);
  const Frame frame = MakeFrame(later_bytes);
  for (auto _ : state) {
    DecodeFrame(frame, &pkt, &anomalies);
    tracker.Resolve(&pkt, &anomalies);
    benchmark::DoNotOptimize(pkt);
  }
  if (!pkt.has_ports) state.SkipWithError("fragment not resolved");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_DecodeAndResolveIpv4Fragment);

}  // namespace
}  // namespace quench

BENCHMARK_MAIN();

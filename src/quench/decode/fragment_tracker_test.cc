#include "quench/decode/fragment_tracker.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

constexpr Timestamp kT0 = 1'000 * kNanosPerSecond;

PacketInfo Fragment(bool first, uint32_t ip_id, Timestamp ts = kT0, uint32_t src = 0x0a000001) {
  PacketInfo p;
  p.ts = ts;
  p.src = IpAddress::FromV4(src);
  p.dst = IpAddress::FromV4(0x0a000002);
  p.ip_proto = kIpProtoUdp;
  p.ip_version = 4;
  p.is_fragment = true;
  p.is_first_fragment = first;
  p.ip_id = ip_id;
  if (first) {
    p.has_ports = true;
    p.sport = 5353;
    p.dport = 53;
  }
  return p;
}

TEST(FragmentTracker, LaterFragmentsGetTheFirstFragmentsPorts) {
  FragmentTracker tracker;
  AnomalyCounters anomalies;
  PacketInfo first = Fragment(true, 77);
  tracker.Resolve(&first, &anomalies);
  PacketInfo second = Fragment(false, 77, kT0 + kNanosPerMilli);
  tracker.Resolve(&second, &anomalies);
  EXPECT_TRUE(second.has_ports);
  EXPECT_EQ(second.sport, 5353);
  EXPECT_EQ(second.dport, 53);
  PacketInfo third = Fragment(false, 77, kT0 + 2 * kNanosPerMilli);
  tracker.Resolve(&third, &anomalies);
  EXPECT_TRUE(third.has_ports);
  EXPECT_EQ(anomalies.Total(), 0u);
}

TEST(FragmentTracker, UnknownDatagramCountsFragmentWithoutFirst) {
  FragmentTracker tracker;
  AnomalyCounters anomalies;
  PacketInfo first = Fragment(true, 77);
  tracker.Resolve(&first, &anomalies);
  PacketInfo other_id = Fragment(false, 78);
  tracker.Resolve(&other_id, &anomalies);
  EXPECT_FALSE(other_id.has_ports);
  PacketInfo other_src = Fragment(false, 77, kT0, 0x0a000009);
  tracker.Resolve(&other_src, &anomalies);
  EXPECT_FALSE(other_src.has_ports);
  EXPECT_EQ(anomalies.Get(Anomaly::kFragmentWithoutFirst), 2u);
  EXPECT_EQ(anomalies.Total(), 2u);
}

TEST(FragmentTracker, EntriesExpire) {
  FragmentTracker tracker;
  AnomalyCounters anomalies;
  PacketInfo first = Fragment(true, 5);
  tracker.Resolve(&first, &anomalies);
  PacketInfo late = Fragment(false, 5, kT0 + limits::kFragmentTimeoutSeconds * kNanosPerSecond);
  tracker.Resolve(&late, &anomalies);
  EXPECT_FALSE(late.has_ports);
  EXPECT_EQ(anomalies.Get(Anomaly::kFragmentWithoutFirst), 1u);
}

TEST(FragmentTracker, FullTableCountsAndRecoversAfterTimeout) {
  FragmentTracker tracker(/*capacity=*/1, /*timeout=*/kNanosPerSecond);
  EXPECT_EQ(tracker.capacity(), 1u);
  AnomalyCounters anomalies;
  PacketInfo a = Fragment(true, 1);
  tracker.Resolve(&a, &anomalies);
  PacketInfo b = Fragment(true, 2);
  tracker.Resolve(&b, &anomalies);
  EXPECT_EQ(anomalies.Get(Anomaly::kFragmentTableFull), 1u);
  // The same datagram again updates its entry instead of needing a new one.
  PacketInfo a_again = Fragment(true, 1);
  tracker.Resolve(&a_again, &anomalies);
  EXPECT_EQ(anomalies.Get(Anomaly::kFragmentTableFull), 1u);
  // After the timeout the slot is reused.
  PacketInfo c = Fragment(true, 3, kT0 + 2 * kNanosPerSecond);
  tracker.Resolve(&c, &anomalies);
  PacketInfo c_later = Fragment(false, 3, kT0 + 2 * kNanosPerSecond);
  tracker.Resolve(&c_later, &anomalies);
  EXPECT_TRUE(c_later.has_ports);
  EXPECT_EQ(anomalies.Total(), 1u);
}

TEST(FragmentTracker, ManyDatagramsAtOnce) {
  FragmentTracker tracker(4096);
  AnomalyCounters anomalies;
  for (uint32_t id = 0; id < 2000; ++id) {
    PacketInfo first = Fragment(true, id);
    first.sport = static_cast<uint16_t>(id);
    tracker.Resolve(&first, &anomalies);
  }
  int resolved = 0;
  for (uint32_t id = 0; id < 2000; ++id) {
    PacketInfo later = Fragment(false, id);
    tracker.Resolve(&later, &anomalies);
    if (later.has_ports && later.sport == id) ++resolved;
  }
  EXPECT_EQ(resolved, 2000);
  EXPECT_EQ(anomalies.Total(), 0u);
}

TEST(FragmentTracker, NonFragmentsAndPortlessFirstFragmentsAreIgnored) {
  FragmentTracker tracker;
  AnomalyCounters anomalies;
  PacketInfo whole;
  whole.has_ports = true;
  whole.sport = 1;
  tracker.Resolve(&whole, &anomalies);
  EXPECT_EQ(whole.sport, 1);
  PacketInfo esp_first = Fragment(true, 9);
  esp_first.has_ports = false;
  esp_first.sport = esp_first.dport = 0;
  tracker.Resolve(&esp_first, &anomalies);
  PacketInfo esp_later = Fragment(false, 9);
  tracker.Resolve(&esp_later, &anomalies);
  EXPECT_FALSE(esp_later.has_ports);
  EXPECT_EQ(anomalies.Get(Anomaly::kFragmentWithoutFirst), 1u);
}

}  // namespace
}  // namespace quench

#include "quench/flow/flow_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <vector>

namespace quench {
namespace {

constexpr DurationNs kSec = kNanosPerSecond;

class Collector : public FlowConsumer {
 public:
  void OnFlowEnd(const FlowRecord& flow) override { ended.push_back(flow); }
  std::vector<FlowRecord> ended;
};

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

PacketInfo Pkt(Timestamp ts, const char* src, uint16_t sport, const char* dst, uint16_t dport,
               uint8_t proto = kIpProtoUdp, uint8_t flags = 0, uint32_t payload = 0) {
  PacketInfo p;
  p.ts = ts;
  p.src = Ip(src);
  p.dst = Ip(dst);
  p.sport = sport;
  p.dport = dport;
  p.ip_proto = proto;
  p.ip_version = p.src.is_v4() ? 4 : 6;
  p.tcp_flags = flags;
  p.has_ports = true;
  p.payload_len = payload;
  p.ip_len = payload + (p.ip_version == 4 ? 20 : 40) + (proto == kIpProtoTcp ? 20 : 8);
  return p;
}

PacketInfo Tcp(Timestamp ts, const char* src, uint16_t sport, const char* dst, uint16_t dport,
               uint8_t flags, uint32_t payload = 0) {
  return Pkt(ts, src, sport, dst, dport, kIpProtoTcp, flags, payload);
}

FlowTableOptions Options() {
  FlowTableOptions o;
  o.max_flows = 1000;
  o.idle_timeout = 60 * kSec;
  o.active_timeout = 1800 * kSec;
  o.tcp_closed_linger = 5 * kSec;
  return o;
}

TEST(FlowEndReasonNameTest, Names) {
  EXPECT_EQ(FlowEndReasonName(FlowEndReason::kIdleTimeout), "idle_timeout");
  EXPECT_EQ(FlowEndReasonName(FlowEndReason::kEvicted), "evicted");
  EXPECT_EQ(FlowEndReasonName(FlowEndReason::kEndOfInput), "end_of_input");
}

TEST(FlowTableTest, SynOrientsAndMergesDirections) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(1 * kSec, "10.0.0.1", 40000, "192.0.2.9", 443, kTcpSyn));
  t.Add(Tcp(2 * kSec, "192.0.2.9", 443, "10.0.0.1", 40000, kTcpSyn | kTcpAck));
  t.Add(Tcp(3 * kSec, "10.0.0.1", 40000, "192.0.2.9", 443, kTcpAck));
  t.Add(Tcp(4 * kSec, "10.0.0.1", 40000, "192.0.2.9", 443, kTcpAck | kTcpPsh, 100));
  t.Add(Tcp(5 * kSec, "192.0.2.9", 443, "10.0.0.1", 40000, kTcpAck | kTcpPsh, 1000));
  EXPECT_EQ(t.size(), 1u);
  t.Flush();
  ASSERT_EQ(c.ended.size(), 1u);
  const FlowRecord& f = c.ended[0];
  EXPECT_EQ(f.client, Ip("10.0.0.1"));
  EXPECT_EQ(f.server, Ip("192.0.2.9"));
  EXPECT_EQ(f.client_port, 40000);
  EXPECT_EQ(f.server_port, 443);
  EXPECT_EQ(f.orientation, FlowOrientation::kSyn);
  EXPECT_EQ(f.handshake, TcpHandshake::kEstablished);
  EXPECT_EQ(f.to_server.packets, 3u);
  EXPECT_EQ(f.to_client.packets, 2u);
  EXPECT_EQ(f.to_server.payload_bytes, 100u);
  EXPECT_EQ(f.to_client.payload_bytes, 1000u);
  EXPECT_EQ(f.to_server.bytes, 40u * 3 + 100);
  EXPECT_EQ(f.to_client.bytes, 40u * 2 + 1000);
  EXPECT_EQ(f.to_server.tcp_flags, kTcpSyn | kTcpAck | kTcpPsh);
  EXPECT_EQ(f.to_client.tcp_flags, kTcpSyn | kTcpAck | kTcpPsh);
  EXPECT_EQ(f.first_ts, 1 * kSec);
  EXPECT_EQ(f.last_ts, 5 * kSec);
  EXPECT_EQ(f.end_reason, FlowEndReason::kEndOfInput);
  EXPECT_EQ(f.ip_version, 4);
  EXPECT_EQ(f.source, FlowSource::kPacket);
  EXPECT_TRUE(f.exchanged_data());
}

TEST(FlowTableTest, SynAckFirstMakesReceiverTheClient) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(1 * kSec, "192.0.2.9", 443, "10.0.0.1", 40000, kTcpSyn | kTcpAck));
  t.Add(Tcp(2 * kSec, "10.0.0.1", 40000, "192.0.2.9", 443, kTcpAck));
  t.Flush();
  ASSERT_EQ(c.ended.size(), 1u);
  EXPECT_EQ(c.ended[0].client, Ip("10.0.0.1"));
  EXPECT_EQ(c.ended[0].client_port, 40000);
  EXPECT_EQ(c.ended[0].orientation, FlowOrientation::kSynAck);
  EXPECT_EQ(c.ended[0].handshake, TcpHandshake::kEstablished);
  EXPECT_EQ(c.ended[0].to_client.packets, 1u);
  EXPECT_EQ(c.ended[0].to_server.packets, 1u);
}

TEST(FlowTableTest, FirstPacketSenderIsClientWithoutSyn) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(1 * kSec, "192.0.2.9", 443, "10.0.0.1", 40000, kTcpAck, 10));
  t.Add(Tcp(2 * kSec, "10.0.0.1", 40000, "192.0.2.9", 443, kTcpAck));
  t.Add(Pkt(3 * kSec, "10.0.0.5", 5353, "10.0.0.6", 53));
  t.Flush();
  ASSERT_EQ(c.ended.size(), 2u);
  const FlowRecord& tcp = c.ended[0].proto == kIpProtoTcp ? c.ended[0] : c.ended[1];
  const FlowRecord& udp = c.ended[0].proto == kIpProtoTcp ? c.ended[1] : c.ended[0];
  EXPECT_EQ(tcp.client, Ip("192.0.2.9"));
  EXPECT_EQ(tcp.orientation, FlowOrientation::kFirstPacket);
  EXPECT_EQ(tcp.handshake, TcpHandshake::kNone);
  EXPECT_EQ(tcp.to_server.payload_bytes, 10u);
  EXPECT_EQ(udp.client, Ip("10.0.0.5"));
  EXPECT_EQ(udp.client_port, 5353);
  EXPECT_EQ(udp.orientation, FlowOrientation::kFirstPacket);
}

TEST(FlowTableTest, VlanSeparatesFlows) {
  Collector c;
  FlowTable t(Options(), &c);
  PacketInfo a = Pkt(1 * kSec, "10.0.0.1", 1, "10.0.0.2", 2);
  PacketInfo b = a;
  b.vlan = 7;
  PacketInfo b_reply = Pkt(2 * kSec, "10.0.0.2", 2, "10.0.0.1", 1);
  b_reply.vlan = 7;
  t.Add(a);
  t.Add(b);
  t.Add(b_reply);
  EXPECT_EQ(t.size(), 2u);
  t.Flush();
  ASSERT_EQ(c.ended.size(), 2u);
  for (const FlowRecord& f : c.ended) {
    EXPECT_EQ(f.packets(), f.vlan == 7 ? 2u : 1u);
  }
}

TEST(FlowTableTest, Ipv6FlowMergesDirections) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(1 * kSec, "2001:db8::1", 5000, "2001:db8::2", 22, kTcpSyn));
  t.Add(Tcp(2 * kSec, "2001:db8::2", 22, "2001:db8::1", 5000, kTcpSyn | kTcpAck));
  // Same low-order bytes in IPv4 must not match the IPv6 flow.
  t.Add(Tcp(3 * kSec, "0.0.0.1", 5000, "0.0.0.2", 22, kTcpAck));
  EXPECT_EQ(t.size(), 2u);
  t.Flush();
  const auto it = std::find_if(c.ended.begin(), c.ended.end(),
                               [](const FlowRecord& f) { return f.ip_version == 6; });
  ASSERT_NE(it, c.ended.end());
  EXPECT_EQ(it->client, Ip("2001:db8::1"));
  EXPECT_EQ(it->packets(), 2u);
  EXPECT_EQ(it->to_server.bytes, 60u);
  EXPECT_EQ(it->handshake, TcpHandshake::kSynAckSeen);
}

TEST(FlowTableTest, IcmpTypeCodeAreThePorts) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Pkt(1 * kSec, "10.0.0.1", 8, "10.0.0.2", 0, kIpProtoIcmp));
  t.Add(Pkt(2 * kSec, "10.0.0.1", 8, "10.0.0.2", 0, kIpProtoIcmp));
  t.Add(Pkt(3 * kSec, "10.0.0.1", 3, "10.0.0.2", 3, kIpProtoIcmp));
  t.Flush();
  ASSERT_EQ(c.ended.size(), 2u);
  const FlowRecord& echo = c.ended[0].client_port == 8 ? c.ended[0] : c.ended[1];
  EXPECT_EQ(echo.client_port, 8);
  EXPECT_EQ(echo.server_port, 0);
  EXPECT_EQ(echo.packets(), 2u);
  const FlowRecord& unreach = c.ended[0].client_port == 8 ? c.ended[1] : c.ended[0];
  EXPECT_EQ(unreach.client_port, 3);
  EXPECT_EQ(unreach.server_port, 3);
}

TEST(FlowTableTest, OtherProtocolsAndPortlessPacketsUsePortZero) {
  Collector c;
  FlowTable t(Options(), &c);
  PacketInfo gre = Pkt(1 * kSec, "10.0.0.1", 11, "10.0.0.2", 22, kIpProtoGre);
  t.Add(gre);
  gre.sport = 33;  // ignored: GRE has no ports
  t.Add(gre);
  PacketInfo frag = Pkt(2 * kSec, "10.0.0.1", 1234, "10.0.0.2", 53);
  frag.has_ports = false;
  frag.is_fragment = true;
  t.Add(frag);
  frag.sport = 999;  // ignored: has_ports is false
  t.Add(frag);
  EXPECT_EQ(t.size(), 2u);
  t.Flush();
  ASSERT_EQ(c.ended.size(), 2u);
  for (const FlowRecord& f : c.ended) {
    EXPECT_EQ(f.client_port, 0);
    EXPECT_EQ(f.server_port, 0);
    EXPECT_EQ(f.packets(), 2u);
    EXPECT_EQ(f.fragments, f.proto == kIpProtoUdp ? 2u : 0u);
  }
}

TEST(FlowTableTest, IdleTimeoutEndsQuietFlowsAsTimeAdvances) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Pkt(0, "10.0.0.1", 1, "10.0.0.2", 2));
  t.Add(Pkt(30 * kSec, "10.0.0.3", 1, "10.0.0.4", 2));
  t.Add(Pkt(60 * kSec, "10.0.0.3", 1, "10.0.0.4", 2));
  EXPECT_TRUE(c.ended.empty());  // exactly idle_timeout quiet is still alive
  t.Add(Pkt(60 * kSec + 1, "10.0.0.5", 1, "10.0.0.6", 2));
  ASSERT_EQ(c.ended.size(), 1u);
  EXPECT_EQ(c.ended[0].client, Ip("10.0.0.1"));
  EXPECT_EQ(c.ended[0].end_reason, FlowEndReason::kIdleTimeout);
  t.ExpireIdle(200 * kSec);
  EXPECT_EQ(c.ended.size(), 3u);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.stats().idle_timeouts, 3u);
  // Time going backwards (a second, earlier file) does not resurrect or break anything.
  t.Add(Pkt(10 * kSec, "10.0.0.1", 1, "10.0.0.2", 2));
  EXPECT_EQ(t.size(), 1u);
  t.Flush();
  EXPECT_EQ(c.ended.back().end_reason, FlowEndReason::kEndOfInput);
}

TEST(FlowTableTest, ActiveTimeoutSplitsTheConversation) {
  FlowTableOptions o = Options();
  o.active_timeout = 100 * kSec;
  Collector c;
  FlowTable t(o, &c);
  for (int s = 0; s <= 250; s += 10) {
    t.Add(Tcp(s * kSec, "10.0.0.1", 1000, "10.0.0.2", 80, s == 0 ? kTcpSyn : kTcpAck));
  }
  t.Flush();
  // Records: [0,100], [110,210], [220,250].
  ASSERT_EQ(c.ended.size(), 3u);
  EXPECT_EQ(c.ended[0].end_reason, FlowEndReason::kActiveTimeout);
  EXPECT_EQ(c.ended[0].first_ts, 0);
  EXPECT_EQ(c.ended[0].last_ts, 100 * kSec);
  EXPECT_EQ(c.ended[0].packets(), 11u);
  EXPECT_EQ(c.ended[1].end_reason, FlowEndReason::kActiveTimeout);
  EXPECT_EQ(c.ended[1].first_ts, 110 * kSec);
  EXPECT_EQ(c.ended[1].packets(), 11u);
  EXPECT_EQ(c.ended[2].end_reason, FlowEndReason::kEndOfInput);
  EXPECT_EQ(c.ended[2].packets(), 4u);
  for (const FlowRecord& f : c.ended) {
    EXPECT_EQ(f.client, Ip("10.0.0.1"));
    EXPECT_EQ(f.orientation, FlowOrientation::kSyn);
  }
  EXPECT_EQ(t.stats().active_timeouts, 2u);
  EXPECT_EQ(t.stats().flows_created, 3u);
  EXPECT_EQ(t.stats().flows_ended, 3u);
}

TEST(FlowTableTest, FinFromBothSidesEndsAfterLinger) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(0, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpSyn));
  t.Add(Tcp(1 * kSec, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpFin | kTcpAck));
  t.Add(Tcp(2 * kSec, "10.0.0.2", 80, "10.0.0.1", 1000, kTcpFin | kTcpAck));
  t.Add(Tcp(3 * kSec, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpAck));  // last ACK, restarts linger
  t.Add(Pkt(8 * kSec, "10.0.0.7", 1, "10.0.0.8", 2));
  EXPECT_TRUE(c.ended.empty());
  t.Add(Pkt(8 * kSec + 1, "10.0.0.7", 1, "10.0.0.8", 2));
  ASSERT_EQ(c.ended.size(), 1u);
  EXPECT_EQ(c.ended[0].end_reason, FlowEndReason::kTcpClose);
  EXPECT_EQ(c.ended[0].packets(), 4u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(FlowTableTest, FinFromOneSideOnlyStaysOpen) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(0, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpFin | kTcpAck));
  t.Add(Tcp(1 * kSec, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpFin | kTcpAck));
  t.ExpireIdle(30 * kSec);
  EXPECT_TRUE(c.ended.empty());
  EXPECT_EQ(t.size(), 1u);
}

TEST(FlowTableTest, RstEndsAfterLinger) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(0, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpSyn));
  t.Add(Tcp(1 * kSec, "10.0.0.2", 80, "10.0.0.1", 1000, kTcpRst | kTcpAck));
  t.ExpireIdle(6 * kSec);
  EXPECT_TRUE(c.ended.empty());
  t.ExpireIdle(6 * kSec + 1);
  ASSERT_EQ(c.ended.size(), 1u);
  EXPECT_EQ(c.ended[0].end_reason, FlowEndReason::kTcpReset);
  EXPECT_EQ(c.ended[0].to_client.tcp_flags, kTcpRst | kTcpAck);
}

TEST(FlowTableTest, NewSynOnClosedTupleStartsNewFlow) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(0, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpSyn));
  t.Add(Tcp(1 * kSec, "10.0.0.2", 80, "10.0.0.1", 1000, kTcpRst));
  t.Add(Tcp(2 * kSec, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpSyn));
  ASSERT_EQ(c.ended.size(), 1u);
  EXPECT_EQ(c.ended[0].end_reason, FlowEndReason::kTcpReset);
  EXPECT_EQ(c.ended[0].packets(), 2u);
  // And after FIN-FIN, from the other side this time.
  t.Add(Tcp(3 * kSec, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpFin | kTcpAck));
  t.Add(Tcp(3 * kSec, "10.0.0.2", 80, "10.0.0.1", 1000, kTcpFin | kTcpAck));
  t.Add(Tcp(4 * kSec, "10.0.0.2", 80, "10.0.0.1", 1000, kTcpSyn));
  ASSERT_EQ(c.ended.size(), 2u);
  EXPECT_EQ(c.ended[1].end_reason, FlowEndReason::kTcpClose);
  EXPECT_EQ(c.ended[1].first_ts, 2 * kSec);
  EXPECT_EQ(c.ended[1].packets(), 3u);
  t.Flush();
  ASSERT_EQ(c.ended.size(), 3u);
  EXPECT_EQ(c.ended[2].client, Ip("10.0.0.2"));
  EXPECT_EQ(c.ended[2].end_reason, FlowEndReason::kEndOfInput);
  EXPECT_EQ(t.stats().flows_created, 3u);
}

TEST(FlowTableTest, NonSynPacketOnClosedFlowStaysInIt) {
  Collector c;
  FlowTable t(Options(), &c);
  t.Add(Tcp(0, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpRst));
  t.Add(Tcp(1 * kSec, "10.0.0.1", 1000, "10.0.0.2", 80, kTcpAck));
  EXPECT_TRUE(c.ended.empty());
  t.Flush();
  ASSERT_EQ(c.ended.size(), 1u);
  EXPECT_EQ(c.ended[0].packets(), 2u);
  EXPECT_EQ(c.ended[0].end_reason, FlowEndReason::kTcpReset);
}

TEST(FlowTableTest, EvictsLeastRecentlyActiveWhenFull) {
  FlowTableOptions o = Options();
  o.max_flows = 3;
  Collector c;
  FlowTable t(o, &c);
  t.Add(Pkt(1, "10.0.0.1", 1, "10.0.0.9", 9));
  t.Add(Pkt(2, "10.0.0.2", 1, "10.0.0.9", 9));
  t.Add(Pkt(3, "10.0.0.3", 1, "10.0.0.9", 9));
  t.Add(Pkt(4, "10.0.0.9", 9, "10.0.0.1", 1));  // flow 1 becomes the most recent
  t.Add(Pkt(5, "10.0.0.4", 1, "10.0.0.9", 9));  // evicts flow 2
  t.Add(Pkt(6, "10.0.0.5", 1, "10.0.0.9", 9));  // evicts flow 3
  EXPECT_EQ(t.size(), 3u);
  ASSERT_EQ(c.ended.size(), 2u);
  EXPECT_EQ(c.ended[0].client, Ip("10.0.0.2"));
  EXPECT_EQ(c.ended[1].client, Ip("10.0.0.3"));
  EXPECT_EQ(c.ended[0].end_reason, FlowEndReason::kEvicted);
  EXPECT_EQ(t.stats().evicted, 2u);
  EXPECT_EQ(t.stats().peak_active, 3u);
  const size_t memory = t.MemoryBytes();
  for (int i = 0; i < 1000; ++i) {
    PacketInfo p = Pkt(10 + i, "10.0.0.1", 1, "10.1.0.1", 1);
    p.dport = static_cast<uint16_t>(i);
    t.Add(p);
  }
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.stats().evicted, 1002u);
  EXPECT_EQ(t.MemoryBytes(), memory);  // never grows past max_flows
}

TEST(FlowTableTest, FlushEndsEverythingAndStatsAddUp) {
  Collector c;
  FlowTable t(Options(), &c);
  for (int i = 0; i < 50; ++i) {
    PacketInfo p = Pkt(i * kSec / 10, "10.0.0.1", 1, "10.0.0.2", 2);
    p.sport = static_cast<uint16_t>(i % 10);
    t.Add(p);
  }
  t.Add(Tcp(6 * kSec, "10.0.0.1", 1, "10.0.0.2", 2, kTcpRst));
  EXPECT_EQ(t.size(), 11u);
  EXPECT_GT(t.MemoryBytes(), 11 * sizeof(FlowRecord));
  t.Flush();
  EXPECT_EQ(t.size(), 0u);
  ASSERT_EQ(c.ended.size(), 11u);
  const FlowTableStats& s = t.stats();
  EXPECT_EQ(s.packets, 51u);
  EXPECT_EQ(s.flows_created, 11u);
  EXPECT_EQ(s.flows_ended, 11u);
  EXPECT_EQ(s.active, 0u);
  EXPECT_EQ(s.peak_active, 11u);
  EXPECT_EQ(s.evicted + s.idle_timeouts + s.active_timeouts, 0u);
  uint64_t packets = 0;
  for (const FlowRecord& f : c.ended) packets += f.packets();
  EXPECT_EQ(packets, 51u);
  EXPECT_EQ(std::count_if(c.ended.begin(), c.ended.end(),
                          [](const FlowRecord& f) {
                            return f.end_reason == FlowEndReason::kEndOfInput;
                          }),
            10);
  // End order is least recently active first.
  EXPECT_TRUE(std::is_sorted(c.ended.begin(), c.ended.end(),
                             [](const FlowRecord& a, const FlowRecord& b) {
                               return a.last_ts < b.last_ts;
                             }));
  // The table is reusable after Flush.
  t.Add(Pkt(7 * kSec, "10.0.0.1", 1, "10.0.0.2", 2));
  EXPECT_EQ(t.size(), 1u);
}

TEST(FlowTableTest, OutOfOrderTimestampsKeepInvariants) {
  FlowTableOptions o = Options();
  o.max_flows = 16;
  o.idle_timeout = 5 * kSec;
  Collector c;
  FlowTable t(o, &c);
  std::mt19937_64 rng(7);
  uint64_t added = 0;
  for (int i = 0; i < 20000; ++i) {
    // Two interleaved "files" a day apart, each with its own jitter.
    const Timestamp base = (i % 2) ? 86400 * kSec : 0;
    PacketInfo p = Tcp(base + static_cast<Timestamp>(rng() % (20 * kSec)) + i * kSec / 100,
                       "10.0.0.1", static_cast<uint16_t>(rng() % 40), "10.0.0.2", 80,
                       static_cast<uint8_t>(rng() & 0x17));
    t.Add(p);
    ++added;
    ASSERT_LE(t.size(), 16u);
  }
  t.Flush();
  uint64_t packets = 0;
  for (const FlowRecord& f : c.ended) {
    packets += f.packets();
    EXPECT_LE(f.first_ts, f.last_ts);
    EXPECT_NE(f.end_reason, FlowEndReason::kActive);
  }
  EXPECT_EQ(packets, added);
  EXPECT_EQ(t.stats().flows_created, t.stats().flows_ended);
  EXPECT_EQ(c.ended.size(), t.stats().flows_ended);
}

// ---------------------------------------------------------------------------------------------
// Reference model: a std::map keyed by the ordered tuple, scanned in full for every decision.
// Slow and obvious; the table must end the same flows with the same counters.

struct ModelFlow {
  FlowRecord rec;
  bool fin_client = false;
  bool fin_server = false;
  FlowEndReason closed = FlowEndReason::kActive;  // kTcpClose/kTcpReset once closed
};

using ModelKey = std::tuple<IpAddress, uint16_t, IpAddress, uint16_t, uint8_t, uint16_t>;

class Model {
 public:
  explicit Model(const FlowTableOptions& o) : o_(o) {}

  void Add(const PacketInfo& p) {
    if (p.ts > now_) {
      now_ = p.ts;
      Expire();
    }
    const bool ports = p.has_ports && (p.ip_proto == kIpProtoTcp || p.ip_proto == kIpProtoUdp ||
                                       p.ip_proto == kIpProtoIcmp || p.ip_proto == kIpProtoIcmpv6);
    const uint16_t sp = ports ? p.sport : 0;
    const uint16_t dp = ports ? p.dport : 0;
    ModelKey key = std::min(ModelKey{p.src, sp, p.dst, dp, p.ip_proto, p.vlan},
                            ModelKey{p.dst, dp, p.src, sp, p.ip_proto, p.vlan});
    const bool tcp = p.ip_proto == kIpProtoTcp;
    auto it = flows_.find(key);
    if (it != flows_.end()) {
      ModelFlow& m = it->second;
      if (m.closed != FlowEndReason::kActive && tcp && (p.tcp_flags & kTcpSyn)) {
        End(it, m.closed);
        it = flows_.end();
      } else if (p.ts - m.rec.first_ts > o_.active_timeout) {
        FlowRecord done = m.rec;
        done.end_reason = FlowEndReason::kActiveTimeout;
        ended.push_back(done);
        m.rec.to_server = {};
        m.rec.to_client = {};
        m.rec.fragments = 0;
        m.rec.first_ts = m.rec.last_ts = p.ts;
      }
    }
    if (it == flows_.end()) {
      if (flows_.size() == o_.max_flows) {
        auto victim = flows_.begin();
        for (auto j = flows_.begin(); j != flows_.end(); ++j) {
          if (j->second.rec.last_ts < victim->second.rec.last_ts) victim = j;
        }
        End(victim, FlowEndReason::kEvicted);
      }
      ModelFlow m;
      const uint8_t sa = p.tcp_flags & (kTcpSyn | kTcpAck);
      const bool rev = tcp && sa == (kTcpSyn | kTcpAck);
      m.rec.client = rev ? p.dst : p.src;
      m.rec.server = rev ? p.src : p.dst;
      m.rec.client_port = rev ? dp : sp;
      m.rec.server_port = rev ? sp : dp;
      m.rec.orientation = (tcp && sa == kTcpSyn) ? FlowOrientation::kSyn
                          : rev                  ? FlowOrientation::kSynAck
                                                 : FlowOrientation::kFirstPacket;
      m.rec.handshake = (tcp && sa == kTcpSyn) ? TcpHandshake::kSynSent
                        : rev                  ? TcpHandshake::kSynAckSeen
                                               : TcpHandshake::kNone;
      m.rec.proto = p.ip_proto;
      m.rec.ip_version = p.ip_version;
      m.rec.vlan = p.vlan;
      m.rec.first_ts = m.rec.last_ts = p.ts;
      it = flows_.emplace(key, m).first;
    }
    ModelFlow& m = it->second;
    const bool to_server = m.rec.client == p.src && m.rec.client_port == sp;
    FlowDirectionStats& d = to_server ? m.rec.to_server : m.rec.to_client;
    d.packets++;
    d.bytes += p.ip_len;
    d.payload_bytes += p.payload_len;
    m.rec.fragments += p.is_fragment ? 1 : 0;
    m.rec.last_ts = std::max(m.rec.last_ts, p.ts);
    if (tcp) {
      d.tcp_flags |= p.tcp_flags;
      const uint8_t sa = p.tcp_flags & (kTcpSyn | kTcpAck);
      if (m.rec.handshake == TcpHandshake::kSynSent && !to_server && sa == (kTcpSyn | kTcpAck)) {
        m.rec.handshake = TcpHandshake::kSynAckSeen;
      } else if (m.rec.handshake == TcpHandshake::kSynAckSeen && to_server && sa == kTcpAck) {
        m.rec.handshake = TcpHandshake::kEstablished;
      }
      if (p.tcp_flags & kTcpFin) (to_server ? m.fin_client : m.fin_server) = true;
      if (m.closed == FlowEndReason::kActive) {
        if (p.tcp_flags & kTcpRst) {
          m.closed = FlowEndReason::kTcpReset;
        } else if (m.fin_client && m.fin_server) {
          m.closed = FlowEndReason::kTcpClose;
        }
      }
    }
  }

  void Flush() {
    while (!flows_.empty()) {
      auto it = flows_.begin();
      End(it, it->second.closed == FlowEndReason::kActive ? FlowEndReason::kEndOfInput
                                                          : it->second.closed);
    }
  }

  std::vector<FlowRecord> ended;

 private:
  void Expire() {
    for (auto it = flows_.begin(); it != flows_.end();) {
      const ModelFlow& m = it->second;
      const bool closed = m.closed != FlowEndReason::kActive;
      const DurationNs limit = closed ? o_.tcp_closed_linger : o_.idle_timeout;
      auto next = std::next(it);
      if (now_ - m.rec.last_ts > limit) End(it, closed ? m.closed : FlowEndReason::kIdleTimeout);
      it = next;
    }
  }

  void End(std::map<ModelKey, ModelFlow>::iterator it, FlowEndReason reason) {
    it->second.rec.end_reason = reason;
    ended.push_back(it->second.rec);
    flows_.erase(it);
  }

  FlowTableOptions o_;
  Timestamp now_ = INT64_MIN;
  std::map<ModelKey, ModelFlow> flows_;
};

auto Comparable(const FlowRecord& f) {
  return std::make_tuple(f.client, f.server, f.client_port, f.server_port, f.proto, f.vlan,
                         f.first_ts, f.last_ts, f.to_server.packets, f.to_server.bytes,
                         f.to_server.payload_bytes, f.to_server.tcp_flags, f.to_client.packets,
                         f.to_client.bytes, f.to_client.payload_bytes, f.to_client.tcp_flags,
                         f.end_reason, f.orientation, f.handshake, f.fragments, f.ip_version);
}

std::vector<decltype(Comparable(FlowRecord{}))> Sorted(const std::vector<FlowRecord>& flows) {
  std::vector<decltype(Comparable(FlowRecord{}))> out;
  for (const FlowRecord& f : flows) out.push_back(Comparable(f));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FlowTableTest, MatchesReferenceModelOnRandomPackets) {
  const char* hosts[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "2001:db8::1", "2001:db8::2"};
  const uint8_t protos[] = {kIpProtoTcp, kIpProtoTcp, kIpProtoTcp, kIpProtoUdp, kIpProtoIcmp,
                            kIpProtoGre};
  const uint8_t flag_choices[] = {kTcpSyn,          kTcpSyn | kTcpAck, kTcpAck,
                                  kTcpAck | kTcpPsh, kTcpFin | kTcpAck, kTcpRst,
                                  kTcpAck,          kTcpAck | kTcpPsh};
  std::map<FlowEndReason, int> reasons;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 rng(seed);
    FlowTableOptions o;
    o.max_flows = 1 + rng() % 24;
    o.idle_timeout = (5 + rng() % 30) * kSec;
    o.active_timeout = (20 + rng() % 100) * kSec;
    o.tcp_closed_linger = (1 + rng() % 5) * kSec;
    Collector c;
    FlowTable table(o, &c);
    Model model(o);
    Timestamp ts = 0;
    for (int i = 0; i < 10000; ++i) {
      ts += 1 + static_cast<Timestamp>(rng() % (2 * kSec));  // strictly increasing
      const char* a = hosts[rng() % 5];
      const char* b = hosts[rng() % 5];
      // Keep each packet within one family.
      if ((a[0] == '1') != (b[0] == '1')) b = a;
      PacketInfo p = Pkt(ts, a, static_cast<uint16_t>(rng() % 3), b,
                         static_cast<uint16_t>(rng() % 3), protos[rng() % 6],
                         0, static_cast<uint32_t>(rng() % 1500));
      if (p.ip_proto == kIpProtoTcp) p.tcp_flags = flag_choices[rng() % 8];
      p.vlan = static_cast<uint16_t>(rng() % 8 == 0);
      p.has_ports = rng() % 10 != 0;
      p.is_fragment = !p.has_ports && rng() % 2;
      table.Add(p);
      model.Add(p);
      ASSERT_LE(table.size(), o.max_flows);
    }
    table.Flush();
    model.Flush();
    ASSERT_EQ(c.ended.size(), model.ended.size()) << "seed " << seed;
    EXPECT_EQ(Sorted(c.ended), Sorted(model.ended)) << "seed " << seed;
    EXPECT_EQ(table.stats().flows_ended, c.ended.size());
    EXPECT_EQ(table.stats().packets, 10000u);
    for (const FlowRecord& f : c.ended) ++reasons[f.end_reason];
  }
  // Every end rule was exercised.
  for (FlowEndReason r : {FlowEndReason::kIdleTimeout, FlowEndReason::kActiveTimeout,
                          FlowEndReason::kTcpClose, FlowEndReason::kTcpReset,
                          FlowEndReason::kEvicted, FlowEndReason::kEndOfInput}) {
    EXPECT_GT(reasons[r], 10) << FlowEndReasonName(r);
  }
}

}  // namespace
}  // namespace quench

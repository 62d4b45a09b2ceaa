#include "quench/decode/decoder.h"

#include <gtest/gtest.h>

#include "quench/decode/test_frames.h"

namespace quench {
namespace {

using namespace test_frames;  // NOLINT(build/namespaces): test-only builders

constexpr uint32_t kA = 0x0a000001;  // 10.0.0.1
constexpr uint32_t kB = 0x0a000002;  // 10.0.0.2
constexpr uint32_t kInnerA = 0xc0a80101;  // 192.168.1.1
constexpr uint32_t kInnerB = 0xc0a80102;  // 192.168.1.2

struct Decoded {
  DecodeStatus status;
  PacketInfo pkt;
  AnomalyCounters anomalies;
};

Decoded Decode(const Bytes& b, LinkType linktype = LinkType::kEthernet, uint32_t wire_len = 0) {
  Decoded d;
  Frame f = MakeFrame(b, linktype);
  if (wire_len != 0) f.wire_len = wire_len;
  d.status = DecodeFrame(f, &d.pkt, &d.anomalies);
  return d;
}

// Asserts the status and that `a` is the only anomaly counted, exactly once.
void ExpectOnly(const Decoded& d, DecodeStatus status, Anomaly a) {
  EXPECT_EQ(d.status, status) << DecodeStatusName(d.status);
  EXPECT_EQ(d.anomalies.Get(a), 1u) << AnomalyName(a);
  EXPECT_EQ(d.anomalies.Total(), 1u);
}

void ExpectClean(const Decoded& d) {
  EXPECT_EQ(d.status, DecodeStatus::kOk) << DecodeStatusName(d.status);
  d.anomalies.ForEachNonZero(
      [](std::string_view name, uint64_t n) { ADD_FAILURE() << name << " = " << n; });
}

Bytes V4Tcp(uint16_t sport = 1234, uint16_t dport = 80, const Bytes& payload = Filler(10)) {
  return Ipv4(kA, kB, kIpProtoTcp, Tcp(sport, dport, kTcpSyn, payload));
}
Bytes InnerV4Tcp() { return Ipv4(kInnerA, kInnerB, kIpProtoTcp, Tcp(5555, 22, kTcpAck, Filler(7))); }
Bytes V6Udp() { return Ipv6("2001:db8::1", "2001:db8::2", kIpProtoUdp, Udp(5353, 53, Filler(12))); }

void ExpectInnerV4Tcp(const Decoded& d, uint8_t depth) {
  ExpectClean(d);
  EXPECT_EQ(d.pkt.src, IpAddress::FromV4(kInnerA));
  EXPECT_EQ(d.pkt.dst, IpAddress::FromV4(kInnerB));
  EXPECT_EQ(d.pkt.sport, 5555);
  EXPECT_EQ(d.pkt.dport, 22);
  EXPECT_EQ(d.pkt.ip_proto, kIpProtoTcp);
  EXPECT_EQ(d.pkt.ip_len, 47u);
  EXPECT_EQ(d.pkt.payload_len, 7u);
  EXPECT_EQ(d.pkt.tunnel_depth, depth);
}

// ---------------------------------------------------------------- Ethernet, IPv4, TCP

TEST(DecodeFrame, EthernetIpv4Tcp) {
  Bytes frame = Ethernet(0x0800, Ipv4(kA, kB, kIpProtoTcp,
                                      Tcp(51000, 443, kTcpPsh | kTcpAck, Filler(100), 7, 9)));
  Decoded d = Decode(frame);
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ts, 1'700'000'000'000'000'000);
  EXPECT_EQ(d.pkt.src, IpAddress::FromV4(kA));
  EXPECT_EQ(d.pkt.dst, IpAddress::FromV4(kB));
  EXPECT_EQ(d.pkt.ip_version, 4);
  EXPECT_EQ(d.pkt.ip_proto, kIpProtoTcp);
  EXPECT_TRUE(d.pkt.has_ports);
  EXPECT_EQ(d.pkt.sport, 51000);
  EXPECT_EQ(d.pkt.dport, 443);
  EXPECT_EQ(d.pkt.tcp_flags, kTcpPsh | kTcpAck);
  EXPECT_EQ(d.pkt.tcp_seq, 7u);
  EXPECT_EQ(d.pkt.tcp_ack, 9u);
  EXPECT_EQ(d.pkt.wire_len, frame.size());
  EXPECT_EQ(d.pkt.ip_len, 140u);
  EXPECT_EQ(d.pkt.payload_len, 100u);
  EXPECT_EQ(d.pkt.payload_caplen, 100u);
  EXPECT_EQ(d.pkt.payload, frame.data() + 14 + 20 + 20);
  EXPECT_EQ(d.pkt.vlan, 0);
  EXPECT_EQ(d.pkt.tunnel_depth, 0);
  EXPECT_FALSE(d.pkt.is_fragment);
}

TEST(DecodeFrame, EthernetPaddingIsTrimmed) {
  Bytes frame = Ethernet(0x0800, Ipv4(kA, kB, kIpProtoTcp, Tcp(1, 2, kTcpAck)));
  frame.resize(60, 0);  // minimum Ethernet frame
  Decoded d = Decode(frame);
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ip_len, 40u);
  EXPECT_EQ(d.pkt.payload_len, 0u);
  EXPECT_EQ(d.pkt.payload_caplen, 0u);
}

TEST(DecodeFrame, SnappedFrameKeepsHeaderLengths) {
  Bytes frame = Ethernet(0x0800, V4Tcp(1234, 80, Filler(1000)));
  const uint32_t wire = static_cast<uint32_t>(frame.size());
  frame.resize(14 + 20 + 20 + 10);
  Decoded d = Decode(frame, LinkType::kEthernet, wire);
  ExpectOnly(d, DecodeStatus::kOk, Anomaly::kIpv4CapturedLessThanTotal);
  EXPECT_EQ(d.pkt.ip_len, 1040u);
  EXPECT_EQ(d.pkt.payload_len, 1000u);
  EXPECT_EQ(d.pkt.payload_caplen, 10u);
  EXPECT_EQ(d.pkt.wire_len, wire);
}

TEST(DecodeFrame, EthernetTruncated) {
  ExpectOnly(Decode(Bytes(13, 0)), DecodeStatus::kMalformed, Anomaly::kEthernetTruncated);
}

TEST(DecodeFrame, NonIpFrames) {
  ExpectOnly(Decode(Ethernet(0x0806, Filler(28))), DecodeStatus::kNotIp, Anomaly::kNonIpPacket);
  // 802.3 with LLC (STP): the type field is a length.
  ExpectOnly(Decode(Ethernet(0x0026, Bytes{0x42, 0x42, 0x03})), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  ExpectOnly(Decode(Ethernet(0x1234, Filler(20))), DecodeStatus::kNotIp,
             Anomaly::kUnknownEthertype);
}

// ---------------------------------------------------------------- VLAN

TEST(DecodeFrame, Vlan8021Q) {
  Decoded d = Decode(Ethernet(0x0800, V4Tcp(), {{0x8100, 0x2064}}));  // PCP 1, vid 100
  ExpectClean(d);
  EXPECT_EQ(d.pkt.vlan, 100);
  EXPECT_EQ(d.pkt.dport, 80);
}

TEST(DecodeFrame, QinQKeepsInnermostVlan) {
  Decoded d = Decode(Ethernet(0x86dd, V6Udp(), {{0x88a8, 100}, {0x8100, 200}}));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.vlan, 200);
  EXPECT_EQ(d.pkt.ip_version, 6);
  EXPECT_EQ(d.pkt.dport, 53);
  Decoded old = Decode(Ethernet(0x0800, V4Tcp(), {{0x9100, 7}, {0x8100, 8}}));
  ExpectClean(old);
  EXPECT_EQ(old.pkt.vlan, 8);
}

TEST(DecodeFrame, VlanTooDeep) {
  Decoded d = Decode(Ethernet(
      0x0800, V4Tcp(), {{0x8100, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4}, {0x8100, 5}}));
  ExpectOnly(d, DecodeStatus::kMalformed, Anomaly::kVlanTooDeep);
}

TEST(DecodeFrame, VlanTruncated) {
  Bytes frame = Ethernet(0x8100, Bytes{0x00});
  ExpectOnly(Decode(frame), DecodeStatus::kMalformed, Anomaly::kVlanTruncated);
}

// ---------------------------------------------------------------- MPLS

TEST(DecodeFrame, MplsStackIpv4) {
  Decoded d = Decode(Ethernet(0x8847, Mpls({16, 17, 18}, V4Tcp())));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.src, IpAddress::FromV4(kA));
  EXPECT_EQ(d.pkt.dport, 80);
  EXPECT_EQ(d.pkt.tunnel_depth, 0);
}

TEST(DecodeFrame, MplsMulticastIpv6) {
  Decoded d = Decode(Ethernet(0x8848, Mpls({100}, V6Udp())));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ip_version, 6);
  EXPECT_EQ(d.pkt.sport, 5353);
}

TEST(DecodeFrame, MplsPseudowireControlWordEthernet) {
  Bytes pw = Cat({Bytes{0, 0, 0, 1}, Ethernet(0x0800, InnerV4Tcp())});
  Decoded d = Decode(Ethernet(0x8847, Mpls({20, 21}, pw), {{0x8100, 42}}));
  ExpectInnerV4Tcp(d, 1);
  EXPECT_EQ(d.pkt.vlan, 42);
}

TEST(DecodeFrame, MplsTooDeep) {
  Bytes labels;
  for (int i = 0; i < 9; ++i) PutU32(labels, 0x10000);  // never bottom of stack
  Append(labels, V4Tcp());
  ExpectOnly(Decode(Ethernet(0x8847, labels)), DecodeStatus::kMalformed, Anomaly::kMplsTooDeep);
}

TEST(DecodeFrame, MplsTruncated) {
  ExpectOnly(Decode(Ethernet(0x8847, Bytes{0, 1, 0})), DecodeStatus::kMalformed,
             Anomaly::kMplsTruncated);
  // Bottom of stack with nothing after it.
  ExpectOnly(Decode(Ethernet(0x8847, Mpls({5}, {}))), DecodeStatus::kMalformed,
             Anomaly::kMplsTruncated);
}

TEST(DecodeFrame, MplsUnknownPayload) {
  ExpectOnly(Decode(Ethernet(0x8847, Mpls({5}, Bytes{0x51, 0, 0, 0}))),
             DecodeStatus::kUnsupported, Anomaly::kMplsUnknownPayload);
}

// ---------------------------------------------------------------- PPPoE

TEST(DecodeFrame, PppoeIpv4AndIpv6) {
  Decoded d4 = Decode(Ethernet(0x8864, Pppoe(0x0021, V4Tcp())));
  ExpectClean(d4);
  EXPECT_EQ(d4.pkt.dport, 80);
  Decoded d6 = Decode(Ethernet(0x8864, Pppoe(0x0057, V6Udp())));
  ExpectClean(d6);
  EXPECT_EQ(d6.pkt.ip_version, 6);
  EXPECT_EQ(d6.pkt.dport, 53);
}

TEST(DecodeFrame, PppoeControlIsNotIp) {
  ExpectOnly(Decode(Ethernet(0x8864, Pppoe(0xc021, Filler(10)))), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  // Discovery stage.
  ExpectOnly(Decode(Ethernet(0x8863, Filler(10))), DecodeStatus::kNotIp, Anomaly::kNonIpPacket);
}

TEST(DecodeFrame, PppoeMalformed) {
  Bytes bad = Pppoe(0x0021, V4Tcp());
  bad[0] = 0x12;
  ExpectOnly(Decode(Ethernet(0x8864, bad)), DecodeStatus::kMalformed, Anomaly::kPppoeBadHeader);
  ExpectOnly(Decode(Ethernet(0x8864, Bytes{0x11, 0, 0, 1, 0})), DecodeStatus::kMalformed,
             Anomaly::kPppoeTruncated);
  ExpectOnly(Decode(Ethernet(0x8864, Pppoe(0x0031, Filler(10)))), DecodeStatus::kUnsupported,
             Anomaly::kPppoeUnsupportedProtocol);
}

// ---------------------------------------------------------------- IPv4 details

TEST(DecodeFrame, Ipv4WithOptions) {
  Ipv4Options o;
  o.options = {0x01, 0x01, 0x94, 0x04, 0x00, 0x00, 0x00, 0x00};  // NOP NOP Router Alert EOL
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoUdp, Udp(68, 67, Filler(5)), o)));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.sport, 68);
  EXPECT_EQ(d.pkt.payload_len, 5u);
  EXPECT_EQ(d.pkt.ip_len, 28u + 13u);
}

TEST(DecodeFrame, Ipv4BadOptions) {
  Ipv4Options o;
  o.options = {0x07, 0x20, 0x00, 0x00};  // record route claiming 32 bytes in a 4-byte space
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoUdp, Udp(1, 2), o))),
             DecodeStatus::kMalformed, Anomaly::kIpv4BadOptions);
}

TEST(DecodeFrame, Ipv4Malformed) {
  Bytes ip = V4Tcp();
  Bytes bad_version = ip;
  bad_version[0] = 0x55;
  ExpectOnly(Decode(Ethernet(0x0800, bad_version)), DecodeStatus::kMalformed,
             Anomaly::kIpv4BadVersion);
  Bytes bad_ihl = ip;
  bad_ihl[0] = 0x44;
  ExpectOnly(Decode(Ethernet(0x0800, bad_ihl)), DecodeStatus::kMalformed,
             Anomaly::kIpv4BadHeaderLength);
  Ipv4Options short_total;
  short_total.total_length = 19;
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(1, 2, kTcpAck), short_total))),
             DecodeStatus::kMalformed, Anomaly::kIpv4BadTotalLength);
  ExpectOnly(Decode(Ethernet(0x0800, Bytes(ip.begin(), ip.begin() + 19))),
             DecodeStatus::kMalformed, Anomaly::kIpv4Truncated);
  // IHL says 60 bytes but only 24 were captured.
  Bytes long_ihl(ip.begin(), ip.begin() + 24);
  long_ihl[0] = 0x4f;
  long_ihl[3] = 100;  // total length 100 >= header length 60
  ExpectOnly(Decode(Ethernet(0x0800, long_ihl)), DecodeStatus::kMalformed,
             Anomaly::kIpv4Truncated);
}

TEST(DecodeFrame, Ipv4ZeroTotalLengthFromSegmentationOffload) {
  Ipv4Options tso;
  tso.total_length = 0;
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(1, 2, kTcpAck, Filler(3000)), tso)));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ip_len, 3040u);
  EXPECT_EQ(d.pkt.payload_len, 3000u);
}

TEST(DecodeFrame, Ipv4Fragments) {
  Ipv4Options first;
  first.id = 0xbeef;
  first.more_fragments = true;
  Decoded d1 = Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoUdp, Udp(5000, 53, Filler(16)), first)));
  ExpectOnly(d1, DecodeStatus::kOk, Anomaly::kIpv4Fragment);
  EXPECT_TRUE(d1.pkt.is_fragment);
  EXPECT_TRUE(d1.pkt.is_first_fragment);
  EXPECT_EQ(d1.pkt.ip_id, 0xbeefu);
  EXPECT_TRUE(d1.pkt.has_ports);
  EXPECT_EQ(d1.pkt.sport, 5000);

  Ipv4Options later;
  later.id = 0xbeef;
  later.fragment_offset_units = 3;
  Decoded d2 = Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoUdp, Filler(30), later)));
  ExpectOnly(d2, DecodeStatus::kOk, Anomaly::kIpv4Fragment);
  EXPECT_TRUE(d2.pkt.is_fragment);
  EXPECT_FALSE(d2.pkt.is_first_fragment);
  EXPECT_FALSE(d2.pkt.has_ports);
  EXPECT_EQ(d2.pkt.ip_proto, kIpProtoUdp);
  EXPECT_EQ(d2.pkt.payload_len, 30u);
  EXPECT_EQ(d2.pkt.payload_caplen, 30u);
  EXPECT_EQ(d2.pkt.ip_id, 0xbeefu);
}

TEST(DecodeFrame, Ipv4FirstFragmentUdpLengthMayExceedFragment) {
  Ipv4Options first;
  first.more_fragments = true;
  Bytes udp = Udp(7, 8, Filler(2000));
  udp.resize(8 + 100);  // the rest travels in later fragments
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoUdp, udp, first)));
  ExpectOnly(d, DecodeStatus::kOk, Anomaly::kIpv4Fragment);
  EXPECT_EQ(d.pkt.payload_len, 2000u);
  EXPECT_EQ(d.pkt.payload_caplen, 100u);
}

TEST(DecodeFrame, Ipv4AhThenTcp) {
  Bytes ah = {kIpProtoTcp, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1};  // (4+2)*4 = 24 bytes
  ah.resize(24, 0);
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, 51, Cat({ah, Tcp(1, 2, kTcpAck, Filler(3))}))));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ip_proto, kIpProtoTcp);
  EXPECT_EQ(d.pkt.dport, 2);
  EXPECT_EQ(d.pkt.payload_len, 3u);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 51, Bytes(ah.begin(), ah.begin() + 12)))),
             DecodeStatus::kMalformed, Anomaly::kIpv4AhTruncated);
}

// ---------------------------------------------------------------- IPv6

TEST(DecodeFrame, Ipv6Tcp) {
  Decoded d = Decode(Ethernet(0x86dd, Ipv6("2001:db8::a", "2001:db8::b", kIpProtoTcp,
                                           Tcp(40000, 443, kTcpSyn, {}, 5))));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ip_version, 6);
  EXPECT_EQ(d.pkt.src, *IpAddress::Parse("2001:db8::a"));
  EXPECT_EQ(d.pkt.dst, *IpAddress::Parse("2001:db8::b"));
  EXPECT_EQ(d.pkt.ip_len, 60u);
  EXPECT_EQ(d.pkt.tcp_seq, 5u);
}

TEST(DecodeFrame, Ipv6ExtensionChain) {
  // hop-by-hop -> routing -> destination options -> AH -> UDP
  Bytes ah = {kIpProtoUdp, 4};
  ah.resize(24, 0);
  Bytes chain = Ipv6Ext(43, Ipv6Ext(60, Ipv6Ext(51, Cat({ah, Udp(1000, 2000, Filler(4))})), 14));
  Decoded d = Decode(Ethernet(0x86dd, Ipv6("fe80::1", "ff02::1", 0, chain)));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ip_proto, kIpProtoUdp);
  EXPECT_EQ(d.pkt.sport, 1000);
  EXPECT_EQ(d.pkt.dport, 2000);
  EXPECT_EQ(d.pkt.payload_len, 4u);
  EXPECT_EQ(d.pkt.ip_len, 40u + chain.size());
}

TEST(DecodeFrame, Ipv6EspAndNoNextHeaderEndTheChain) {
  Decoded esp = Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 0, Ipv6Ext(50, Filler(40)))));
  ExpectClean(esp);
  EXPECT_EQ(esp.pkt.ip_proto, 50);
  EXPECT_FALSE(esp.pkt.has_ports);
  EXPECT_EQ(esp.pkt.payload_len, 40u);
  Decoded none = Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 59, {})));
  ExpectClean(none);
  EXPECT_EQ(none.pkt.ip_proto, 59);
}

TEST(DecodeFrame, Ipv6TooManyExtensions) {
  Bytes inner = Udp(1, 2);
  uint8_t next = kIpProtoUdp;
  for (int i = 0; i < 9; ++i) {
    inner = Ipv6Ext(next, inner);
    next = 60;
  }
  ExpectOnly(Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 60, inner))), DecodeStatus::kMalformed,
             Anomaly::kIpv6TooManyExtensions);
}

TEST(DecodeFrame, Ipv6ExtensionTruncated) {
  // Destination options claiming 16 bytes in an 8-byte payload.
  Bytes ext = {kIpProtoUdp, 1, 1, 4, 0, 0, 0, 0};
  ExpectOnly(Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 60, ext))), DecodeStatus::kMalformed,
             Anomaly::kIpv6ExtensionTruncated);
  ExpectOnly(Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 44, Bytes{17, 0, 0}))),
             DecodeStatus::kMalformed, Anomaly::kIpv6ExtensionTruncated);
}

TEST(DecodeFrame, Ipv6Malformed) {
  Bytes ip = V6Udp();
  Bytes bad_version = ip;
  bad_version[0] = 0x40;
  ExpectOnly(Decode(Ethernet(0x86dd, bad_version)), DecodeStatus::kMalformed,
             Anomaly::kIpv6BadVersion);
  ExpectOnly(Decode(Ethernet(0x86dd, Bytes(ip.begin(), ip.begin() + 39))),
             DecodeStatus::kMalformed, Anomaly::kIpv6Truncated);
  ExpectOnly(Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 0, Filler(16), 0))),
             DecodeStatus::kUnsupported, Anomaly::kIpv6Jumbogram);
  Decoded cut = Decode(Ethernet(0x86dd, Ipv6("::1", "::2", kIpProtoUdp, Udp(1, 2), 500)));
  ExpectOnly(cut, DecodeStatus::kOk, Anomaly::kIpv6CapturedLessThanPayload);
  EXPECT_EQ(cut.pkt.ip_len, 540u);
}

TEST(DecodeFrame, Ipv6Fragments) {
  Decoded first = Decode(Ethernet(
      0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 44,
                   Ipv6Frag(kIpProtoUdp, 0, true, 0xdeadbeef, Udp(4000, 4500, Filler(32))))));
  ExpectOnly(first, DecodeStatus::kOk, Anomaly::kIpv6Fragment);
  EXPECT_TRUE(first.pkt.is_first_fragment);
  EXPECT_EQ(first.pkt.ip_id, 0xdeadbeefu);
  EXPECT_EQ(first.pkt.dport, 4500);

  Decoded later = Decode(Ethernet(
      0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 0,
                   Ipv6Ext(44, Ipv6Frag(kIpProtoUdp, 5, false, 0xdeadbeef, Filler(24))))));
  ExpectOnly(later, DecodeStatus::kOk, Anomaly::kIpv6Fragment);
  EXPECT_TRUE(later.pkt.is_fragment);
  EXPECT_FALSE(later.pkt.is_first_fragment);
  EXPECT_FALSE(later.pkt.has_ports);
  EXPECT_EQ(later.pkt.ip_proto, kIpProtoUdp);
  EXPECT_EQ(later.pkt.payload_len, 24u);

  // Atomic fragment (offset 0, no M): a whole datagram.
  Decoded atomic = Decode(Ethernet(
      0x86dd, Ipv6("::1", "::2", 44, Ipv6Frag(kIpProtoTcp, 0, false, 1, Tcp(1, 2, kTcpAck)))));
  ExpectClean(atomic);
  EXPECT_FALSE(atomic.pkt.is_fragment);
  EXPECT_EQ(atomic.pkt.dport, 2);
}

// ---------------------------------------------------------------- transport

TEST(DecodeFrame, TcpOptionsAndPayload) {
  Bytes options = {0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02};  // MSS, NOP, NOP, SACK-ok
  Bytes frame = Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(1, 2, kTcpSyn, Filler(6), 1, 0, options)));
  Decoded d = Decode(frame);
  ExpectClean(d);
  EXPECT_EQ(d.pkt.payload_len, 6u);
  EXPECT_EQ(d.pkt.payload, frame.data() + 14 + 20 + 28);
}

TEST(DecodeFrame, TcpMalformed) {
  Bytes tcp = Tcp(1, 2, kTcpAck, Filler(8));
  Bytes small_offset = tcp;
  small_offset[12] = 0x40;
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 6, small_offset))), DecodeStatus::kMalformed,
             Anomaly::kTcpBadDataOffset);
  Bytes big_offset = tcp;
  big_offset[12] = 0xf0;  // 60 bytes of header in a 28-byte segment
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 6, big_offset))), DecodeStatus::kMalformed,
             Anomaly::kTcpBadDataOffset);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 6, Bytes(tcp.begin(), tcp.begin() + 19)))),
             DecodeStatus::kMalformed, Anomaly::kTcpTruncated);
  // Data offset 32 in a snapped frame that ends after 24 header bytes.
  Bytes cut = Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(1, 2, kTcpAck, {}, 1, 0, Filler(12, 1))));
  const uint32_t wire = static_cast<uint32_t>(cut.size());
  cut.resize(14 + 20 + 24);
  Decoded d = Decode(cut, LinkType::kEthernet, wire);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_EQ(d.anomalies.Get(Anomaly::kTcpTruncated), 1u);
}

TEST(DecodeFrame, TcpOddFlagsAreCountedButDecoded) {
  Decoded synfin = Decode(Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(1, 2, kTcpSyn | kTcpFin))));
  ExpectOnly(synfin, DecodeStatus::kOk, Anomaly::kTcpBadFlags);
  EXPECT_EQ(synfin.pkt.tcp_flags, kTcpSyn | kTcpFin);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 6, Tcp(1, 2, 0)))), DecodeStatus::kOk,
             Anomaly::kTcpBadFlags);
}

TEST(DecodeFrame, UdpMalformed) {
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, Bytes{0, 1, 0, 2, 0}))),
             DecodeStatus::kMalformed, Anomaly::kUdpTruncated);
  Bytes short_len = Udp(1, 2, Filler(4));
  short_len[5] = 7;
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, short_len))), DecodeStatus::kMalformed,
             Anomaly::kUdpBadLength);
  Bytes long_len = Udp(1, 2, Filler(4));
  long_len[5] = 200;
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, long_len))), DecodeStatus::kMalformed,
             Anomaly::kUdpBadLength);
}

TEST(DecodeFrame, IcmpTypeAndCodeAsPorts) {
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoIcmp, Icmp(3, 13, Filler(28)))));
  ExpectClean(d);
  EXPECT_TRUE(d.pkt.has_ports);
  EXPECT_EQ(d.pkt.sport, 3);
  EXPECT_EQ(d.pkt.dport, 13);
  EXPECT_EQ(d.pkt.payload_len, 28u);
  Decoded v6 = Decode(Ethernet(0x86dd, Ipv6("::1", "::2", kIpProtoIcmpv6, Icmp(128, 0))));
  ExpectClean(v6);
  EXPECT_EQ(v6.pkt.sport, 128);
  EXPECT_EQ(v6.pkt.dport, 0);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoIcmp, Bytes{8, 0, 0}))),
             DecodeStatus::kMalformed, Anomaly::kIcmpTruncated);
  ExpectOnly(Decode(Ethernet(0x86dd, Ipv6("::1", "::2", kIpProtoIcmpv6, Bytes{128, 0}))),
             DecodeStatus::kMalformed, Anomaly::kIcmpv6Truncated);
}

TEST(DecodeFrame, UnknownProtocolStillDecodes) {
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, 253, Filler(20))));
  ExpectOnly(d, DecodeStatus::kOk, Anomaly::kUnknownIpProtocol);
  EXPECT_EQ(d.pkt.ip_proto, 253);
  EXPECT_FALSE(d.pkt.has_ports);
  EXPECT_EQ(d.pkt.payload_len, 20u);
  Decoded ospf = Decode(Ethernet(0x0800, Ipv4(kA, kB, 89, Filler(20))));
  ExpectClean(ospf);
  EXPECT_EQ(ospf.pkt.ip_proto, 89);
}

// ---------------------------------------------------------------- tunnels

TEST(DecodeFrame, GreWithKey) {
  Decoded d = Decode(
      Ethernet(0x0800, Ipv4(kA, kB, kIpProtoGre, Gre(0x0800, InnerV4Tcp(), 7)), {{0x8100, 10}}));
  ExpectInnerV4Tcp(d, 1);
  EXPECT_EQ(d.pkt.vlan, 10);
  EXPECT_EQ(d.pkt.wire_len, 14u + 4 + 20 + 8 + 47);
}

TEST(DecodeFrame, GreChecksumSequenceIpv6AndBridging) {
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x86dd, V6Udp(), 1, 2, true))));
  ExpectClean(d);
  EXPECT_EQ(d.pkt.ip_version, 6);
  EXPECT_EQ(d.pkt.dport, 53);
  EXPECT_EQ(d.pkt.tunnel_depth, 1);
  Decoded teb = Decode(Ethernet(
      0x86dd, Ipv6("::1", "::2", 47, Gre(0x6558, Ethernet(0x0800, InnerV4Tcp(), {{0x8100, 99}})))));
  ExpectInnerV4Tcp(teb, 1);
  EXPECT_EQ(teb.pkt.vlan, 0);  // only the outer frame's VLAN is reported
}

TEST(DecodeFrame, GreErspan) {
  Bytes erspan2 = {0x10, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};  // version 1, vlan 100
  Decoded d2 = Decode(Ethernet(
      0x0800, Ipv4(kA, kB, 47, Gre(0x88be, Cat({erspan2, Ethernet(0x0800, InnerV4Tcp())}), {}, 9))));
  ExpectInnerV4Tcp(d2, 1);
  Bytes erspan3(12, 0);
  erspan3[0] = 0x20;
  Decoded d3 = Decode(Ethernet(
      0x0800, Ipv4(kA, kB, 47, Gre(0x22eb, Cat({erspan3, Ethernet(0x0800, InnerV4Tcp())}), {}, 9))));
  ExpectInnerV4Tcp(d3, 1);
  Bytes wrong = erspan2;
  wrong[0] = 0x30;
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x88be, Cat({wrong, Filler(20)}), {}, 9)))),
             DecodeStatus::kUnsupported, Anomaly::kErspanUnsupportedVersion);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x88be, Bytes{0x10, 0}, {}, 9)))),
             DecodeStatus::kMalformed, Anomaly::kErspanTruncated);
}

TEST(DecodeFrame, PptpEnhancedGre) {
  // K, S and A set; key = payload length + call id; then PPP ff 03 0021 and IPv4.
  Bytes header = {0x30, 0x81, 0x88, 0x0b, 0x00, 0x31, 0x00, 0x8c,
                  0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0x03, 0x00, 0x21};
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Cat({header, InnerV4Tcp()}))));
  ExpectInnerV4Tcp(d, 1);
  // Compressed address/control and protocol fields.
  Bytes compressed = {0x30, 0x01, 0x88, 0x0b, 0x00, 0x31, 0x00, 0x8c, 0, 0, 0, 1, 0x21};
  ExpectInnerV4Tcp(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Cat({compressed, InnerV4Tcp()})))), 1);
  Bytes ack_only = {0x20, 0x81, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x8c, 0, 0, 0, 1};
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, ack_only))), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  Bytes mppe = {0x30, 0x01, 0x88, 0x0b, 0x00, 0x31, 0x00, 0x8c, 0, 0, 0, 1, 0x00, 0xfd, 1, 2};
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, mppe))), DecodeStatus::kUnsupported,
             Anomaly::kGreUnsupportedProtocol);
  Bytes cut = {0x30, 0x01, 0x88, 0x0b, 0x00, 0x31, 0x00, 0x8c, 0, 0};
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, cut))), DecodeStatus::kMalformed,
             Anomaly::kGreTruncated);
}

TEST(DecodeFrame, GreMalformedAndUnsupported) {
  Bytes version2 = {0x20, 0x02, 0x88, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0};
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, version2))), DecodeStatus::kUnsupported,
             Anomaly::kGreUnsupportedVersion);
  Bytes pptp_no_key = {0x10, 0x01, 0x88, 0x0b, 0, 0, 0, 0};
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, pptp_no_key))), DecodeStatus::kUnsupported,
             Anomaly::kGreUnsupportedVersion);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x880b, Filler(10))))),
             DecodeStatus::kUnsupported, Anomaly::kGreUnsupportedProtocol);
  Bytes no_key = {0x20, 0x00, 0x08, 0x00, 0x00};  // K set, key cut
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, no_key))), DecodeStatus::kMalformed,
             Anomaly::kGreTruncated);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Bytes{0x00, 0x00}))),
             DecodeStatus::kMalformed, Anomaly::kGreTruncated);
  Bytes routing = {0x40, 0x00, 0x08, 0x00, 0, 0, 0, 0};
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, routing))), DecodeStatus::kUnsupported,
             Anomaly::kGreSourceRouting);
  // Inner header broken: the inner layer's anomaly is counted.
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x0800, Filler(10))))),
             DecodeStatus::kMalformed, Anomaly::kIpv4Truncated);
}

TEST(DecodeFrame, Vxlan) {
  Bytes inner = Ethernet(0x0800, InnerV4Tcp(), {{0x8100, 300}});
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(49152, 4789, Vxlan(5000, inner))),
                              {{0x8100, 12}}));
  ExpectInnerV4Tcp(d, 1);
  EXPECT_EQ(d.pkt.vlan, 12);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(1, 4789, Bytes{0x08, 0, 0, 0})))),
             DecodeStatus::kMalformed, Anomaly::kVxlanTruncated);
  // Without the I flag it is plain UDP to port 4789.
  Decoded plain = Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(1, 4789, Filler(20, 0)))));
  ExpectClean(plain);
  EXPECT_EQ(plain.pkt.dport, 4789);
  EXPECT_EQ(plain.pkt.tunnel_depth, 0);
  // VXLAN with a broken inner frame.
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(1, 4789, Vxlan(1, Filler(6)))))),
             DecodeStatus::kMalformed, Anomaly::kEthernetTruncated);
}

TEST(DecodeFrame, IpInIp) {
  ExpectInnerV4Tcp(Decode(Ethernet(0x0800, Ipv4(kA, kB, 4, InnerV4Tcp()))), 1);
  ExpectInnerV4Tcp(Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 4, InnerV4Tcp()))), 1);
  Decoded six_in_four = Decode(Ethernet(0x0800, Ipv4(kA, kB, 41, V6Udp())));
  ExpectClean(six_in_four);
  EXPECT_EQ(six_in_four.pkt.ip_version, 6);
  EXPECT_EQ(six_in_four.pkt.dport, 53);
  EXPECT_EQ(six_in_four.pkt.tunnel_depth, 1);
  Decoded six_in_six = Decode(Ethernet(0x86dd, Ipv6("::1", "::2", 41, V6Udp())));
  ExpectClean(six_in_six);
  EXPECT_EQ(six_in_six.pkt.src, *IpAddress::Parse("2001:db8::1"));
  // Three layers are allowed (the limit), four are not.
  ExpectInnerV4Tcp(Decode(Ethernet(0x0800, Ipv4(kA, kB, 4, Ipv4(kA, kB, 4, Ipv4(kA, kB, 4,
                                                                            InnerV4Tcp()))))),
                   3);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 4, Ipv4(kA, kB, 4, Ipv4(kA, kB, 4, Ipv4(
                                                                          kA, kB, 4, InnerV4Tcp())))))),
             DecodeStatus::kMalformed, Anomaly::kTunnelTooDeep);
  ExpectOnly(Decode(Ethernet(0x0800, Ipv4(kA, kB, 41, Filler(10, 0x60)))),
             DecodeStatus::kMalformed, Anomaly::kIpv6Truncated);
}

TEST(DecodeFrame, FragmentedTunnelIsReportedAsOuterFlow) {
  Ipv4Options first;
  first.more_fragments = true;
  Decoded d = Decode(Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x0800, InnerV4Tcp()), first)));
  ExpectOnly(d, DecodeStatus::kOk, Anomaly::kIpv4Fragment);
  EXPECT_EQ(d.pkt.src, IpAddress::FromV4(kA));
  EXPECT_EQ(d.pkt.ip_proto, kIpProtoGre);
  EXPECT_EQ(d.pkt.tunnel_depth, 0);
}

// ---------------------------------------------------------------- link types

TEST(DecodeFrame, LinuxCooked) {
  Decoded v1 = Decode(Sll(0x0800, V4Tcp()), LinkType::kLinuxSll);
  ExpectClean(v1);
  EXPECT_EQ(v1.pkt.dport, 80);
  Decoded v2 = Decode(Sll2(0x86dd, V6Udp()), LinkType::kLinuxSll2);
  ExpectClean(v2);
  EXPECT_EQ(v2.pkt.dport, 53);
  Decoded vlan = Decode(Sll(0x8100, Cat({Bytes{0x00, 0x05, 0x08, 0x00}, V4Tcp()})),
                        LinkType::kLinuxSll);
  ExpectClean(vlan);
  EXPECT_EQ(vlan.pkt.vlan, 5);
  ExpectOnly(Decode(Sll(0x0004, Filler(10)), LinkType::kLinuxSll), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  ExpectOnly(Decode(Sll(0x0800, Filler(10), 824), LinkType::kLinuxSll), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  ExpectOnly(Decode(Filler(15), LinkType::kLinuxSll), DecodeStatus::kMalformed,
             Anomaly::kSllTruncated);
  ExpectOnly(Decode(Filler(19), LinkType::kLinuxSll2), DecodeStatus::kMalformed,
             Anomaly::kSll2Truncated);
}

TEST(DecodeFrame, NullAndLoop) {
  ExpectClean(Decode(NullHeader(2, V4Tcp()), LinkType::kNull));
  // A big-endian capturing host writes the family in its own order.
  Decoded be_host = Decode(NullHeader(30, V6Udp(), /*network_order=*/true), LinkType::kNull);
  ExpectClean(be_host);
  EXPECT_EQ(be_host.pkt.ip_version, 6);
  ExpectClean(Decode(NullHeader(28, V6Udp()), LinkType::kNull));
  ExpectClean(Decode(NullHeader(24, V6Udp(), true), LinkType::kLoop));
  ExpectClean(Decode(NullHeader(2, V4Tcp(), true), LinkType::kLoop));
  ExpectOnly(Decode(NullHeader(7, Filler(20)), LinkType::kNull), DecodeStatus::kUnsupported,
             Anomaly::kNullUnknownFamily);
  ExpectOnly(Decode(Filler(3), LinkType::kLoop), DecodeStatus::kMalformed,
             Anomaly::kNullTruncated);
}

TEST(DecodeFrame, RawIp) {
  ExpectClean(Decode(V4Tcp(), LinkType::kRaw));
  ExpectClean(Decode(V6Udp(), LinkType::kRaw));
  ExpectClean(Decode(V6Udp(), LinkType::kRawAlt));
  ExpectClean(Decode(V4Tcp(), LinkType::kIpv4));
  ExpectClean(Decode(V6Udp(), LinkType::kIpv6));
  ExpectOnly(Decode(V6Udp(), LinkType::kIpv4), DecodeStatus::kMalformed, Anomaly::kIpv4BadVersion);
  ExpectOnly(Decode(Filler(30), LinkType::kRaw), DecodeStatus::kMalformed,
             Anomaly::kRawIpBadVersion);
  ExpectOnly(Decode({}, LinkType::kRaw), DecodeStatus::kMalformed, Anomaly::kRawIpBadVersion);
}

TEST(DecodeFrame, UnsupportedLinkType) {
  ExpectOnly(Decode(V4Tcp(), static_cast<LinkType>(127)), DecodeStatus::kUnsupported,
             Anomaly::kCaptureUnsupportedLinktype);
}

TEST(DecodeFrame, EveryPrefixOfAFrameIsSafe) {
  // Each truncation of a deep frame must return a status without reading out of bounds
  // (ASan builds check the reads) and count at least one anomaly; only cuts inside the
  // inner TCP payload (the last 7 bytes) still decode.
  Bytes inner = Ethernet(0x0800, InnerV4Tcp());
  Bytes frame = Ethernet(
      0x8847, Mpls({1, 2}, Ipv4(kA, kB, 17, Udp(1, 4789, Vxlan(3, inner)))), {{0x88a8, 1}});
  for (size_t n = 0; n < frame.size(); ++n) {
    Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
    Decoded d = Decode(cut);
    if (n < frame.size() - 7) {
      EXPECT_NE(d.status, DecodeStatus::kOk) << n;
    }
    EXPECT_GE(d.anomalies.Total(), 1u) << n;
  }
  ExpectInnerV4Tcp(Decode(frame), 1);
}

Bytes OuterUdp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  return Ethernet(0x0800, Ipv4(kA, kB, kIpProtoUdp, Udp(sport, dport, payload)),
                  {{0x8100, 20}, {0x8100, 21}});
}

void ExpectOuterUdp(const Decoded& d, uint16_t dport) {
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.pkt.src, IpAddress::FromV4(kA));
  EXPECT_EQ(d.pkt.dport, dport);
  EXPECT_EQ(d.pkt.ip_proto, kIpProtoUdp);
  EXPECT_EQ(d.pkt.tunnel_depth, 0);
}

TEST(DecodeFrame, GtpuIpv4AndIpv6) {
  ExpectInnerV4Tcp(Decode(OuterUdp(2152, 2152, Gtpu(InnerV4Tcp()))), 1);
  // Either port is enough; sequence number and a chain of two extension headers.
  ExpectInnerV4Tcp(Decode(OuterUdp(40000, 2152, Gtpu(InnerV4Tcp(), 0xff, 7))), 1);
  ExpectInnerV4Tcp(
      Decode(OuterUdp(2152, 40000, Gtpu(InnerV4Tcp(), 0xff, {}, {Bytes(2, 0), Bytes(6, 1)}))), 1);
  Decoded v6 = Decode(OuterUdp(2152, 2152, Gtpu(V6Udp(), 0xff, 1, {Bytes(2, 0)})));
  ExpectClean(v6);
  EXPECT_EQ(v6.pkt.ip_version, 6);
  EXPECT_EQ(v6.pkt.src, *IpAddress::Parse("2001:db8::1"));
  EXPECT_EQ(v6.pkt.dport, 53);
  EXPECT_EQ(v6.pkt.tunnel_depth, 1);
  EXPECT_EQ(v6.pkt.vlan, 21);
}

TEST(DecodeFrame, GtpuSignallingAndNonIpStayOuterUdp) {
  // Echo request (type 1): the outer flow, nothing counted.
  Decoded echo = Decode(OuterUdp(2152, 2152, Gtpu({}, 1, 5)));
  ExpectClean(echo);
  ExpectOuterUdp(echo, 2152);
  // A G-PDU whose payload is not IP: the outer flow, counted.
  Decoded other = Decode(OuterUdp(2152, 2152, Gtpu(Filler(30, 0x11))));
  ExpectOuterUdp(other, 2152);
  EXPECT_EQ(other.anomalies.Get(Anomaly::kGtpUnsupportedPayload), 1u);
  // GTPv2-C or GTP' on the GTP-U port: not decoded, counted.
  Bytes v2 = Gtpu(InnerV4Tcp());
  v2[0] = 0x48;
  Decoded version = Decode(OuterUdp(2152, 2152, v2));
  ExpectOuterUdp(version, 2152);
  EXPECT_EQ(version.anomalies.Get(Anomaly::kGtpUnsupportedVersion), 1u);
  // The plain UDP fallback keeps the payload of the datagram.
  EXPECT_EQ(version.pkt.payload_caplen, v2.size());
}

TEST(DecodeFrame, GtpuMalformed) {
  ExpectOnly(Decode(OuterUdp(2152, 2152, Bytes{0x30, 0xff, 0, 0})), DecodeStatus::kMalformed,
             Anomaly::kGtpTruncated);
  // E flag set but the optional word is missing.
  ExpectOnly(Decode(OuterUdp(2152, 2152, Bytes{0x34, 0xff, 0, 0, 1, 2, 3, 4})),
             DecodeStatus::kMalformed, Anomaly::kGtpTruncated);
  // An extension header of length 0 would never end; one longer than the packet is cut.
  Bytes zero_ext = Gtpu(InnerV4Tcp(), 0xff, {}, {Bytes(2, 0)});
  zero_ext[12] = 0;
  ExpectOnly(Decode(OuterUdp(2152, 2152, zero_ext)), DecodeStatus::kMalformed,
             Anomaly::kGtpTruncated);
  Bytes long_ext = Gtpu({}, 0xff, {}, {Bytes(2, 0)});
  long_ext[12] = 9;
  ExpectOnly(Decode(OuterUdp(2152, 2152, long_ext)), DecodeStatus::kMalformed,
             Anomaly::kGtpTruncated);
  // A G-PDU with no payload at all.
  ExpectOnly(Decode(OuterUdp(2152, 2152, Gtpu({}))), DecodeStatus::kMalformed,
             Anomaly::kGtpTruncated);
  // A broken inner packet is the inner layer's anomaly.
  ExpectOnly(Decode(OuterUdp(2152, 2152, Gtpu(Filler(10, 0x45)))), DecodeStatus::kMalformed,
             Anomaly::kIpv4Truncated);
  // A fragmented outer datagram is reported as the outer flow (no decapsulation).
  Ipv4Options first;
  first.more_fragments = true;
  Decoded frag =
      Decode(Ethernet(0x0800, Ipv4(kA, kB, kIpProtoUdp, Udp(2152, 2152, Gtpu(InnerV4Tcp())), first)));
  EXPECT_EQ(frag.status, DecodeStatus::kOk);
  EXPECT_EQ(frag.pkt.tunnel_depth, 0);
}

TEST(DecodeFrame, PppLinkType) {
  for (LinkType lt : {LinkType::kPpp, LinkType::kPppSerial}) {
    Decoded d = Decode(PppFrame(0x0021, V4Tcp()), lt);
    ExpectClean(d);
    EXPECT_EQ(d.pkt.dport, 80);
    EXPECT_EQ(d.pkt.src, IpAddress::FromV4(kA));
    // Without address and control bytes, and with a compressed protocol field.
    Decoded bare = Decode(PppFrame(0x0057, V6Udp(), /*address_control=*/false), lt);
    ExpectClean(bare);
    EXPECT_EQ(bare.pkt.dport, 53);
    Decoded compressed = Decode(Cat({{0x21}, V4Tcp()}), lt);
    ExpectClean(compressed);
    EXPECT_EQ(compressed.pkt.sport, 1234);
    // MPLS over PPP.
    ExpectClean(Decode(PppFrame(0x0281, Mpls({16}, V4Tcp())), lt));
    // LCP is not IP; an unknown network protocol is unsupported.
    ExpectOnly(Decode(PppFrame(0xc021, Filler(8)), lt), DecodeStatus::kNotIp,
               Anomaly::kNonIpPacket);
    ExpectOnly(Decode(PppFrame(0x002b, Filler(8)), lt), DecodeStatus::kUnsupported,
               Anomaly::kPppUnsupportedProtocol);
    ExpectOnly(Decode(Bytes{0xff}, lt), DecodeStatus::kMalformed, Anomaly::kPppTruncated);
    ExpectOnly(Decode(Bytes{0xff, 0x03}, lt), DecodeStatus::kMalformed, Anomaly::kPppTruncated);
    ExpectOnly(Decode(Bytes{0xff, 0x03, 0x00}, lt), DecodeStatus::kMalformed,
               Anomaly::kPppTruncated);
    ExpectOnly(Decode(PppFrame(0x0021, Filler(5, 0x45)), lt), DecodeStatus::kMalformed,
               Anomaly::kIpv4Truncated);
    // Cisco HDLC frames in a PPP capture (what Cisco routers write).
    Decoded chdlc = Decode(Chdlc(0x0800, V4Tcp()), lt);
    ExpectClean(chdlc);
    EXPECT_EQ(chdlc.pkt.dport, 80);
  }
}

TEST(DecodeFrame, CiscoHdlc) {
  Decoded d = Decode(Chdlc(0x0800, V4Tcp()), LinkType::kCiscoHdlc);
  ExpectClean(d);
  EXPECT_EQ(d.pkt.dport, 80);
  Decoded v6 = Decode(Chdlc(0x86dd, V6Udp()), LinkType::kCiscoHdlc);
  ExpectClean(v6);
  EXPECT_EQ(v6.pkt.ip_version, 6);
  ExpectClean(Decode(Chdlc(0x8847, Mpls({16, 17}, V4Tcp())), LinkType::kCiscoHdlc));
  // SLARP (0x8035) and CDP (0x2000) are not IP.
  ExpectOnly(Decode(Chdlc(0x8035, Filler(20)), LinkType::kCiscoHdlc), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  ExpectOnly(Decode(Chdlc(0x2000, Filler(20)), LinkType::kCiscoHdlc), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  ExpectOnly(Decode(Bytes{0x0f, 0x00, 0x08}, LinkType::kCiscoHdlc), DecodeStatus::kMalformed,
             Anomaly::kChdlcTruncated);
}

TEST(DecodeFrame, PpiEthernetAndWlan) {
  Decoded eth = Decode(Ppi(1, Ethernet(0x0800, V4Tcp())), LinkType::kPpi);
  ExpectClean(eth);
  EXPECT_EQ(eth.pkt.dport, 80);
  Decoded no_fields = Decode(Ppi(1, Ethernet(0x86dd, V6Udp()), 0), LinkType::kPpi);
  ExpectClean(no_fields);
  EXPECT_EQ(no_fields.pkt.dport, 53);
  Decoded wlan = Decode(Ppi(105, WlanData(0x0800, V4Tcp())), LinkType::kPpi);
  ExpectClean(wlan);
  EXPECT_EQ(wlan.pkt.dport, 80);
  Decoded qos = Decode(Ppi(105, WlanData(0x86dd, V6Udp(), /*qos=*/true)), LinkType::kPpi);
  ExpectClean(qos);
  EXPECT_EQ(qos.pkt.dport, 53);
  // Radiotap inside PPI is not decoded.
  ExpectOnly(Decode(Ppi(127, Filler(40)), LinkType::kPpi), DecodeStatus::kUnsupported,
             Anomaly::kPpiUnsupportedDlt);
  ExpectOnly(Decode(Bytes{0, 0, 8, 0, 1, 0, 0}, LinkType::kPpi), DecodeStatus::kMalformed,
             Anomaly::kPpiTruncated);
  // Header length below 8, and beyond the frame.
  ExpectOnly(Decode(Bytes{0, 0, 4, 0, 1, 0, 0, 0, 1, 2, 3}, LinkType::kPpi),
             DecodeStatus::kMalformed, Anomaly::kPpiTruncated);
  ExpectOnly(Decode(Bytes{0, 0, 200, 0, 1, 0, 0, 0, 1, 2, 3}, LinkType::kPpi),
             DecodeStatus::kMalformed, Anomaly::kPpiTruncated);
  ExpectOnly(Decode(Ppi(1, Filler(5)), LinkType::kPpi), DecodeStatus::kMalformed,
             Anomaly::kEthernetTruncated);
}

TEST(DecodeFrame, Ieee80211) {
  ExpectClean(Decode(WlanData(0x0800, V4Tcp()), LinkType::kIeee80211));
  // Protected (encrypted) data and A-MSDU are unsupported; management and ARP are not IP.
  ExpectOnly(Decode(WlanData(0x0800, V4Tcp(), false, false, 0x40), LinkType::kIeee80211),
             DecodeStatus::kUnsupported, Anomaly::kIeee80211Unsupported);
  Bytes amsdu = WlanData(0x0800, V4Tcp(), /*qos=*/true);
  amsdu[24] = 0x80;
  ExpectOnly(Decode(amsdu, LinkType::kIeee80211), DecodeStatus::kUnsupported,
             Anomaly::kIeee80211Unsupported);
  Bytes beacon = WlanData(0x0800, V4Tcp());
  beacon[0] = 0x80;
  ExpectOnly(Decode(beacon, LinkType::kIeee80211), DecodeStatus::kNotIp, Anomaly::kNonIpPacket);
  ExpectOnly(Decode(WlanData(0x0806, Filler(28)), LinkType::kIeee80211), DecodeStatus::kNotIp,
             Anomaly::kNonIpPacket);
  // Four addresses (WDS): address 4 is skipped.
  Bytes wds = WlanData(0x0800, V4Tcp(), false, false, 0x02);
  wds.insert(wds.begin() + 24, 6, 0x11);
  ExpectClean(Decode(wds, LinkType::kIeee80211));
  // Not LLC/SNAP, and truncations.
  Bytes raw_llc = WlanData(0x0800, V4Tcp());
  raw_llc[24] = 0x42;
  ExpectOnly(Decode(raw_llc, LinkType::kIeee80211), DecodeStatus::kNotIp, Anomaly::kNonIpPacket);
  Bytes frame = WlanData(0x0800, {});
  for (size_t n = 0; n < frame.size(); ++n) {
    Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
    ExpectOnly(Decode(cut, LinkType::kIeee80211), DecodeStatus::kMalformed,
               Anomaly::kIeee80211Truncated);
  }
}

TEST(DecodeFrame, CapwapData) {
  ExpectInnerV4Tcp(Decode(OuterUdp(5246, 5247, CapwapData(WlanData(0x0800, InnerV4Tcp())))), 1);
  // Cisco access points swap the frame control bytes; QoS data; either port.
  ExpectInnerV4Tcp(
      Decode(OuterUdp(5247, 40000, CapwapData(WlanData(0x0800, InnerV4Tcp(), true, true)))), 1);
  ExpectInnerV4Tcp(
      Decode(OuterUdp(5247, 5247, CapwapData(Ethernet(0x0800, InnerV4Tcp()), /*native=*/false))),
      1);
  // Keep-alive, fragment, DTLS and 802.11 frames without IP stay the outer UDP flow.
  Decoded keepalive = Decode(OuterUdp(5247, 5247, CapwapData({}, true, 0x08)));
  ExpectClean(keepalive);
  ExpectOuterUdp(keepalive, 5247);
  Decoded fragment = Decode(OuterUdp(5247, 5247, CapwapData(Filler(30), true, 0x80)));
  ExpectOuterUdp(fragment, 5247);
  EXPECT_EQ(fragment.anomalies.Get(Anomaly::kCapwapUnsupported), 1u);
  Bytes dtls = CapwapData(Filler(30));
  dtls[0] = 0x01;
  ExpectOuterUdp(Decode(OuterUdp(5247, 5247, dtls)), 5247);
  Bytes mgmt = WlanData(0x0800, InnerV4Tcp());
  mgmt[0] = 0x40;  // probe request
  Decoded probe = Decode(OuterUdp(5247, 5247, CapwapData(mgmt)));
  ExpectClean(probe);
  ExpectOuterUdp(probe, 5247);
  EXPECT_EQ(probe.pkt.payload_caplen, 8 + mgmt.size());
  // Malformed.
  ExpectOnly(Decode(OuterUdp(5247, 5247, Bytes{0, 0x10, 3})), DecodeStatus::kMalformed,
             Anomaly::kCapwapTruncated);
  ExpectOnly(Decode(OuterUdp(5247, 5247, Bytes{0, 0x08, 3, 0, 0, 0, 0, 0})),
             DecodeStatus::kMalformed, Anomaly::kCapwapTruncated);  // HLEN 1 < 2
  ExpectOnly(Decode(OuterUdp(5247, 5247, Bytes{0, 0x80, 3, 0, 0, 0, 0, 0})),
             DecodeStatus::kMalformed, Anomaly::kCapwapTruncated);  // HLEN beyond the data
  ExpectOnly(Decode(OuterUdp(5247, 5247, CapwapData(WlanData(0x0800, Filler(4, 0x45))))),
             DecodeStatus::kMalformed, Anomaly::kIpv4Truncated);
}

TEST(DecodeFrame, VxlanWithoutIFlagKeepsUdpPayload) {
  Decoded plain = Decode(Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(1, 4789, Filler(20, 0)))));
  ExpectClean(plain);
  EXPECT_EQ(plain.pkt.payload_len, 20u);
  EXPECT_EQ(plain.pkt.payload_caplen, 20u);
}

// DecodeFrame has a fast path for Ethernet -> IPv4/IPv6 -> TCP/UDP; Linux cooked capture takes
// the general decoder. The same IP packet must decode to the same PacketInfo and anomalies.
TEST(DecodeFrame, FastPathMatchesGeneralDecoder) {
  Ipv4Options first;
  first.more_fragments = true;
  Ipv4Options zero_len;
  zero_len.total_length = 0;
  Ipv4Options long_len;
  long_len.total_length = 200;
  Bytes bad_offset = Tcp(1, 2, kTcpAck);
  bad_offset[12] = 0xf0;
  const Bytes packets[] = {
      V4Tcp(),
      V4Tcp(1, 2, {}),
      Ipv4(kA, kB, kIpProtoTcp, Tcp(1, 2, kTcpFin, Filler(3), 7, 9, Filler(12, 1))),
      Ipv4(kA, kB, kIpProtoTcp, Tcp(1, 2, kTcpSyn | kTcpFin)),
      Ipv4(kA, kB, kIpProtoTcp, bad_offset),
      Ipv4(kA, kB, kIpProtoTcp, Filler(19)),
      Ipv4(kA, kB, kIpProtoUdp, Udp(53, 5353, Filler(30))),
      Ipv4(kA, kB, kIpProtoUdp, Udp(53, 5353)),
      Ipv4(kA, kB, kIpProtoUdp, Udp(2152, 2152, Gtpu(InnerV4Tcp()))),
      Ipv4(kA, kB, kIpProtoUdp, Udp(1, 2, Filler(8)), first),
      Ipv4(kA, kB, kIpProtoTcp, Tcp(1, 2, kTcpAck), zero_len),
      Ipv4(kA, kB, kIpProtoTcp, Tcp(1, 2, kTcpAck), long_len),
      Ipv4(kA, kB, kIpProtoIcmp, Icmp(8, 0)),
      Cat({Ipv4(kA, kB, kIpProtoUdp, Udp(1, 2, Filler(4))), Filler(20)}),  // padding
      V6Udp(),
      Ipv6("::1", "::2", kIpProtoTcp, Tcp(443, 50000, kTcpAck | kTcpPsh, Filler(100), 1, 2)),
      Ipv6("::1", "::2", kIpProtoTcp, Tcp(443, 50000, kTcpAck), 10),
      Ipv6("::1", "::2", kIpProtoUdp, Udp(1, 2, Filler(10)), 60),
      Ipv6("::1", "::2", 0, Ipv6Ext(kIpProtoUdp, Udp(1, 2))),
  };
  for (size_t i = 0; i < std::size(packets); ++i) {
    for (bool tagged : {false, true}) {
      SCOPED_TRACE(testing::Message() << "packet " << i << (tagged ? " tagged" : ""));
      const Bytes& ip = packets[i];
      const uint16_t type = (ip[0] >> 4) == 6 ? 0x86dd : 0x0800;
      const Bytes eth = tagged ? Ethernet(type, ip, {{0x8100, 77}}) : Ethernet(type, ip);
      const Bytes sll = tagged ? Sll(0x8100, Cat({Bytes{0, 77}, Bytes{static_cast<uint8_t>(type >> 8),
                                                                       static_cast<uint8_t>(type)},
                                                   ip}))
                               : Sll(type, ip);
      const Decoded fast = Decode(eth);
      const Decoded slow = Decode(sll, LinkType::kLinuxSll);
      ASSERT_EQ(fast.status, slow.status);
      for (size_t a = 0; a < kAnomalyCount; ++a) {
        EXPECT_EQ(fast.anomalies.Get(static_cast<Anomaly>(a)),
                  slow.anomalies.Get(static_cast<Anomaly>(a)))
            << AnomalyName(static_cast<Anomaly>(a));
      }
      if (fast.status != DecodeStatus::kOk) continue;
      const PacketInfo& f = fast.pkt;
      const PacketInfo& g = slow.pkt;
      EXPECT_EQ(f.ts, g.ts);
      EXPECT_EQ(f.src, g.src);
      EXPECT_EQ(f.dst, g.dst);
      EXPECT_EQ(f.sport, g.sport);
      EXPECT_EQ(f.dport, g.dport);
      EXPECT_EQ(f.ip_proto, g.ip_proto);
      EXPECT_EQ(f.ip_version, g.ip_version);
      EXPECT_EQ(f.tcp_flags, g.tcp_flags);
      EXPECT_EQ(f.tunnel_depth, g.tunnel_depth);
      EXPECT_EQ(f.vlan, g.vlan);
      EXPECT_EQ(f.vlan, tagged ? 77 : 0);
      EXPECT_EQ(f.has_ports, g.has_ports);
      EXPECT_EQ(f.is_fragment, g.is_fragment);
      EXPECT_EQ(f.is_first_fragment, g.is_first_fragment);
      EXPECT_EQ(f.ip_id, g.ip_id);
      EXPECT_EQ(f.wire_len, eth.size());
      EXPECT_EQ(f.ip_len, g.ip_len);
      EXPECT_EQ(f.payload_len, g.payload_len);
      EXPECT_EQ(f.tcp_seq, g.tcp_seq);
      EXPECT_EQ(f.tcp_ack, g.tcp_ack);
      EXPECT_EQ(f.payload_caplen, g.payload_caplen);
      // The payload starts at the same offset from the end of the frame.
      EXPECT_EQ(eth.data() + eth.size() - f.payload, sll.data() + sll.size() - g.payload);
    }
  }
}

TEST(DecodeStatusName, Names) {
  EXPECT_EQ(DecodeStatusName(DecodeStatus::kOk), "ok");
  EXPECT_EQ(DecodeStatusName(DecodeStatus::kNotIp), "not_ip");
  EXPECT_EQ(DecodeStatusName(DecodeStatus::kMalformed), "malformed");
  EXPECT_EQ(DecodeStatusName(DecodeStatus::kUnsupported), "unsupported");
}

}  // namespace
}  // namespace quench

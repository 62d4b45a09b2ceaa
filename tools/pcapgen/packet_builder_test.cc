#include "packet_builder.h"

#include <vector>

#include <gtest/gtest.h>

#include "checksum.h"

namespace pcapgen {
namespace {

using quench::IpAddress;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Verifies a TCP/UDP checksum by summing pseudo-header and segment (valid sums to zero).
uint16_t VerifyL4(const IpAddress& src, const IpAddress& dst, uint8_t proto, const uint8_t* seg, size_t len) {
  uint64_t acc = 0;
  if (src.is_v4()) {
    acc = ChecksumAdd(src.bytes().data() + 12, 4, acc);
    acc = ChecksumAdd(dst.bytes().data() + 12, 4, acc);
  } else {
    acc = ChecksumAdd(src.bytes().data(), 16, acc);
    acc = ChecksumAdd(dst.bytes().data(), 16, acc);
  }
  acc += proto;
  acc += len;
  return ChecksumFinish(ChecksumAdd(seg, len, acc));
}

class PacketBuilderTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> out_ = std::vector<uint8_t>(kMaxFrame);
  FrameSpec Tcp4() {
    FrameSpec f;
    f.src = *IpAddress::Parse("198.51.100.23");
    f.dst = *IpAddress::Parse("88.209.251.6");
    f.src_mac = MacFor(f.src);
    f.dst_mac = MacFor(f.dst);
    f.src_port = 50000;
    f.dst_port = 443;
    f.tcp_flags = kTcpAck | kTcpPsh;
    f.seq = 0x01020304;
    f.ack = 0xa0b0c0d0;
    f.ip_id = 77;
    return f;
  }
};

TEST_F(PacketBuilderTest, EthernetIpv4TcpHasValidChecksumsAndFields) {
  const uint8_t payload[] = {'h', 'e', 'l', 'l', 'o'};
  const size_t len = BuildFrame(Tcp4(), payload, sizeof(payload), out_.data());
  ASSERT_EQ(len, 14u + 20 + 20 + 5);
  EXPECT_EQ(Be16(out_.data() + 12), 0x0800);
  const uint8_t* ip = out_.data() + 14;
  EXPECT_EQ(ip[0], 0x45);
  EXPECT_EQ(Be16(ip + 2), 45);
  EXPECT_EQ(ip[9], 6);
  EXPECT_EQ(InternetChecksum(ip, 20), 0);
  const uint8_t* tcp = ip + 20;
  EXPECT_EQ(Be16(tcp), 50000);
  EXPECT_EQ(Be16(tcp + 2), 443);
  EXPECT_EQ(Be32(tcp + 4), 0x01020304u);
  EXPECT_EQ(Be32(tcp + 8), 0xa0b0c0d0u);
  EXPECT_EQ(tcp[13], kTcpAck | kTcpPsh);
  EXPECT_NE(Be16(tcp + 16), 0);
  EXPECT_EQ(VerifyL4(Tcp4().src, Tcp4().dst, 6, tcp, 25), 0);
  EXPECT_EQ(out_[len - 1], 'o');
}

TEST_F(PacketBuilderTest, Ipv6UdpChecksumCoversPseudoHeader) {
  FrameSpec f = Tcp4();
  f.src = *IpAddress::Parse("2001:db8:100::5");
  f.dst = *IpAddress::Parse("2001:db8:200::10");
  f.proto = Proto::kUdp;
  f.dst_port = 53;
  const uint8_t payload[] = {1, 2, 3};
  const size_t len = BuildFrame(f, payload, 3, out_.data());
  ASSERT_EQ(len, 14u + 40 + 8 + 3);
  EXPECT_EQ(Be16(out_.data() + 12), 0x86dd);
  const uint8_t* ip6 = out_.data() + 14;
  EXPECT_EQ(ip6[0] >> 4, 6);
  EXPECT_EQ(Be16(ip6 + 4), 11);
  EXPECT_EQ(ip6[6], 17);
  EXPECT_EQ(VerifyL4(f.src, f.dst, 17, ip6 + 40, 11), 0);
  // Changing one address byte must break the checksum: the pseudo-header is covered.
  IpAddress other = *IpAddress::Parse("2001:db8:200::11");
  EXPECT_NE(VerifyL4(f.src, other, 17, ip6 + 40, 11), 0);
}

TEST_F(PacketBuilderTest, QinqTagsOuterThenInner) {
  FrameSpec f = Tcp4();
  f.vlan_count = 2;
  f.vlans[0] = 200;
  f.vlans[1] = 100;
  const size_t len = BuildFrame(f, nullptr, 0, out_.data());
  ASSERT_EQ(len, 14u + 8 + 20 + 20);
  EXPECT_EQ(Be16(out_.data() + 12), 0x88a8);
  EXPECT_EQ(Be16(out_.data() + 14), 200);
  EXPECT_EQ(Be16(out_.data() + 16), 0x8100);
  EXPECT_EQ(Be16(out_.data() + 18), 100);
  EXPECT_EQ(Be16(out_.data() + 20), 0x0800);
}

TEST_F(PacketBuilderTest, LinkHeadersHaveTheirSizes) {
  FrameSpec f = Tcp4();
  const std::pair<Link, size_t> cases[] = {
      {Link::kRaw, 0}, {Link::kNull, 4}, {Link::kLinuxSll, 16}, {Link::kLinuxSll2, 20}, {Link::kEthernet, 14}};
  for (auto [link, header] : cases) {
    f.link = link;
    EXPECT_EQ(BuildFrame(f, nullptr, 0, out_.data()), header + 40) << LinkTypeValue(link);
    EXPECT_EQ(out_[header], 0x45) << LinkTypeValue(link);
  }
  f.link = Link::kLinuxSll2;
  BuildFrame(f, nullptr, 0, out_.data());
  EXPECT_EQ(Be16(out_.data()), 0x0800);
}

TEST_F(PacketBuilderTest, VxlanOuterUdpChecksumValid) {
  FrameSpec f = Tcp4();
  f.encap = Encap::kVxlan;
  f.outer_src = *IpAddress::Parse("192.0.2.1");
  f.outer_dst = *IpAddress::Parse("192.0.2.2");
  f.vni = 4242;
  const size_t len = BuildFrame(f, nullptr, 0, out_.data());
  ASSERT_EQ(len, 14u + 20 + 8 + 8 + 14 + 20 + 20);
  const uint8_t* outer = out_.data() + 14;
  EXPECT_EQ(InternetChecksum(outer, 20), 0);
  EXPECT_EQ(outer[9], 17);
  const uint8_t* udp = outer + 20;
  EXPECT_EQ(Be16(udp + 2), 4789);
  EXPECT_EQ(VerifyL4(f.outer_src, f.outer_dst, 17, udp, len - 34), 0);
  EXPECT_EQ(Be32(udp + 12) >> 8, 4242u);
  const uint8_t* inner_ip = udp + 16 + 14;
  EXPECT_EQ(InternetChecksum(inner_ip, 20), 0);
  EXPECT_EQ(VerifyL4(f.src, f.dst, 6, inner_ip + 20, 20), 0);
}

TEST_F(PacketBuilderTest, IcmpEchoChecksum) {
  FrameSpec f = Tcp4();
  f.proto = Proto::kIcmp;
  f.icmp_type = 8;
  const uint8_t payload[56] = {};
  const size_t len = BuildFrame(f, payload, sizeof(payload), out_.data());
  ASSERT_EQ(len, 14u + 20 + 8 + 56);
  EXPECT_EQ(InternetChecksum(out_.data() + 34, 64), 0);
}

TEST(MacTest, LocallyAdministeredUnicastAndStable) {
  const Mac a = MacFor(*quench::IpAddress::Parse("198.51.100.23"));
  EXPECT_EQ(a[0], 0x02);
  EXPECT_EQ(a, MacFor(*quench::IpAddress::Parse("198.51.100.23")));
  EXPECT_NE(a, MacFor(*quench::IpAddress::Parse("198.51.100.24")));
}

}  // namespace
}  // namespace pcapgen

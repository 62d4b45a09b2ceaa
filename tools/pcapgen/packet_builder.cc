#include "packet_builder.h"

#include <cstring>

#include "bytes.h"
#include "checksum.h"
#include "quench/core/check.h"

namespace pcapgen {

namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinq = 0x88a8;
constexpr uint16_t kVxlanPort = 4789;
constexpr uint8_t kIpProtoGre = 47;
constexpr uint8_t kIpProtoUdp = 17;

uint16_t EtherTypeOf(const quench::IpAddress& a) { return a.is_v4() ? kEtherIpv4 : kEtherIpv6; }
size_t IpHeaderLen(const quench::IpAddress& a) { return a.is_v4() ? 20 : 40; }

// Writes an IP header for a packet whose IP payload is `payload_len` bytes; IPv4 gets its
// header checksum. Returns the header length.
size_t WriteIp(uint8_t* p, const quench::IpAddress& src, const quench::IpAddress& dst, uint8_t proto,
               size_t payload_len, uint8_t ttl, uint16_t id, uint32_t flow_label) {
  if (src.is_v4()) {
    p[0] = 0x45;
    p[1] = 0;
    Put16(p + 2, static_cast<uint16_t>(20 + payload_len));
    Put16(p + 4, id);
    Put16(p + 6, 0x4000);  // DF
    p[8] = ttl;
    p[9] = proto;
    Put16(p + 10, 0);
    std::memcpy(p + 12, src.bytes().data() + 12, 4);
    std::memcpy(p + 16, dst.bytes().data() + 12, 4);
    Put16(p + 10, InternetChecksum(p, 20));
    return 20;
  }
  Put32(p, 0x60000000u | (flow_label & 0xfffff));
  Put16(p + 4, static_cast<uint16_t>(payload_len));
  p[6] = proto;
  p[7] = ttl;
  std::memcpy(p + 8, src.bytes().data(), 16);
  std::memcpy(p + 24, dst.bytes().data(), 16);
  return 40;
}

uint64_t PseudoHeaderSum(const quench::IpAddress& src, const quench::IpAddress& dst, uint8_t proto,
                         size_t l4_len) {
  uint64_t acc = 0;
  if (src.is_v4()) {
    acc = ChecksumAdd(src.bytes().data() + 12, 4, acc);
    acc = ChecksumAdd(dst.bytes().data() + 12, 4, acc);
  } else {
    acc = ChecksumAdd(src.bytes().data(), 16, acc);
    acc = ChecksumAdd(dst.bytes().data(), 16, acc);
  }
  acc += proto;
  acc += static_cast<uint32_t>(l4_len >> 16);
  acc += static_cast<uint32_t>(l4_len & 0xffff);
  return acc;
}

size_t WriteLinkHeader(const FrameSpec& f, uint16_t ethertype, uint8_t* p) {
  size_t pos = 0;
  auto write_tags = [&](uint16_t final_type) {
    for (int i = 0; i < f.vlan_count; ++i) {
      Put16(p + pos, f.vlans[i] & 0x0fff);
      pos += 2;
      const bool last = i + 1 == f.vlan_count;
      Put16(p + pos, last ? final_type : kEtherVlan);
      pos += 2;
    }
  };
  const uint16_t first_type =
      f.vlan_count == 0 ? ethertype : (f.vlan_count == 2 ? kEtherQinq : kEtherVlan);
  switch (f.link) {
    case Link::kEthernet:
      std::memcpy(p, f.dst_mac.data(), 6);
      std::memcpy(p + 6, f.src_mac.data(), 6);
      Put16(p + 12, first_type);
      pos = 14;
      write_tags(ethertype);
      return pos;
    case Link::kLinuxSll:
      Put16(p, f.outgoing ? 4 : 0);
      Put16(p + 2, 1);  // ARPHRD_ETHER
      Put16(p + 4, 6);
      std::memcpy(p + 6, f.src_mac.data(), 6);
      Put16(p + 12, 0);
      Put16(p + 14, first_type);
      pos = 16;
      write_tags(ethertype);
      return pos;
    case Link::kLinuxSll2:
      Put16(p, first_type);
      Put16(p + 2, 0);
      Put32(p + 4, 1);  // interface index
      Put16(p + 8, 1);  // ARPHRD_ETHER
      p[10] = f.outgoing ? 4 : 0;
      p[11] = 6;
      std::memcpy(p + 12, f.src_mac.data(), 6);
      Put16(p + 18, 0);
      pos = 20;
      write_tags(ethertype);
      return pos;
    case Link::kNull: {
      // Host byte order of the writer; the file header is little-endian too.
      const uint32_t family = ethertype == kEtherIpv4 ? 2 : 24;  // AF_INET, BSD AF_INET6
      p[0] = static_cast<uint8_t>(family);
      p[1] = p[2] = p[3] = 0;
      return 4;
    }
    case Link::kRaw:
      return 0;
  }
  return 0;
}

}  // namespace

uint32_t LinkTypeValue(Link link) {
  switch (link) {
    case Link::kEthernet: return 1;
    case Link::kRaw: return 101;
    case Link::kLinuxSll: return 113;
    case Link::kLinuxSll2: return 276;
    case Link::kNull: return 0;
  }
  return 1;
}

Mac MacFor(const quench::IpAddress& a) {
  // FNV-1a over the address; first octet 0x02 (locally administered, unicast).
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t b : a.bytes()) h = (h ^ b) * 0x100000001b3ULL;
  return Mac{0x02, static_cast<uint8_t>(h >> 32), static_cast<uint8_t>(h >> 24),
             static_cast<uint8_t>(h >> 16), static_cast<uint8_t>(h >> 8), static_cast<uint8_t>(h)};
}

size_t BuildFrame(const FrameSpec& f, const uint8_t* payload, size_t payload_len, uint8_t* out) {
  QUENCH_CHECK(payload_len <= kMaxPayload);
  QUENCH_CHECK(f.src.is_v4() == f.dst.is_v4());
  const bool tunneled = f.encap != Encap::kNone;
  if (tunneled) QUENCH_CHECK(f.outer_src.is_v4() == f.outer_dst.is_v4());
  const quench::IpAddress& net_src = tunneled ? f.outer_src : f.src;

  size_t pos = WriteLinkHeader(f, EtherTypeOf(net_src), out);

  size_t outer_ip_pos = 0, vxlan_udp_pos = 0;
  if (tunneled) {
    outer_ip_pos = pos;
    pos += IpHeaderLen(f.outer_src);  // written once the inner length is known
    if (f.encap == Encap::kGre) {
      Put16(out + pos, 0);  // no checksum/key/sequence, version 0
      Put16(out + pos + 2, EtherTypeOf(f.src));
      pos += 4;
    } else {
      vxlan_udp_pos = pos;
      pos += 8;
      out[pos] = 0x08;  // VNI present
      out[pos + 1] = out[pos + 2] = out[pos + 3] = 0;
      Put32(out + pos + 4, f.vni << 8);
      pos += 8;
      std::memcpy(out + pos, f.inner_dst_mac.data(), 6);
      std::memcpy(out + pos + 6, f.inner_src_mac.data(), 6);
      Put16(out + pos + 12, EtherTypeOf(f.src));
      pos += 14;
    }
  }

  // Inner transport header.
  const size_t ip_pos = pos;
  pos += IpHeaderLen(f.src);
  const size_t l4_pos = pos;
  uint8_t* l4 = out + l4_pos;
  size_t l4_header = 0;
  size_t checksum_offset = 0;
  switch (f.proto) {
    case Proto::kTcp: {
      l4_header = f.tcp_mss_option ? 24 : 20;
      Put16(l4, f.src_port);
      Put16(l4 + 2, f.dst_port);
      Put32(l4 + 4, f.seq);
      Put32(l4 + 8, f.ack);
      l4[12] = static_cast<uint8_t>((l4_header / 4) << 4);
      l4[13] = f.tcp_flags;
      Put16(l4 + 14, f.window);
      Put16(l4 + 16, 0);
      Put16(l4 + 18, 0);
      if (f.tcp_mss_option) {
        l4[20] = 2;
        l4[21] = 4;
        Put16(l4 + 22, f.src.is_v4() ? 1460 : 1440);
      }
      checksum_offset = 16;
      break;
    }
    case Proto::kUdp:
      l4_header = 8;
      Put16(l4, f.src_port);
      Put16(l4 + 2, f.dst_port);
      Put16(l4 + 4, static_cast<uint16_t>(8 + payload_len));
      Put16(l4 + 6, 0);
      checksum_offset = 6;
      break;
    case Proto::kIcmp:
    case Proto::kIcmpv6:
      l4_header = 8;
      l4[0] = f.icmp_type;
      l4[1] = f.icmp_code;
      Put16(l4 + 2, 0);
      Put16(l4 + 4, f.src_port);  // echo identifier
      Put16(l4 + 6, f.dst_port);  // echo sequence number
      checksum_offset = 2;
      break;
  }
  if (payload_len > 0) std::memcpy(l4 + l4_header, payload, payload_len);
  const size_t l4_len = l4_header + payload_len;
  pos = l4_pos + l4_len;

  const uint8_t proto_num = static_cast<uint8_t>(f.proto);
  WriteIp(out + ip_pos, f.src, f.dst, proto_num, l4_len, f.ttl, f.ip_id, f.flow_label);
  uint64_t acc = f.proto == Proto::kIcmp ? 0 : PseudoHeaderSum(f.src, f.dst, proto_num, l4_len);
  acc = ChecksumAdd(l4, l4_len, acc);
  uint16_t sum = ChecksumFinish(acc);
  if (f.proto == Proto::kUdp && sum == 0) sum = 0xffff;  // 0 means "no checksum" in UDP
  Put16(l4 + checksum_offset, sum);

  if (tunneled) {
    const size_t outer_ip_len = IpHeaderLen(f.outer_src);
    const size_t outer_payload = pos - outer_ip_pos - outer_ip_len;
    const uint8_t outer_proto = f.encap == Encap::kGre ? kIpProtoGre : kIpProtoUdp;
    WriteIp(out + outer_ip_pos, f.outer_src, f.outer_dst, outer_proto, outer_payload, 64,
            static_cast<uint16_t>(f.ip_id ^ 0x5a5a), f.flow_label);
    if (f.encap == Encap::kVxlan) {
      uint8_t* udp = out + vxlan_udp_pos;
      // Source port from the inner flow (RFC 7348 suggests a hash of the inner headers).
      const uint16_t sport = static_cast<uint16_t>(49152 + ((f.src_port ^ f.dst_port) & 0x3fff));
      Put16(udp, sport);
      Put16(udp + 2, kVxlanPort);
      Put16(udp + 4, static_cast<uint16_t>(outer_payload));
      Put16(udp + 6, 0);
      uint64_t uacc = PseudoHeaderSum(f.outer_src, f.outer_dst, kIpProtoUdp, outer_payload);
      uint16_t usum = ChecksumFinish(ChecksumAdd(udp, outer_payload, uacc));
      if (usum == 0) usum = 0xffff;
      Put16(udp + 6, usum);
    }
  }
  return pos;
}

}  // namespace pcapgen

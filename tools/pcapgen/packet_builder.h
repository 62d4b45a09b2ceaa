// BuildFrame: writes one complete, protocol-valid frame (link header, optional VLAN tags,
// optional GRE/VXLAN tunnel, IPv4/IPv6, TCP/UDP/ICMP/ICMPv6, payload) into a caller buffer,
// with lengths and every checksum filled in. No allocation; pure function; thread-safe.
// The spec generator and the bulk generator both build every packet through it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "quench/core/ip_address.h"

namespace pcapgen {

enum class Link : uint8_t { kEthernet, kRaw, kLinuxSll, kLinuxSll2, kNull };
enum class Proto : uint8_t { kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpv6 = 58 };
enum class Encap : uint8_t { kNone, kGre, kVxlan };

// The LINKTYPE_* value written into file headers.
uint32_t LinkTypeValue(Link link);

using Mac = std::array<uint8_t, 6>;
// A locally administered unicast MAC derived from an address (stable across runs).
Mac MacFor(const quench::IpAddress& a);

inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08,
                         kTcpAck = 0x10;

// Largest frame BuildFrame writes: headers of every layer plus the payload cap.
inline constexpr size_t kMaxPayload = 65000;
inline constexpr size_t kMaxHeaders = 256;
inline constexpr size_t kMaxFrame = kMaxPayload + kMaxHeaders;

struct FrameSpec {
  Link link = Link::kEthernet;
  Mac src_mac{}, dst_mac{};
  uint16_t vlans[2] = {0, 0};  // vlans[0] is the outer tag
  int vlan_count = 0;          // 0, 1 (802.1Q) or 2 (802.1ad outer + 802.1Q inner)
  bool outgoing = false;       // SLL packet type: sent by us (4) vs unicast to us (0)

  Encap encap = Encap::kNone;
  quench::IpAddress outer_src, outer_dst;  // tunnel endpoints (same family)
  uint32_t vni = 0;                        // VXLAN network identifier
  Mac inner_src_mac{}, inner_dst_mac{};    // VXLAN inner Ethernet

  quench::IpAddress src, dst;  // same family
  Proto proto = Proto::kTcp;
  uint8_t ttl = 64;
  uint16_t ip_id = 0;       // IPv4 identification
  uint32_t flow_label = 0;  // IPv6 flow label (20 bits), constant per flow direction
  uint16_t src_port = 0, dst_port = 0;  // TCP/UDP
  uint8_t tcp_flags = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t window = 64240;
  bool tcp_mss_option = false;          // adds MSS 1460 (SYN / SYN-ACK)
  uint8_t icmp_type = 0, icmp_code = 0;  // ICMP/ICMPv6 echo: id in src_port, seq in dst_port
};

// Writes the frame into out[0..kMaxFrame) and returns its length.
// REQUIRES: payload_len <= kMaxPayload; address families consistent (checked).
size_t BuildFrame(const FrameSpec& f, const uint8_t* payload, size_t payload_len, uint8_t* out);

}  // namespace pcapgen

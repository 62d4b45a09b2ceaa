// PacketInfo: what the L2-L4 decoders extract from one frame, the input of the flow table.
// Plain value filled in place by DecodeFrame (no allocation); `payload` borrows the frame's
// bytes and is valid only while the frame is. Thread-compatible.
#pragma once

#include <cstdint>

#include "quench/core/ip_address.h"
#include "quench/core/time.h"

namespace quench {

// IP protocol numbers used by name across the code.
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoGre = 47;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;

// TCP flag bits as in the header's flags byte.
inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;
inline constexpr uint8_t kTcpUrg = 0x20;
inline constexpr uint8_t kTcpEce = 0x40;
inline constexpr uint8_t kTcpCwr = 0x80;

struct PacketInfo {
  Timestamp ts = 0;
  // Innermost IP header (after GRE/VXLAN/IP-in-IP decapsulation).
  IpAddress src;
  IpAddress dst;
  // TCP/UDP ports; for ICMP/ICMPv6 sport = type, dport = code (as NetFlow/nfdump report
  // them); 0 when the protocol has no ports or the packet is a non-first fragment.
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t ip_proto = 0;
  uint8_t ip_version = 0;  // 4 or 6
  uint8_t tcp_flags = 0;
  uint8_t tunnel_depth = 0;  // encapsulation layers removed to reach the inner IP header
  // Innermost 802.1Q VLAN id (12 bits) of the outer frame, 0 when untagged.
  uint16_t vlan = 0;
  bool has_ports = false;       // sport/dport are meaningful
  bool is_fragment = false;     // part of a fragmented IP datagram
  bool is_first_fragment = false;  // offset 0 (carries the L4 header)
  uint32_t ip_id = 0;           // IPv4 identification or IPv6 fragment id, for fragments
  // Sizes: frame bytes on the wire; IP bytes as the IP header states them (the inner IP
  // packet for tunnels); L4 payload bytes as the headers state them (not limited by caplen).
  uint32_t wire_len = 0;
  uint32_t ip_len = 0;
  uint32_t payload_len = 0;
  uint32_t tcp_seq = 0;
  uint32_t tcp_ack = 0;
  // Captured L4 payload bytes (may be fewer than payload_len in a snapped capture).
  const uint8_t* payload = nullptr;
  uint32_t payload_caplen = 0;
};

}  // namespace quench

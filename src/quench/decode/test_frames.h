// Test-only helpers that build frames byte by byte, inside out: Tcp(...) -> Ipv4(...) ->
// Ethernet(...). Used by the decode tests, the fuzz corpus generator and the benchmarks;
// never by the pipeline (it allocates). Lengths and IHL/data-offset fields are computed;
// checksums are left zero (the decoders do not verify them). Thread-compatible.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "quench/core/frame.h"
#include "quench/core/ip_address.h"

namespace quench::test_frames {

using Bytes = std::vector<uint8_t>;

inline void PutU8(Bytes& b, uint32_t v) { b.push_back(static_cast<uint8_t>(v)); }
inline void PutU16(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void PutU32(Bytes& b, uint32_t v) {
  PutU16(b, v >> 16);
  PutU16(b, v & 0xffff);
}
inline void Append(Bytes& b, const Bytes& tail) { b.insert(b.end(), tail.begin(), tail.end()); }
inline Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes b;
  for (const Bytes& p : parts) Append(b, p);
  return b;
}
inline Bytes Filler(size_t n, uint8_t value = 0xab) { return Bytes(n, value); }

inline Frame MakeFrame(const Bytes& b, LinkType linktype = LinkType::kEthernet) {
  Frame f;
  f.ts = 1'700'000'000'000'000'000;
  f.data = b.data();
  f.caplen = static_cast<uint32_t>(b.size());
  f.wire_len = static_cast<uint32_t>(b.size());
  f.linktype = linktype;
  return f;
}

// ---- L4 ----
inline Bytes Tcp(uint16_t sport, uint16_t dport, uint8_t flags, const Bytes& payload = {},
                 uint32_t seq = 1000, uint32_t ack = 0, const Bytes& options = {}) {
  Bytes b;
  PutU16(b, sport);
  PutU16(b, dport);
  PutU32(b, seq);
  PutU32(b, ack);
  PutU8(b, ((20 + options.size()) / 4) << 4);
  PutU8(b, flags);
  PutU16(b, 65535);  // window
  PutU16(b, 0);      // checksum
  PutU16(b, 0);      // urgent
  Append(b, options);
  Append(b, payload);
  return b;
}
inline Bytes Udp(uint16_t sport, uint16_t dport, const Bytes& payload = {}) {
  Bytes b;
  PutU16(b, sport);
  PutU16(b, dport);
  PutU16(b, static_cast<uint32_t>(8 + payload.size()));
  PutU16(b, 0);
  Append(b, payload);
  return b;
}
inline Bytes Icmp(uint8_t type, uint8_t code, const Bytes& payload = {}) {
  Bytes b = {type, code, 0, 0, 0x12, 0x34, 0, 1};
  Append(b, payload);
  return b;
}

// ---- IP ----
struct Ipv4Options {
  uint16_t id = 0x1234;
  bool more_fragments = false;
  uint16_t fragment_offset_units = 0;  // in 8-byte units
  Bytes options;                       // must be a multiple of 4 bytes
  std::optional<uint16_t> total_length;  // overrides the computed one
};
inline Bytes Ipv4(uint32_t src, uint32_t dst, uint8_t proto, const Bytes& payload,
                  const Ipv4Options& o = {}) {
  Bytes b;
  const size_t header_len = 20 + o.options.size();
  PutU8(b, 0x40 | (header_len / 4));
  PutU8(b, 0);
  PutU16(b, o.total_length.value_or(static_cast<uint16_t>(header_len + payload.size())));
  PutU16(b, o.id);
  PutU16(b, (o.more_fragments ? 0x2000 : 0) | o.fragment_offset_units);
  PutU8(b, 64);
  PutU8(b, proto);
  PutU16(b, 0);
  PutU32(b, src);
  PutU32(b, dst);
  Append(b, o.options);
  Append(b, payload);
  return b;
}
inline Bytes V6(const char* text) {
  auto a = IpAddress::Parse(text);
  return Bytes(a->bytes().begin(), a->bytes().end());
}
inline Bytes Ipv6(const char* src, const char* dst, uint8_t next, const Bytes& payload,
                  std::optional<uint16_t> payload_length = std::nullopt) {
  Bytes b;
  PutU32(b, 0x60000000);
  PutU16(b, payload_length.value_or(static_cast<uint16_t>(payload.size())));
  PutU8(b, next);
  PutU8(b, 64);
  Append(b, V6(src));
  Append(b, V6(dst));
  Append(b, payload);
  return b;
}
// Hop-by-hop, routing or destination options header: `body_len` + 2 must be a multiple of 8.
inline Bytes Ipv6Ext(uint8_t next, const Bytes& payload, size_t body_len = 6) {
  Bytes b;
  PutU8(b, next);
  PutU8(b, static_cast<uint32_t>((body_len + 2) / 8 - 1));
  Append(b, Bytes(body_len, 0));
  b[2] = 1;  // one PadN option covering the body keeps it well-formed
  b[3] = static_cast<uint8_t>(body_len - 2);
  Append(b, payload);
  return b;
}
inline Bytes Ipv6Frag(uint8_t next, uint16_t offset_units, bool more, uint32_t id,
                      const Bytes& payload) {
  Bytes b;
  PutU8(b, next);
  PutU8(b, 0);
  PutU16(b, static_cast<uint32_t>(offset_units << 3) | (more ? 1u : 0u));
  PutU32(b, id);
  Append(b, payload);
  return b;
}

// ---- link and tunnels ----
inline Bytes Ethernet(uint16_t ethertype, const Bytes& payload,
                      std::initializer_list<std::pair<uint16_t, uint16_t>> tags = {}) {
  Bytes b = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  for (auto [tpid, vid] : tags) {
    PutU16(b, tpid);
    PutU16(b, vid);
  }
  PutU16(b, ethertype);
  Append(b, payload);
  return b;
}
inline Bytes Mpls(std::initializer_list<uint32_t> labels, const Bytes& payload) {
  Bytes b;
  size_t i = 0;
  for (uint32_t label : labels) {
    ++i;
    PutU32(b, (label << 12) | (i == labels.size() ? 0x100u : 0u) | 64u);
  }
  Append(b, payload);
  return b;
}
inline Bytes Pppoe(uint16_t ppp_protocol, const Bytes& payload) {
  Bytes b = {0x11, 0x00, 0x12, 0x34};
  PutU16(b, static_cast<uint32_t>(payload.size() + 2));
  PutU16(b, ppp_protocol);
  Append(b, payload);
  return b;
}
inline Bytes Gre(uint16_t protocol, const Bytes& payload, std::optional<uint32_t> key = {},
                 std::optional<uint32_t> sequence = {}, bool checksum = false) {
  Bytes b;
  PutU16(b, (checksum ? 0x8000 : 0) | (key ? 0x2000 : 0) | (sequence ? 0x1000 : 0));
  PutU16(b, protocol);
  if (checksum) PutU32(b, 0);
  if (key) PutU32(b, *key);
  if (sequence) PutU32(b, *sequence);
  Append(b, payload);
  return b;
}
inline Bytes Vxlan(uint32_t vni, const Bytes& inner_ethernet) {
  Bytes b = {0x08, 0, 0, 0};
  PutU32(b, vni << 8);
  Append(b, inner_ethernet);
  return b;
}
inline Bytes Sll(uint16_t protocol, const Bytes& payload, uint16_t hatype = 1) {
  Bytes b;
  PutU16(b, 0);  // to us
  PutU16(b, hatype);
  PutU16(b, 6);
  Append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0});
  PutU16(b, protocol);
  Append(b, payload);
  return b;
}
inline Bytes Sll2(uint16_t protocol, const Bytes& payload, uint16_t hatype = 1) {
  Bytes b;
  PutU16(b, protocol);
  PutU16(b, 0);
  PutU32(b, 2);  // ifindex
  PutU16(b, hatype);
  PutU8(b, 0);
  PutU8(b, 6);
  Append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0});
  Append(b, payload);
  return b;
}
// DLT_NULL header in little-endian host order; DLT_LOOP in network order.
inline Bytes NullHeader(uint32_t family, const Bytes& payload, bool network_order = false) {
  Bytes b;
  if (network_order) {
    PutU32(b, family);
  } else {
    for (int i = 0; i < 4; ++i) PutU8(b, (family >> (8 * i)) & 0xff);
  }
  Append(b, payload);
  return b;
}
// GTPv1-U G-PDU (type 255) around `inner`; with `sequence` the optional word is present, and
// each extension header is given as its content bytes (padded to 4n - 2 by the caller).
inline Bytes Gtpu(const Bytes& inner, uint8_t type = 0xff, std::optional<uint16_t> sequence = {},
                  std::initializer_list<Bytes> extensions = {}) {
  const bool optional_word = sequence.has_value() || extensions.size() > 0;
  Bytes opt;
  if (optional_word) {
    PutU16(opt, sequence.value_or(0));
    PutU8(opt, 0);                                      // N-PDU number
    PutU8(opt, extensions.size() > 0 ? 0x85 : 0);       // PDU session container
    size_t i = 0;
    for (const Bytes& ext : extensions) {
      ++i;
      PutU8(opt, static_cast<uint32_t>((ext.size() + 2) / 4));
      Append(opt, ext);
      PutU8(opt, i == extensions.size() ? 0 : 0x85);
    }
  }
  Bytes b;
  PutU8(b, 0x30 | (sequence ? 0x02 : 0) | (extensions.size() > 0 ? 0x04 : 0));
  PutU8(b, type);
  PutU16(b, static_cast<uint32_t>(opt.size() + inner.size()));
  PutU32(b, 0x11223344);  // TEID
  Append(b, opt);
  Append(b, inner);
  return b;
}
// Cisco HDLC: unicast address, control 0, ethertype.
inline Bytes Chdlc(uint16_t ethertype, const Bytes& payload) {
  Bytes b = {0x0f, 0x00};
  PutU16(b, ethertype);
  Append(b, payload);
  return b;
}
// PPP as DLT_PPP carries it, with or without the address/control bytes.
inline Bytes PppFrame(uint16_t protocol, const Bytes& payload, bool address_control = true) {
  Bytes b;
  if (address_control) b = {0xff, 0x03};
  PutU16(b, protocol);
  Append(b, payload);
  return b;
}
// PPI header (little-endian) with `field_bytes` of fields, then the inner frame.
inline Bytes Ppi(uint32_t dlt, const Bytes& inner, size_t field_bytes = 8) {
  Bytes b = {0, 0};
  const size_t len = 8 + field_bytes;
  PutU8(b, len & 0xff);
  PutU8(b, len >> 8);
  for (int i = 0; i < 4; ++i) PutU8(b, (dlt >> (8 * i)) & 0xff);
  Append(b, Bytes(field_bytes, 0));
  Append(b, inner);
  return b;
}
// 802.11 data frame, to DS, with LLC/SNAP and `ethertype`. `qos` makes it a QoS data frame;
// `swapped` writes the frame control flags byte first (as some CAPWAP access points do).
inline Bytes WlanData(uint16_t ethertype, const Bytes& payload, bool qos = false,
                      bool swapped = false, uint8_t extra_flags = 0) {
  const uint8_t fc_type = qos ? 0x88 : 0x08;
  const uint8_t fc_flags = static_cast<uint8_t>(0x01 | extra_flags);
  Bytes b;
  if (swapped) {
    b = {fc_flags, fc_type};
  } else {
    b = {fc_type, fc_flags};
  }
  Append(b, {0x00, 0x2c});                                                    // duration
  Append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb});
  Append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x66});                            // address 3
  Append(b, {0x10, 0x00});                                                    // sequence
  if (qos) Append(b, {0x00, 0x00});
  Append(b, {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00});
  PutU16(b, ethertype);
  Append(b, payload);
  return b;
}
// CAPWAP data header (8 bytes, HLEN 2): `native` = 802.11 payload (WBID 1), else 802.3.
inline Bytes CapwapData(const Bytes& inner, bool native = true, uint8_t flags = 0) {
  Bytes b = {0x00, 0x10, static_cast<uint8_t>(native ? 0x03 : 0x02), flags, 0, 0, 0, 0};
  Append(b, inner);
  return b;
}

// A typical Ethernet/IPv4/TCP frame with `payload_size` bytes of data.
inline Bytes TypicalTcpFrame(size_t payload_size = 100) {
  return Ethernet(0x0800, Ipv4(0x0a000001, 0x0a000002, 6,
                               Tcp(51000, 443, 0x18, Filler(payload_size), 1000, 2000)));
}

}  // namespace quench::test_frames

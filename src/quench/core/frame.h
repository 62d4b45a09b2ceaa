// Frame: one captured link-layer frame as handed from a source (pcap file, live interface,
// an sFlow sample) to the decoders. Borrows its bytes: `data` is valid only until the source
// produces the next frame. Plain value; thread-compatible.
#pragma once

#include <cstdint>

#include "quench/core/time.h"

namespace quench {

// Link types, as libpcap's pcap_datalink() reports them (DLT_* values on Linux).
enum class LinkType : uint16_t {
  kNull = 0,         // DLT_NULL: BSD loopback, 4-byte host-order address family
  kEthernet = 1,     // DLT_EN10MB
  kPpp = 9,          // DLT_PPP: PPP, address/control bytes optional (may hold Cisco HDLC)
  kRaw = 12,         // DLT_RAW on Linux (LINKTYPE_RAW 101 in files): bare IPv4 or IPv6
  kRawAlt = 14,      // DLT_RAW on some BSDs; treated like kRaw
  kPppSerial = 50,   // DLT_PPP_SERIAL: PPP in HDLC-like framing (RFC 1662)
  kCiscoHdlc = 104,  // DLT_C_HDLC: Cisco HDLC, address(1) control(1) ethertype(2)
  kIeee80211 = 105,  // DLT_IEEE802_11: 802.11 MAC header, no radio header
  kLoop = 108,       // DLT_LOOP: OpenBSD loopback, 4-byte network-order address family
  kLinuxSll = 113,   // DLT_LINUX_SLL: Linux cooked capture v1
  kPpi = 192,        // DLT_PPI: Per-Packet Information header, then its own inner DLT
  kIpv4 = 228,       // DLT_IPV4
  kIpv6 = 229,       // DLT_IPV6
  kLinuxSll2 = 276,  // DLT_LINUX_SLL2: Linux cooked capture v2
};

struct Frame {
  Timestamp ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0;    // bytes present in data
  uint32_t wire_len = 0;  // bytes on the wire (>= caplen when the capture was snapped)
  LinkType linktype = LinkType::kEthernet;
};

}  // namespace quench

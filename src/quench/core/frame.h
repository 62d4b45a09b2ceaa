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
  kRaw = 12,         // DLT_RAW on Linux (LINKTYPE_RAW 101 in files): bare IPv4 or IPv6
  kRawAlt = 14,      // DLT_RAW on some BSDs; treated like kRaw
  kLoop = 108,       // DLT_LOOP: OpenBSD loopback, 4-byte network-order address family
  kLinuxSll = 113,   // DLT_LINUX_SLL: Linux cooked capture v1
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

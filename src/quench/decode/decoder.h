// DecodeFrame: L2-L4 decoding of one frame into a PacketInfo, with GRE/VXLAN/IP-in-IP
// decapsulation (the inner flow is the flow). Never throws, never allocates, never logs:
// malformed input returns a status and increments a named anomaly counter.
// Stateless free function; thread-safe given distinct outputs.
#pragma once

#include <cstdint>
#include <string_view>

#include "quench/core/anomaly.h"
#include "quench/core/frame.h"
#include "quench/decode/packet.h"

namespace quench {

enum class DecodeStatus : uint8_t {
  kOk = 0,        // an IP packet was decoded (ports may be absent: see PacketInfo::has_ports)
  kNotIp,         // a well-formed frame that carries no IP (ARP, LLDP, STP...)
  kMalformed,     // broken or truncated at some layer; an anomaly was counted
  kUnsupported,   // a link type or encapsulation quench does not decode; counted
};
std::string_view DecodeStatusName(DecodeStatus s);

// REQUIRES: out and anomalies non-null. On kOk `out` is fully written; otherwise its
// contents are unspecified.
DecodeStatus DecodeFrame(const Frame& frame, PacketInfo* out, AnomalyCounters* anomalies);

}  // namespace quench

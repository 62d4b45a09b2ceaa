// FlowRecord: one bidirectional flow, the unit every detector sees (DESIGN.md §3). Built by
// the flow table from packets, and later by the telemetry decoders from NetFlow/IPFIX and
// Zeek logs. Plain value; thread-compatible. Kept small: it is also the flow table's entry.
#pragma once

#include <cstdint>
#include <string_view>

#include "quench/core/ip_address.h"
#include "quench/core/time.h"

namespace quench {

enum class FlowEndReason : uint8_t {
  kActive = 0,        // still open (a snapshot, not an ended flow)
  kIdleTimeout,       // no packet for --idle-timeout
  kActiveTimeout,     // cut after --active-timeout; the conversation continues in a new record
  kTcpClose,          // FIN seen both ways
  kTcpReset,          // RST seen
  kEvicted,           // ended early to stay within --max-flows
  kEndOfInput,        // input ended while the flow was open
};
std::string_view FlowEndReasonName(FlowEndReason r);

// How the client (initiator) side was chosen.
enum class FlowOrientation : uint8_t {
  kSyn = 0,       // the sender of a SYN without ACK
  kSynAck,        // the receiver of a SYN+ACK (the SYN was missed)
  kFirstPacket,   // whoever sent the first packet seen
};

// TCP handshake progress as seen on the wire.
enum class TcpHandshake : uint8_t {
  kNone = 0,      // not TCP, or no SYN seen
  kSynSent,       // SYN from the client
  kSynAckSeen,    // SYN+ACK from the server
  kEstablished,   // the client's ACK completed the three-way handshake
};

// Where the record came from; detectors use it to know which fields are real.
enum class FlowSource : uint8_t { kPacket = 0, kNetflow, kIpfix, kSflow, kZeek };

struct FlowDirectionStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;          // IP bytes (header + payload), as NetFlow counts them
  uint64_t payload_bytes = 0;  // L4 payload bytes
  uint8_t tcp_flags = 0;       // OR of every TCP flags byte in this direction
};

struct FlowRecord {
  IpAddress client;  // initiator
  IpAddress server;  // responder
  uint16_t client_port = 0;
  uint16_t server_port = 0;
  uint8_t proto = 0;
  uint8_t ip_version = 0;
  uint16_t vlan = 0;
  Timestamp first_ts = 0;
  Timestamp last_ts = 0;
  FlowDirectionStats to_server;
  FlowDirectionStats to_client;
  FlowEndReason end_reason = FlowEndReason::kActive;
  FlowOrientation orientation = FlowOrientation::kFirstPacket;
  TcpHandshake handshake = TcpHandshake::kNone;
  FlowSource source = FlowSource::kPacket;
  uint8_t tunnel_depth = 0;
  uint32_t sampling_rate = 1;  // 1 = unsampled; counts are already scaled when > 1
  uint32_t fragments = 0;      // IP fragments accounted to this flow

  uint64_t packets() const { return to_server.packets + to_client.packets; }
  uint64_t bytes() const { return to_server.bytes + to_client.bytes; }
  // Both sides sent application data: for TCP the session got past the handshake.
  bool exchanged_data() const { return to_server.payload_bytes > 0 && to_client.payload_bytes > 0; }
};

}  // namespace quench

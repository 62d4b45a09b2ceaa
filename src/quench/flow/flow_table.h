// FlowTable: turns decoded packets into bidirectional FlowRecords (DESIGN.md §3).
// Keyed by the canonical 5-tuple + VLAN; client/server from the SYN or the first packet;
// idle/active timeouts driven by packet time; memory bounded by max_flows (under pressure the
// least recently active flow is ended early with kEvicted and counted).
// Owns its flows; hands ended flows to the FlowConsumer it borrows (which must outlive it).
// Single-threaded: one table per pipeline worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "quench/core/limits.h"
#include "quench/core/time.h"
#include "quench/decode/packet.h"
#include "quench/flow/flow_record.h"

namespace quench {

class FlowConsumer {
 public:
  virtual ~FlowConsumer() = default;
  // Called once per ended flow, in end order. The record is only valid during the call.
  // Must not call back into the FlowTable that is ending the flow.
  virtual void OnFlowEnd(const FlowRecord& flow) = 0;
};

struct FlowTableOptions {
  size_t max_flows = limits::kDefaultMaxFlows;
  DurationNs idle_timeout = limits::kDefaultIdleTimeoutSeconds * kNanosPerSecond;
  DurationNs active_timeout = limits::kDefaultActiveTimeoutSeconds * kNanosPerSecond;
  DurationNs tcp_closed_linger = limits::kTcpClosedLingerSeconds * kNanosPerSecond;
};

struct FlowTableStats {
  uint64_t packets = 0;          // packets accounted to flows
  uint64_t flows_created = 0;
  uint64_t flows_ended = 0;
  uint64_t evicted = 0;          // ended early because the table was full
  uint64_t idle_timeouts = 0;
  uint64_t active_timeouts = 0;
  size_t active = 0;             // open now
  size_t peak_active = 0;
};

class FlowTable {
 public:
  FlowTable(const FlowTableOptions& options, FlowConsumer* consumer);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Accounts one decoded IP packet. Packet time drives expiry: idle flows older than
  // pkt.ts - idle_timeout are ended as time advances.
  void Add(const PacketInfo& pkt);
  // Ends flows idle since before now - idle_timeout.
  void ExpireIdle(Timestamp now);
  // Ends every open flow with kEndOfInput.
  void Flush();

  const FlowTableStats& stats() const;
  size_t size() const;
  // Bytes held by the table (entries, index and bookkeeping), for --max-flows sizing.
  size_t MemoryBytes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quench

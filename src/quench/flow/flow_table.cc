// FlowTable implementation.
//
// Layout: flows live in a slab of fixed-size chunks (Entry = FlowRecord + two 32-bit list links
// + the key hash + close state, 160 bytes); freed slots go on a free list threaded through
// `next`. FlowIndex maps the tuple hash to slot ids. Every flow is on exactly one of two
// intrusive lists ordered by last activity: `open_` (expires after idle_timeout) and `closed_`
// (FIN both ways or RST seen; expires after tcp_closed_linger). Each list has one timeout, so
// expiry pops from its head and stops at the first flow still alive: O(1) per packet.
//
// Worked example (idle 60 s, linger 5 s):
//   t=0   A:1000 -> B:80 SYN        new flow, client A (kSyn), open_ = [f1]
//   t=1   B:80 -> A:1000 SYN+ACK    same flow (the hash is symmetric), to_client, kSynAckSeen
//   t=2   A -> B ACK                kEstablished
//   t=3   A -> B FIN, t=4 B -> A FIN  FIN both ways: f1 moves to closed_
//   t=6   C:5 -> D:53 UDP           new flow f2, open_ = [f2]; closed_ head f1 is 2 s old
//   t=10  any packet                f1 has been quiet 6 s > 5 s: ended with kTcpClose
//   t=71  any packet                f2 quiet 65 s > 60 s: ended with kIdleTimeout
// Had a SYN A:1000 -> B:80 arrived at t=5, f1 would have ended at once (kTcpClose) and the
// SYN would have started a new flow on the same tuple.
#include "quench/flow/flow_table.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "quench/core/check.h"
#include "quench/flow/flow_index.h"

namespace quench {
namespace {

constexpr uint32_t kNil = 0xffffffffu;

// Entry::state bits.
constexpr uint8_t kFinFromClient = 1;
constexpr uint8_t kFinFromServer = 2;
constexpr uint8_t kClosedByFin = 4;
constexpr uint8_t kClosedByRst = 8;
constexpr uint8_t kClosed = kClosedByFin | kClosedByRst;

struct Entry {
  FlowRecord rec;
  uint64_t hash = 0;
  uint32_t prev = kNil;
  uint32_t next = kNil;  // also the free-list link
  uint8_t state = 0;
};

struct List {
  uint32_t head = kNil;
  uint32_t tail = kNil;
};

// Two 8-byte compares; IpAddress's operator== goes through an out-of-line memcmp.
bool SameAddress(const IpAddress& a, const IpAddress& b) {
  uint64_t x[2];
  uint64_t y[2];
  std::memcpy(x, a.bytes().data(), 16);
  std::memcpy(y, b.bytes().data(), 16);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

bool ProtoHasPorts(uint8_t proto) {
  return proto == kIpProtoTcp || proto == kIpProtoUdp || proto == kIpProtoIcmp ||
         proto == kIpProtoIcmpv6;
}

}  // namespace

class FlowTable::Impl {
 public:
  Impl(const FlowTableOptions& options, FlowConsumer* consumer)
      : options_(options),
        consumer_(consumer),
        max_flows_(std::clamp<size_t>(options.max_flows, 1, size_t{FlowIndex::kMaxSlot} + 1)),
        index_(max_flows_) {
    QUENCH_CHECK(consumer_ != nullptr);
    // Chunks of 16Ki entries (2.5 MiB), smaller for small tables so a tiny table stays tiny.
    chunk_shift_ = 4;
    while (chunk_shift_ < 14 && (size_t{1} << chunk_shift_) < max_flows_) ++chunk_shift_;
  }

  void Add(const PacketInfo& pkt) {
    ++stats_.packets;
    if (pkt.ts > now_) {
      now_ = pkt.ts;
      Expire();
    }
    const uint8_t proto = pkt.ip_proto;
    uint16_t sport = 0;
    uint16_t dport = 0;
    if (pkt.has_ports && ProtoHasPorts(proto)) {
      sport = pkt.sport;
      dport = pkt.dport;
    }
    const uint64_t hash = HashFlowKey(pkt.src, sport, pkt.dst, dport, proto, pkt.vlan);
    bool to_client = false;
    uint32_t slot = index_.Find(hash, [&](uint32_t s) {
      const FlowRecord& r = At(s).rec;
      if (r.proto != proto || r.vlan != pkt.vlan) return false;
      if (r.client_port == sport && r.server_port == dport && SameAddress(r.client, pkt.src) &&
          SameAddress(r.server, pkt.dst)) {
        to_client = false;
        return true;
      }
      if (r.client_port == dport && r.server_port == sport && SameAddress(r.client, pkt.dst) &&
          SameAddress(r.server, pkt.src)) {
        to_client = true;
        return true;
      }
      return false;
    });

    const bool tcp = proto == kIpProtoTcp;
    if (slot != FlowIndex::kNotFound) {
      Entry& e = At(slot);
      if ((e.state & kClosed) && tcp && (pkt.tcp_flags & kTcpSyn)) {
        // A new connection reuses the tuple of a closed one.
        End(slot, CloseReason(e));
        slot = FlowIndex::kNotFound;
      } else if (pkt.ts - e.rec.first_ts > options_.active_timeout) {
        CutActive(e, pkt.ts);
      }
    }
    if (slot == FlowIndex::kNotFound) {
      slot = Create(pkt, sport, dport, hash);
      const FlowRecord& r = At(slot).rec;
      to_client = !(SameAddress(r.client, pkt.src) && r.client_port == sport);
    }
    Account(slot, pkt, to_client);
  }

  void ExpireIdle(Timestamp now) {
    now_ = std::max(now_, now);
    Expire();
  }

  void Flush() {
    for (;;) {
      const uint32_t slot = Oldest();
      if (slot == kNil) break;
      const Entry& e = At(slot);
      End(slot, (e.state & kClosed) ? CloseReason(e) : FlowEndReason::kEndOfInput);
    }
  }

  const FlowTableStats& stats() const { return stats_; }
  size_t size() const { return stats_.active; }
  size_t MemoryBytes() const {
    return sizeof(*this) + chunks_.capacity() * sizeof(chunks_[0]) +
           chunks_.size() * (sizeof(Entry) << chunk_shift_) + index_.MemoryBytes();
  }

 private:
  Entry& At(uint32_t slot) {
    return chunks_[slot >> chunk_shift_][slot & ((uint32_t{1} << chunk_shift_) - 1)];
  }

  static FlowEndReason CloseReason(const Entry& e) {
    return (e.state & kClosedByRst) ? FlowEndReason::kTcpReset : FlowEndReason::kTcpClose;
  }

  // Creates the flow for pkt, oriented by its TCP flags, at the tail of open_.
  uint32_t Create(const PacketInfo& pkt, uint16_t sport, uint16_t dport, uint64_t hash) {
    if (stats_.active >= max_flows_) {
      const uint32_t victim = Oldest();
      QUENCH_CHECK(victim != kNil);
      ++stats_.evicted;
      End(victim, FlowEndReason::kEvicted);
    }
    const uint32_t slot = AllocSlot();
    Entry& e = At(slot);
    e.rec = FlowRecord{};
    e.hash = hash;
    e.state = 0;
    FlowRecord& r = e.rec;
    const uint8_t syn_ack = pkt.tcp_flags & (kTcpSyn | kTcpAck);
    const bool reverse = pkt.ip_proto == kIpProtoTcp && syn_ack == (kTcpSyn | kTcpAck);
    if (pkt.ip_proto == kIpProtoTcp && syn_ack == kTcpSyn) {
      r.orientation = FlowOrientation::kSyn;
      r.handshake = TcpHandshake::kSynSent;
    } else if (reverse) {
      r.orientation = FlowOrientation::kSynAck;
      r.handshake = TcpHandshake::kSynAckSeen;
    }
    r.client = reverse ? pkt.dst : pkt.src;
    r.server = reverse ? pkt.src : pkt.dst;
    r.client_port = reverse ? dport : sport;
    r.server_port = reverse ? sport : dport;
    r.proto = pkt.ip_proto;
    r.ip_version = pkt.ip_version;
    r.vlan = pkt.vlan;
    r.tunnel_depth = pkt.tunnel_depth;
    r.first_ts = pkt.ts;
    r.last_ts = pkt.ts;
    index_.Insert(hash, slot);
    PushBack(open_, slot);
    ++stats_.flows_created;
    ++stats_.active;
    stats_.peak_active = std::max(stats_.peak_active, stats_.active);
    return slot;
  }

  // Ends the record after active_timeout; the conversation continues in a fresh record with
  // the same tuple, orientation, handshake and close state.
  void CutActive(Entry& e, Timestamp ts) {
    e.rec.end_reason = FlowEndReason::kActiveTimeout;
    ++stats_.active_timeouts;
    ++stats_.flows_ended;
    ++stats_.flows_created;
    consumer_->OnFlowEnd(e.rec);
    e.rec.end_reason = FlowEndReason::kActive;
    e.rec.to_server = {};
    e.rec.to_client = {};
    e.rec.fragments = 0;
    e.rec.first_ts = ts;
    e.rec.last_ts = ts;
  }

  void Account(uint32_t slot, const PacketInfo& pkt, bool to_client) {
    Entry& e = At(slot);
    FlowRecord& r = e.rec;
    FlowDirectionStats& d = to_client ? r.to_client : r.to_server;
    ++d.packets;
    d.bytes += pkt.ip_len;
    d.payload_bytes += pkt.payload_len;
    if (pkt.is_fragment) ++r.fragments;
    r.first_ts = std::min(r.first_ts, pkt.ts);
    r.last_ts = std::max(r.last_ts, pkt.ts);
    const bool was_closed = (e.state & kClosed) != 0;
    if (r.proto == kIpProtoTcp) {
      const uint8_t f = pkt.tcp_flags;
      d.tcp_flags |= f;
      const uint8_t syn_ack = f & (kTcpSyn | kTcpAck);
      if (r.handshake == TcpHandshake::kSynSent && to_client && syn_ack == (kTcpSyn | kTcpAck)) {
        r.handshake = TcpHandshake::kSynAckSeen;
      } else if (r.handshake == TcpHandshake::kSynAckSeen && !to_client && syn_ack == kTcpAck) {
        r.handshake = TcpHandshake::kEstablished;
      }
      if (f & kTcpFin) e.state |= to_client ? kFinFromServer : kFinFromClient;
      if (!was_closed) {
        if (f & kTcpRst) {
          e.state |= kClosedByRst;
        } else if ((e.state & (kFinFromClient | kFinFromServer)) ==
                   (kFinFromClient | kFinFromServer)) {
          e.state |= kClosedByFin;
        }
      }
    }
    List& from = was_closed ? closed_ : open_;
    List& to = (e.state & kClosed) ? closed_ : open_;
    if (from.tail != slot || &from != &to) {
      Unlink(from, slot);
      PushBack(to, slot);
    }
  }

  // Ends flows whose list timeout has passed at now_, oldest first.
  void Expire() {
    ExpireList(open_, options_.idle_timeout);
    ExpireList(closed_, options_.tcp_closed_linger);
  }

  void ExpireList(List& list, DurationNs timeout) {
    while (list.head != kNil) {
      const Entry& e = At(list.head);
      if (now_ - e.rec.last_ts <= timeout) break;
      if (&list == &open_) {
        ++stats_.idle_timeouts;
        End(list.head, FlowEndReason::kIdleTimeout);
      } else {
        End(list.head, CloseReason(e));
      }
    }
  }

  // The least recently active flow (head of either list), or kNil when empty.
  uint32_t Oldest() {
    if (open_.head == kNil) return closed_.head;
    if (closed_.head == kNil) return open_.head;
    return At(closed_.head).rec.last_ts <= At(open_.head).rec.last_ts ? closed_.head
                                                                        : open_.head;
  }

  void End(uint32_t slot, FlowEndReason reason) {
    Entry& e = At(slot);
    e.rec.end_reason = reason;
    consumer_->OnFlowEnd(e.rec);
    index_.Erase(e.hash, slot);
    Unlink((e.state & kClosed) ? closed_ : open_, slot);
    e.next = free_head_;
    free_head_ = slot;
    ++stats_.flows_ended;
    --stats_.active;
  }

  uint32_t AllocSlot() {
    if (free_head_ != kNil) {
      const uint32_t slot = free_head_;
      free_head_ = At(slot).next;
      return slot;
    }
    const size_t chunk_size = size_t{1} << chunk_shift_;
    if (high_water_ == chunks_.size() * chunk_size) {
      chunks_.push_back(std::make_unique<Entry[]>(chunk_size));
    }
    return static_cast<uint32_t>(high_water_++);
  }

  void PushBack(List& list, uint32_t slot) {
    Entry& e = At(slot);
    e.prev = list.tail;
    e.next = kNil;
    if (list.tail != kNil) {
      At(list.tail).next = slot;
    } else {
      list.head = slot;
    }
    list.tail = slot;
  }

  void Unlink(List& list, uint32_t slot) {
    Entry& e = At(slot);
    if (e.prev != kNil) {
      At(e.prev).next = e.next;
    } else {
      list.head = e.next;
    }
    if (e.next != kNil) {
      At(e.next).prev = e.prev;
    } else {
      list.tail = e.prev;
    }
    e.prev = kNil;
    e.next = kNil;
  }

  const FlowTableOptions options_;
  FlowConsumer* const consumer_;
  const size_t max_flows_;
  FlowIndex index_;
  std::vector<std::unique_ptr<Entry[]>> chunks_;
  int chunk_shift_ = 14;
  size_t high_water_ = 0;
  uint32_t free_head_ = kNil;
  List open_;
  List closed_;
  Timestamp now_ = INT64_MIN;
  FlowTableStats stats_;
};

FlowTable::FlowTable(const FlowTableOptions& options, FlowConsumer* consumer)
    : impl_(std::make_unique<Impl>(options, consumer)) {}
FlowTable::~FlowTable() = default;
void FlowTable::Add(const PacketInfo& pkt) { impl_->Add(pkt); }
void FlowTable::ExpireIdle(Timestamp now) { impl_->ExpireIdle(now); }
void FlowTable::Flush() { impl_->Flush(); }
const FlowTableStats& FlowTable::stats() const { return impl_->stats(); }
size_t FlowTable::size() const { return impl_->size(); }
size_t FlowTable::MemoryBytes() const { return impl_->MemoryBytes(); }

}  // namespace quench

// FlowTable implementation.
//
// Layout: flows live in a slab of fixed-size chunks (Entry = FlowRecord + the key hash + two
// list links as pointers, so relinking never maps a slot id to a chunk + its own slot id +
// close state, 168 bytes); freed entries go on a free list threaded through `next`. FlowIndex maps the tuple hash to slot ids. Every flow is on exactly one of two
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
#include <bit>
#include <cstddef>
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
  Entry* prev = nullptr;
  Entry* next = nullptr;  // also the free-list link
  uint32_t slot = kNil;   // this entry's id in the index
  uint8_t state = 0;
};

static_assert(sizeof(Entry) <= 168, "keep <= 256 bytes per flow with the index and slack");

struct List {
  Entry* head = nullptr;
  Entry* tail = nullptr;
};

// The 16 address bytes as two words, so a key compares with a few 64-bit loads.
struct AddrWords {
  uint64_t w[2];
};
AddrWords Words(const IpAddress& a) {
  AddrWords x;
  std::memcpy(x.w, a.bytes().data(), 16);
  return x;
}
bool SameWords(const IpAddress& a, const AddrWords& y) {
  const AddrWords x = Words(a);
  return ((x.w[0] ^ y.w[0]) | (x.w[1] ^ y.w[1])) == 0;
}

// FlowRecord keeps client_port, server_port, proto, ip_version and vlan in one 8-byte word
// after the two addresses; the key part of that word (all but ip_version) compares at once.
constexpr size_t kPortWordOffset = offsetof(FlowRecord, client_port);
static_assert(offsetof(FlowRecord, server_port) == kPortWordOffset + 2);
static_assert(offsetof(FlowRecord, proto) == kPortWordOffset + 4);
static_assert(offsetof(FlowRecord, ip_version) == kPortWordOffset + 5);
static_assert(offsetof(FlowRecord, vlan) == kPortWordOffset + 6);

static_assert(std::endian::native == std::endian::little, "PortWord assumes little-endian");
constexpr uint64_t kPortWordMask = ~(uint64_t{0xff} << 40);  // all but ip_version

uint64_t PortWord(uint16_t client_port, uint16_t server_port, uint8_t proto, uint16_t vlan) {
  return uint64_t{client_port} | uint64_t{server_port} << 16 | uint64_t{proto} << 32 |
         uint64_t{vlan} << 48;
}
uint64_t RecordPortWord(const FlowRecord& r) {
  uint64_t w;
  std::memcpy(&w, reinterpret_cast<const unsigned char*>(&r) + kPortWordOffset, 8);
  return w & kPortWordMask;
}

bool ProtoHasPorts(uint8_t proto) {
  return proto == kIpProtoTcp || proto == kIpProtoUdp || proto == kIpProtoIcmp ||
         proto == kIpProtoIcmpv6;
}

// a + b, saturating at INT64_MAX (timeouts may be set absurdly large).
Timestamp SaturatingAdd(Timestamp a, DurationNs b) {
  Timestamp out;
  return __builtin_add_overflow(a, b, &out) ? INT64_MAX : out;
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
    // Chunks of about 1/8 of max_flows (16 to 16Ki entries, 2.5 KiB to 2.5 MiB), so the slab
    // over-allocates at most 1/8 and a tiny table stays tiny.
    chunk_shift_ = 4;
    while (chunk_shift_ < 14 && (size_t{2} << chunk_shift_) <= max_flows_ / 8) ++chunk_shift_;
  }

  void Add(const PacketInfo& pkt) {
    ++stats_.packets;
    if (pkt.ts > now_) {
      now_ = pkt.ts;
      // next_deadline_ is at or before the earliest head deadline, so this skips only when
      // ExpireList would end nothing.
      if (now_ > next_deadline_) Expire();
    }
    const uint8_t proto = pkt.ip_proto;
    uint16_t sport = 0;
    uint16_t dport = 0;
    if (pkt.has_ports && ProtoHasPorts(proto)) {
      sport = pkt.sport;
      dport = pkt.dport;
    }
    const uint64_t hash = HashFlowKey(pkt.src, sport, pkt.dst, dport, proto, pkt.vlan);
    const AddrWords src = Words(pkt.src);
    const AddrWords dst = Words(pkt.dst);
    const uint64_t fwd = PortWord(sport, dport, proto, pkt.vlan);
    const uint64_t rev = PortWord(dport, sport, proto, pkt.vlan);
    bool to_client = false;
    Entry* e = nullptr;
    uint32_t slot = index_.Find(hash, [&](uint32_t s) {
      Entry& cand = At(s);
      const uint64_t word = RecordPortWord(cand.rec);
      if (word == fwd && SameWords(cand.rec.client, src) && SameWords(cand.rec.server, dst)) {
        to_client = false;
        e = &cand;
        return true;
      }
      if (word == rev && SameWords(cand.rec.client, dst) && SameWords(cand.rec.server, src)) {
        to_client = true;
        e = &cand;
        return true;
      }
      return false;
    });

    if (slot != FlowIndex::kNotFound) [[likely]] {
      if ((e->state & kClosed) && proto == kIpProtoTcp && (pkt.tcp_flags & kTcpSyn)) {
        // A new connection reuses the tuple of a closed one.
        End(*e, CloseReason(*e));
        slot = FlowIndex::kNotFound;
      } else if (pkt.ts - e->rec.first_ts > options_.active_timeout) [[unlikely]] {
        CutActive(*e, pkt.ts);
      }
    }
    if (slot == FlowIndex::kNotFound) {
      e = &Create(pkt, sport, dport, hash);
      to_client = !(SameWords(e->rec.client, src) && e->rec.client_port == sport);
    }
    Account(*e, pkt, to_client);
  }

  void ExpireIdle(Timestamp now) {
    now_ = std::max(now_, now);
    Expire();
  }

  void Flush() {
    for (;;) {
      Entry* e = Oldest();
      if (e == nullptr) break;
      End(*e, (e->state & kClosed) ? CloseReason(*e) : FlowEndReason::kEndOfInput);
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
  Entry& Create(const PacketInfo& pkt, uint16_t sport, uint16_t dport, uint64_t hash) {
    if (stats_.active >= max_flows_) {
      Entry* victim = Oldest();
      QUENCH_CHECK(victim != nullptr);
      ++stats_.evicted;
      End(*victim, FlowEndReason::kEvicted);
    }
    Entry& e = AllocEntry();
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
    index_.Insert(hash, e.slot);
    PushBack(open_, e);
    ++stats_.flows_created;
    ++stats_.active;
    stats_.peak_active = std::max(stats_.peak_active, stats_.active);
    return e;
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
    // With out-of-order packets last_ts may have moved back; keep next_deadline_ a lower bound.
    next_deadline_ = std::min(
        next_deadline_,
        SaturatingAdd(ts, std::min(options_.idle_timeout, options_.tcp_closed_linger)));
  }

  [[gnu::always_inline]] void Account(Entry& e, const PacketInfo& pkt, bool to_client) {
    FlowRecord& r = e.rec;
    FlowDirectionStats& d = to_client ? r.to_client : r.to_server;
    ++d.packets;
    d.bytes += pkt.ip_len;
    d.payload_bytes += pkt.payload_len;
    r.fragments += pkt.is_fragment ? 1 : 0;
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
    const bool now_closed = (e.state & kClosed) != 0;
    List& from = was_closed ? closed_ : open_;
    if (from.tail != &e || was_closed != now_closed) {
      Unlink(from, e);
      PushBack(now_closed ? closed_ : open_, e);
    }
  }

  // Ends flows whose list timeout has passed at now_, oldest first, then recomputes
  // next_deadline_ from the two heads.
  void Expire() {
    ExpireList(open_, options_.idle_timeout);
    ExpireList(closed_, options_.tcp_closed_linger);
    next_deadline_ = INT64_MAX;
    if (open_.head != nullptr) LowerDeadline(*open_.head, open_);
    if (closed_.head != nullptr) LowerDeadline(*closed_.head, closed_);
  }

  // e became the head of list (or is already): its deadline bounds next_deadline_.
  void LowerDeadline(const Entry& e, const List& list) {
    const DurationNs timeout = &list == &open_ ? options_.idle_timeout
                                               : options_.tcp_closed_linger;
    next_deadline_ = std::min(next_deadline_, SaturatingAdd(e.rec.last_ts, timeout));
  }

  void ExpireList(List& list, DurationNs timeout) {
    while (list.head != nullptr) {
      Entry& e = *list.head;
      if (now_ - e.rec.last_ts <= timeout) break;
      if (&list == &open_) {
        ++stats_.idle_timeouts;
        End(e, FlowEndReason::kIdleTimeout);
      } else {
        End(e, CloseReason(e));
      }
    }
  }

  // The least recently active flow (head of either list), or nullptr when empty.
  Entry* Oldest() {
    if (open_.head == nullptr) return closed_.head;
    if (closed_.head == nullptr) return open_.head;
    return closed_.head->rec.last_ts <= open_.head->rec.last_ts ? closed_.head : open_.head;
  }

  void End(Entry& e, FlowEndReason reason) {
    e.rec.end_reason = reason;
    consumer_->OnFlowEnd(e.rec);
    index_.Erase(e.hash, e.slot);
    Unlink((e.state & kClosed) ? closed_ : open_, e);
    e.next = free_head_;
    free_head_ = &e;
    ++stats_.flows_ended;
    --stats_.active;
  }

  Entry& AllocEntry() {
    if (free_head_ != nullptr) {
      Entry& e = *free_head_;
      free_head_ = e.next;
      return e;
    }
    const size_t chunk_size = size_t{1} << chunk_shift_;
    if (high_water_ == chunks_.size() * chunk_size) {
      chunks_.push_back(std::make_unique<Entry[]>(chunk_size));
    }
    const uint32_t slot = static_cast<uint32_t>(high_water_++);
    Entry& e = At(slot);
    e.slot = slot;
    return e;
  }

  void PushBack(List& list, Entry& e) {
    e.prev = list.tail;
    e.next = nullptr;
    if (list.tail != nullptr) {
      list.tail->next = &e;
    } else {
      list.head = &e;
      LowerDeadline(e, list);
    }
    list.tail = &e;
  }

  void Unlink(List& list, Entry& e) {
    if (e.prev != nullptr) {
      e.prev->next = e.next;
    } else {
      list.head = e.next;
    }
    if (e.next != nullptr) {
      e.next->prev = e.prev;
      if (e.prev == nullptr) LowerDeadline(*e.next, list);  // the new head
    } else {
      list.tail = e.prev;
    }
    e.prev = nullptr;
    e.next = nullptr;
  }

  const FlowTableOptions options_;
  FlowConsumer* const consumer_;
  const size_t max_flows_;
  FlowIndex index_;
  std::vector<std::unique_ptr<Entry[]>> chunks_;
  int chunk_shift_ = 14;
  size_t high_water_ = 0;
  Entry* free_head_ = nullptr;
  List open_;
  List closed_;
  Timestamp now_ = INT64_MIN;
  // At or before the earliest deadline (last_ts + the list's timeout) of the two list heads;
  // Add runs Expire only once now_ passes it, so it does not touch a cold head per packet.
  Timestamp next_deadline_ = INT64_MAX;
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

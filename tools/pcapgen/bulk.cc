// Flow f's packet budget: packets/flows, plus/minus a random shift between pairs (2k, 2k+1)
// so totals stay exact while flows differ in length. A TCP flow with budget b >= 7 sends
// SYN, SYN-ACK, ACK, b-6 data segments (about 1/3 from the client, a third of
// them pure ACKs of the peer's last data), FIN-ACK, FIN-ACK, ACK;
// smaller budgets send a prefix of SYN, SYN-ACK, ACK, FIN-ACK, FIN-ACK, ACK. UDP flows
// alternate DNS query/answer. Each step picks a random open flow, so flows interleave.
#include "bulk.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "app_payload.h"
#include "rng.h"

namespace pcapgen {

namespace {

using quench::IpAddress;

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

struct OpenFlow {
  uint64_t index;
  uint64_t budget;
  uint64_t sent = 0;
  FrameSpec frame;  // client->server template
  uint32_t seq[2];
  uint16_t ip_id[2];
  uint16_t server_port;
  uint16_t client_port;
  uint32_t conversation;
  bool udp;
  int8_t unacked_dir = -1;  // direction of data not yet acknowledged by a pure ACK
};

class Bulk {
 public:
  Bulk(const BulkOptions& o, CaptureWriter& w) : o_(o), w_(w), rng_(o.seed), pool_(kMaxPayload) {
    Rng pool_rng(o.seed ^ 0x706f6f6cULL);
    for (auto& b : pool_) b = static_cast<uint8_t>(pool_rng.Next());
    base_budget_ = o.packets / o.flows;
    extra_ = o.packets % o.flows;
  }

  BulkStats Run() {
    const uint64_t window = std::max<uint64_t>(1, std::min<uint64_t>(o_.open_flows, o_.flows));
    open_.reserve(window);
    while (open_.size() < window && next_flow_ < o_.flows) Open();
    quench::Timestamp now = o_.start;
    const double gap_ns = o_.mean_gap_us * 1000.0;
    while (!open_.empty()) {
      const size_t slot = rng_.Uniform(0, open_.size() - 1);
      // Gaps uniform in [0, 2*mean): cheap, and the clock never goes backwards.
      now += static_cast<quench::Timestamp>(rng_.UnitDouble() * 2 * gap_ns);
      OpenFlow& fl = open_[slot];
      Step(fl, now);
      if (fl.sent == fl.budget) {
        if (next_flow_ < o_.flows) {
          open_[slot] = MakeFlow(next_flow_++);
        } else {
          open_[slot] = open_.back();
          open_.pop_back();
        }
      }
    }
    stats_.packets = w_.packets();
    return stats_;
  }

 private:
  uint64_t BudgetOf(uint64_t f) const {
    uint64_t b = base_budget_ + (f < extra_ ? 1 : 0);
    // Shift between the pair (2k, 2k+1) when both exist and have the same base.
    const uint64_t pair = f & ~uint64_t{1};
    if (pair + 1 < o_.flows && base_budget_ > 2 && (pair < extra_) == (pair + 1 < extra_)) {
      const uint64_t shift = Mix(o_.seed ^ pair) % (base_budget_ / 2 + 1);
      b = (f & 1) ? b - shift : b + shift;
    }
    return b;
  }

  void Open() { open_.push_back(MakeFlow(next_flow_++)); }

  OpenFlow MakeFlow(uint64_t f) {
    OpenFlow fl;
    const uint64_t h = Mix(o_.seed * 0x9e3779b97f4a7c15ULL + f);
    fl.index = f;
    fl.budget = BudgetOf(f);
    fl.udp = static_cast<double>(h & 0xffff) < o_.udp_share * 65536.0;
    const bool v6 = static_cast<double>((h >> 16) & 0xffff) < o_.v6_share * 65536.0;
    // Client: host f of 10.0.0.0/8 (or 2001:db8:c::/64); ports split the space beyond 2^24.
    const uint64_t host = f % 0xfffffe + 1;
    // Same host only every 2^24-2 flows; those rounds get consecutive ports.
    fl.client_port = static_cast<uint16_t>(1024 + (Mix(host) + f / 0xfffffe) % 64000);
    const uint32_t server_host = static_cast<uint32_t>((h >> 24) % 4096);
    FrameSpec& fr = fl.frame;
    fr.link = o_.link;
    if (v6) {
      uint8_t c[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c};
      uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05};
      for (int i = 0; i < 8; ++i) c[15 - i] = static_cast<uint8_t>(host >> (8 * i));
      s[14] = static_cast<uint8_t>(server_host >> 8);
      s[15] = static_cast<uint8_t>(server_host + 1);
      fr.src = IpAddress::FromV6Bytes(c);
      fr.dst = IpAddress::FromV6Bytes(s);
      ++stats_.v6_flows;
    } else {
      fr.src = IpAddress::FromV4(0x0a000000u + static_cast<uint32_t>(host));
      fr.dst = IpAddress::FromV4(0xc6120000u + server_host + 1);  // 198.18.0.0/15 benchmark range
    }
    fr.src_mac = MacFor(fr.src);
    fr.dst_mac = MacFor(fr.dst);
    fr.proto = fl.udp ? Proto::kUdp : Proto::kTcp;
    fl.server_port = fl.udp ? 53 : ((h >> 40) % 5 == 0 ? 993 : 443);  // HTTPS, IMAPS
    fl.seq[0] = static_cast<uint32_t>(h);
    fl.seq[1] = static_cast<uint32_t>(h >> 32);
    fl.ip_id[0] = static_cast<uint16_t>(h >> 8);
    fl.ip_id[1] = static_cast<uint16_t>(h >> 20);
    fl.conversation = static_cast<uint32_t>(h >> 13);
    ++stats_.flows_started;
    ++(fl.udp ? stats_.udp_flows : stats_.tcp_flows);
    return fl;
  }

  // Fills `out` with a data segment's payload and returns its length.
  size_t Payload(const OpenFlow& fl, bool from_client, uint8_t* out) {
    if (fl.udp) return FillPayload(App::kDns, from_client, 0, 0, fl.conversation, rng_, out);
    const uint64_t r = rng_.Next();
    // Requests 40-400 bytes; responses half small (100-400), half up to max_payload.
    size_t len = from_client || (r & 1) ? 40 + r % 361 : 100 + r % (o_.max_payload - 99);
    const size_t pool_off = (r >> 32) % (pool_.size() - len);
    std::memcpy(out, pool_.data() + pool_off, len);
    {  // one TLS application-data record (both ports speak TLS)
      out[0] = 23;
      out[1] = 3;
      out[2] = 3;
      out[3] = static_cast<uint8_t>((len - 5) >> 8);
      out[4] = static_cast<uint8_t>(len - 5);
    }
    return len;
  }

  void Step(OpenFlow& fl, quench::Timestamp now) {
    const uint64_t k = fl.sent++;
    bool from_client;
    uint8_t flags = kTcpAck;
    size_t payload_len = 0;
    uint8_t* room = w_.ReserveRecord(static_cast<uint32_t>(kMaxFrame));
    if (fl.udp) {
      from_client = (k & 1) == 0;
      payload_len = Payload(fl, from_client, payload_);
    } else {
      // Position in the TCP script; budgets < 7 take a prefix of the control packets.
      static constexpr uint8_t kControl[6] = {kTcpSyn, kTcpSyn | kTcpAck, kTcpAck,
                                              kTcpFin | kTcpAck, kTcpFin | kTcpAck, kTcpAck};
      static constexpr bool kControlFromClient[6] = {true, false, true, true, false, true};
      const uint64_t data = fl.budget >= 7 ? fl.budget - 6 : 0;
      int control = -1;
      if (k < 3) {
        control = static_cast<int>(k);
      } else if (k >= 3 + data) {
        control = static_cast<int>(k - data);
      }
      if (control >= 0) {
        flags = kControl[control];
        from_client = kControlFromClient[control];
      } else if (fl.unacked_dir >= 0 && rng_.Uniform(0, 2) == 0) {
        from_client = fl.unacked_dir == 1;  // a pure ACK for the peer's data
        fl.unacked_dir = -1;
      } else {
        from_client = rng_.Uniform(0, 2) == 0;
        payload_len = Payload(fl, from_client, payload_);
        flags = kTcpAck | kTcpPsh;
        fl.unacked_dir = from_client ? 0 : 1;
      }
    }
    const int dir = from_client ? 0 : 1;
    FrameSpec f = fl.frame;
    if (!from_client) {
      std::swap(f.src, f.dst);
      std::swap(f.src_mac, f.dst_mac);
      f.ttl = 56;
    }
    f.outgoing = from_client;
    f.src_port = from_client ? fl.client_port : fl.server_port;
    f.dst_port = from_client ? fl.server_port : fl.client_port;
    f.ip_id = fl.ip_id[dir]++;
    f.flow_label = (fl.conversation + static_cast<uint32_t>(dir)) & 0xfffff;
    if (!fl.udp) {
      f.tcp_flags = flags;
      f.seq = fl.seq[dir];
      f.ack = (flags & kTcpAck) ? fl.seq[1 - dir] : 0;
      f.tcp_mss_option = (flags & kTcpSyn) != 0;
      fl.seq[dir] += static_cast<uint32_t>(payload_len) + ((flags & (kTcpSyn | kTcpFin)) ? 1 : 0);
    }
    const size_t len = BuildFrame(f, payload_, payload_len, room);
    w_.CommitRecord(now, static_cast<uint32_t>(len));
  }

  const BulkOptions& o_;
  CaptureWriter& w_;
  Rng rng_;
  std::vector<uint8_t> pool_;
  uint8_t payload_[kMaxPayload];
  std::vector<OpenFlow> open_;
  uint64_t next_flow_ = 0;
  uint64_t base_budget_ = 0;
  uint64_t extra_ = 0;
  BulkStats stats_;
};

}  // namespace

quench::Result<BulkStats> GenerateBulk(const BulkOptions& opts, CaptureWriter& writer) {
  if (opts.flows == 0 || opts.packets < opts.flows) {
    return quench::MakeError(quench::ErrorCode::kInvalidArgument, "--packets must be >= --flows >= 1");
  }
  if (opts.v6_share < 0 || opts.v6_share > 1 || opts.udp_share < 0 || opts.udp_share > 1) {
    return quench::MakeError(quench::ErrorCode::kInvalidArgument, "shares must be within [0, 1]");
  }
  if (opts.max_payload < 100 || opts.max_payload > 8960) {
    return quench::MakeError(quench::ErrorCode::kInvalidArgument, "--max-payload must be within [100, 8960]");
  }
  auto bulk = std::make_unique<Bulk>(opts, writer);
  return bulk->Run();
}

}  // namespace pcapgen

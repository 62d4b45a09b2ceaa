// Timeline of one TCP instance starting at t0 with duration D and round trip r
// (r is shrunk to at most D/8 so everything fits):
//   t0          SYN                (syn_only: retries at t0 + D*(2^i-1)/(2^n-1))
//   t0+r        SYN-ACK            (syn_rst: RST-ACK instead, then nothing else)
//   t0+r+50us   ACK
//   [t0+2r, t0+D-2r]  data segments, evenly spread with jitter, request/response order
//   t0+D-r-100us FIN-ACK (client), t0+D-50us FIN-ACK (server), t0+D ACK
// Every segment's ack is the peer's next sequence number: delivery is in order and lossless.
#include "generator.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "app_payload.h"
#include "rng.h"

namespace pcapgen {

namespace {

using quench::IpAddress;
using quench::Timestamp;

constexpr Timestamp kMicro = 1000;

struct Pending {
  Timestamp ts;
  uint64_t order;
  uint64_t offset;
  uint32_t len;
};

IpAddress NthHost(const quench::IpPrefix& p, uint32_t i) {
  auto bytes = p.address.bytes();
  const int family_bits = p.address.is_v4() ? 32 : 128;
  const int host_bits = family_bits - p.prefix_len;
  uint64_t hosts;  // usable host numbers 1..hosts
  if (host_bits >= 63) {
    hosts = uint64_t{1} << 62;
  } else if (host_bits <= 1) {
    hosts = 0;
  } else {
    hosts = (uint64_t{1} << host_bits) - 2;
  }
  const uint64_t add = hosts == 0 ? 0 : 1 + i % hosts;
  // Add to the low 64 bits, big-endian.
  uint64_t low = 0;
  for (int b = 8; b < 16; ++b) low = (low << 8) | bytes[b];
  low += add;
  for (int b = 15; b >= 8; --b) {
    bytes[b] = static_cast<uint8_t>(low);
    low >>= 8;
  }
  return IpAddress::FromV6Bytes(bytes.data());
}

uint16_t WrapPort(int64_t p) {
  constexpr int64_t kLo = 1024, kSpan = 65536 - 1024;
  int64_t x = (p - kLo) % kSpan;
  if (x < 0) x += kSpan;
  return static_cast<uint16_t>(kLo + x);
}

class Emitter {
 public:
  Emitter() : scratch_(kMaxFrame), payload_(kMaxPayload) {}

  uint8_t* payload() { return payload_.data(); }

  void Emit(Timestamp ts, const FrameSpec& f, size_t payload_len) {
    const size_t len = BuildFrame(f, payload_.data(), payload_len, scratch_.data());
    pending_.push_back(Pending{ts, pending_.size(), arena_.size(), static_cast<uint32_t>(len)});
    arena_.insert(arena_.end(), scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(len));
  }

  void WriteSorted(CaptureWriter& w) {
    std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
      return a.ts != b.ts ? a.ts < b.ts : a.order < b.order;
    });
    for (const Pending& p : pending_) w.Write(p.ts, arena_.data() + p.offset, p.len);
  }
  uint64_t count() const { return pending_.size(); }

 private:
  std::vector<uint8_t> scratch_;
  std::vector<uint8_t> payload_;
  std::vector<uint8_t> arena_;
  std::vector<Pending> pending_;
};

// One connection instance: endpoints fixed, sequence numbers and IP ids advancing.
class Instance {
 public:
  Instance(const Spec& spec, const FlowSpec& fl, Rng rng, Emitter& out) : fl_(fl), rng_(rng), out_(out) {
    base_.link = spec.link;
    base_.vlan_count = fl.vlan_count;
    base_.vlans[0] = fl.vlans[0];
    base_.vlans[1] = fl.vlans[1];
    base_.encap = fl.encap;
    base_.vni = fl.vni;
    base_.proto = fl.proto;
    app_ = AppFor(fl.proto, fl.server_port);
    conversation_ = static_cast<uint32_t>(rng_.Next());
    seq_[0] = static_cast<uint32_t>(rng_.Next());
    seq_[1] = static_cast<uint32_t>(rng_.Next());
    ip_id_[0] = static_cast<uint16_t>(rng_.Next());
    ip_id_[1] = static_cast<uint16_t>(rng_.Next());
    flow_label_[0] = static_cast<uint32_t>(rng_.Next()) & 0xfffff;
    flow_label_[1] = static_cast<uint32_t>(rng_.Next()) & 0xfffff;
  }

  void SetEndpoints(const IpAddress& client, uint16_t client_port, const IpAddress& server) {
    client_ = client;
    server_ = server;
    client_port_ = client_port;
  }

  void Run(Timestamp t0) {
    const Timestamp dur = std::max<Timestamp>(static_cast<Timestamp>(std::llround(fl_.duration_s * 1e9)), 1);
    Timestamp rtt = static_cast<Timestamp>(std::llround(fl_.rtt_s * 1e9));
    rtt = std::clamp<Timestamp>(rtt, 1, std::max<Timestamp>(dur / 8, 1));
    if (fl_.proto != Proto::kTcp) {
      Data(t0, t0 + dur, true);
      return;
    }
    Timestamp data_lo = t0, data_hi = t0 + dur;
    switch (fl_.handshake) {
      case Handshake::kSynOnly:
      case Handshake::kSynRst: {
        const uint32_t n = fl_.syn_retries;
        for (uint32_t i = 0; i <= n; ++i) {
          const Timestamp at = n == 0 ? t0
                                      : t0 + static_cast<Timestamp>(static_cast<double>(dur - rtt) *
                                                                    ((1u << i) - 1) / ((1u << n) - 1));
          Tcp(at, true, kTcpSyn, 0, true);
          if (fl_.handshake == Handshake::kSynRst) Tcp(at + rtt, false, kTcpRst | kTcpAck, 0, false, seq_[0] + 1);
        }
        return;
      }
      case Handshake::kFull:
        Tcp(t0, true, kTcpSyn, 0, true);
        Tcp(t0 + rtt, false, kTcpSyn | kTcpAck, 0, true, seq_[0] + 1);
        ++seq_[0];
        ++seq_[1];
        Tcp(t0 + rtt + 50 * kMicro, true, kTcpAck, 0, false);
        data_lo = t0 + 2 * rtt;
        break;
      case Handshake::kNone:
        break;
    }
    if (fl_.teardown != Teardown::kNone) data_hi = t0 + dur - 2 * rtt;
    if (data_hi < data_lo) data_hi = data_lo;
    Data(data_lo, data_hi, false);
    const Timestamp end = t0 + dur;
    if (fl_.teardown == Teardown::kFin) {
      Tcp(std::max(end - rtt - 100 * kMicro, data_hi), true, kTcpFin | kTcpAck, 0, false);
      ++seq_[0];
      Tcp(end - 50 * kMicro, false, kTcpFin | kTcpAck, 0, false);
      ++seq_[1];
      Tcp(end, true, kTcpAck, 0, false);
    } else if (fl_.teardown == Teardown::kRst) {
      Tcp(end, true, kTcpRst | kTcpAck, 0, false);
    }
  }

 private:
  // Data packets of both directions in request/response order, spread over [lo, hi].
  void Data(Timestamp lo, Timestamp hi, bool pin_ends) {
    const uint32_t to_server = fl_.packets_to_server, to_client = fl_.packets_to_client;
    const uint64_t n = uint64_t{to_server} + to_client;
    if (n == 0) return;
    const bool server_first = !fl_.first_server_payload.empty() && fl_.first_client_payload.empty();
    uint32_t sent[2] = {0, 0};  // [0] client->server, [1] server->client
    const double span = static_cast<double>(hi - lo);
    for (uint64_t i = 0; i < n; ++i) {
      // Pick the side that is behind its share; ties go to whoever speaks first.
      bool from_client;
      if (sent[0] == to_server) {
        from_client = false;
      } else if (sent[1] == to_client) {
        from_client = true;
      } else {
        const double c = static_cast<double>(sent[0]) / to_server, s = static_cast<double>(sent[1]) / to_client;
        from_client = c < s || (c == s && !server_first);
      }
      Timestamp at;
      if (pin_ends) {
        at = n == 1 ? lo : lo + static_cast<Timestamp>(span * static_cast<double>(i) / static_cast<double>(n - 1));
      } else {
        const double slot = span / static_cast<double>(n);
        at = lo + static_cast<Timestamp>(slot * (static_cast<double>(i) + 0.25 + 0.5 * rng_.UnitDouble()));
      }
      const uint32_t index = from_client ? sent[0]++ : sent[1]++;
      const std::string& first = from_client ? fl_.first_client_payload : fl_.first_server_payload;
      size_t len;
      if (index == 0 && !first.empty()) {
        len = first.size();
        std::copy(first.begin(), first.end(), out_.payload());
      } else {
        const SizeRange& r = from_client ? fl_.client_payload : fl_.server_payload;
        const size_t want = rng_.Uniform(r.min, r.max);
        // After a literal banner, protocol framing continues from the next message.
        len = FillPayload(app_, from_client, index, want, conversation_, rng_, out_.payload());
      }
      if (fl_.proto == Proto::kTcp) {
        Tcp(at, from_client, kTcpAck | (len > 0 ? kTcpPsh : 0), len, false);
        seq_[from_client ? 0 : 1] += static_cast<uint32_t>(len);
      } else {
        Datagram(at, from_client, index, len);
      }
    }
  }

  FrameSpec Frame(bool from_client) {
    FrameSpec f = base_;
    const int dir = from_client ? 0 : 1;
    f.src = from_client ? client_ : server_;
    f.dst = from_client ? server_ : client_;
    f.src_mac = MacFor(f.src);
    f.dst_mac = MacFor(f.dst);
    f.inner_src_mac = f.src_mac;
    f.inner_dst_mac = f.dst_mac;
    f.outer_src = from_client ? fl_.outer_client : fl_.outer_server;
    f.outer_dst = from_client ? fl_.outer_server : fl_.outer_client;
    if (f.encap != Encap::kNone) {
      f.src_mac = MacFor(f.outer_src);
      f.dst_mac = MacFor(f.outer_dst);
    }
    f.outgoing = from_client;
    f.ttl = from_client ? fl_.client_ttl : fl_.server_ttl;
    f.ip_id = ip_id_[dir]++;
    f.flow_label = flow_label_[dir];
    return f;
  }

  void Tcp(Timestamp at, bool from_client, uint8_t flags, size_t payload_len, bool mss,
           std::optional<uint32_t> ack_override = std::nullopt) {
    FrameSpec f = Frame(from_client);
    f.src_port = from_client ? client_port_ : fl_.server_port;
    f.dst_port = from_client ? fl_.server_port : client_port_;
    f.tcp_flags = flags;
    f.seq = seq_[from_client ? 0 : 1];
    if (flags & kTcpAck) f.ack = ack_override ? *ack_override : seq_[from_client ? 1 : 0];
    if (flags & kTcpRst) f.window = 0;
    f.tcp_mss_option = mss;
    out_.Emit(at, f, payload_len);
  }

  void Datagram(Timestamp at, bool from_client, uint32_t index, size_t payload_len) {
    FrameSpec f = Frame(from_client);
    if (fl_.proto == Proto::kUdp) {
      f.src_port = from_client ? client_port_ : fl_.server_port;
      f.dst_port = from_client ? fl_.server_port : client_port_;
    } else {
      const bool v4 = fl_.proto == Proto::kIcmp;
      f.icmp_type = from_client ? (v4 ? 8 : 128) : (v4 ? 0 : 129);
      f.src_port = client_port_;  // echo identifier
      // A reply echoes the latest request's sequence number.
      f.dst_port = static_cast<uint16_t>(from_client ? index : (echo_seq_ > 0 ? echo_seq_ - 1 : 0));
      if (from_client) echo_seq_ = static_cast<uint16_t>(index + 1);
    }
    out_.Emit(at, f, payload_len);
  }

  const FlowSpec& fl_;
  Rng rng_;
  Emitter& out_;
  FrameSpec base_;
  App app_;
  uint32_t conversation_;
  IpAddress client_, server_;
  uint16_t client_port_ = 0;
  uint32_t seq_[2];
  uint16_t ip_id_[2];
  uint32_t flow_label_[2];
  uint16_t echo_seq_ = 0;
};

}  // namespace

quench::Result<GenerateStats> GenerateFromSpec(const Spec& spec, CaptureWriter& writer) {
  Emitter emitter;
  GenerateStats stats;
  Rng root(spec.seed);
  for (size_t fi = 0; fi < spec.flows.size(); ++fi) {
    const FlowSpec& fl = spec.flows[fi];
    Rng flow_rng = root.Fork(fi + 1);
    const int64_t base_port = fl.client_port ? *fl.client_port
                                             : static_cast<int64_t>(flow_rng.Uniform(fl.proto == Proto::kTcp || fl.proto == Proto::kUdp ? 49152 : 1, 60999));
    for (uint32_t i = 0; i < fl.repeat.count; ++i) {
      Rng inst_rng = flow_rng.Fork(i + 1);
      const double jitter = fl.repeat.jitter_s > 0 ? inst_rng.UnitDouble() * fl.repeat.jitter_s : 0;
      const Timestamp t0 = spec.start + static_cast<Timestamp>(std::llround(
                                            (fl.start_s + fl.repeat.interval_s * i + jitter) * 1e9));
      const IpAddress client = fl.repeat.client_cidr ? NthHost(*fl.repeat.client_cidr, i) : fl.client;
      const IpAddress server = fl.repeat.server_cidr ? NthHost(*fl.repeat.server_cidr, i) : fl.server;
      int64_t port = base_port + int64_t{fl.repeat.client_port_step} * i;
      uint16_t client_port = (fl.proto == Proto::kTcp || fl.proto == Proto::kUdp)
                                 ? WrapPort(port)
                                 : static_cast<uint16_t>(port & 0xffff);
      Instance inst(spec, fl, inst_rng, emitter);
      inst.SetEndpoints(client, client_port, server);
      inst.Run(t0);
      switch (fl.proto) {
        case Proto::kTcp: ++stats.tcp_connections; break;
        case Proto::kUdp: ++stats.udp_flows; break;
        default: ++stats.icmp_flows; break;
      }
    }
  }
  emitter.WriteSorted(writer);
  stats.packets = emitter.count();
  return stats;
}

}  // namespace pcapgen

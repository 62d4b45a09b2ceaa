#include "spec.h"

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pcapgen {

namespace {

using nlohmann::json;
using quench::ErrorCode;
using quench::IpAddress;
using quench::MakeError;
using quench::Result;
using quench::Status;

// Reads typed fields of one JSON object; every error names source and field path.
class Fields {
 public:
  Fields(const json& obj, std::string source, std::string path)
      : obj_(obj), source_(std::move(source)), path_(std::move(path)) {}

  tl::unexpected<quench::Error> Fail(std::string_view field, std::string_view what) const {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: {}: {}", source_, Name(field), what));
  }
  std::string Name(std::string_view field) const {
    if (path_.empty()) return std::string(field);
    return field.empty() ? path_ : fmt::format("{}.{}", path_, field);
  }
  const json* Get(std::string_view field) const {
    auto it = obj_.find(field);
    return it == obj_.end() || it->is_null() ? nullptr : &*it;
  }
  Status OnlyKnown(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : obj_.items()) {
      bool found = false;
      for (auto k : known) found = found || k == key;
      if (!found) return Fail(key, "unknown field");
    }
    return quench::OkStatus();
  }

  template <typename T>
  Status Int(std::string_view field, T& out, int64_t lo, int64_t hi) const {
    const json* v = Get(field);
    if (v == nullptr) return quench::OkStatus();
    if (!v->is_number_integer()) return Fail(field, "expected an integer");
    const int64_t x = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t{INT64_MAX}
                          ? INT64_MAX
                          : v->get<int64_t>();
    if (x < lo || x > hi) return Fail(field, fmt::format("{} is outside [{}, {}]", x, lo, hi));
    out = static_cast<T>(x);
    return quench::OkStatus();
  }
  Status Seed(std::string_view field, uint64_t& out) const {
    const json* v = Get(field);
    if (v == nullptr) return quench::OkStatus();
    if (!v->is_number_integer() || (v->is_number_integer() && !v->is_number_unsigned() && v->get<int64_t>() < 0)) {
      return Fail(field, "expected a non-negative integer");
    }
    out = v->get<uint64_t>();
    return quench::OkStatus();
  }
  Status Double(std::string_view field, double& out, double lo, double hi) const {
    const json* v = Get(field);
    if (v == nullptr) return quench::OkStatus();
    if (!v->is_number()) return Fail(field, "expected a number (seconds)");
    const double x = v->get<double>();
    if (!std::isfinite(x) || x < lo || x > hi) return Fail(field, fmt::format("{} is outside [{}, {}]", x, lo, hi));
    out = x;
    return quench::OkStatus();
  }
  Status String(std::string_view field, std::string& out) const {
    const json* v = Get(field);
    if (v == nullptr) return quench::OkStatus();
    if (!v->is_string()) return Fail(field, "expected a string");
    out = v->get<std::string>();
    return quench::OkStatus();
  }
  Status Address(std::string_view field, IpAddress& out, bool required) const {
    const json* v = Get(field);
    if (v == nullptr) return required ? Fail(field, "required") : quench::OkStatus();
    if (!v->is_string()) return Fail(field, "expected an IP address string");
    auto a = IpAddress::Parse(v->get<std::string>());
    if (!a) return Fail(field, fmt::format("not an IP address: '{}'", v->get<std::string>()));
    out = *a;
    return quench::OkStatus();
  }
  Status Prefix(std::string_view field, std::optional<quench::IpPrefix>& out) const {
    const json* v = Get(field);
    if (v == nullptr) return quench::OkStatus();
    if (!v->is_string()) return Fail(field, "expected a CIDR string");
    auto p = quench::IpPrefix::Parse(v->get<std::string>());
    if (!p) return Fail(field, fmt::format("not a CIDR block: '{}'", v->get<std::string>()));
    out = *p;
    return quench::OkStatus();
  }
  Status Size(std::string_view field, SizeRange& out) const {
    const json* v = Get(field);
    if (v == nullptr) return quench::OkStatus();
    auto ok = [&](const json& x) { return x.is_number_unsigned() && x.get<uint64_t>() <= kMaxSpecPayload; };
    if (ok(*v)) {
      out.min = out.max = v->get<uint32_t>();
      return quench::OkStatus();
    }
    if (v->is_array() && v->size() == 2 && ok((*v)[0]) && ok((*v)[1]) &&
        (*v)[0].get<uint32_t>() <= (*v)[1].get<uint32_t>()) {
      out.min = (*v)[0].get<uint32_t>();
      out.max = (*v)[1].get<uint32_t>();
      return quench::OkStatus();
    }
    return Fail(field, fmt::format("expected a size or [min, max] with 0 <= min <= max <= {}", kMaxSpecPayload));
  }
  template <typename E>
  Status Enum(std::string_view field, E& out, std::initializer_list<std::pair<std::string_view, E>> names) const {
    const json* v = Get(field);
    if (v == nullptr) return quench::OkStatus();
    std::string all;
    if (v->is_string()) {
      for (const auto& [name, value] : names) {
        if (*v == name) {
          out = value;
          return quench::OkStatus();
        }
      }
    }
    for (const auto& [name, value] : names) all += (all.empty() ? "" : "|") + std::string(name);
    return Fail(field, fmt::format("expected one of {}", all));
  }

  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }

 private:
  const json& obj_;
  std::string source_;
  std::string path_;
};

Status ParseRepeat(const Fields& f, const json& obj, RepeatSpec& r) {
  if (!obj.is_object()) return f.Fail("repeat", "expected an object");
  Fields rf(obj, f.source(), f.Name("repeat"));
  QUENCH_RETURN_IF_ERROR(rf.OnlyKnown({"count", "interval", "jitter", "client_port_step", "client_cidr", "server_cidr"}));
  QUENCH_RETURN_IF_ERROR(rf.Int("count", r.count, 1, kMaxRepeat));
  QUENCH_RETURN_IF_ERROR(rf.Double("interval", r.interval_s, 0, 1e7));
  QUENCH_RETURN_IF_ERROR(rf.Double("jitter", r.jitter_s, 0, 1e7));
  QUENCH_RETURN_IF_ERROR(rf.Int("client_port_step", r.client_port_step, -65535, 65535));
  QUENCH_RETURN_IF_ERROR(rf.Prefix("client_cidr", r.client_cidr));
  QUENCH_RETURN_IF_ERROR(rf.Prefix("server_cidr", r.server_cidr));
  return quench::OkStatus();
}

Status ParseFlow(const json& obj, const std::string& source, size_t index, Link link, FlowSpec& fl) {
  const std::string path = fmt::format("flows[{}]", index);
  if (!obj.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: {}: expected an object", source, path));
  }
  Fields f(obj, source, path);
  QUENCH_RETURN_IF_ERROR(f.OnlyKnown(
      {"name", "proto", "client", "server", "client_port", "server_port", "vlan", "encap", "start",
       "duration", "rtt", "packets_to_server", "packets_to_client", "client_payload", "server_payload",
       "first_client_payload", "first_server_payload", "handshake", "teardown", "syn_retries",
       "client_ttl", "server_ttl", "repeat"}));
  QUENCH_RETURN_IF_ERROR(f.String("name", fl.name));
  QUENCH_RETURN_IF_ERROR(f.Enum<Proto>(
      "proto", fl.proto,
      {{"tcp", Proto::kTcp}, {"udp", Proto::kUdp}, {"icmp", Proto::kIcmp}, {"icmpv6", Proto::kIcmpv6}}));
  QUENCH_RETURN_IF_ERROR(f.Address("client", fl.client, true));
  QUENCH_RETURN_IF_ERROR(f.Address("server", fl.server, true));
  if (fl.client.is_v4() != fl.server.is_v4()) return f.Fail("server", "address family differs from client");
  if (fl.proto == Proto::kIcmp && !fl.client.is_v4()) return f.Fail("proto", "icmp needs IPv4 addresses (use icmpv6)");
  if (fl.proto == Proto::kIcmpv6 && fl.client.is_v4()) return f.Fail("proto", "icmpv6 needs IPv6 addresses");
  const bool ported = fl.proto == Proto::kTcp || fl.proto == Proto::kUdp;
  if (f.Get("client_port") != nullptr) {
    uint16_t port = 0;
    QUENCH_RETURN_IF_ERROR(f.Int("client_port", port, ported ? 1 : 0, 65535));
    fl.client_port = port;
  }
  QUENCH_RETURN_IF_ERROR(f.Int("server_port", fl.server_port, ported ? 1 : 0, 65535));
  if (ported && f.Get("server_port") == nullptr) return f.Fail("server_port", "required for tcp and udp");

  if (const json* v = f.Get("vlan")) {
    if (link == Link::kRaw || link == Link::kNull) return f.Fail("vlan", "needs link ethernet, linux_sll or linux_sll2");
    if (!v->is_array() || v->empty() || v->size() > 2) return f.Fail("vlan", "expected a list of one or two VLAN ids");
    for (size_t i = 0; i < v->size(); ++i) {
      const json& tag = (*v)[i];
      if (!tag.is_number_unsigned() || tag.get<uint64_t>() < 1 || tag.get<uint64_t>() > 4094) {
        return f.Fail(fmt::format("vlan[{}]", i), "expected a VLAN id in [1, 4094]");
      }
      fl.vlans[i] = tag.get<uint16_t>();
    }
    fl.vlan_count = static_cast<int>(v->size());
  }

  if (const json* v = f.Get("encap")) {
    if (!v->is_object()) return f.Fail("encap", "expected an object");
    Fields ef(*v, source, f.Name("encap"));
    QUENCH_RETURN_IF_ERROR(ef.OnlyKnown({"type", "client", "server", "vni"}));
    if (ef.Get("type") == nullptr) return ef.Fail("type", "required (gre or vxlan)");
    QUENCH_RETURN_IF_ERROR(ef.Enum<Encap>("type", fl.encap, {{"gre", Encap::kGre}, {"vxlan", Encap::kVxlan}}));
    QUENCH_RETURN_IF_ERROR(ef.Address("client", fl.outer_client, true));
    QUENCH_RETURN_IF_ERROR(ef.Address("server", fl.outer_server, true));
    if (fl.outer_client.is_v4() != fl.outer_server.is_v4()) return ef.Fail("server", "address family differs from client");
    QUENCH_RETURN_IF_ERROR(ef.Int("vni", fl.vni, 0, 0xffffff));
    if (fl.encap == Encap::kGre && ef.Get("vni") != nullptr) return ef.Fail("vni", "only for vxlan");
  }

  QUENCH_RETURN_IF_ERROR(f.Double("start", fl.start_s, 0, 1e7));
  QUENCH_RETURN_IF_ERROR(f.Double("duration", fl.duration_s, 1e-6, 1e7));
  QUENCH_RETURN_IF_ERROR(f.Double("rtt", fl.rtt_s, 1e-6, 60));
  QUENCH_RETURN_IF_ERROR(f.Int("packets_to_server", fl.packets_to_server, 0, kMaxPacketsPerDirection));
  QUENCH_RETURN_IF_ERROR(f.Int("packets_to_client", fl.packets_to_client, 0, kMaxPacketsPerDirection));
  QUENCH_RETURN_IF_ERROR(f.Size("client_payload", fl.client_payload));
  QUENCH_RETURN_IF_ERROR(f.Size("server_payload", fl.server_payload));
  QUENCH_RETURN_IF_ERROR(f.String("first_client_payload", fl.first_client_payload));
  QUENCH_RETURN_IF_ERROR(f.String("first_server_payload", fl.first_server_payload));
  for (auto [field, text] : {std::pair<std::string_view, const std::string*>{"first_client_payload", &fl.first_client_payload},
                             {"first_server_payload", &fl.first_server_payload}}) {
    if (text->size() > kMaxSpecPayload) return f.Fail(field, "longer than the payload cap");
  }
  if (!fl.first_client_payload.empty() && fl.packets_to_server == 0) {
    return f.Fail("first_client_payload", "packets_to_server is 0");
  }
  if (!fl.first_server_payload.empty() && fl.packets_to_client == 0) {
    return f.Fail("first_server_payload", "packets_to_client is 0");
  }

  if (const json* v = f.Get("handshake"); v != nullptr && v->is_boolean()) {
    fl.handshake = v->get<bool>() ? Handshake::kFull : Handshake::kNone;
  } else {
    QUENCH_RETURN_IF_ERROR(f.Enum<Handshake>("handshake", fl.handshake,
                                             {{"full", Handshake::kFull}, {"none", Handshake::kNone},
                                              {"syn_only", Handshake::kSynOnly}, {"syn_rst", Handshake::kSynRst}}));
  }
  QUENCH_RETURN_IF_ERROR(f.Enum<Teardown>("teardown", fl.teardown,
                                          {{"fin", Teardown::kFin}, {"rst", Teardown::kRst}, {"none", Teardown::kNone}}));
  QUENCH_RETURN_IF_ERROR(f.Int("syn_retries", fl.syn_retries, 0, 10));
  QUENCH_RETURN_IF_ERROR(f.Int("client_ttl", fl.client_ttl, 1, 255));
  QUENCH_RETURN_IF_ERROR(f.Int("server_ttl", fl.server_ttl, 1, 255));
  if (fl.proto != Proto::kTcp) {
    for (auto field : {"handshake", "teardown", "syn_retries"}) {
      if (f.Get(field) != nullptr) return f.Fail(field, "only for tcp");
    }
  }
  if (fl.syn_retries > 0 && fl.handshake == Handshake::kFull) {
    return f.Fail("syn_retries", "only with handshake syn_only or syn_rst");
  }

  if (const json* v = f.Get("repeat")) {
    QUENCH_RETURN_IF_ERROR(ParseRepeat(f, *v, fl.repeat));
    const Fields rf(*v, source, f.Name("repeat"));
    for (auto [field, prefix] : {std::pair<std::string_view, const std::optional<quench::IpPrefix>*>{"client_cidr", &fl.repeat.client_cidr},
                                 {"server_cidr", &fl.repeat.server_cidr}}) {
      if (*prefix && (*prefix)->address.is_v4() != fl.client.is_v4()) {
        return rf.Fail(field, "address family differs from the flow's addresses");
      }
    }
    if (fl.repeat.count > 1 && fl.repeat.interval_s == 0 && fl.repeat.client_port_step == 0 &&
        !fl.repeat.client_cidr && !fl.repeat.server_cidr && fl.client_port) {
      return rf.Fail("client_port_step", "instances would reuse one 5-tuple at the same time");
    }
  }
  return quench::OkStatus();
}

}  // namespace

Result<Spec> ParseSpec(std::string_view json_text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return MakeError(ErrorCode::kParseError, fmt::format("{}: invalid JSON: {}", source, e.what()));
  }
  if (!doc.is_object()) return MakeError(ErrorCode::kInvalidArgument, source + ": expected a JSON object");
  Spec spec;
  Fields f(doc, source, "");
  QUENCH_RETURN_IF_ERROR(f.OnlyKnown({"seed", "start", "link", "format", "defaults", "flows", "comment"}));
  QUENCH_RETURN_IF_ERROR(f.Seed("seed", spec.seed));
  std::string start = "2024-01-15T10:00:00Z";
  QUENCH_RETURN_IF_ERROR(f.String("start", start));
  auto ts = quench::ParseRfc3339(start);
  if (!ts) return f.Fail("start", fmt::format("not an RFC 3339 time: '{}'", start));
  if (*ts < 0 || *ts / quench::kNanosPerSecond > 0xffffffffLL - 20'000'000) {
    return f.Fail("start", "outside what a pcap timestamp holds");
  }
  spec.start = *ts;
  QUENCH_RETURN_IF_ERROR(f.Enum<Link>("link", spec.link,
                                      {{"ethernet", Link::kEthernet}, {"raw", Link::kRaw},
                                       {"linux_sll", Link::kLinuxSll}, {"linux_sll2", Link::kLinuxSll2},
                                       {"null", Link::kNull}}));
  QUENCH_RETURN_IF_ERROR(f.Enum<FileFormat>(
      "format", spec.format, {{"pcap", FileFormat::kPcap}, {"pcap_ns", FileFormat::kPcapNs}, {"pcapng", FileFormat::kPcapng}}));
  json defaults = json::object();
  if (const json* d = f.Get("defaults")) {
    if (!d->is_object()) return f.Fail("defaults", "expected an object");
    defaults = *d;
  }
  const json* flows = f.Get("flows");
  if (flows == nullptr || !flows->is_array() || flows->empty()) return f.Fail("flows", "expected a non-empty list");
  spec.flows.resize(flows->size());
  for (size_t i = 0; i < flows->size(); ++i) {
    const json& raw = (*flows)[i];
    json merged = defaults;
    if (raw.is_object()) {
      merged.update(raw);
    } else {
      merged = raw;
    }
    QUENCH_RETURN_IF_ERROR(ParseFlow(merged, source, i, spec.link, spec.flows[i]));
  }
  return spec;
}

Result<Spec> LoadSpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, path + ": cannot open spec file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseSpec(ss.str(), path);
}

}  // namespace pcapgen

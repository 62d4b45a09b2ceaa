#include "quench/detect/indicator_contact.h"

#include <algorithm>

#include <fmt/format.h>

#include "quench/core/limits.h"
#include "quench/core/proto.h"

namespace quench {

namespace {

// Services through which a router is managed; inbound contact from actor infrastructure on
// them is remote access (T1133), elsewhere it is command and control or relaying.
bool IsManagementPort(uint16_t port) {
  switch (port) {
    case 22: case 23: case 80: case 443: case 2323: case 8080: case 8291: case 8443: case 10443:
      return true;
    default:
      return false;
  }
}

bool IsSmbPort(uint16_t port) { return port == 445 || port == 139; }

}  // namespace

IndicatorContactDetector::IndicatorContactDetector(const IpIndicatorIndex* index) : index_(index) {}

void IndicatorContactDetector::OnFlow(const FlowRecord& flow, FindingSink& /*sink*/) {
  const IpIndicator* to_server = index_->Match(flow.server, flow.server_port, flow.proto);
  const IpIndicator* to_client =
      to_server ? nullptr : index_->Match(flow.client, flow.client_port, flow.proto);
  if (to_server == nullptr && to_client == nullptr) return;

  Key key;
  const IpIndicator* indicator;
  if (to_server != nullptr) {
    key = Key{flow.client, flow.server, flow.server_port, flow.proto, Direction::kToIndicator};
    indicator = to_server;
  } else {
    key = Key{flow.server, flow.client, flow.server_port, flow.proto, Direction::kFromIndicator};
    indicator = to_client;
  }
  auto [it, inserted] = contacts_.try_emplace(key);
  Contact& c = it->second;
  if (inserted) {
    c.indicator = indicator;
    c.first_ts = flow.first_ts;
    order_.push_back(key);
  }
  c.first_ts = std::min(c.first_ts, flow.first_ts);
  c.last_ts = std::max(c.last_ts, flow.last_ts);
  ++c.flows;
  if (flow.to_client.packets > 0) ++c.answered_flows;
  if (flow.exchanged_data()) ++c.data_flows;
  c.bytes += flow.bytes();
  if (c.evidence.size() < limits::kMaxEvidenceFlows) c.evidence.push_back(flow);
}

void IndicatorContactDetector::Finish(FindingSink& sink) {
  for (const Key& key : order_) sink.Emit(MakeFinding(key, contacts_.at(key)));
  contacts_.clear();
  order_.clear();
}

Finding IndicatorContactDetector::MakeFinding(const Key& key, const Contact& c) const {
  const IpIndicator& ind = *c.indicator;
  const bool outbound = key.direction == Direction::kToIndicator;
  const bool answered = c.answered_flows > 0;
  const bool data = c.data_flows > 0;
  const bool exact = ind.port.has_value() || ind.prefix.prefix_len == (ind.prefix.address.is_v4() ? 32 : 128);

  Finding f;
  f.detector = std::string(name());
  f.host = key.host;
  f.ts = c.first_ts;
  f.last_ts = c.last_ts;
  f.flow_count = c.flows;
  f.flows = c.evidence;
  std::sort(f.flows.begin(), f.flows.end(),
            [](const FlowRecord& a, const FlowRecord& b) { return a.first_ts < b.first_ts; });
  f.peers = {key.peer};

  if (outbound) {
    f.attack = IsSmbPort(key.service_port) ? std::vector<std::string>{"T1187", "T1071"}
                                           : std::vector<std::string>{"T1071"};
  } else {
    f.attack = IsManagementPort(key.service_port) ? std::vector<std::string>{"T1133", "T1078"}
                                                  : std::vector<std::string>{"T1090"};
  }
  // Data both ways is contact that worked; an answer without data is a handshake; nothing
  // back is an attempt (which may also be a blocked or dead indicator).
  f.severity = data ? Severity::kHigh : (answered ? Severity::kMedium : Severity::kLow);
  if (data && !outbound && IsManagementPort(key.service_port)) f.severity = Severity::kCritical;
  f.confidence = data ? 0.9 : (answered ? 0.7 : 0.5);
  if (!exact) f.confidence -= 0.2;  // a CIDR covers hosts that may be innocent

  const std::string service = fmt::format("{}/{}", key.service_port, ProtoName(key.proto));
  const std::string listed = fmt::format("listed as {} ({})", ind.family, ind.source);
  const std::string span = fmt::format("{} to {}", FormatRfc3339Millis(c.first_ts),
                                       FormatRfc3339Millis(c.last_ts));
  const std::string peer = key.peer.ToString();
  const std::string host = key.host.ToString();
  if (outbound && data) {
    f.summary = fmt::format(
        "{} exchanged data with {} on {}, {}, in {} flow(s) from {}; block the address and "
        "triage {} for compromise.", host, peer, service, listed, c.flows, span, host);
  } else if (outbound) {
    f.summary = fmt::format(
        "{} tried to reach {} on {}, {}, {} time(s) from {} {}; check {} for malware and "
        "block the address.", host, peer, service, listed, c.flows, span,
        answered ? "(answered, no data)" : "without an answer", host);
  } else if (data) {
    f.summary = fmt::format(
        "{}, {}, connected to {} on {} and exchanged data in {} flow(s) from {}; collect "
        "evidence from {}, then block WAN-side access to its {}.", peer, listed, host, service,
        c.flows, span, host, IsManagementPort(key.service_port) ? "management" : "services");
  } else {
    f.summary = fmt::format(
        "{}, {}, attempted to reach {} on {} {} time(s) from {}; confirm the service is not "
        "exposed to the WAN.", peer, listed, host, service, c.flows, span);
  }

  f.indicator = {
      {"value", ind.value},
      {"family", ind.family},
      {"source", ind.source},
      {"matched", outbound ? "server" : "client"},
      {"direction", outbound ? "to_indicator" : "from_indicator"},
  };
  f.details = {
      {"service", service},
      {"flows_answered", c.answered_flows},
      {"flows_with_data", c.data_flows},
      {"bytes", c.bytes},
  };
  f.id = MakeFindingId(f.detector, f.host, fmt::format("{}|{}|{}", peer, service, outbound),
                       c.first_ts);
  return f;
}

}  // namespace quench

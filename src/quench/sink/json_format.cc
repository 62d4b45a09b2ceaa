#include "quench/sink/json_format.h"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "quench/core/proto.h"

namespace quench {

namespace {

std::string_view OrientationName(FlowOrientation o) {
  switch (o) {
    case FlowOrientation::kSyn: return "syn";
    case FlowOrientation::kSynAck: return "syn_ack";
    case FlowOrientation::kFirstPacket: return "first_packet";
  }
  return "first_packet";
}

std::string_view HandshakeName(TcpHandshake h) {
  switch (h) {
    case TcpHandshake::kNone: return "none";
    case TcpHandshake::kSynSent: return "syn_sent";
    case TcpHandshake::kSynAckSeen: return "syn_ack_seen";
    case TcpHandshake::kEstablished: return "established";
  }
  return "none";
}

std::string_view SourceName(FlowSource s) {
  switch (s) {
    case FlowSource::kPacket: return "packet";
    case FlowSource::kNetflow: return "netflow";
    case FlowSource::kIpfix: return "ipfix";
    case FlowSource::kSflow: return "sflow";
    case FlowSource::kZeek: return "zeek";
  }
  return "packet";
}

}  // namespace

void AppendFlowJson(const FlowRecord& f, std::string* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(it,
                 R"({{"src":"{}","sport":{},"dst":"{}","dport":{},"proto":"{}","vlan":{},)"
                 R"("start":"{}","end":"{}","duration_ms":{},"packets":{},"bytes":{},)"
                 R"("packets_to_server":{},"packets_to_client":{},)"
                 R"("bytes_to_server":{},"bytes_to_client":{},)"
                 R"("payload_bytes_to_server":{},"payload_bytes_to_client":{},)",
                 f.client.ToString(), f.client_port, f.server.ToString(), f.server_port,
                 ProtoName(f.proto), f.vlan, FormatRfc3339Millis(f.first_ts),
                 FormatRfc3339Millis(f.last_ts), (f.last_ts - f.first_ts) / kNanosPerMilli,
                 f.packets(), f.bytes(), f.to_server.packets, f.to_client.packets,
                 f.to_server.bytes, f.to_client.bytes, f.to_server.payload_bytes,
                 f.to_client.payload_bytes);
  if (f.proto == 6) {
    fmt::format_to(it, R"("tcp_flags_to_server":"{}","tcp_flags_to_client":"{}","tcp_handshake":"{}",)",
                   TcpFlagsString(f.to_server.tcp_flags), TcpFlagsString(f.to_client.tcp_flags),
                   HandshakeName(f.handshake));
  }
  if (f.fragments != 0) fmt::format_to(it, R"("fragments":{},)", f.fragments);
  if (f.tunnel_depth != 0) fmt::format_to(it, R"("tunnel_depth":{},)", f.tunnel_depth);
  if (f.sampling_rate > 1) fmt::format_to(it, R"("sampling_rate":{},)", f.sampling_rate);
  fmt::format_to(it, R"("orientation":"{}","end_reason":"{}","source":"{}"}})",
                 OrientationName(f.orientation), FlowEndReasonName(f.end_reason),
                 SourceName(f.source));
}

nlohmann::json FlowToJson(const FlowRecord& flow) {
  std::string text;
  AppendFlowJson(flow, &text);
  return nlohmann::json::parse(text);
}

nlohmann::json FindingToJson(const Finding& f) {
  nlohmann::json flows = nlohmann::json::array();
  for (const FlowRecord& flow : f.flows) flows.push_back(FlowToJson(flow));
  nlohmann::json peers = nlohmann::json::array();
  for (const IpAddress& p : f.peers) peers.push_back(p.ToString());
  nlohmann::json evidence = {{"flows", std::move(flows)},
                             {"flow_count", f.flow_count},
                             {"peers", std::move(peers)}};
  if (!f.indicator.is_null()) evidence["indicator"] = f.indicator;
  if (!f.details.is_null()) evidence["details"] = f.details;
  return {
      {"id", f.id},
      {"ts", FormatRfc3339Millis(f.ts)},
      {"last_ts", FormatRfc3339Millis(f.last_ts)},
      {"host", f.host.ToString()},
      {"detector", f.detector},
      {"attack", f.attack},
      {"severity", SeverityName(f.severity)},
      {"confidence", std::round(f.confidence * 100.0) / 100.0},
      {"exposure", f.exposure},
      {"summary", f.summary},
      {"evidence", std::move(evidence)},
  };
}

nlohmann::json HostVerdictToJson(const HostVerdict& v) {
  return {
      {"host", v.host.ToString()},
      {"verdict", VerdictName(v.verdict)},
      {"score", std::round(v.score * 1000.0) / 1000.0},
      {"role", v.role},
      {"first_seen", FormatRfc3339Millis(v.first_seen)},
      {"last_seen", FormatRfc3339Millis(v.last_seen)},
      {"detectors", v.detectors},
      {"findings", v.findings},
      {"summary", v.summary},
  };
}

}  // namespace quench

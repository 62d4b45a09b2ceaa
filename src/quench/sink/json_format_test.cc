#include "quench/sink/json_format.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

FlowRecord SampleFlow() {
  FlowRecord f;
  f.client = *IpAddress::Parse("198.51.100.23");
  f.server = *IpAddress::Parse("194.126.178.8");
  f.client_port = 50123;
  f.server_port = 445;
  f.proto = 6;
  f.ip_version = 4;
  f.first_ts = 1705314030LL * kNanosPerSecond + 5 * kNanosPerMilli;
  f.last_ts = f.first_ts + 2500 * kNanosPerMilli;
  f.to_server = {10, 1200, 600, 0x1b};
  f.to_client = {8, 900, 400, 0x12 | 0x01 | 0x08};
  f.handshake = TcpHandshake::kEstablished;
  f.orientation = FlowOrientation::kSyn;
  f.end_reason = FlowEndReason::kTcpClose;
  return f;
}

TEST(JsonFormatTest, FlowHasTheContractFields) {
  auto j = FlowToJson(SampleFlow());
  EXPECT_EQ(j["src"], "198.51.100.23");
  EXPECT_EQ(j["sport"], 50123);
  EXPECT_EQ(j["dst"], "194.126.178.8");
  EXPECT_EQ(j["dport"], 445);
  EXPECT_EQ(j["proto"], "tcp");
  EXPECT_EQ(j["start"], "2024-01-15T10:20:30.005Z");
  EXPECT_EQ(j["end"], "2024-01-15T10:20:32.505Z");
  EXPECT_EQ(j["duration_ms"], 2500);
  EXPECT_EQ(j["packets"], 18);
  EXPECT_EQ(j["bytes"], 2100);
  EXPECT_EQ(j["bytes_to_client"], 900);
  EXPECT_EQ(j["tcp_flags_to_server"], "...AP.SF");
  EXPECT_EQ(j["tcp_handshake"], "established");
  EXPECT_EQ(j["end_reason"], "tcp_close");
  EXPECT_EQ(j["orientation"], "syn");
  EXPECT_FALSE(j.contains("fragments"));
}

TEST(JsonFormatTest, UdpFlowOmitsTcpFields) {
  FlowRecord f = SampleFlow();
  f.proto = 17;
  f.client = *IpAddress::Parse("2001:db8::1");
  auto j = FlowToJson(f);
  EXPECT_EQ(j["proto"], "udp");
  EXPECT_EQ(j["src"], "2001:db8::1");
  EXPECT_FALSE(j.contains("tcp_flags_to_server"));
}

TEST(JsonFormatTest, FindingCarriesEvidenceAndRoundedConfidence) {
  Finding f;
  f.id = "abc";
  f.ts = SampleFlow().first_ts;
  f.last_ts = SampleFlow().last_ts;
  f.host = *IpAddress::Parse("198.51.100.23");
  f.detector = "indicator-contact";
  f.attack = {"T1187", "T1071"};
  f.severity = Severity::kHigh;
  f.confidence = 0.7 - 0.2;
  f.summary = "s";
  f.flows = {SampleFlow()};
  f.flow_count = 3;
  f.peers = {*IpAddress::Parse("194.126.178.8")};
  f.indicator = {{"value", "194.126.178.8"}};
  auto j = FindingToJson(f);
  EXPECT_EQ(j["severity"], "high");
  EXPECT_EQ(j["confidence"], 0.5);
  EXPECT_EQ(j["attack"][0], "T1187");
  EXPECT_EQ(j["evidence"]["flows"].size(), 1u);
  EXPECT_EQ(j["evidence"]["flows"][0]["dport"], 445);
  EXPECT_EQ(j["evidence"]["flow_count"], 3);
  EXPECT_EQ(j["evidence"]["peers"][0], "194.126.178.8");
  EXPECT_EQ(j["evidence"]["indicator"]["value"], "194.126.178.8");
  EXPECT_FALSE(j["evidence"].contains("details"));
}

TEST(JsonFormatTest, HostVerdictUsesContractNames) {
  HostVerdict v;
  v.host = *IpAddress::Parse("203.0.113.7");
  v.verdict = Verdict::kCompromised;
  v.score = 0.76612;
  v.detectors = {"indicator-contact"};
  v.findings = 2;
  v.summary = "x";
  auto j = HostVerdictToJson(v);
  EXPECT_EQ(j["verdict"], "compromised");
  EXPECT_EQ(j["score"], 0.766);
  EXPECT_EQ(j["role"], "unknown");
  EXPECT_EQ(j["findings"], 2);
  EXPECT_EQ(j["first_seen"], "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace quench

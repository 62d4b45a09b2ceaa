#include "quench/detect/indicator_contact.h"

#include "quench/core/limits.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

class Collector : public FindingSink {
 public:
  void Emit(Finding f) override { findings.push_back(std::move(f)); }
  std::vector<Finding> findings;
};

FlowRecord Flow(const char* client, uint16_t cport, const char* server, uint16_t sport,
                Timestamp start, bool answered, bool data) {
  FlowRecord f;
  f.client = *IpAddress::Parse(client);
  f.server = *IpAddress::Parse(server);
  f.client_port = cport;
  f.server_port = sport;
  f.proto = 6;
  f.first_ts = start;
  f.last_ts = start + 2 * kNanosPerSecond;
  f.to_server = {3, 180, data ? 40u : 0u, 0x02};
  if (answered) f.to_client = {2, 120, data ? 60u : 0u, 0x12};
  return f;
}

class IndicatorContactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IpIndicatorIndexBuilder b;
    ASSERT_TRUE(b.Add("194.126.178.8", "apt28", "pack.txt:3"));
    ASSERT_TRUE(b.Add("23.24.68.109:443", "apt28", "pack.txt:4"));
    ASSERT_TRUE(b.Add("203.0.113.0/24", "testnet", "list.txt:1"));
    index_ = b.Build();
  }
  IpIndicatorIndex index_;
  Collector sink_;
};

TEST_F(IndicatorContactTest, OutboundDataExchangeIsHighAndAboutOurHost) {
  IndicatorContactDetector d(&index_);
  d.OnFlow(Flow("198.51.100.23", 50000, "194.126.178.8", 445, 10 * kNanosPerSecond, true, true), sink_);
  d.OnFlow(Flow("198.51.100.23", 50001, "194.126.178.8", 445, 5 * kNanosPerSecond, true, false), sink_);
  EXPECT_TRUE(sink_.findings.empty());  // aggregated until Finish
  d.Finish(sink_);
  ASSERT_EQ(sink_.findings.size(), 1u);
  const Finding& f = sink_.findings[0];
  EXPECT_EQ(f.host.ToString(), "198.51.100.23");
  EXPECT_EQ(f.detector, "indicator-contact");
  EXPECT_EQ(f.severity, Severity::kHigh);
  EXPECT_DOUBLE_EQ(f.confidence, 0.9);
  EXPECT_EQ(f.attack.front(), "T1187");  // SMB to an outside collector: forced authentication
  EXPECT_EQ(f.flow_count, 2u);
  ASSERT_EQ(f.flows.size(), 2u);
  EXPECT_EQ(f.flows[0].first_ts, 5 * kNanosPerSecond);  // earliest first
  EXPECT_EQ(f.ts, 5 * kNanosPerSecond);
  EXPECT_EQ(f.indicator["direction"], "to_indicator");
  EXPECT_EQ(f.indicator["family"], "apt28");
  EXPECT_EQ(f.details["flows_with_data"], 1);
  EXPECT_NE(f.summary.find("exchanged data with 194.126.178.8 on 445/tcp"), std::string::npos);
  EXPECT_EQ(f.id.size(), 16u);
}

TEST_F(IndicatorContactTest, InboundManagementFromActorIsCritical) {
  IndicatorContactDetector d(&index_);
  // The indicator is 23.24.68.109 only on port 443, so the flow must come from that port:
  // here the actor's address is the client and the router's SSH is the service, so the
  // ip:port entry does not apply and nothing fires.
  d.OnFlow(Flow("23.24.68.109", 40000, "198.51.100.23", 22, 0, true, true), sink_);
  d.Finish(sink_);
  EXPECT_TRUE(sink_.findings.empty());

  d.OnFlow(Flow("194.126.178.8", 40000, "198.51.100.23", 22, 0, true, true), sink_);
  d.Finish(sink_);
  ASSERT_EQ(sink_.findings.size(), 1u);
  const Finding& f = sink_.findings[0];
  EXPECT_EQ(f.host.ToString(), "198.51.100.23");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.attack.front(), "T1133");
  EXPECT_EQ(f.indicator["direction"], "from_indicator");
  ASSERT_EQ(f.peers.size(), 1u);
  EXPECT_EQ(f.peers[0].ToString(), "194.126.178.8");
}

TEST_F(IndicatorContactTest, UnansweredAttemptsAreLowAndCidrLowersConfidence) {
  IndicatorContactDetector d(&index_);
  for (int i = 0; i < 3; ++i) {
    d.OnFlow(Flow("198.51.100.40", static_cast<uint16_t>(40000 + i), "203.0.113.9", 443,
                  i * kNanosPerSecond, false, false), sink_);
  }
  d.OnFlow(Flow("198.51.100.40", 40000, "23.24.68.109", 443, 0, false, false), sink_);
  d.Finish(sink_);
  ASSERT_EQ(sink_.findings.size(), 2u);
  const Finding& cidr = sink_.findings[0];
  EXPECT_EQ(cidr.severity, Severity::kLow);
  EXPECT_NEAR(cidr.confidence, 0.3, 1e-9);
  EXPECT_EQ(cidr.flow_count, 3u);
  EXPECT_NE(cidr.summary.find("without an answer"), std::string::npos);
  const Finding& exact = sink_.findings[1];
  EXPECT_NEAR(exact.confidence, 0.5, 1e-9);
  EXPECT_EQ(exact.indicator["value"], "23.24.68.109:443");
}

TEST_F(IndicatorContactTest, CleanFlowsProduceNothing) {
  IndicatorContactDetector d(&index_);
  d.OnFlow(Flow("192.168.1.10", 5000, "9.9.9.9", 53, 0, true, true), sink_);
  d.Finish(sink_);
  EXPECT_TRUE(sink_.findings.empty());
}

TEST_F(IndicatorContactTest, EvidenceIsCappedButEveryFlowCounted) {
  IndicatorContactDetector d(&index_);
  for (int i = 0; i < 50; ++i) {
    d.OnFlow(Flow("198.51.100.23", static_cast<uint16_t>(30000 + i), "194.126.178.8", 80,
                  i * kNanosPerSecond, true, true), sink_);
  }
  d.Finish(sink_);
  ASSERT_EQ(sink_.findings.size(), 1u);
  EXPECT_EQ(sink_.findings[0].flow_count, 50u);
  EXPECT_EQ(sink_.findings[0].flows.size(), limits::kMaxEvidenceFlows);
}

}  // namespace
}  // namespace quench

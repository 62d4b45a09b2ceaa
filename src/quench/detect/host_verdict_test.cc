#include "quench/detect/host_verdict.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

Finding MakeFinding(const char* host, Severity sev, double conf, bool exposure = false,
                    const char* detector = "indicator-contact", Timestamp ts = 1000) {
  Finding f;
  f.host = *IpAddress::Parse(host);
  f.severity = sev;
  f.confidence = conf;
  f.exposure = exposure;
  f.detector = detector;
  f.ts = ts;
  f.last_ts = ts + 10;
  f.summary = std::string(detector) + " on " + host;
  return f;
}

TEST(ScoreHostsTest, CombinesFindingsPerHostIntoScoreAndVerdict) {
  std::vector<Finding> findings = {
      MakeFinding("10.0.0.1", Severity::kHigh, 0.9),
      MakeFinding("10.0.0.2", Severity::kLow, 0.5),
      MakeFinding("10.0.0.1", Severity::kMedium, 0.7, false, "other", 500),
  };
  auto hosts = ScoreHosts(findings);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].host.ToString(), "10.0.0.1");
  // 1 - (1 - 0.8*0.9) * (1 - 0.4*0.7) = 1 - 0.28 * 0.72 = 0.7984
  EXPECT_NEAR(hosts[0].score, 0.7984, 1e-9);
  EXPECT_EQ(hosts[0].verdict, Verdict::kCompromised);
  EXPECT_EQ(hosts[0].findings, 2u);
  EXPECT_EQ(hosts[0].first_seen, 500);
  EXPECT_EQ(hosts[0].last_seen, 1010);
  ASSERT_EQ(hosts[0].detectors.size(), 2u);
  EXPECT_EQ(hosts[0].detectors[0], "indicator-contact");  // strongest first
  EXPECT_EQ(hosts[0].finding_indices.front(), 0u);
  EXPECT_NE(hosts[0].summary.find("and 1 more"), std::string::npos);
  EXPECT_EQ(hosts[1].verdict, Verdict::kSuspicious);
  EXPECT_NEAR(hosts[1].score, 0.075, 1e-9);
}

TEST(ScoreHostsTest, ExposureOnlyHostIsExposedWhateverItsScore) {
  std::vector<Finding> findings = {MakeFinding("192.0.2.1", Severity::kHigh, 1.0, true),
                                   MakeFinding("192.0.2.1", Severity::kHigh, 1.0, true)};
  auto hosts = ScoreHosts(findings);
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].verdict, Verdict::kExposed);
  EXPECT_GT(hosts[0].score, 0.9);
}

TEST(ScoreHostsTest, OneStrongFindingIsEnoughButAWeakOneIsNot) {
  auto strong = ScoreHosts({MakeFinding("192.0.2.2", Severity::kHigh, 0.9)});
  EXPECT_EQ(strong[0].verdict, Verdict::kCompromised);
  auto cidr = ScoreHosts({MakeFinding("192.0.2.3", Severity::kHigh, 0.7)});
  EXPECT_EQ(cidr[0].verdict, Verdict::kSuspicious);
  auto critical = ScoreHosts({MakeFinding("192.0.2.4", Severity::kCritical, 0.7)});
  EXPECT_EQ(critical[0].verdict, Verdict::kCompromised);
}

TEST(ScoreHostsTest, EmptyInputGivesNoHosts) { EXPECT_TRUE(ScoreHosts({}).empty()); }

}  // namespace
}  // namespace quench

// samples/demo.pcap must equal a fresh regeneration from samples/demo.json (the generator
// is deterministic); regenerate with samples/regen.sh after changing either.
#include <gtest/gtest.h>

#include "test_util.h"

namespace pcapgen {
namespace {

TEST(DemoSampleTest, CommittedPcapEqualsRegeneration) {
  const std::string dir = std::string(QUENCH_SOURCE_DIR) + "/samples/";
  auto spec = LoadSpec(dir + "demo.json");
  ASSERT_TRUE(spec) << spec.error().message();
  const std::string path = testing::TempPath("demo.pcap");
  auto w = CaptureWriter::Open(path, spec->format, LinkTypeValue(spec->link));
  ASSERT_TRUE(w);
  auto stats = GenerateFromSpec(*spec, **w);
  ASSERT_TRUE(stats);
  ASSERT_TRUE((*w)->Close());
  const uint64_t flows = stats->tcp_connections + stats->udp_flows + stats->icmp_flows;
  EXPECT_GE(flows, 200u);
  EXPECT_LE(flows, 400u);
  const auto fresh = testing::ReadFile(path);
  const auto committed = testing::ReadFile(dir + "demo.pcap");
  EXPECT_LT(committed.size(), 1u << 20);
  EXPECT_EQ(fresh.size(), committed.size());
  EXPECT_TRUE(fresh == committed) << "samples/demo.pcap is stale: run samples/regen.sh";
  std::remove(path.c_str());
}

}  // namespace
}  // namespace pcapgen

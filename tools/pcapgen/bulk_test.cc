#include "bulk.h"

#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "test_util.h"

namespace pcapgen {
namespace {

using testing::Record;

struct Key {
  std::array<uint8_t, 16> a, b;
  uint16_t pa, pb;
  auto operator<=>(const Key&) const = default;
};

// Ethernet + IPv4/IPv6 + TCP/UDP; the key is direction-free.
bool KeyOf(const Record& rec, Key& k, bool& v6) {
  quench::ByteReader r(rec.data.data(), rec.data.size());
  r.Skip(12);
  const uint16_t type = r.U16Be();
  std::array<uint8_t, 16> src{}, dst{};
  if (type == 0x0800) {
    r.Skip(12);
    r.Copy(src.data(), 4);
    r.Copy(dst.data(), 4);
    v6 = false;
  } else if (type == 0x86dd) {
    r.Skip(8);
    r.Copy(src.data(), 16);
    r.Copy(dst.data(), 16);
    v6 = true;
  } else {
    return false;
  }
  const uint16_t sp = r.U16Be(), dp = r.U16Be();
  if (std::tie(src, sp) < std::tie(dst, dp)) {
    k = {src, dst, sp, dp};
  } else {
    k = {dst, src, dp, sp};
  }
  return r.ok();
}

TEST(BulkTest, ExactPacketAndFlowCountsSortedTimes) {
  const std::string path = testing::TempPath("bulk");
  BulkOptions o;
  o.flows = 500;
  o.packets = 20000;
  o.v6_share = 0.25;
  o.seed = 3;
  auto w = CaptureWriter::Open(path, FileFormat::kPcap, LinkTypeValue(Link::kEthernet));
  ASSERT_TRUE(w);
  auto stats = GenerateBulk(o, **w);
  ASSERT_TRUE(stats) << stats.error().message();
  ASSERT_TRUE((*w)->Close());
  EXPECT_EQ(stats->packets, 20000u);
  EXPECT_EQ(stats->flows_started, 500u);
  EXPECT_EQ(stats->tcp_flows + stats->udp_flows, 500u);

  uint32_t linktype = 0;
  std::vector<Record> recs;
  ASSERT_TRUE(testing::ReadPcap(testing::ReadFile(path), linktype, recs));
  ASSERT_EQ(recs.size(), 20000u);
  std::set<Key> flows;
  size_t v6_packets = 0;
  for (size_t i = 0; i < recs.size(); ++i) {
    if (i > 0) {
      ASSERT_LE(recs[i - 1].ts_ns, recs[i].ts_ns);
    }
    Key k;
    bool v6 = false;
    ASSERT_TRUE(KeyOf(recs[i], k, v6)) << i;
    flows.insert(k);
    v6_packets += v6;
  }
  EXPECT_EQ(flows.size(), 500u);
  EXPECT_EQ(stats->v6_flows > 60 && stats->v6_flows < 190, true) << stats->v6_flows;
  EXPECT_GT(v6_packets, 0u);

  if (testing::HaveTool("tshark")) {
    int status = 0;
    const std::string expert = testing::RunCommand(
        "tshark -r " + path +
            " -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -z expert,error -q",
        status);
    EXPECT_EQ(expert.find("Errors ("), std::string::npos) << expert;
    const std::string conv = testing::RunCommand("tshark -r " + path + " -q -z conv,tcp", status);
    size_t n = 0;
    for (size_t pos = 0; (pos = conv.find("<->", pos)) != std::string::npos; pos += 3) ++n;
    EXPECT_EQ(n, stats->tcp_flows);
  }
  std::remove(path.c_str());
}

TEST(BulkTest, RejectsFewerPacketsThanFlows) {
  auto w = CaptureWriter::Open("/dev/null", FileFormat::kPcap, 1);
  ASSERT_TRUE(w);
  BulkOptions o;
  o.flows = 10;
  o.packets = 5;
  EXPECT_FALSE(GenerateBulk(o, **w));
}

}  // namespace
}  // namespace pcapgen

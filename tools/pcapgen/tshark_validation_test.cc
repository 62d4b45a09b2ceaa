// Checks generated captures with the reference dissector: no expert errors with every
// checksum check on, and one tshark TCP conversation per generated TCP connection.
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace pcapgen {
namespace {

using testing::RunCommand;
using testing::TempPath;

// One spec body exercising v4, v6, UDP (DNS, NTP), ICMP, attempts, RSTs, and optionally
// VLAN/QinQ and tunnels. Placeholders: %LINK%, %FORMAT%.
std::string SpecFor(const std::string& link, const std::string& format, bool vlans) {
  std::string s = R"({"seed": 11, "start": "2024-01-15T10:00:00Z", "link": ")" + link +
                  R"(", "format": ")" + format + R"(", "flows": [
    {"client": "23.24.68.109", "server": "198.51.100.23", "server_port": 22, "duration": 60,
     "packets_to_server": 12, "packets_to_client": 14, "first_client_payload": "SSH-2.0-OpenSSH_8.4\r\n",
     "first_server_payload": "SSH-2.0-dropbear_2019.78\r\n", "repeat": {"count": 3, "interval": 120}},
    {"client": "198.51.100.23", "server": "194.126.178.8", "server_port": 445, "duration": 20,
     "packets_to_server": 10, "packets_to_client": 10},
    {"client": "198.51.100.23", "server": "88.209.251.6", "server_port": 443, "duration": 2,
     "repeat": {"count": 4, "interval": 300, "jitter": 3}},
    {"client": "198.51.100.40", "server": "88.209.251.6", "server_port": 443, "handshake": "syn_only",
     "syn_retries": 2, "teardown": "none", "duration": 7},
    {"client": "198.51.100.40", "server": "203.0.113.9", "server_port": 443, "handshake": "syn_rst", "teardown": "none"},
    {"client": "2001:db8:100::5", "server": "2001:db8:200::10", "server_port": 443, "duration": 9,
     "packets_to_server": 8, "packets_to_client": 20, "teardown": "rst"},
    {"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 8080, "handshake": "none", "teardown": "none"},
    {"proto": "udp", "client": "198.51.100.77", "server": "9.9.9.9", "server_port": 53, "duration": 0.03,
     "repeat": {"count": 5, "interval": 30}},
    {"proto": "udp", "client": "2001:db8:100::5", "server": "2001:db8:200::53", "server_port": 53, "duration": 0.03},
    {"proto": "udp", "client": "198.51.100.77", "server": "192.0.2.123", "server_port": 123, "duration": 0.05},
    {"proto": "icmp", "client": "198.51.100.77", "server": "192.0.2.1", "packets_to_server": 3, "packets_to_client": 3,
     "client_payload": 56, "server_payload": 56},
    {"proto": "icmpv6", "client": "2001:db8:100::5", "server": "2001:db8:200::10", "packets_to_server": 2,
     "packets_to_client": 2, "client_payload": 56, "server_payload": 56},
    {"client": "10.1.1.1", "server": "10.2.2.3", "server_port": 8000, "packets_to_server": 4,
     "encap": {"type": "gre", "client": "192.0.2.1", "server": "192.0.2.2"}},
    {"client": "2001:db8:1::1", "server": "2001:db8:2::2", "server_port": 8000, "packets_to_server": 4,
     "encap": {"type": "vxlan", "client": "192.0.2.1", "server": "192.0.2.2", "vni": 42}})";
  if (vlans) {
    s += R"(,
    {"client": "198.51.100.77", "server": "192.0.2.80", "server_port": 443, "vlan": [100]},
    {"client": "2001:db8:100::7", "server": "2001:db8:200::10", "server_port": 443, "vlan": [200, 100]})";
  }
  return s + "]}";
}

constexpr int kTcpConnectionsWithoutVlans = 3 + 1 + 4 + 1 + 1 + 1 + 1 + 1 + 1;

class TsharkValidationTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
 protected:
  void SetUp() override {
    if (!testing::HaveTool("tshark")) GTEST_SKIP() << "tshark not installed; skipping dissector validation";
  }
};

// Count of expert-info errors ("Errors (N)" heading), 0 when absent.
int ExpertErrors(const std::string& path, std::string& output) {
  int status = 0;
  output = RunCommand("tshark -r " + path +
                   " -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE"
                   " -z expert,error -q",
               status);
  EXPECT_EQ(status, 0) << output;
  const size_t at = output.find("Errors (");
  return at == std::string::npos ? 0 : std::atoi(output.c_str() + at + 8);
}

int TcpConversations(const std::string& path) {
  int status = 0;
  const std::string out = RunCommand("tshark -r " + path + " -q -z conv,tcp", status);
  EXPECT_EQ(status, 0);
  int n = 0;
  for (size_t pos = 0; (pos = out.find("<->", pos)) != std::string::npos; pos += 3) ++n;
  return n;
}

TEST_P(TsharkValidationTest, NoExpertErrorsAndOneConversationPerConnection) {
  const auto& [link, format] = GetParam();
  const bool vlans = link == "ethernet" || link == "linux_sll" || link == "linux_sll2";
  const std::string path = TempPath("tshark_" + link + "_" + format);
  ASSERT_EQ(testing::Generate(SpecFor(link, format, vlans), path), "");
  std::string expert;
  EXPECT_EQ(ExpertErrors(path, expert), 0) << expert;
  EXPECT_EQ(TcpConversations(path), kTcpConnectionsWithoutVlans + (vlans ? 2 : 0));
  if (testing::HaveTool("capinfos")) {
    int status = 0;
    const std::string info = RunCommand("capinfos -M " + path, status);
    EXPECT_EQ(status, 0) << info;
    EXPECT_THAT(info, ::testing::HasSubstr("Strict time order:   True"));
  }
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    LinksAndFormats, TsharkValidationTest,
    ::testing::Values(std::make_tuple("ethernet", "pcap"), std::make_tuple("ethernet", "pcapng"),
                      std::make_tuple("ethernet", "pcap_ns"), std::make_tuple("raw", "pcap"),
                      std::make_tuple("linux_sll", "pcap"), std::make_tuple("linux_sll2", "pcapng"),
                      std::make_tuple("null", "pcap")),
    [](const auto& param_info) { return std::get<0>(param_info.param) + "_" + std::get<1>(param_info.param); });

// The check above must be able to fail: a frame with a broken TCP checksum is an error.
TEST(TsharkNegativeControl, BrokenChecksumIsReported) {
  if (!testing::HaveTool("tshark")) GTEST_SKIP() << "tshark not installed; skipping dissector validation";
  const std::string path = TempPath("tshark_broken");
  ASSERT_EQ(testing::Generate(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 8080}]})", path), "");
  auto bytes = testing::ReadFile(path);
  ASSERT_GT(bytes.size(), 24u + 16 + 54);
  bytes[24 + 16 + 14 + 20 + 16] ^= 0x5a;  // first frame's TCP checksum
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  std::string expert;
  EXPECT_GT(ExpertErrors(path, expert), 0) << expert;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace pcapgen

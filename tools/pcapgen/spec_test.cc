#include "spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pcapgen {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(const std::string& json) {
  auto spec = ParseSpec(json, "my.json");
  return spec ? "" : spec.error().message();
}

TEST(SpecTest, ParsesDefaultsAndFlowFields) {
  auto spec = ParseSpec(R"({"seed": 9, "start": "2024-01-15T10:00:00Z", "link": "linux_sll2", "format": "pcapng",
      "defaults": {"duration": 30, "server": "9.9.9.9"},
      "flows": [{"client": "198.51.100.23", "server_port": 53, "proto": "udp"},
                {"client": "198.51.100.23", "server": "88.209.251.6", "server_port": 443, "handshake": "syn_only",
                 "syn_retries": 2, "teardown": "none", "vlan": [100],
                 "repeat": {"count": 10, "interval": 300, "client_cidr": "198.51.100.0/24"}}]})",
                        "x.json");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->seed, 9u);
  EXPECT_EQ(spec->link, Link::kLinuxSll2);
  EXPECT_EQ(spec->format, FileFormat::kPcapng);
  EXPECT_EQ(spec->start, 1705312800LL * 1'000'000'000);
  ASSERT_EQ(spec->flows.size(), 2u);
  EXPECT_EQ(spec->flows[0].proto, Proto::kUdp);
  EXPECT_EQ(spec->flows[0].server.ToString(), "9.9.9.9");  // from defaults
  EXPECT_DOUBLE_EQ(spec->flows[0].duration_s, 30);
  EXPECT_EQ(spec->flows[1].server.ToString(), "88.209.251.6");  // flow overrides defaults
  EXPECT_EQ(spec->flows[1].handshake, Handshake::kSynOnly);
  EXPECT_EQ(spec->flows[1].teardown, Teardown::kNone);
  EXPECT_EQ(spec->flows[1].vlan_count, 1);
  EXPECT_EQ(spec->flows[1].vlans[0], 100);
  EXPECT_EQ(spec->flows[1].repeat.count, 10u);
  ASSERT_TRUE(spec->flows[1].repeat.client_cidr);
  EXPECT_EQ(spec->flows[1].repeat.client_cidr->prefix_len, 24);
}

TEST(SpecTest, HandshakeAcceptsBooleans) {
  auto spec = ParseSpec(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 80, "handshake": false}]})", "b.json");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->flows[0].handshake, Handshake::kNone);
}

TEST(SpecTest, ErrorsNameFileAndField) {
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 80},
                                    {"client": "nope", "server": "10.0.0.2", "server_port": 80}]})"),
              HasSubstr("my.json: flows[1].client: not an IP address: 'nope'"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2"}]})"),
              HasSubstr("my.json: flows[0].server_port: required"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "::1", "server_port": 1}]})"),
              HasSubstr("flows[0].server: address family differs"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1, "clinet_port": 5}]})"),
              HasSubstr("flows[0].clinet_port: unknown field"));
  EXPECT_THAT(ErrorOf(R"({"start": "yesterday", "flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1}]})"),
              HasSubstr("my.json: start: not an RFC 3339 time"));
  EXPECT_THAT(ErrorOf(R"({"link": "raw", "flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1, "vlan": [5]}]})"),
              HasSubstr("flows[0].vlan: needs link ethernet"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1, "vlan": [5000]}]})"),
              HasSubstr("flows[0].vlan[0]: expected a VLAN id"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1, "client_payload": [9, 3]}]})"),
              HasSubstr("flows[0].client_payload:"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1, "repeat": {"count": 0}}]})"),
              HasSubstr("flows[0].repeat.count: 0 is outside"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "proto": "icmpv6"}]})"),
              HasSubstr("flows[0].proto: icmpv6 needs IPv6"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1, "proto": "udp", "teardown": "rst"}]})"),
              HasSubstr("flows[0].teardown: only for tcp"));
  EXPECT_THAT(ErrorOf(R"({"flows": [{"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 1,
                          "encap": {"type": "vxlan", "client": "192.0.2.1"}}]})"),
              HasSubstr("flows[0].encap.server: required"));
  EXPECT_THAT(ErrorOf(R"({"flows": []})"), HasSubstr("my.json: flows: expected a non-empty list"));
  EXPECT_THAT(ErrorOf(R"({"flows": [)"), HasSubstr("my.json: invalid JSON"));
}

TEST(SpecTest, LoadSpecNamesMissingFile) {
  auto spec = LoadSpec("/nonexistent/dir/spec.json");
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error().message(), HasSubstr("/nonexistent/dir/spec.json"));
}

}  // namespace
}  // namespace pcapgen

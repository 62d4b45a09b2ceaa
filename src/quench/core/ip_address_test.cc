#include "quench/core/ip_address.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

TEST(IpAddressTest, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddress::Parse("192.168.1.20");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->v4(), 0xC0A80114u);
  EXPECT_EQ(v4->ToString(), "192.168.1.20");
  auto v6 = IpAddress::Parse("2001:DB8:0:0:0:0:0:1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4());
  EXPECT_EQ(v6->ToString(), "2001:db8::1");  // RFC 5952 canonical form
}

TEST(IpAddressTest, RejectsGarbage) {
  EXPECT_FALSE(IpAddress::Parse(""));
  EXPECT_FALSE(IpAddress::Parse("300.1.1.1"));
  EXPECT_FALSE(IpAddress::Parse("1.2.3"));
  EXPECT_FALSE(IpAddress::Parse("example.com"));
  EXPECT_FALSE(IpAddress::Parse("1:2:3:4:5:6:7:8:9"));
}

TEST(IpAddressTest, OrdersAndComparesByValue) {
  EXPECT_LT(*IpAddress::Parse("10.0.0.1"), *IpAddress::Parse("10.0.0.2"));
  EXPECT_EQ(IpAddress::FromV4(0x0A000001), *IpAddress::Parse("10.0.0.1"));
}

TEST(IpPrefixTest, ParsesMasksAndContains) {
  auto p = IpPrefix::Parse("10.1.2.3/8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ToString(), "10.0.0.0/8");
  EXPECT_TRUE(p->Contains(*IpAddress::Parse("10.255.0.1")));
  EXPECT_FALSE(p->Contains(*IpAddress::Parse("11.0.0.1")));
  EXPECT_FALSE(p->Contains(*IpAddress::Parse("::a01:203")));
  auto p6 = IpPrefix::Parse("2001:db8::/32");
  ASSERT_TRUE(p6);
  EXPECT_TRUE(p6->Contains(*IpAddress::Parse("2001:db8:ffff::1")));
  EXPECT_FALSE(p6->Contains(*IpAddress::Parse("2001:db9::1")));
  auto host = IpPrefix::Parse("203.0.113.7");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->prefix_len, 32);
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/33"));
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/"));
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/8x"));
}

}  // namespace
}  // namespace quench

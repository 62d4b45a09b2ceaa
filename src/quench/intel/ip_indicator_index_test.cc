#include "quench/intel/ip_indicator_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "quench/core/limits.h"

namespace quench {
namespace {

namespace fs = std::filesystem;

IpAddress Ip(std::string_view text) {
  auto a = IpAddress::Parse(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(IpAddress());
}

TEST(ParseIpIndicatorTest, AcceptsEveryForm) {
  auto v4 = ParseIpIndicator("192.0.2.1");
  ASSERT_TRUE(v4) << v4.error().ToString();
  EXPECT_EQ(v4->prefix.ToString(), "192.0.2.1/32");
  EXPECT_FALSE(v4->port);

  auto cidr = ParseIpIndicator("10.1.2.3/16");
  ASSERT_TRUE(cidr);
  EXPECT_EQ(cidr->prefix.ToString(), "10.1.0.0/16");  // host bits cleared

  auto port = ParseIpIndicator("198.51.100.7:8443");
  ASSERT_TRUE(port);
  EXPECT_EQ(port->prefix.ToString(), "198.51.100.7/32");
  EXPECT_EQ(port->port, 8443);

  auto v6 = ParseIpIndicator("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->prefix.ToString(), "2001:db8::1/128");

  auto v6cidr = ParseIpIndicator("2001:db8:abcd::/48");
  ASSERT_TRUE(v6cidr);
  EXPECT_EQ(v6cidr->prefix.prefix_len, 48);

  auto v6port = ParseIpIndicator("[2001:db8::2]:443");
  ASSERT_TRUE(v6port) << v6port.error().ToString();
  EXPECT_EQ(v6port->prefix.ToString(), "2001:db8::2/128");
  EXPECT_EQ(v6port->port, 443);
}

TEST(ParseIpIndicatorTest, RejectsWithReason) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"300.1.2.3", "invalid IPv4 address"},
      {"10.0.0.0/40", "prefix length '40' out of range 0-32"},
      {"1.2.3.4:99999", "port '99999' out of range"},
      {"1.2.3.4:0", "port '0' out of range"},
      {"1.2.3.4:", "port '' out of range"},
      {"10.0.0.0/8:80", "a port needs a single address"},
      {"2001:db8::/129", "out of range 0-128"},
      {"2001:db8::zz", "invalid IPv6 address"},
      {"[2001:db8::1", "without ']'"},
      {"[2001:db8::1]x", "expected ':port'"},
      {"1.2.3", "invalid IPv4 address"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseIpIndicator(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_NE(parsed.error().message().find(c.reason), std::string::npos)
        << c.text << " -> " << parsed.error().message();
  }
}

TEST(IpIndicatorIndexTest, MostSpecificWins) {
  IpIndicatorIndexBuilder builder;
  ASSERT_TRUE(builder.Add("10.1.0.0/16", "wide", "t:1"));
  ASSERT_TRUE(builder.Add("10.1.2.0/24", "narrow", "t:2"));
  ASSERT_TRUE(builder.Add("10.1.2.3", "host", "t:3"));
  ASSERT_TRUE(builder.Add("10.1.2.3:443", "service", "t:4"));
  ASSERT_TRUE(builder.Add("10.9.9.9:53", "port-only", "t:5"));
  ASSERT_TRUE(builder.Add("2001:db8::/32", "v6wide", "t:6"));
  ASSERT_TRUE(builder.Add("2001:db8:1::/48", "v6narrow", "t:7"));
  ASSERT_TRUE(builder.Add("2001:db8:1::5", "v6host", "t:8"));
  ASSERT_TRUE(builder.Add("[2001:db8:1::5]:22", "v6service", "t:9"));
  EXPECT_FALSE(builder.Add("10.0.0.0/33", "bad", "t:10"));
  const IpIndicatorIndex index = builder.Build();
  EXPECT_EQ(index.size(), 9u);
  EXPECT_EQ(builder.size(), 0u);

  auto family = [&](std::string_view ip, uint16_t port) -> std::string {
    const IpIndicator* hit = index.Match(Ip(ip), port, 6);
    return hit == nullptr ? "none" : hit->family;
  };
  EXPECT_EQ(family("10.1.2.3", 443), "service");
  EXPECT_EQ(family("10.1.2.3", 80), "host");
  EXPECT_EQ(family("10.1.2.4", 443), "narrow");
  EXPECT_EQ(family("10.1.200.1", 443), "wide");
  EXPECT_EQ(family("10.2.0.1", 443), "none");
  EXPECT_EQ(family("10.9.9.9", 53), "port-only");
  EXPECT_EQ(family("10.9.9.9", 54), "none");  // a port entry does not cover other ports
  EXPECT_EQ(family("2001:db8:1::5", 22), "v6service");
  EXPECT_EQ(family("2001:db8:1::5", 23), "v6host");
  EXPECT_EQ(family("2001:db8:1::6", 22), "v6narrow");
  EXPECT_EQ(family("2001:db8:2::1", 22), "v6wide");
  EXPECT_EQ(family("2001:db9::1", 22), "none");
  // Families never cross: the v4-mapped form of 10.1.2.3 is the same address.
  EXPECT_EQ(family("::ffff:10.1.2.3", 80), "host");
  EXPECT_EQ(family("::a01:203", 80), "none");

  const IpIndicator* hit = index.Match(Ip("10.1.2.3"), 443, 6);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->value, "10.1.2.3:443");
  EXPECT_EQ(hit->source, "t:4");
  EXPECT_EQ(hit->port, 443);
}

TEST(IpIndicatorIndexTest, DefaultRouteAndEmptyIndex) {
  IpIndicatorIndex empty;
  EXPECT_EQ(empty.Match(Ip("1.2.3.4"), 1, 6), nullptr);
  IpIndicatorIndexBuilder builder;
  ASSERT_TRUE(builder.Add("0.0.0.0/0", "all4", "t:1"));
  const IpIndicatorIndex index = builder.Build();
  ASSERT_NE(index.Match(Ip("203.0.113.9"), 1, 17), nullptr);
  EXPECT_EQ(index.Match(Ip("2001:db8::1"), 1, 17), nullptr);
}

TEST(IpIndicatorIndexTest, ConcurrentReadsAgree) {
  IpIndicatorIndexBuilder builder;
  for (int i = 0; i < 256; ++i) {
    ASSERT_TRUE(builder.Add("10.0." + std::to_string(i) + ".0/24", "f", "t:" + std::to_string(i)));
  }
  const IpIndicatorIndex index = builder.Build();
  std::vector<int> hits(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < 20000; ++i) {
        if (index.Match(IpAddress::FromV4(0x0a000000u | i), 80, 6) != nullptr) {
          ++hits[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // 10.0.0.0 .. 10.0.78.31: every address is inside one of the 256 /24 blocks.
  for (int t = 0; t < 4; ++t) EXPECT_EQ(hits[t], 20000) << t;
}

class PlainListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("quench_intel_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  fs::path dir_;
};

TEST_F(PlainListTest, ParsesMixedFile) {
  std::string path = Write("apt_sofacy.txt",
                           "# Copyright header\n"
                           "\n"
                           "evil.example.com\n"
                           "192.0.2.1\n"
                           "198.51.100.0/24   # a whole block\n"
                           "203.0.113.5:8080\r\n"
                           "[2001:db8::7]:443\n"
                           "2001:db8:ff::/48\n"
                           "http://203.0.113.9/x.php\n"
                           "/bins/mips\n"
                           "evil.example.org/path\n"
                           "hello\n"
                           "300.1.2.3\n"
                           "10.0.0.0/40\n"
                           "1.2.3.4:99999\n"
                           "   \n"
                           "   # indented comment\n"
                           "192.0.2.1\n");
  IpIndicatorIndexBuilder builder;
  auto report = builder.LoadPlainList(path);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->family, "apt_sofacy");
  EXPECT_EQ(report->lines, 18u);
  EXPECT_EQ(report->loaded, 6u);
  EXPECT_EQ(report->duplicates, 1u);
  EXPECT_EQ(report->invalid, 3u);
  EXPECT_EQ(report->skipped_by_kind["domain"].count, 1u);
  EXPECT_EQ(report->skipped_by_kind["domain"].example, path + ":3: evil.example.com");
  EXPECT_EQ(report->skipped_by_kind["url"].count, 3u);
  EXPECT_EQ(report->skipped_by_kind["other"].count, 1u);
  EXPECT_EQ(report->skipped(), 5u);
  ASSERT_EQ(report->warnings.size(), 3u);
  EXPECT_EQ(report->warnings_total, 3u);
  EXPECT_EQ(report->warnings[0].rfind(path + ":13: invalid IPv4 address", 0), 0u)
      << report->warnings[0];
  EXPECT_EQ(report->warnings[1].rfind(path + ":14: prefix length", 0), 0u) << report->warnings[1];
  EXPECT_EQ(report->warnings[2].rfind(path + ":15: port", 0), 0u) << report->warnings[2];
  EXPECT_NE(report->Summary().find("6 loaded"), std::string::npos) << report->Summary();

  const IpIndicatorIndex index = builder.Build();
  EXPECT_EQ(index.size(), 5u);
  const IpIndicator* hit = index.Match(Ip("192.0.2.1"), 1, 6);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->family, "apt_sofacy");
  EXPECT_EQ(hit->source, path + ":4");
  ASSERT_EQ(hit->attributions.size(), 2u);
  EXPECT_EQ(hit->attributions[1].source, path + ":18");
  hit = index.Match(Ip("198.51.100.77"), 1, 6);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->value, "198.51.100.0/24");  // inline comment cut off
  hit = index.Match(Ip("203.0.113.5"), 8080, 6);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->value, "203.0.113.5:8080");  // CR stripped
  EXPECT_EQ(index.Match(Ip("203.0.113.5"), 8081, 6), nullptr);
  EXPECT_NE(index.Match(Ip("2001:db8::7"), 443, 6), nullptr);
  EXPECT_NE(index.Match(Ip("2001:db8:ff:1::1"), 1, 6), nullptr);
  EXPECT_EQ(index.Match(Ip("203.0.113.9"), 80, 6), nullptr);  // URL host is not loaded
}

TEST_F(PlainListTest, FamilyHeaderOverridesStemAndDuplicatesAcrossFilesKeepBoth) {
  std::string a = Write("list_a.txt", "192.0.2.1\n# family: Moobot\n10.0.0.0/8\n");
  std::string b = Write("list_b.txt", "192.0.2.1\n");
  IpIndicatorIndexBuilder builder;
  auto ra = builder.LoadPlainList(a);
  ASSERT_TRUE(ra);
  EXPECT_EQ(ra->family, "Moobot");
  auto rb = builder.LoadPlainList(b);
  ASSERT_TRUE(rb);
  EXPECT_EQ(rb->family, "list_b");
  EXPECT_EQ(rb->loaded, 1u);
  EXPECT_EQ(rb->duplicates, 1u);
  const IpIndicatorIndex index = builder.Build();
  const IpIndicator* hit = index.Match(Ip("192.0.2.1"), 1, 6);
  ASSERT_NE(hit, nullptr);
  ASSERT_EQ(hit->attributions.size(), 2u);
  EXPECT_EQ(hit->attributions[0].family, "Moobot");
  EXPECT_EQ(hit->attributions[0].source, a + ":1");
  EXPECT_EQ(hit->attributions[1].family, "list_b");
  EXPECT_EQ(hit->attributions[1].source, b + ":1");
}

TEST_F(PlainListTest, OverlongLineIsReportedAndSkipped) {
  std::string longline(limits::kMaxIntelLineLength + 1, 'a');
  std::string path = Write("long.txt", "192.0.2.1\n" + longline + "\n192.0.2.2\n");
  IpIndicatorIndexBuilder builder;
  auto report = builder.LoadPlainList(path);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->loaded, 2u);
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_EQ(report->warnings[0].rfind(path + ":2: line of", 0), 0u) << report->warnings[0];
}

TEST_F(PlainListTest, WarningsAreCappedButCounted) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "999.0.0." + std::to_string(i) + "\n";
  std::string path = Write("bad.txt", text);
  IpIndicatorIndexBuilder builder;
  auto report = builder.LoadPlainList(path);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->warnings.size(), IntelLoadReport::kMaxWarnings);
  EXPECT_EQ(report->warnings_total, 50u);
  EXPECT_EQ(report->invalid, 50u);
  EXPECT_EQ(report->loaded, 0u);
}

TEST_F(PlainListTest, MissingFileNamesPath) {
  IpIndicatorIndexBuilder builder;
  std::string path = (dir_ / "nope.txt").string();
  auto report = builder.LoadPlainList(path);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(report.error().message().find(path), std::string::npos);
}

// Independent count of IP indicator lines: sscanf and character classes per line, no parser
// shared with the code under test. (std::regex trips a GCC 12 -Wmaybe-uninitialized false
// positive under the sanitizer build, hence sscanf.)
bool IsV4IndicatorLine(const std::string& line) {
  unsigned a = 0, b = 0, c = 0, d = 0, extra = 0;
  int used = 0;
  if (std::sscanf(line.c_str(), "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d, &used) != 4) return false;
  if (!std::isdigit(static_cast<unsigned char>(line[0])) || a > 255 || b > 255 || c > 255 ||
      d > 255) {
    return false;
  }
  std::string rest = line.substr(static_cast<size_t>(used));
  if (rest.empty()) return true;
  int used_rest = 0;
  if (rest[0] == '/') {
    return std::sscanf(rest.c_str(), "/%2u%n", &extra, &used_rest) == 1 &&
           static_cast<size_t>(used_rest) == rest.size() && extra <= 32;
  }
  if (rest[0] == ':') {
    return std::sscanf(rest.c_str(), ":%5u%n", &extra, &used_rest) == 1 &&
           static_cast<size_t>(used_rest) == rest.size() && extra >= 1 && extra <= 65535;
  }
  return false;
}

bool IsV6IndicatorLine(const std::string& line) {
  if (std::count(line.begin(), line.end(), ':') < 2) return false;
  return std::all_of(line.begin(), line.end(), [](char ch) {
    return std::isxdigit(static_cast<unsigned char>(ch)) != 0 || ch == ':' || ch == '.' ||
           ch == '/' || ch == '[' || ch == ']';
  });
}

uint64_t CountIpLines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  uint64_t count = 0;
  while (std::getline(in, line)) {
    size_t hash = line.find(" #");
    if (hash == std::string::npos) hash = line.find("\t#");
    if (hash != std::string::npos) line.resize(hash);
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (IsV4IndicatorLine(line) || IsV6IndicatorLine(line)) ++count;
  }
  return count;
}

TEST(MaltrailTest, EveryListLoadsAndCountsAgree) {
  const fs::path dir = fs::path(QUENCH_SHARED_DATA) / "intel" / "maltrail";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no maltrail lists at " << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  IpIndicatorIndexBuilder builder;
  uint64_t total_loaded = 0;
  for (const fs::path& file : files) {
    auto report = builder.LoadPlainList(file.string());
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_EQ(report->family, file.stem().string());
    EXPECT_EQ(report->loaded, CountIpLines(file.string())) << file;
    for (const std::string& w : report->warnings) {
      ADD_FAILURE() << w;  // the real lists hold no malformed addresses
    }
    std::cout << "  " << report->Summary() << "\n";
    for (const auto& [kind, skipped] : report->skipped_by_kind) {
      EXPECT_FALSE(skipped.example.empty());
    }
    total_loaded += report->loaded;
  }
  const IpIndicatorIndex index = builder.Build();
  EXPECT_GT(total_loaded, 0u);
  EXPECT_LE(index.size(), total_loaded);
  // Every loaded indicator is found again by its own address (and port).
  for (const IpIndicator& indicator : index.indicators()) {
    const IpIndicator* hit = index.Match(indicator.prefix.address, indicator.port.value_or(0), 6);
    ASSERT_NE(hit, nullptr) << indicator.value;
    if (indicator.port) {
      EXPECT_EQ(hit, &indicator) << indicator.value;
    }
  }
}

}  // namespace
}  // namespace quench

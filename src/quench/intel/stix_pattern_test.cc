#include "quench/intel/stix_pattern.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "quench/core/limits.h"

namespace quench {
namespace {

using ::testing::HasSubstr;
using Kind = StixNode::Kind;

StixPattern MustParse(std::string_view text) {
  auto p = ParseStixPattern(text);
  EXPECT_TRUE(p.has_value()) << text << " -> " << (p ? "" : p.error().ToString());
  return p ? std::move(*p) : StixPattern{};
}

const StixComparison& OnlyComparison(const StixPattern& p) {
  static const StixComparison kEmpty;
  if (p.root.kind != Kind::kObservation || p.root.children.size() != 1 ||
      p.root.children[0].kind != Kind::kComparison) {
    ADD_FAILURE() << "not a single-comparison observation: " << p.text;
    return kEmpty;
  }
  return p.root.children[0].comparison;
}

std::string ErrorOf(std::string_view text) {
  auto p = ParseStixPattern(text);
  EXPECT_FALSE(p.has_value()) << text;
  return p ? "" : p.error().message();
}

bool HasUnsupported(const StixExtraction& e, std::string_view name) {
  for (const auto& u : e.unsupported) {
    if (u.name == name) return true;
  }
  return false;
}

TEST(StixPatternTest, SimpleEquality) {
  StixPattern p = MustParse("[ipv4-addr:value = '198.51.100.1']");
  const StixComparison& c = OnlyComparison(p);
  EXPECT_EQ(c.object_type, "ipv4-addr");
  ASSERT_EQ(c.path.size(), 1u);
  EXPECT_EQ(c.path[0], "value");
  EXPECT_EQ(c.op, StixOp::kEq);
  EXPECT_FALSE(c.negated);
  EXPECT_EQ(c.value.kind, StixValueKind::kString);
  EXPECT_EQ(c.value.text, "198.51.100.1");
  EXPECT_EQ(p.text.substr(c.begin, c.end - c.begin), "ipv4-addr:value = '198.51.100.1'");
}

TEST(StixPatternTest, EveryOperator) {
  struct Case {
    const char* text;
    StixOp op;
    bool negated;
  };
  const Case cases[] = {
      {"[x:a = 'v']", StixOp::kEq, false},
      {"[x:a == 'v']", StixOp::kEq, false},
      {"[x:a != 'v']", StixOp::kNe, false},
      {"[x:a <> 'v']", StixOp::kNe, false},
      {"[x:a < 5]", StixOp::kLt, false},
      {"[x:a <= 5]", StixOp::kLe, false},
      {"[x:a > 5]", StixOp::kGt, false},
      {"[x:a >= 5]", StixOp::kGe, false},
      {"[x:a IN ('v', 'w')]", StixOp::kIn, false},
      {"[x:a LIKE 'v%']", StixOp::kLike, false},
      {"[x:a MATCHES '^v.*$']", StixOp::kMatches, false},
      {"[x:a ISSUBSET '10.0.0.0/8']", StixOp::kIsSubset, false},
      {"[x:a ISSUPERSET '10.0.0.0/8']", StixOp::kIsSuperset, false},
      {"[x:a NOT = 'v']", StixOp::kEq, true},
      {"[x:a NOT IN ('v')]", StixOp::kIn, true},
      {"[x:a not like 'v']", StixOp::kLike, true},
      {"[EXISTS x:a]", StixOp::kExists, false},
  };
  for (const Case& c : cases) {
    StixPattern p = MustParse(c.text);
    const StixComparison& cmp = OnlyComparison(p);
    EXPECT_EQ(cmp.op, c.op) << c.text;
    EXPECT_EQ(cmp.negated, c.negated) << c.text;
    EXPECT_EQ(cmp.PathString(), "a") << c.text;
  }
}

TEST(StixPatternTest, LiteralKinds) {
  StixPattern pi = MustParse("[x:a = -42]");
  const StixValue& i = OnlyComparison(pi).value;
  EXPECT_EQ(i.kind, StixValueKind::kInt);
  EXPECT_EQ(i.int_value, -42);
  StixPattern pf = MustParse("[x:a > 2.5]");
  EXPECT_EQ(OnlyComparison(pf).value.kind, StixValueKind::kFloat);
  EXPECT_DOUBLE_EQ(OnlyComparison(pf).value.float_value, 2.5);
  StixPattern pb = MustParse("[x:a = true]");
  EXPECT_EQ(OnlyComparison(pb).value.kind, StixValueKind::kBool);
  EXPECT_TRUE(OnlyComparison(pb).value.bool_value);
  StixPattern pt = MustParse("[x:a = t'2020-01-02T03:04:05Z']");
  EXPECT_EQ(OnlyComparison(pt).value.kind, StixValueKind::kTimestamp);
  EXPECT_EQ(OnlyComparison(pt).value.text, "2020-01-02T03:04:05Z");
  StixPattern ph = MustParse("[x:a = h'cafe00']");
  EXPECT_EQ(OnlyComparison(ph).value.kind, StixValueKind::kHex);
  EXPECT_EQ(OnlyComparison(ph).value.text, "cafe00");
  StixPattern p64 = MustParse("[x:a = b'aGVsbG8=']");
  EXPECT_EQ(OnlyComparison(p64).value.kind, StixValueKind::kBinary);
  StixPattern ps = MustParse("[x:a IN (1, 'two', 3.0, false)]");
  const StixValue& set = OnlyComparison(ps).value;
  ASSERT_EQ(set.kind, StixValueKind::kSet);
  ASSERT_EQ(set.set.size(), 4u);
  EXPECT_EQ(set.set[0].kind, StixValueKind::kInt);
  EXPECT_EQ(set.set[1].text, "two");
  EXPECT_EQ(set.set[2].kind, StixValueKind::kFloat);
  EXPECT_EQ(set.set[3].kind, StixValueKind::kBool);
}

TEST(StixPatternTest, StringEscapes) {
  StixPattern p = MustParse(R"([file:name = 'it\'s a \\path\\'])");
  EXPECT_EQ(OnlyComparison(p).value.text, R"(it's a \path\)");
  StixPattern regex = MustParse(R"([file:name MATCHES '^Final Report.+\\.exe$'])");
  EXPECT_EQ(OnlyComparison(regex).value.text, R"(^Final Report.+\.exe$)");
}

TEST(StixPatternTest, PathForms) {
  StixPattern quoted = MustParse("[file:hashes.'SHA-256' = 'aa']");
  EXPECT_EQ(OnlyComparison(quoted).PathString(), "hashes.SHA-256");
  StixPattern bare = MustParse("[file:hashes.SHA-256 = 'aa']");
  EXPECT_EQ(OnlyComparison(bare).PathString(), "hashes.SHA-256");
  StixPattern list = MustParse("[email-message:body_multipart[*].body_raw_ref.name = 'x']");
  EXPECT_EQ(OnlyComparison(list).PathString(), "body_multipart[*].body_raw_ref.name");
  StixPattern index = MustParse("[x:list[-1].v = 'x' ]");
  EXPECT_EQ(OnlyComparison(index).path[1], "[-1]");
  StixPattern ext = MustParse("[file:extensions.'windows-pebinary-ext'.sections[0].name = 'x']");
  EXPECT_EQ(OnlyComparison(ext).path[1], "windows-pebinary-ext");
}

TEST(StixPatternTest, NestingAndPrecedence) {
  // AND binds tighter than OR inside an observation.
  StixPattern p = MustParse("[a:x = 1 OR a:y = 2 AND a:z = 3]");
  const StixNode& cmp = p.root.children[0];
  ASSERT_EQ(cmp.kind, Kind::kOr);
  ASSERT_EQ(cmp.children.size(), 2u);
  EXPECT_EQ(cmp.children[0].kind, Kind::kComparison);
  EXPECT_EQ(cmp.children[1].kind, Kind::kAnd);
  // Parentheses override it, and chains flatten.
  StixPattern q = MustParse("[(a:x = 1 OR a:y = 2) AND a:z = 3 AND a:w = 4]");
  ASSERT_EQ(q.root.children[0].kind, Kind::kAnd);
  EXPECT_EQ(q.root.children[0].children.size(), 3u);
  EXPECT_EQ(q.root.children[0].children[0].kind, Kind::kOr);
  // Observation level: FOLLOWEDBY binds loosest, then OR, then AND.
  StixPattern r = MustParse("[a:x = 1] AND [a:y = 2] OR [a:z = 3] FOLLOWEDBY ([a:w = 4])");
  ASSERT_EQ(r.root.kind, Kind::kFollowedBy);
  ASSERT_EQ(r.root.children.size(), 2u);
  EXPECT_EQ(r.root.children[0].kind, Kind::kObsOr);
  EXPECT_EQ(r.root.children[0].children[0].kind, Kind::kObsAnd);
  EXPECT_EQ(r.root.children[1].kind, Kind::kObservation);
}

TEST(StixPatternTest, Qualifiers) {
  StixPattern p = MustParse(
      "([a:x = 1] FOLLOWEDBY [a:y = 2]) WITHIN 300 SECONDS REPEATS 5 TIMES "
      "START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'");
  ASSERT_EQ(p.root.kind, Kind::kFollowedBy);
  ASSERT_EQ(p.root.qualifiers.size(), 3u);
  EXPECT_EQ(p.root.qualifiers[0].kind, StixQualifierKind::kWithin);
  EXPECT_DOUBLE_EQ(p.root.qualifiers[0].within_seconds, 300);
  EXPECT_EQ(p.root.qualifiers[1].repeats, 5);
  EXPECT_EQ(p.root.qualifiers[2].start, "2016-06-01T00:00:00Z");
  EXPECT_EQ(p.root.qualifiers[2].stop, "2016-07-01T00:00:00Z");
  StixPattern single = MustParse("[a:x = 1] WITHIN 2.5 SECONDS");
  EXPECT_EQ(single.root.kind, Kind::kObservation);
  EXPECT_EQ(single.root.qualifiers.size(), 1u);
  StixExtraction e = ExtractStixIndicators(p);
  EXPECT_TRUE(HasUnsupported(e, "qualifier WITHIN (ignored)"));
  EXPECT_TRUE(HasUnsupported(e, "qualifier REPEATS (ignored)"));
  EXPECT_TRUE(HasUnsupported(e, "qualifier START/STOP (ignored)"));
  EXPECT_TRUE(HasUnsupported(e, "FOLLOWEDBY (observations taken independently)"));
}

TEST(StixPatternTest, ErrorsCarryPosition) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("offset 0: expected '[' or '('"));
  EXPECT_THAT(ErrorOf("[ipv4-addr:value = '1.2.3.4'"), HasSubstr("offset 28: expected ']'"));
  EXPECT_THAT(ErrorOf("[ipv4-addr:value = '1.2.3.4] "), HasSubstr("offset 19: unterminated"));
  EXPECT_THAT(ErrorOf("[ipv4-addr:value ~ '1']"), HasSubstr("offset 17: expected a comparison"));
  EXPECT_THAT(ErrorOf("[ipv4-addr = '1']"), HasSubstr("offset 10: expected ':'"));
  EXPECT_THAT(ErrorOf(R"([file:name = 'a\nb'])"), HasSubstr("offset 15: unknown escape"));
  EXPECT_THAT(ErrorOf("[a:x = 1] junk"), HasSubstr("offset 10: unexpected text"));
  EXPECT_THAT(ErrorOf("[a:x = t'yesterday']"), HasSubstr("offset 7: bad timestamp"));
  // Fuzzer find: a year outside the ns range must be an error, not an overflow.
  EXPECT_THAT(ErrorOf("[a:x = 1] START t'2016-06-01T00:00:00Z' STOP t'0125-07-01T00:00:00Z'"),
              HasSubstr("bad timestamp"));
  EXPECT_THAT(ErrorOf("[a:x = h'abc']"), HasSubstr("bad hex"));
  EXPECT_THAT(ErrorOf("[a:x IN 'v']"), HasSubstr("IN needs a set"));
  EXPECT_THAT(ErrorOf("[a:x MATCHES 5]"), HasSubstr("MATCHES needs a string"));
  EXPECT_THAT(ErrorOf("[a:x = ('v')]"), HasSubstr("only allowed after IN"));
  EXPECT_THAT(ErrorOf("[a:x IN (('v'))]"), HasSubstr("nested"));
  EXPECT_THAT(ErrorOf("[a:x = 99999999999999999999]"), HasSubstr("out of range"));
  EXPECT_THAT(ErrorOf("[a:x = 1] WITHIN 0 SECONDS"), HasSubstr("positive"));
  EXPECT_THAT(ErrorOf("[a:x = 1] REPEATS 2"), HasSubstr("expected TIMES"));
  EXPECT_THAT(ErrorOf("[a:x = 1] ANDOR [a:y = 2]"), HasSubstr("unexpected text"));
}

// "[((...(a:x = 1)...))]" with `depth` parentheses (built by append: g++ 12 -O3 gives a
// false -Wrestrict on chained operator+ here).
std::string Wrapped(size_t depth) {
  std::string out = "[";
  out.append(depth, '(');
  out.append("a:x = 1");
  out.append(depth, ')');
  out.push_back(']');
  return out;
}

TEST(StixPatternTest, HostileInputIsBounded) {
  std::string deep(10000, '(');
  auto p = ParseStixPattern(deep);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), ErrorCode::kResourceExhausted);
  std::string deep_cmp = Wrapped(10000);
  auto q = ParseStixPattern(deep_cmp);
  ASSERT_FALSE(q.has_value());
  EXPECT_EQ(q.error().code(), ErrorCode::kResourceExhausted);
  std::string nested_ok = Wrapped(20);
  EXPECT_TRUE(ParseStixPattern(nested_ok).has_value());
  std::string huge(limits::kMaxStixPatternBytes + 1, ' ');
  auto r = ParseStixPattern(huge);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted);
  // A long flat OR chain is fine (flattened, no recursion per term).
  std::string chain = "[a:x = 0";
  for (int i = 1; i < 5000; ++i) chain += " OR a:x = " + std::to_string(i);
  chain += "]";
  StixPattern flat = MustParse(chain);
  EXPECT_EQ(flat.root.children[0].children.size(), 5000u);
}

TEST(StixExtractTest, SupportedTypesAndNormalisation) {
  StixPattern p = MustParse(
      "[ipv4-addr:value = '198.51.100.7'] OR [ipv4-addr:value = '223.166.1.0/15'] OR "
      "[ipv6-addr:value = '2001:DB8::1'] OR [ipv6-addr:value = '2001:db8::/32'] OR "
      "[domain-name:value = 'Evil.Example.COM.'] OR [url:value = 'HTTP://Evil.Example/A?b=C'] OR "
      "[file:hashes.'MD5' = '001DD76872D80801692FF942308C64E6'] OR "
      "[file:hashes.md5 = '002325a0a67fded0381b5648d7fe9b8e'] OR "
      "[file:hashes.'SHA-1' = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'] OR "
      "[file:hashes.SHA256 = '05a5d6929031deed51f2c7ee8936d1e5b82db9126f746ed5e0be28a758675844'] OR "
      "[x509-certificate:hashes.'SHA-1' = 'A9:4A:8F:E5:CC:B1:9B:A6:1C:4C:08:73:D3:91:E9:87:98:2F:BB:D3'] OR "
      "[x509-certificate:hashes.'SHA-256' = "
      "'05a5d6929031deed51f2c7ee8936d1e5b82db9126f746ed5e0be28a758675844']");
  StixExtraction e = ExtractStixIndicators(p);
  EXPECT_TRUE(e.unsupported.empty());
  std::vector<ExtractedIndicator> want = {
      {IndicatorType::kIpv4, "198.51.100.7"},
      {IndicatorType::kIpv4Cidr, "223.166.0.0/15"},
      {IndicatorType::kIpv6, "2001:db8::1"},
      {IndicatorType::kIpv6Cidr, "2001:db8::/32"},
      {IndicatorType::kDomain, "evil.example.com"},
      {IndicatorType::kUrl, "http://evil.example/A?b=C"},
      {IndicatorType::kMd5, "001dd76872d80801692ff942308c64e6"},
      {IndicatorType::kMd5, "002325a0a67fded0381b5648d7fe9b8e"},
      {IndicatorType::kSha1, "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"},
      {IndicatorType::kSha256, "05a5d6929031deed51f2c7ee8936d1e5b82db9126f746ed5e0be28a758675844"},
      {IndicatorType::kX509Sha1, "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"},
      {IndicatorType::kX509Sha256,
       "05a5d6929031deed51f2c7ee8936d1e5b82db9126f746ed5e0be28a758675844"},
  };
  EXPECT_EQ(e.indicators, want);
}

TEST(StixExtractTest, NetworkTrafficCombinesAddressAndPort) {
  StixExtraction e = ExtractStixIndicators(MustParse(
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
      "'198.51.100.7' AND network-traffic:dst_port = 8443]"));
  ASSERT_EQ(e.indicators.size(), 1u);
  EXPECT_EQ(e.indicators[0], (ExtractedIndicator{IndicatorType::kIpPort, "198.51.100.7:8443"}));
  EXPECT_TRUE(e.unsupported.empty());

  StixExtraction v6 = ExtractStixIndicators(MustParse(
      "[network-traffic:dst_ref.value = '2001:db8::5' AND network-traffic:dst_port IN (22, 2222)]"));
  ASSERT_EQ(v6.indicators.size(), 2u);
  EXPECT_EQ(v6.indicators[1].value, "[2001:db8::5]:2222");

  StixExtraction addr_only =
      ExtractStixIndicators(MustParse("[network-traffic:dst_ref.value = '198.51.100.9']"));
  ASSERT_EQ(addr_only.indicators.size(), 1u);
  EXPECT_EQ(addr_only.indicators[0].type, IndicatorType::kIpv4);

  StixExtraction port_only = ExtractStixIndicators(MustParse("[network-traffic:dst_port = 23]"));
  EXPECT_TRUE(port_only.indicators.empty());
  EXPECT_TRUE(HasUnsupported(port_only, "network-traffic:dst_port without a destination address"));

  // Address and port in different observations are not combined.
  StixExtraction split = ExtractStixIndicators(MustParse(
      "[network-traffic:dst_ref.value = '198.51.100.7'] AND [network-traffic:dst_port = 80]"));
  ASSERT_EQ(split.indicators.size(), 1u);
  EXPECT_EQ(split.indicators[0].type, IndicatorType::kIpv4);
  EXPECT_TRUE(HasUnsupported(split, "observation AND (observations taken independently)"));
}

TEST(StixExtractTest, InSetsAndOrBranches) {
  StixExtraction e = ExtractStixIndicators(MustParse(
      "[domain-name:value IN ('a.example', 'b.example') OR ipv4-addr:value = '192.0.2.1']"));
  ASSERT_EQ(e.indicators.size(), 3u);
  EXPECT_EQ(e.indicators[1].value, "b.example");
  EXPECT_TRUE(e.unsupported.empty());
}

TEST(StixExtractTest, UnsupportedIsReportedNotDropped) {
  StixExtraction e = ExtractStixIndicators(MustParse(
      "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b']"));
  EXPECT_TRUE(e.indicators.empty());
  ASSERT_EQ(e.unsupported.size(), 2u);
  EXPECT_EQ(e.unsupported[0].name, "x509-certificate:issuer =");
  EXPECT_EQ(e.unsupported[0].example, "x509-certificate:issuer = 'CN=WEBMAIL'");

  StixExtraction m = ExtractStixIndicators(MustParse("[url:value MATCHES '^http://x']"));
  EXPECT_TRUE(m.indicators.empty());
  EXPECT_TRUE(HasUnsupported(m, "url:value MATCHES"));

  StixExtraction neg = ExtractStixIndicators(MustParse("[ipv4-addr:value NOT = '192.0.2.1']"));
  EXPECT_TRUE(neg.indicators.empty());
  EXPECT_TRUE(HasUnsupported(neg, "ipv4-addr:value NOT ="));

  StixExtraction bad = ExtractStixIndicators(MustParse(
      "[domain-name:value = 'domain autuo.xicp.net' OR ipv4-addr:value = '60.10.1.115']"));
  ASSERT_EQ(bad.indicators.size(), 1u);
  EXPECT_TRUE(HasUnsupported(bad, "domain-name:value invalid value"));

  StixExtraction ssdeep = ExtractStixIndicators(MustParse("[file:hashes.SSDEEP = '3:a:b']"));
  EXPECT_TRUE(HasUnsupported(ssdeep, "file:hashes.SSDEEP ="));

  StixExtraction mixed = ExtractStixIndicators(MustParse(
      "[file:hashes.MD5 = '001dd76872d80801692ff942308c64e6' AND file:name = 'a.exe']"));
  ASSERT_EQ(mixed.indicators.size(), 1u);
  EXPECT_TRUE(HasUnsupported(mixed, "file:name ="));
  EXPECT_TRUE(HasUnsupported(mixed, "AND (supported parts taken independently)"));
}

TEST(StixImportReportTest, AggregatesCountsAndFirstExample) {
  StixImportReport report;
  report.Add(ExtractStixIndicators(MustParse("[file:name = 'a'] OR [ipv4-addr:value = '1.2.3.4']")),
             "one");
  report.Add(ExtractStixIndicators(MustParse("[file:name = 'b']")), "two");
  EXPECT_EQ(report.TotalIndicators(), 1u);
  EXPECT_EQ(report.indicators_per_type[IndicatorType::kIpv4], 1u);
  ASSERT_EQ(report.unsupported.count("file:name ="), 1u);
  EXPECT_EQ(report.unsupported["file:name ="].count, 2u);
  EXPECT_EQ(report.unsupported["file:name ="].example, "one: file:name = 'a'");
  EXPECT_THAT(report.ToString(), HasSubstr("unsupported file:name =: 2 (e.g. one: file:name = 'a')"));
}

}  // namespace
}  // namespace quench

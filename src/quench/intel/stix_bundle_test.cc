#include "quench/intel/stix_bundle.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "quench/core/time.h"

namespace quench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kBundle = R"({
  "type": "bundle", "id": "bundle--1", "spec_version": "2.0",
  "objects": [
    {"type": "identity", "id": "identity--p", "name": "Partner CERT"},
    {"type": "marking-definition", "id": "marking-definition--amber", "definition_type": "tlp",
     "definition": {"tlp": "amber"}},
    {"type": "malware", "id": "malware--m", "name": "Moobot"},
    {"type": "intrusion-set", "id": "intrusion-set--i", "name": "APT28"},
    {"type": "campaign", "id": "campaign--c", "name": "Dying Ember"},
    {"type": "relationship", "id": "relationship--1", "relationship_type": "indicates",
     "source_ref": "indicator--a", "target_ref": "malware--m"},
    {"type": "relationship", "id": "relationship--2", "relationship_type": "indicates",
     "source_ref": "indicator--a", "target_ref": "campaign--c"},
    {"type": "relationship", "id": "relationship--3", "relationship_type": "attributed-to",
     "source_ref": "campaign--c", "target_ref": "intrusion-set--i"},
    {"type": "report", "id": "report--r", "name": "advisory", "object_refs": ["indicator--a"],
     "external_references": [{"source_name": "cisa", "url": "https://example.org/aa24-059a"}]},
    {"type": "sighting", "id": "sighting--s", "sighting_of_ref": "indicator--a",
     "first_seen": "2023-01-01T00:00:00Z", "last_seen": "2023-02-01T00:00:00Z"},
    {"type": "indicator", "id": "indicator--a", "created_by_ref": "identity--p",
     "pattern": "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 8443] OR [domain-name:value = 'c2.example']",
     "labels": ["malicious-activity"], "valid_from": "2023-01-01T00:00:00Z",
     "valid_until": "2024-01-01T00:00:00Z", "confidence": 80,
     "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                             "marking-definition--amber"],
     "kill_chain_phases": [{"kill_chain_name": "lockheed-martin-cyber-kill-chain",
                            "phase_name": "command-and-control"}],
     "external_references": [{"source_name": "mitre", "external_id": "T1584"}]},
    {"type": "indicator", "id": "indicator--bad", "pattern": "[ipv4-addr:value = '1.2.3.4'",
     "valid_from": "2023-01-01T00:00:00Z"},
    {"type": "indicator", "id": "indicator--yara", "pattern_type": "yara",
     "pattern": "rule x { condition: true }", "valid_from": "2023-01-01T00:00:00Z"},
    {"type": "indicator", "id": "indicator--when", "pattern": "[ipv4-addr:value = '192.0.2.1']",
     "valid_from": "last tuesday"}
  ]
})";

TEST(StixBundleTest, ImportsIndicatorWithMetadata) {
  auto result = ImportStixBundle(kBundle, "partner.json");
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  const StixBundleImport& b = *result;
  EXPECT_EQ(b.spec_version, "2.0");
  EXPECT_EQ(b.objects, 14u);
  EXPECT_EQ(b.indicator_objects, 4u);
  EXPECT_EQ(b.patterns_parsed, 2u);
  ASSERT_EQ(b.indicators.size(), 2u);
  const Indicator& ip_port = b.indicators[0];
  EXPECT_EQ(ip_port.type, IndicatorType::kIpPort);
  EXPECT_EQ(ip_port.value, "198.51.100.7:8443");
  EXPECT_EQ(b.indicators[1].type, IndicatorType::kDomain);
  EXPECT_EQ(b.indicators[1].value, "c2.example");
  EXPECT_EQ(ip_port.source, "Partner CERT (partner.json)");
  EXPECT_EQ(ip_port.source_id, "indicator--a");
  EXPECT_EQ(ip_port.family, "Moobot; APT28");
  EXPECT_EQ(ip_port.campaign, "Dying Ember");
  EXPECT_EQ(ip_port.confidence, 80);
  EXPECT_EQ(ip_port.tlp, Tlp::kAmber);  // green and amber: the stricter one
  EXPECT_EQ(ip_port.valid_from, ParseRfc3339("2023-01-01T00:00:00Z"));
  EXPECT_EQ(ip_port.valid_until, ParseRfc3339("2024-01-01T00:00:00Z"));
  EXPECT_EQ(ip_port.first_seen, ParseRfc3339("2023-01-01T00:00:00Z"));
  EXPECT_EQ(ip_port.last_seen, ParseRfc3339("2023-02-01T00:00:00Z"));
  EXPECT_TRUE(ip_port.ValidAt(*ParseRfc3339("2023-06-01T00:00:00Z")));
  EXPECT_FALSE(ip_port.ValidAt(*ParseRfc3339("2024-06-01T00:00:00Z")));
  EXPECT_EQ(ip_port.labels, std::vector<std::string>{"malicious-activity"});
  EXPECT_EQ(ip_port.kill_chain,
            std::vector<std::string>{"lockheed-martin-cyber-kill-chain:command-and-control"});
  EXPECT_EQ(ip_port.references,
            (std::vector<std::string>{"mitre:T1584", "https://example.org/aa24-059a"}));

  ASSERT_EQ(b.object_errors.size(), 2u);
  EXPECT_THAT(b.object_errors[0], HasSubstr("partner.json: indicator--bad: pattern: offset 28"));
  EXPECT_THAT(b.object_errors[1], HasSubstr("partner.json: indicator--when: bad valid_from"));
  EXPECT_EQ(b.report.unsupported.at("pattern_type yara").count, 1u);
  EXPECT_THAT(b.report.unsupported.at("pattern_type yara").example, HasSubstr("indicator--yara"));
  EXPECT_EQ(b.report.unsupported.at("unparsable pattern").count, 1u);
  EXPECT_EQ(b.report.indicators_per_type.at(IndicatorType::kIpPort), 1u);
}

TEST(StixBundleTest, ErrorsNameTheFile) {
  auto bad_json = ImportStixBundle("{\"objects\": [", "broken.json");
  ASSERT_FALSE(bad_json.has_value());
  EXPECT_THAT(bad_json.error().message(), HasSubstr("broken.json: malformed JSON at byte"));
  auto not_bundle = ImportStixBundle("{\"id\": \"bundle--x\"}", "empty.json");
  ASSERT_FALSE(not_bundle.has_value());
  EXPECT_THAT(not_bundle.error().message(), HasSubstr("empty.json: no \"objects\" array"));
  EXPECT_THAT(not_bundle.error().message(), HasSubstr("bundle--x"));
  auto missing = ImportStixBundleFile("/nonexistent/quench/x.json");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message(), HasSubstr("/nonexistent/quench/x.json"));
  auto odd = ImportStixBundle(R"({"objects": [42, {"type": "indicator", "id": "indicator--n"}]})",
                              "odd.json");
  ASSERT_TRUE(odd.has_value());
  ASSERT_EQ(odd->object_errors.size(), 2u);
  EXPECT_EQ(odd->object_errors[0], "odd.json: objects[0]: not a JSON object");
  EXPECT_EQ(odd->object_errors[1], "odd.json: indicator--n: no pattern");
}

TEST(StixBundleTest, Stix21FieldsAndTlp2Markings) {
  constexpr const char* kText = R"({"type": "bundle", "id": "bundle--2", "objects": [
    {"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--t2",
     "name": "TLP:AMBER+STRICT", "extensions": {}},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--b", "pattern_type": "stix",
     "pattern": "[url:value = 'hxxp://x']", "indicator_types": ["malicious-activity"],
     "valid_from": "2024-01-01T00:00:00Z", "confidence": 101,
     "object_marking_refs": ["marking-definition--t2"]},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--c", "pattern_type": "stix",
     "pattern": "[ipv6-addr:value = '2001:db8::1']", "valid_from": "2024-01-01T00:00:00Z",
     "object_marking_refs": ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}
  ]})";
  auto b = ImportStixBundle(kText, "tlp2.json");
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  EXPECT_EQ(b->spec_version, "2.1");  // from the objects: 2.1 bundles carry no spec_version
  ASSERT_EQ(b->indicators.size(), 2u);
  EXPECT_EQ(b->indicators[0].type, IndicatorType::kUrl);
  EXPECT_EQ(b->indicators[0].tlp, Tlp::kAmberStrict);
  EXPECT_EQ(b->indicators[0].confidence, -1);  // out of range: ignored
  EXPECT_EQ(b->indicators[0].labels, std::vector<std::string>{"malicious-activity"});
  EXPECT_EQ(b->indicators[1].tlp, Tlp::kRed);  // well-known TLP 2.0 id, no definition object
  EXPECT_EQ(b->indicators[1].value, "2001:db8::1");
  EXPECT_TRUE(b->object_errors.empty());
}

// ---- real bundles: independent counts by a plain text scan ----

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t SkipWs(const std::string& t, size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) ++i;
  return i;
}

// Values of every `"key": "<string>"` in the text, JSON escapes \\ and \" undone.
std::vector<std::string> ScanStringValues(const std::string& t, const std::string& key) {
  std::vector<std::string> out;
  const std::string quoted = "\"" + key + "\"";
  for (size_t at = t.find(quoted); at != std::string::npos; at = t.find(quoted, at + 1)) {
    size_t i = SkipWs(t, at + quoted.size());
    if (i >= t.size() || t[i] != ':') continue;
    i = SkipWs(t, i + 1);
    if (i >= t.size() || t[i] != '"') continue;
    std::string value;
    for (++i; i < t.size() && t[i] != '"'; ++i) {
      if (t[i] == '\\' && i + 1 < t.size()) ++i;
      value.push_back(t[i]);
    }
    out.push_back(value);
  }
  return out;
}

size_t CountOccurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

struct ScanCounts {
  size_t indicator_objects = 0;
  std::map<std::string, size_t> comparisons;  // by object path prefix
};

const char* const kPrefixes[] = {"ipv4-addr:value", "ipv6-addr:value", "domain-name:value",
                                 "url:value", "file:hashes"};

ScanCounts Scan(const std::string& text) {
  ScanCounts counts;
  for (const std::string& type : ScanStringValues(text, "type")) {
    if (type == "indicator") ++counts.indicator_objects;
  }
  for (const std::string& pattern : ScanStringValues(text, "pattern")) {
    for (const char* prefix : kPrefixes) counts.comparisons[prefix] += CountOccurrences(pattern, prefix);
  }
  return counts;
}

size_t Extracted(const StixBundleImport& b, const std::string& prefix) {
  auto count = [&](IndicatorType t) {
    auto it = b.report.indicators_per_type.find(t);
    return it == b.report.indicators_per_type.end() ? size_t{0} : it->second;
  };
  if (prefix == "ipv4-addr:value" || prefix == "ipv6-addr:value") {
    // The scan cannot tell which family a value is; the caller sums both.
    return count(IndicatorType::kIpv4) + count(IndicatorType::kIpv4Cidr) +
           count(IndicatorType::kIpv6) + count(IndicatorType::kIpv6Cidr);
  }
  if (prefix == "domain-name:value") return count(IndicatorType::kDomain);
  if (prefix == "url:value") return count(IndicatorType::kUrl);
  return count(IndicatorType::kMd5) + count(IndicatorType::kSha1) + count(IndicatorType::kSha256);
}

size_t ReportedUnsupported(const StixBundleImport& b, const std::string& prefix) {
  size_t n = 0;
  for (const auto& [name, entry] : b.report.unsupported) {
    if (name.rfind(prefix, 0) == 0) n += entry.count;
  }
  return n;
}

// Checks one bundle against the scan: every indicator object seen, every pattern parsed, and
// every comparison on a supported path either extracted or reported (patterns here use `=`).
void CheckBundle(const fs::path& path, const StixBundleImport& b) {
  const std::string text = ReadAll(path);
  const ScanCounts scan = Scan(text);
  EXPECT_EQ(b.indicator_objects, scan.indicator_objects) << path;
  EXPECT_EQ(b.patterns_parsed, scan.indicator_objects) << path;
  EXPECT_TRUE(b.object_errors.empty()) << path << ": " << b.object_errors.front();
  const size_t ip_scanned = scan.comparisons.at("ipv4-addr:value") + scan.comparisons.at("ipv6-addr:value");
  const size_t ip_unsupported =
      ReportedUnsupported(b, "ipv4-addr:value") + ReportedUnsupported(b, "ipv6-addr:value");
  EXPECT_EQ(Extracted(b, "ipv4-addr:value") + ip_unsupported, ip_scanned) << path;
  for (const char* prefix : {"domain-name:value", "url:value", "file:hashes"}) {
    EXPECT_EQ(Extracted(b, prefix) + ReportedUnsupported(b, prefix), scan.comparisons.at(prefix))
        << path << " " << prefix;
  }
  EXPECT_EQ(b.indicators.size(), b.report.TotalIndicators()) << path;
}

std::vector<fs::path> JsonFilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(StixBundleRealDataTest, Unit42Bundles) {
  const fs::path dir = fs::path(QUENCH_SHARED_DATA) / "intel" / "unit42-stix";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no shared data at " << dir;
  const std::vector<fs::path> files = JsonFilesUnder(dir);
  ASSERT_FALSE(files.empty());
  for (const fs::path& path : files) {
    auto result = ImportStixBundleFile(path.string());
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    CheckBundle(path, *result);
    EXPECT_GT(result->indicators.size(), 0u) << path;
    std::cout << path.filename().string() << ": " << result->indicator_objects
              << " indicator objects, " << result->indicators.size() << " indicators\n"
              << result->report.ToString();
  }
}

TEST(StixBundleRealDataTest, Unit42KnownFigures) {
  const fs::path dir = fs::path(QUENCH_SHARED_DATA) / "intel" / "unit42-stix";
  if (!fs::exists(dir / "cve-2023-23397.json")) GTEST_SKIP() << "no shared data at " << dir;
  auto cve = ImportStixBundleFile((dir / "cve-2023-23397.json").string());
  ASSERT_TRUE(cve.has_value());
  EXPECT_EQ(cve->spec_version, "2.0");
  ASSERT_FALSE(cve->indicators.empty());
  // Every indicator there "indicates" the campaign, which is attributed nowhere.
  for (const Indicator& ind : cve->indicators) {
    EXPECT_EQ(ind.type, IndicatorType::kIpv4);
    EXPECT_FALSE(ind.campaign.empty()) << ind.source_id;
    EXPECT_TRUE(ind.valid_from.has_value());
  }
}

TEST(StixBundleRealDataTest, Stix21SchemaExamples) {
  const fs::path dir = fs::path(QUENCH_SHARED_DATA) / "stix2-schemas" / "examples";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no STIX 2.1 examples at " << dir;
  size_t bundles_with_patterns = 0;
  for (const fs::path& path : JsonFilesUnder(dir)) {
    auto result = ImportStixBundleFile(path.string());
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    if (result->indicator_objects == 0) continue;
    ++bundles_with_patterns;
    CheckBundle(path, *result);
    std::cout << path.filename().string() << ": " << result->indicator_objects
              << " indicator objects, " << result->indicators.size() << " indicators\n"
              << result->report.ToString();
  }
  EXPECT_GT(bundles_with_patterns, 0u);
}

}  // namespace
}  // namespace quench

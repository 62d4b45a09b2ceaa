// STIX 2.x patterning language: a parser into a small AST (ParseStixPattern) and the
// extraction of quench indicators from the comparisons feeds actually use
// (ExtractStixIndicators). Anything not turned into an indicator is reported as a named
// unsupported construct with an example, never dropped silently. Pure functions over text:
// no exceptions, no globals, thread-safe. Input length and nesting depth are capped
// (core/limits.h) against hostile patterns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "quench/core/status.h"
#include "quench/intel/indicator.h"

namespace quench {

enum class StixValueKind : uint8_t { kString, kInt, kFloat, kBool, kTimestamp, kHex, kBinary, kSet };

struct StixValue {
  StixValueKind kind = StixValueKind::kString;
  std::string text;            // string (unescaped), timestamp, hex or base64 body; int/float spelling
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  std::vector<StixValue> set;  // kSet elements (never nested sets)
};

enum class StixOp : uint8_t {
  kEq, kNe, kGt, kLt, kGe, kLe, kIn, kLike, kMatches, kIsSubset, kIsSuperset, kExists,
};
std::string_view StixOpName(StixOp op);

struct StixComparison {
  std::string object_type;        // "file"
  std::vector<std::string> path;  // {"hashes", "SHA-256"}; list indexes as "[*]", "[0]"
  bool negated = false;           // NOT before the operator
  StixOp op = StixOp::kEq;
  StixValue value;                // unused for kExists
  size_t begin = 0, end = 0;      // byte span in the pattern text, for error examples
  // "file:hashes.SHA-256" (components joined with '.', indexes appended).
  std::string PathString() const;
};

enum class StixQualifierKind : uint8_t { kWithin, kRepeats, kStartStop };
struct StixQualifier {
  StixQualifierKind kind = StixQualifierKind::kWithin;
  double within_seconds = 0;
  int64_t repeats = 0;
  std::string start, stop;  // RFC 3339 text of t'...' literals
};

// One node of a pattern. Comparison level: kComparison (leaf), kAnd, kOr. Observation
// level: kObservation (a `[...]`, child 0 is its comparison expression), kObsAnd, kObsOr,
// kFollowedBy. Qualifiers attach to the observation-level node they follow.
struct StixNode {
  enum class Kind : uint8_t { kComparison, kAnd, kOr, kObservation, kObsAnd, kObsOr, kFollowedBy };
  Kind kind = Kind::kComparison;
  StixComparison comparison;  // kComparison only
  std::vector<StixNode> children;
  std::vector<StixQualifier> qualifiers;
};

struct StixPattern {
  std::string text;  // the pattern as given
  StixNode root;
};

// Parses one pattern. Errors (kParseError) read "offset N: expected ']'"; over-long or too
// deep input gives kResourceExhausted.
Result<StixPattern> ParseStixPattern(std::string_view text);

struct ExtractedIndicator {
  IndicatorType type;
  std::string value;  // normalised (indicator.h)
  friend bool operator==(const ExtractedIndicator&, const ExtractedIndicator&) = default;
};

// A construct that produced no indicator or was approximated, e.g. "file:name =",
// "x509-certificate:issuer =", "qualifier WITHIN", "FOLLOWEDBY (observations taken
// independently)". `example` is the pattern text of the first occurrence.
struct UnsupportedConstruct {
  std::string name;
  std::string example;
};

struct StixExtraction {
  std::vector<ExtractedIndicator> indicators;
  std::vector<UnsupportedConstruct> unsupported;
};

// Walks the AST. Supported: ipv4-addr:value, ipv6-addr:value (address or CIDR),
// domain-name:value, url:value, file:hashes.MD5/SHA-1/SHA-256 (quoted or not, any case),
// x509-certificate:hashes.SHA-1/SHA-256, network-traffic:dst_ref.value (+ dst_port ANDed in
// the same observation gives ip:port), with `=` or `IN (...)`. OR branches each give their
// indicators; AND and FOLLOWEDBY give every supported part independently (reported as an
// approximation); qualifiers are reported.
StixExtraction ExtractStixIndicators(const StixPattern& pattern);

// Aggregated counts over many patterns: indicators per type, unsupported constructs by name
// with the first example and where it came from.
struct StixImportReport {
  struct Unsupported {
    size_t count = 0;
    std::string example;  // "<origin>: <pattern fragment>"
  };
  std::map<IndicatorType, size_t> indicators_per_type;
  std::map<std::string, Unsupported> unsupported;
  void Add(const StixExtraction& extraction, std::string_view origin);
  void AddUnsupported(const std::string& name, std::string example);
  size_t TotalIndicators() const;
  std::string ToString() const;  // one "name: count" line each, examples for unsupported
};

}  // namespace quench

// STIX 2.x pattern parser (recursive descent over the grammar of STIX 2.1 section 9) and
// indicator extraction.
//
// Worked example:
//   [network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 8443]
//     OR [domain-name:value = 'Evil.Example.']
// parses to kObsOr{ kObservation{ kAnd{ cmp(dst_ref.value = '198.51.100.7'),
//                                       cmp(dst_port = 8443) } },
//                   kObservation{ cmp(domain-name:value = 'Evil.Example.') } }
// and extracts { ip-port "198.51.100.7:8443", domain "evil.example" } with nothing
// unsupported. AND/OR/FOLLOWEDBY chains are flattened into one node, so the tree depth is the
// bracket/parenthesis depth, which is capped (limits::kMaxStixPatternDepth).
#include "quench/intel/stix_pattern.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

#include "quench/core/ip_address.h"
#include "quench/core/limits.h"
#include "quench/core/time.h"

namespace quench {
namespace {

bool IsIdentChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '-';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : t_(text) {}

  Result<StixNode> ParsePattern() {
    QUENCH_ASSIGN_OR_RETURN(StixNode root, ParseObsFollowedBy());
    SkipWs();
    if (pos_ != t_.size()) return Err("unexpected text after the pattern");
    return root;
  }

 private:
  // Counts nesting on entry, undoes it on exit.
  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int& depth_;
  };

  char Peek(size_t k = 0) const { return pos_ + k < t_.size() ? t_[pos_ + k] : '\0'; }
  bool AtEnd() const { return pos_ >= t_.size(); }
  void SkipWs() {
    while (pos_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[pos_]))) ++pos_;
  }
  tl::unexpected<Error> Err(const std::string& message) const {
    return MakeError(ErrorCode::kParseError, "offset " + std::to_string(pos_) + ": " + message);
  }
  Status CheckDepth() const {
    if (depth_ > limits::kMaxStixPatternDepth) {
      return MakeError(ErrorCode::kResourceExhausted,
                       "offset " + std::to_string(pos_) + ": nesting deeper than " +
                           std::to_string(limits::kMaxStixPatternDepth));
    }
    return OkStatus();
  }

  // The identifier-like word at pos_ (after whitespace), without consuming it.
  std::string_view PeekWord() {
    SkipWs();
    size_t end = pos_;
    while (end < t_.size() && (std::isalpha(static_cast<unsigned char>(t_[end])) || t_[end] == '_')) {
      ++end;
    }
    if (end < t_.size() && IsIdentChar(t_[end])) return {};  // part of a longer identifier
    return t_.substr(pos_, end - pos_);
  }
  bool AcceptKeyword(std::string_view keyword) {
    std::string_view word = PeekWord();
    if (!EqualsIgnoreCase(word, keyword)) return false;
    pos_ += word.size();
    return true;
  }
  bool Accept(char c) {
    SkipWs();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  Status Expect(char c) {
    if (Accept(c)) return OkStatus();
    if (AtEnd()) return Err(std::string("expected '") + c + "', found end of pattern");
    return Err(std::string("expected '") + c + "'");
  }

  static void Combine(StixNode& left, StixNode right, StixNode::Kind kind) {
    if (left.kind == kind && left.qualifiers.empty()) {
      left.children.push_back(std::move(right));
      return;
    }
    StixNode joined;
    joined.kind = kind;
    joined.children.push_back(std::move(left));
    joined.children.push_back(std::move(right));
    left = std::move(joined);
  }

  // ---- observation level ----
  Result<StixNode> ParseObsFollowedBy() {
    QUENCH_ASSIGN_OR_RETURN(StixNode left, ParseObsOr());
    while (AcceptKeyword("FOLLOWEDBY")) {
      QUENCH_ASSIGN_OR_RETURN(StixNode right, ParseObsOr());
      Combine(left, std::move(right), StixNode::Kind::kFollowedBy);
    }
    return left;
  }
  Result<StixNode> ParseObsOr() {
    QUENCH_ASSIGN_OR_RETURN(StixNode left, ParseObsAnd());
    while (AcceptKeyword("OR")) {
      QUENCH_ASSIGN_OR_RETURN(StixNode right, ParseObsAnd());
      Combine(left, std::move(right), StixNode::Kind::kObsOr);
    }
    return left;
  }
  Result<StixNode> ParseObsAnd() {
    QUENCH_ASSIGN_OR_RETURN(StixNode left, ParseObsUnit());
    while (AcceptKeyword("AND")) {
      QUENCH_ASSIGN_OR_RETURN(StixNode right, ParseObsUnit());
      Combine(left, std::move(right), StixNode::Kind::kObsAnd);
    }
    return left;
  }
  Result<StixNode> ParseObsUnit() {
    DepthGuard guard(depth_);
    QUENCH_RETURN_IF_ERROR(CheckDepth());
    StixNode node;
    if (Accept('[')) {
      node.kind = StixNode::Kind::kObservation;
      QUENCH_ASSIGN_OR_RETURN(StixNode inner, ParseCmpOr());
      node.children.push_back(std::move(inner));
      QUENCH_RETURN_IF_ERROR(Expect(']'));
    } else if (Accept('(')) {
      QUENCH_ASSIGN_OR_RETURN(node, ParseObsFollowedBy());
      QUENCH_RETURN_IF_ERROR(Expect(')'));
    } else {
      return Err(AtEnd() ? "expected '[' or '(', found end of pattern" : "expected '[' or '('");
    }
    QUENCH_RETURN_IF_ERROR(ParseQualifiers(node));
    return node;
  }
  Status ParseQualifiers(StixNode& node) {
    for (;;) {
      StixQualifier q;
      if (AcceptKeyword("WITHIN")) {
        q.kind = StixQualifierKind::kWithin;
        QUENCH_ASSIGN_OR_RETURN(StixValue v, ParseNumber());
        double seconds = v.kind == StixValueKind::kInt ? static_cast<double>(v.int_value)
                                                        : v.float_value;
        if (!(seconds > 0)) return Err("WITHIN needs a positive number of seconds");
        q.within_seconds = seconds;
        if (!AcceptKeyword("SECONDS")) return Err("expected SECONDS");
      } else if (AcceptKeyword("REPEATS")) {
        q.kind = StixQualifierKind::kRepeats;
        QUENCH_ASSIGN_OR_RETURN(StixValue v, ParseNumber());
        if (v.kind != StixValueKind::kInt || v.int_value <= 0) {
          return Err("REPEATS needs a positive integer");
        }
        q.repeats = v.int_value;
        if (!AcceptKeyword("TIMES")) return Err("expected TIMES");
      } else if (AcceptKeyword("START")) {
        q.kind = StixQualifierKind::kStartStop;
        QUENCH_ASSIGN_OR_RETURN(StixValue start, ParseValue());
        if (start.kind != StixValueKind::kTimestamp) return Err("START needs a t'...' timestamp");
        if (!AcceptKeyword("STOP")) return Err("expected STOP");
        QUENCH_ASSIGN_OR_RETURN(StixValue stop, ParseValue());
        if (stop.kind != StixValueKind::kTimestamp) return Err("STOP needs a t'...' timestamp");
        q.start = std::move(start.text);
        q.stop = std::move(stop.text);
      } else {
        return OkStatus();
      }
      node.qualifiers.push_back(std::move(q));
    }
  }

  // ---- comparison level ----
  Result<StixNode> ParseCmpOr() {
    QUENCH_ASSIGN_OR_RETURN(StixNode left, ParseCmpAnd());
    while (AcceptKeyword("OR")) {
      QUENCH_ASSIGN_OR_RETURN(StixNode right, ParseCmpAnd());
      Combine(left, std::move(right), StixNode::Kind::kOr);
    }
    return left;
  }
  Result<StixNode> ParseCmpAnd() {
    QUENCH_ASSIGN_OR_RETURN(StixNode left, ParseCmpUnit());
    while (AcceptKeyword("AND")) {
      QUENCH_ASSIGN_OR_RETURN(StixNode right, ParseCmpUnit());
      Combine(left, std::move(right), StixNode::Kind::kAnd);
    }
    return left;
  }
  Result<StixNode> ParseCmpUnit() {
    DepthGuard guard(depth_);
    QUENCH_RETURN_IF_ERROR(CheckDepth());
    if (Accept('(')) {
      QUENCH_ASSIGN_OR_RETURN(StixNode inner, ParseCmpOr());
      QUENCH_RETURN_IF_ERROR(Expect(')'));
      return inner;
    }
    StixNode node;
    node.kind = StixNode::Kind::kComparison;
    StixComparison& cmp = node.comparison;
    SkipWs();
    cmp.begin = pos_;
    if (AcceptKeyword("EXISTS")) {
      cmp.op = StixOp::kExists;
      QUENCH_RETURN_IF_ERROR(ParsePath(cmp));
      cmp.end = pos_;
      return node;
    }
    QUENCH_RETURN_IF_ERROR(ParsePath(cmp));
    cmp.negated = AcceptKeyword("NOT");
    QUENCH_RETURN_IF_ERROR(ParseOperator(cmp));
    QUENCH_ASSIGN_OR_RETURN(cmp.value, ParseValue());
    QUENCH_RETURN_IF_ERROR(CheckOperand(cmp));
    cmp.end = pos_;
    return node;
  }

  Status ParsePath(StixComparison& cmp) {
    SkipWs();
    size_t start = pos_;
    while (pos_ < t_.size() && IsIdentChar(t_[pos_])) ++pos_;
    if (pos_ == start) return Err("expected an object type such as 'ipv4-addr'");
    cmp.object_type.assign(t_.substr(start, pos_ - start));
    if (Peek() != ':') return Err("expected ':' after object type");
    ++pos_;
    QUENCH_RETURN_IF_ERROR(ParsePathComponent(cmp));
    for (;;) {
      if (Peek() == '.') {
        ++pos_;
        QUENCH_RETURN_IF_ERROR(ParsePathComponent(cmp));
      } else if (Peek() == '[') {
        ++pos_;
        size_t index_start = pos_;
        if (Peek() == '*') {
          ++pos_;
        } else {
          if (Peek() == '-') ++pos_;
          size_t digits = pos_;
          while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
          if (pos_ == digits) return Err("expected a list index or '*'");
        }
        std::string index = "[" + std::string(t_.substr(index_start, pos_ - index_start)) + "]";
        if (Peek() != ']') return Err("expected ']' after list index");
        ++pos_;
        cmp.path.push_back(std::move(index));
      } else {
        return OkStatus();
      }
    }
  }
  Status ParsePathComponent(StixComparison& cmp) {
    if (Peek() == '\'') {
      QUENCH_ASSIGN_OR_RETURN(std::string s, ParseQuoted());
      cmp.path.push_back(std::move(s));
      return OkStatus();
    }
    size_t start = pos_;
    while (pos_ < t_.size() && IsIdentChar(t_[pos_])) ++pos_;
    if (pos_ == start) return Err("expected a property name");
    cmp.path.emplace_back(t_.substr(start, pos_ - start));
    return OkStatus();
  }

  Status ParseOperator(StixComparison& cmp) {
    SkipWs();
    char c = Peek();
    char d = Peek(1);
    if (c == '=') {
      pos_ += d == '=' ? 2 : 1;
      cmp.op = StixOp::kEq;
    } else if (c == '!' && d == '=') {
      pos_ += 2;
      cmp.op = StixOp::kNe;
    } else if (c == '<' && d == '>') {
      pos_ += 2;
      cmp.op = StixOp::kNe;
    } else if (c == '<') {
      pos_ += d == '=' ? 2 : 1;
      cmp.op = d == '=' ? StixOp::kLe : StixOp::kLt;
    } else if (c == '>') {
      pos_ += d == '=' ? 2 : 1;
      cmp.op = d == '=' ? StixOp::kGe : StixOp::kGt;
    } else if (AcceptKeyword("IN")) {
      cmp.op = StixOp::kIn;
    } else if (AcceptKeyword("LIKE")) {
      cmp.op = StixOp::kLike;
    } else if (AcceptKeyword("MATCHES")) {
      cmp.op = StixOp::kMatches;
    } else if (AcceptKeyword("ISSUBSET")) {
      cmp.op = StixOp::kIsSubset;
    } else if (AcceptKeyword("ISSUPERSET")) {
      cmp.op = StixOp::kIsSuperset;
    } else {
      return Err(AtEnd() ? "expected a comparison operator, found end of pattern"
                         : "expected a comparison operator (=, !=, <, >, IN, LIKE, MATCHES, "
                           "ISSUBSET, ISSUPERSET)");
    }
    return OkStatus();
  }

  Status CheckOperand(const StixComparison& cmp) const {
    const StixValueKind kind = cmp.value.kind;
    switch (cmp.op) {
      case StixOp::kIn:
        if (kind != StixValueKind::kSet) return Err("IN needs a set '(...)'");
        break;
      case StixOp::kLike:
      case StixOp::kMatches:
      case StixOp::kIsSubset:
      case StixOp::kIsSuperset:
        if (kind != StixValueKind::kString) {
          return Err(std::string(StixOpName(cmp.op)) + " needs a string literal");
        }
        break;
      case StixOp::kGt:
      case StixOp::kLt:
      case StixOp::kGe:
      case StixOp::kLe:
        if (kind == StixValueKind::kSet || kind == StixValueKind::kBool) {
          return Err("ordering comparison needs a string, number, timestamp or binary value");
        }
        break;
      case StixOp::kEq:
      case StixOp::kNe:
        if (kind == StixValueKind::kSet) return Err("a set is only allowed after IN");
        break;
      case StixOp::kExists:
        break;
    }
    return OkStatus();
  }

  // A '...' literal at pos_ (the opening quote); escapes \' and \\ only.
  Result<std::string> ParseQuoted() {
    size_t open = pos_;
    ++pos_;
    std::string out;
    while (pos_ < t_.size()) {
      char c = t_[pos_];
      if (c == '\'') {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        char next = Peek(1);
        if (next != '\'' && next != '\\') {
          return Err("unknown escape in string literal (only \\' and \\\\ are allowed)");
        }
        out.push_back(next);
        pos_ += 2;
        continue;
      }
      out.push_back(c);
      ++pos_;
    }
    pos_ = open;
    return Err("unterminated string literal");
  }

  Result<StixValue> ParseNumber() {
    SkipWs();
    size_t start = pos_;
    if (Peek() == '+' || Peek() == '-') ++pos_;
    size_t digits = pos_;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    bool is_float = false;
    if (Peek() == '.') {
      is_float = true;
      ++pos_;
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    }
    if (pos_ == digits || (pos_ == digits + 1 && is_float)) {
      pos_ = start;
      return Err("expected a number");
    }
    StixValue v;
    v.text.assign(t_.substr(start, pos_ - start));
    const char* first = v.text.data();
    if (*first == '+') ++first;
    const char* last = v.text.data() + v.text.size();
    if (is_float) {
      v.kind = StixValueKind::kFloat;
      auto [ptr, ec] = std::from_chars(first, last, v.float_value);
      if (ec != std::errc() || ptr != last) return Err("bad float literal");
    } else {
      v.kind = StixValueKind::kInt;
      auto [ptr, ec] = std::from_chars(first, last, v.int_value);
      if (ec != std::errc() || ptr != last) return Err("integer literal out of range");
    }
    return v;
  }

  Result<StixValue> ParseValue() {
    SkipWs();
    StixValue v;
    char c = Peek();
    if (c == '(') {
      ++pos_;
      v.kind = StixValueKind::kSet;
      if (Accept(')')) return v;
      for (;;) {
        SkipWs();
        if (Peek() == '(') return Err("sets cannot be nested");
        QUENCH_ASSIGN_OR_RETURN(StixValue element, ParseValue());
        v.set.push_back(std::move(element));
        if (Accept(')')) return v;
        if (!Accept(',')) return Err("expected ',' or ')' in set");
      }
    }
    if (c == '\'') {
      v.kind = StixValueKind::kString;
      QUENCH_ASSIGN_OR_RETURN(v.text, ParseQuoted());
      return v;
    }
    if ((c == 't' || c == 'h' || c == 'b') && Peek(1) == '\'') {
      size_t start = pos_;
      ++pos_;
      QUENCH_ASSIGN_OR_RETURN(v.text, ParseQuoted());
      if (c == 't') {
        v.kind = StixValueKind::kTimestamp;
        if (!ParseRfc3339(v.text)) {
          pos_ = start;
          return Err("bad timestamp literal (RFC 3339 expected)");
        }
      } else if (c == 'h') {
        v.kind = StixValueKind::kHex;
        bool ok = v.text.size() % 2 == 0 &&
                  std::all_of(v.text.begin(), v.text.end(),
                              [](char x) { return std::isxdigit(static_cast<unsigned char>(x)); });
        if (!ok) {
          pos_ = start;
          return Err("bad hex literal (an even number of hex digits expected)");
        }
      } else {
        v.kind = StixValueKind::kBinary;
        bool ok = v.text.size() % 4 == 0 &&
                  std::all_of(v.text.begin(), v.text.end(), [](char x) {
                    return std::isalnum(static_cast<unsigned char>(x)) || x == '+' || x == '/' ||
                           x == '=';
                  });
        if (!ok) {
          pos_ = start;
          return Err("bad binary literal (base64 expected)");
        }
      }
      return v;
    }
    if (AcceptKeyword("true")) {
      v.kind = StixValueKind::kBool;
      v.bool_value = true;
      return v;
    }
    if (AcceptKeyword("false")) {
      v.kind = StixValueKind::kBool;
      return v;
    }
    if (c == '+' || c == '-' || std::isdigit(static_cast<unsigned char>(c))) return ParseNumber();
    return Err(AtEnd() ? "expected a value, found end of pattern" : "expected a value");
  }

  std::string_view t_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// ---- extraction ----

std::string HashKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '-' || c == '_') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::optional<std::string> NormaliseDomain(std::string_view s) {
  std::string d = ToLower(s);
  if (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty() || d.size() > 253 || d.front() == '.') return std::nullopt;
  for (char c : d) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return std::nullopt;
    }
  }
  if (d.find("..") != std::string::npos) return std::nullopt;
  return d;
}

std::optional<std::string> NormaliseUrl(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  std::string url(s);
  size_t scheme_end = url.find("://");
  size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  if (host_end == std::string::npos) host_end = url.size();
  if (host_end == host_start) return std::nullopt;
  for (size_t i = 0; i < host_end; ++i) {
    url[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(url[i])));
  }
  return url;
}

// What a supported path extracts; kNone for everything else.
enum class Target : uint8_t { kNone, kIp, kDomain, kUrl, kMd5, kSha1, kSha256, kX509Sha1, kX509Sha256 };

Target TargetOf(const StixComparison& cmp) {
  const std::string& type = cmp.object_type;
  const auto& p = cmp.path;
  if (p.size() == 1 && p[0] == "value") {
    if (type == "ipv4-addr" || type == "ipv6-addr") return Target::kIp;
    if (type == "domain-name") return Target::kDomain;
    if (type == "url") return Target::kUrl;
  }
  if (type == "network-traffic" && p.size() == 2 && p[0] == "dst_ref" && p[1] == "value") {
    return Target::kIp;
  }
  if (p.size() == 2 && p[0] == "hashes") {
    std::string key = HashKey(p[1]);
    if (type == "file" || type == "artifact") {
      if (key == "MD5") return Target::kMd5;
      if (key == "SHA1") return Target::kSha1;
      if (key == "SHA256") return Target::kSha256;
    } else if (type == "x509-certificate") {
      if (key == "SHA1") return Target::kX509Sha1;
      if (key == "SHA256") return Target::kX509Sha256;
    }
  }
  return Target::kNone;
}

std::optional<ExtractedIndicator> Normalise(Target target, std::string_view text) {
  auto hash = [&](IndicatorType type, size_t len) -> std::optional<ExtractedIndicator> {
    std::string h;
    for (char c : text) {
      if (c != ':') h.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (h.size() != len || !IsHex(h)) return std::nullopt;
    return ExtractedIndicator{type, std::move(h)};
  };
  switch (target) {
    case Target::kIp: {
      auto prefix = IpPrefix::Parse(text);
      if (!prefix) return std::nullopt;
      bool v4 = prefix->address.is_v4();
      if (text.find('/') == std::string_view::npos) {
        return ExtractedIndicator{v4 ? IndicatorType::kIpv4 : IndicatorType::kIpv6,
                                 prefix->address.ToString()};
      }
      return ExtractedIndicator{v4 ? IndicatorType::kIpv4Cidr : IndicatorType::kIpv6Cidr,
                                prefix->ToString()};
    }
    case Target::kDomain: {
      auto d = NormaliseDomain(text);
      if (!d) return std::nullopt;
      return ExtractedIndicator{IndicatorType::kDomain, std::move(*d)};
    }
    case Target::kUrl: {
      auto u = NormaliseUrl(text);
      if (!u) return std::nullopt;
      return ExtractedIndicator{IndicatorType::kUrl, std::move(*u)};
    }
    case Target::kMd5: return hash(IndicatorType::kMd5, 32);
    case Target::kSha1: return hash(IndicatorType::kSha1, 40);
    case Target::kSha256: return hash(IndicatorType::kSha256, 64);
    case Target::kX509Sha1: return hash(IndicatorType::kX509Sha1, 40);
    case Target::kX509Sha256: return hash(IndicatorType::kX509Sha256, 64);
    case Target::kNone: break;
  }
  return std::nullopt;
}

// Caps the ip x port product of one observation (a hostile IN set could square it).
constexpr size_t kMaxIpPortProduct = 10000;

class Extractor {
 public:
  explicit Extractor(const StixPattern& pattern) : pattern_(pattern) {}

  StixExtraction Run() {
    WalkObservations(pattern_.root);
    return std::move(out_);
  }

 private:
  std::string Span(const StixComparison& cmp) const {
    if (cmp.begin <= cmp.end && cmp.end <= pattern_.text.size()) {
      return pattern_.text.substr(cmp.begin, cmp.end - cmp.begin);
    }
    return cmp.PathString();
  }
  std::string WholePattern() const {
    constexpr size_t kMaxExample = 200;
    if (pattern_.text.size() <= kMaxExample) return pattern_.text;
    return pattern_.text.substr(0, kMaxExample) + "...";
  }
  void Report(std::string name, std::string example) {
    out_.unsupported.push_back({std::move(name), std::move(example)});
  }

  void WalkObservations(const StixNode& node) {
    static constexpr std::string_view kQualifierNames[] = {"WITHIN", "REPEATS", "START/STOP"};
    for (const StixQualifier& q : node.qualifiers) {
      Report("qualifier " + std::string(kQualifierNames[static_cast<int>(q.kind)]) + " (ignored)",
             WholePattern());
    }
    switch (node.kind) {
      case StixNode::Kind::kObservation:
        if (!node.children.empty()) WalkConjunctions(node.children[0]);
        return;
      case StixNode::Kind::kObsAnd:
        Report("observation AND (observations taken independently)", WholePattern());
        break;
      case StixNode::Kind::kFollowedBy:
        Report("FOLLOWEDBY (observations taken independently)", WholePattern());
        break;
      case StixNode::Kind::kObsOr:
        break;
      default:
        return;  // not produced by the parser at observation level
    }
    for (const StixNode& child : node.children) WalkObservations(child);
  }

  // Splits a comparison expression into AND-groups: OR branches are independent.
  void WalkConjunctions(const StixNode& node) {
    switch (node.kind) {
      case StixNode::Kind::kComparison:
        HandleGroup({&node.comparison});
        return;
      case StixNode::Kind::kOr:
        for (const StixNode& child : node.children) WalkConjunctions(child);
        return;
      case StixNode::Kind::kAnd: {
        std::vector<const StixComparison*> group;
        for (const StixNode& child : node.children) {
          if (child.kind == StixNode::Kind::kComparison) {
            group.push_back(&child.comparison);
          } else {
            Report("AND over OR (branches taken independently)", WholePattern());
            WalkConjunctions(child);
          }
        }
        HandleGroup(group);
        return;
      }
      default:
        return;
    }
  }

  // Values of an `=` or `IN` comparison as strings; reports and returns false otherwise.
  bool StringValues(const StixComparison& cmp, std::vector<std::string_view>& values) {
    std::string name = cmp.object_type + ":" + cmp.PathString();
    if (cmp.negated || (cmp.op != StixOp::kEq && cmp.op != StixOp::kIn)) {
      Report(name + (cmp.negated ? " NOT " : " ") + std::string(StixOpName(cmp.op)), Span(cmp));
      return false;
    }
    if (cmp.op == StixOp::kEq) {
      if (cmp.value.kind != StixValueKind::kString) {
        Report(name + " = non-string value", Span(cmp));
        return false;
      }
      values.push_back(cmp.value.text);
      return true;
    }
    for (const StixValue& v : cmp.value.set) {
      if (v.kind != StixValueKind::kString) {
        Report(name + " IN set with a non-string value", Span(cmp));
        return false;
      }
      values.push_back(v.text);
    }
    return true;
  }

  void HandleGroup(const std::vector<const StixComparison*>& group) {
    std::vector<ExtractedIndicator> addresses;
    std::vector<int64_t> ports;
    const StixComparison* port_cmp = nullptr;
    std::vector<const StixComparison*> ref_types;
    size_t emitting = 0;
    size_t others = 0;
    for (const StixComparison* cmp : group) {
      const bool is_nt = cmp->object_type == "network-traffic";
      if (is_nt && cmp->path.size() == 1 && cmp->path[0] == "dst_port" && !cmp->negated &&
          (cmp->op == StixOp::kEq || cmp->op == StixOp::kIn)) {
        bool ok = true;
        std::vector<int64_t> these;
        auto add = [&](const StixValue& v) {
          if (v.kind != StixValueKind::kInt || v.int_value < 0 || v.int_value > 65535) ok = false;
          these.push_back(v.int_value);
        };
        if (cmp->op == StixOp::kEq) {
          add(cmp->value);
        } else {
          for (const StixValue& v : cmp->value.set) add(v);
        }
        if (!ok) {
          Report("network-traffic:dst_port with a non-port value", Span(*cmp));
          ++others;
          continue;
        }
        ports.insert(ports.end(), these.begin(), these.end());
        port_cmp = cmp;
        continue;
      }
      if (is_nt && cmp->path.size() == 2 && cmp->path[0] == "dst_ref" && cmp->path[1] == "type" &&
          cmp->op == StixOp::kEq && !cmp->negated) {
        ref_types.push_back(cmp);
        continue;
      }
      const Target target = TargetOf(*cmp);
      if (target == Target::kNone) {
        Report(cmp->object_type + ":" + cmp->PathString() + (cmp->negated ? " NOT " : " ") +
                   std::string(StixOpName(cmp->op)),
               Span(*cmp));
        ++others;
        continue;
      }
      std::vector<std::string_view> values;
      if (!StringValues(*cmp, values)) {
        ++others;
        continue;
      }
      const bool is_dst = is_nt;
      bool any = false;
      for (std::string_view v : values) {
        auto ind = Normalise(target, v);
        if (!ind) {
          Report(cmp->object_type + ":" + cmp->PathString() + " invalid value", Span(*cmp));
          continue;
        }
        any = true;
        if (is_dst) {
          addresses.push_back(std::move(*ind));
        } else {
          out_.indicators.push_back(std::move(*ind));
        }
      }
      if (any && !is_dst) ++emitting;
    }
    if (!addresses.empty() && !ports.empty()) {
      if (addresses.size() * ports.size() > kMaxIpPortProduct) {
        Report("network-traffic address x port product too large", WholePattern());
      } else {
        for (const ExtractedIndicator& a : addresses) {
          const bool host = a.type == IndicatorType::kIpv4 || a.type == IndicatorType::kIpv6;
          if (!host) {
            Report("network-traffic CIDR with dst_port (CIDR kept, port dropped)", WholePattern());
            out_.indicators.push_back(a);
            continue;
          }
          for (int64_t port : ports) {
            std::string v = a.type == IndicatorType::kIpv6 ? "[" + a.value + "]" : a.value;
            out_.indicators.push_back({IndicatorType::kIpPort, v + ":" + std::to_string(port)});
          }
        }
      }
      ++emitting;
    } else if (!addresses.empty()) {
      out_.indicators.insert(out_.indicators.end(), addresses.begin(), addresses.end());
      ++emitting;
    } else {
      if (port_cmp != nullptr) {
        Report("network-traffic:dst_port without a destination address", Span(*port_cmp));
        ++others;
      }
      for (const StixComparison* cmp : ref_types) {
        Report("network-traffic:dst_ref.type without a destination address", Span(*cmp));
        ++others;
      }
    }
    if (emitting > 1 || (emitting >= 1 && others >= 1)) {
      Report("AND (supported parts taken independently)", WholePattern());
    }
  }

  const StixPattern& pattern_;
  StixExtraction out_;
};

}  // namespace

std::string_view StixOpName(StixOp op) {
  switch (op) {
    case StixOp::kEq: return "=";
    case StixOp::kNe: return "!=";
    case StixOp::kGt: return ">";
    case StixOp::kLt: return "<";
    case StixOp::kGe: return ">=";
    case StixOp::kLe: return "<=";
    case StixOp::kIn: return "IN";
    case StixOp::kLike: return "LIKE";
    case StixOp::kMatches: return "MATCHES";
    case StixOp::kIsSubset: return "ISSUBSET";
    case StixOp::kIsSuperset: return "ISSUPERSET";
    case StixOp::kExists: return "EXISTS";
  }
  return "?";
}

std::string StixComparison::PathString() const {
  std::string out;
  for (const std::string& part : path) {
    if (!part.empty() && part.front() == '[') {
      out += part;
      continue;
    }
    if (!out.empty()) out.push_back('.');
    out += part;
  }
  return out;
}

Result<StixPattern> ParseStixPattern(std::string_view text) {
  if (text.size() > limits::kMaxStixPatternBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "pattern of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                         std::to_string(limits::kMaxStixPatternBytes));
  }
  Parser parser(text);
  QUENCH_ASSIGN_OR_RETURN(StixNode root, parser.ParsePattern());
  StixPattern pattern;
  pattern.text.assign(text);
  pattern.root = std::move(root);
  return pattern;
}

StixExtraction ExtractStixIndicators(const StixPattern& pattern) {
  return Extractor(pattern).Run();
}

void StixImportReport::Add(const StixExtraction& extraction, std::string_view origin) {
  for (const ExtractedIndicator& ind : extraction.indicators) ++indicators_per_type[ind.type];
  for (const UnsupportedConstruct& u : extraction.unsupported) {
    AddUnsupported(u.name, std::string(origin) + ": " + u.example);
  }
}

void StixImportReport::AddUnsupported(const std::string& name, std::string example) {
  Unsupported& entry = unsupported[name];
  if (entry.count++ == 0) entry.example = std::move(example);
}

size_t StixImportReport::TotalIndicators() const {
  size_t total = 0;
  for (const auto& [type, count] : indicators_per_type) total += count;
  return total;
}

std::string StixImportReport::ToString() const {
  std::string out;
  for (const auto& [type, count] : indicators_per_type) {
    out += std::string(IndicatorTypeName(type)) + ": " + std::to_string(count) + "\n";
  }
  for (const auto& [name, entry] : unsupported) {
    out += "unsupported " + name + ": " + std::to_string(entry.count) + " (e.g. " +
           entry.example + ")\n";
  }
  return out;
}

}  // namespace quench

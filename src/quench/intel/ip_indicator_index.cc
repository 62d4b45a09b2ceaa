// Lookup example: the index holds 10.1.0.0/16 (A), 10.1.2.0/24 (B), 10.1.2.3 (C) and
// 10.1.2.3:443 (D). Match(10.1.2.3, 443) finds D in the address:port table and stops.
// Match(10.1.2.3, 80) misses that table, then probes the IPv4 prefix tables present, longest
// first: /32 finds C. Match(10.1.2.9, 80) misses /32, finds B at /24. Match(10.1.9.9, 80)
// misses /32 and /24 and finds A at /16. At most one hash probe per prefix length present.
//
// Plain list lines: "1.2.3.4", "10.0.0.0/8", "2001:db8::1", "2001:db8::/32", "1.2.3.4:80",
// "[2001:db8::1]:443"; blank lines and "#" comments; a trailing " # comment"; a
// "# family: NAME" line names the family for the whole file (else the file stem does).
// Domains ("evil.example"), URLs ("http://...", "/path.php", "host/path") and anything else
// are counted as skipped by kind, never loaded and never silently dropped.
#include "quench/intel/ip_indicator_index.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "quench/core/limits.h"

namespace quench {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Parses all-digit text into [min, max]; nullopt otherwise.
std::optional<uint32_t> ParseNumber(std::string_view digits, uint32_t min, uint32_t max) {
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value < min || value > max) return std::nullopt;
  return static_cast<uint32_t>(value);
}

// "addr" or "addr/len" into a masked prefix. `v6_text` says which family the text claims.
Result<IpPrefix> ParsePrefixText(std::string_view text, bool v6_text) {
  const char* family = v6_text ? "IPv6" : "IPv4";
  size_t slash = text.find('/');
  std::string_view addr_text = text.substr(0, slash);
  auto address = IpAddress::Parse(addr_text);
  if (!address) {
    return MakeError(ErrorCode::kParseError,
                     std::string("invalid ") + family + " address " + Quote(addr_text));
  }
  const int max_len = address->is_v4() ? 32 : 128;
  int len = max_len;
  if (slash != std::string_view::npos) {
    std::string_view len_text = text.substr(slash + 1);
    auto parsed = ParseNumber(len_text, 0, static_cast<uint32_t>(max_len));
    if (!parsed) {
      return MakeError(ErrorCode::kParseError, "prefix length " + Quote(len_text) +
                                                   " out of range 0-" + std::to_string(max_len));
    }
    len = static_cast<int>(*parsed);
  }
  return IpPrefix{address->Masked(len), len};
}

Result<uint16_t> ParsePortText(std::string_view text) {
  auto port = ParseNumber(text, 1, 65535);
  if (!port) {
    return MakeError(ErrorCode::kParseError, "port " + Quote(text) + " out of range 1-65535");
  }
  return static_cast<uint16_t>(*port);
}

enum class LineKind { kAddress, kDomain, kUrl, kOther };

bool AllOf(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }
bool IsV4Char(char c) { return (c >= '0' && c <= '9') || c == '.' || c == '/' || c == ':'; }
bool IsV6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.' || c == '/';
}
bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
         c == ':';
}

// What a (trimmed, comment-free, non-empty) line claims to be. Anything that looks like an
// address is kAddress even if invalid, so it is reported rather than skipped.
LineKind Classify(std::string_view token) {
  if (std::any_of(token.begin(), token.end(), IsSpace)) return LineKind::kOther;
  if (token.front() == '[') return LineKind::kAddress;
  if (token.find("://") != std::string_view::npos) return LineKind::kUrl;
  if (token.front() == '/') return LineKind::kUrl;
  if (token.front() >= '0' && token.front() <= '9' && AllOf(token, IsV4Char)) {
    return LineKind::kAddress;
  }
  if (std::count(token.begin(), token.end(), ':') >= 2 && AllOf(token, IsV6Char)) {
    return LineKind::kAddress;
  }
  if (token.find('/') != std::string_view::npos) return LineKind::kUrl;
  if (token.find('.') != std::string_view::npos && AllOf(token, IsHostChar) &&
      std::isalnum(static_cast<unsigned char>(token.front())) != 0) {
    return LineKind::kDomain;
  }
  return LineKind::kOther;
}

const char* KindName(LineKind kind) {
  switch (kind) {
    case LineKind::kDomain:
      return "domain";
    case LineKind::kUrl:
      return "url";
    default:
      return "other";
  }
}

// "# family: NAME" (case-insensitive key) -> NAME; nullopt for any other line.
std::optional<std::string_view> FamilyHeader(std::string_view line) {
  line = Trim(line);
  if (line.empty() || line.front() != '#') return std::nullopt;
  line = Trim(line.substr(1));
  constexpr std::string_view kKey = "family:";
  if (line.size() < kKey.size()) return std::nullopt;
  for (size_t i = 0; i < kKey.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != kKey[i]) return std::nullopt;
  }
  std::string_view name = Trim(line.substr(kKey.size()));
  if (name.empty()) return std::nullopt;
  return name;
}

void AddWarning(IntelLoadReport* report, std::string text) {
  ++report->warnings_total;
  if (report->warnings.size() < IntelLoadReport::kMaxWarnings) {
    report->warnings.push_back(std::move(text));
  }
}

}  // namespace

Result<ParsedIpIndicator> ParseIpIndicator(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return MakeError(ErrorCode::kParseError, "empty indicator");
  ParsedIpIndicator out;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kParseError, "'[' without ']' in " + Quote(text));
    }
    std::string_view inside = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (inside.find('/') != std::string_view::npos) {
      return MakeError(ErrorCode::kParseError, "a bracketed address takes no prefix length");
    }
    QUENCH_ASSIGN_OR_RETURN(out.prefix, ParsePrefixText(inside, true));
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return MakeError(ErrorCode::kParseError, "expected ':port' after ']' in " + Quote(text));
      }
      QUENCH_ASSIGN_OR_RETURN(out.port, ParsePortText(rest.substr(1)));
    }
    return out;
  }
  size_t colons = static_cast<size_t>(std::count(text.begin(), text.end(), ':'));
  if (colons >= 2) {
    QUENCH_ASSIGN_OR_RETURN(out.prefix, ParsePrefixText(text, true));
    return out;
  }
  std::string_view addr_text = text;
  if (colons == 1) {
    size_t colon = text.find(':');
    addr_text = text.substr(0, colon);
    if (addr_text.find('/') != std::string_view::npos) {
      return MakeError(ErrorCode::kParseError,
                       "a port needs a single address, not a prefix: " + Quote(text));
    }
    QUENCH_ASSIGN_OR_RETURN(out.port, ParsePortText(text.substr(colon + 1)));
  }
  QUENCH_ASSIGN_OR_RETURN(out.prefix, ParsePrefixText(addr_text, false));
  return out;
}

const IpIndicator* IpIndicatorIndex::Match(const IpAddress& address, uint16_t port,
                                           uint8_t /*proto*/) const {
  if (!by_address_port_.empty()) {
    auto it = by_address_port_.find(AddressPort{address, port});
    if (it != by_address_port_.end()) return &indicators_[it->second];
  }
  const std::vector<PrefixTable>& tables = address.is_v4() ? v4_tables_ : v6_tables_;
  for (const PrefixTable& table : tables) {
    auto it = table.by_network.find(address.Masked(table.prefix_len));
    if (it != table.by_network.end()) return &indicators_[it->second];
  }
  return nullptr;
}

uint64_t IntelLoadReport::skipped() const {
  uint64_t total = 0;
  for (const auto& [kind, skipped] : skipped_by_kind) total += skipped.count;
  return total;
}

std::string IntelLoadReport::Summary() const {
  std::ostringstream out;
  out << path << " (" << family << "): " << loaded << " loaded, " << duplicates << " duplicate, "
      << invalid << " invalid";
  for (const auto& [kind, skipped] : skipped_by_kind) {
    out << ", " << skipped.count << " " << kind << " skipped";
  }
  out << ", " << lines << " lines";
  return out.str();
}

bool IpIndicatorIndexBuilder::AddParsed(const ParsedIpIndicator& parsed, std::string_view value,
                                        std::string_view family, std::string_view source) {
  Key key{parsed.prefix.address, parsed.prefix.prefix_len,
          parsed.port ? static_cast<int32_t>(*parsed.port) : -1};
  auto [it, inserted] = by_key_.try_emplace(key, static_cast<uint32_t>(indicators_.size()));
  IpIndicatorAttribution attribution{std::string(family), std::string(source)};
  if (!inserted) {
    indicators_[it->second].attributions.push_back(std::move(attribution));
    return false;
  }
  IpIndicator indicator;
  indicator.value = std::string(value);
  indicator.family = attribution.family;
  indicator.source = attribution.source;
  indicator.port = parsed.port;
  indicator.prefix = parsed.prefix;
  indicator.attributions.push_back(std::move(attribution));
  indicators_.push_back(std::move(indicator));
  return true;
}

Status IpIndicatorIndexBuilder::Add(std::string_view value, std::string_view family,
                                    std::string_view source) {
  auto parsed = ParseIpIndicator(value);
  if (!parsed) {
    return MakeError(ErrorCode::kParseError, std::string(source) + ": " + parsed.error().message());
  }
  AddParsed(*parsed, Trim(value), family, source);
  return OkStatus();
}

Result<IntelLoadReport> IpIndicatorIndexBuilder::LoadPlainList(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return MakeError(ErrorCode::kNotFound, path + ": no such intel list");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kIoError, path + ": cannot open: " + std::strerror(errno));
  }
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return MakeError(ErrorCode::kIoError, path + ": read error");

  IntelLoadReport report;
  report.path = path;
  report.family = std::filesystem::path(path).stem().string();

  std::vector<std::string_view> lines;
  for (size_t start = 0; start < content.size();) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    lines.push_back(std::string_view(content).substr(start, end - start));
    start = end + 1;
  }
  for (std::string_view line : lines) {
    if (line.size() > limits::kMaxIntelLineLength) continue;
    if (auto name = FamilyHeader(line)) {
      report.family = std::string(*name);
      break;
    }
  }

  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const std::string where = path + ":" + std::to_string(i + 1);
    ++report.lines;
    if (line.size() > limits::kMaxIntelLineLength) {
      ++report.invalid;
      AddWarning(&report, where + ": line of " + std::to_string(line.size()) +
                              " bytes exceeds the " + std::to_string(limits::kMaxIntelLineLength) +
                              "-byte limit; skipped");
      continue;
    }
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    for (size_t pos = 1; pos < line.size(); ++pos) {
      if (line[pos] == '#' && IsSpace(line[pos - 1])) {
        line = Trim(line.substr(0, pos));
        break;
      }
    }
    LineKind kind = Classify(line);
    if (kind != LineKind::kAddress) {
      IntelLoadReport::Skipped& skipped = report.skipped_by_kind[KindName(kind)];
      if (skipped.count++ == 0) skipped.example = where + ": " + std::string(line);
      continue;
    }
    auto parsed = ParseIpIndicator(line);
    if (!parsed) {
      ++report.invalid;
      AddWarning(&report, where + ": " + parsed.error().message());
      continue;
    }
    ++report.loaded;
    if (!AddParsed(*parsed, line, report.family, where)) ++report.duplicates;
  }
  return report;
}

IpIndicatorIndex IpIndicatorIndexBuilder::Build() {
  IpIndicatorIndex index;
  index.indicators_ = std::move(indicators_);
  indicators_.clear();
  by_key_.clear();
  std::map<int, IpIndicatorIndex::PrefixTable, std::greater<int>> v4;
  std::map<int, IpIndicatorIndex::PrefixTable, std::greater<int>> v6;
  for (size_t i = 0; i < index.indicators_.size(); ++i) {
    const IpIndicator& indicator = index.indicators_[i];
    const auto id = static_cast<uint32_t>(i);
    if (indicator.port) {
      index.by_address_port_.emplace(
          IpIndicatorIndex::AddressPort{indicator.prefix.address, *indicator.port}, id);
      continue;
    }
    auto& tables = indicator.prefix.address.is_v4() ? v4 : v6;
    IpIndicatorIndex::PrefixTable& table = tables[indicator.prefix.prefix_len];
    table.prefix_len = indicator.prefix.prefix_len;
    table.by_network.emplace(indicator.prefix.address, id);
  }
  for (auto& [len, table] : v4) index.v4_tables_.push_back(std::move(table));
  for (auto& [len, table] : v6) index.v6_tables_.push_back(std::move(table));
  return index;
}

}  // namespace quench

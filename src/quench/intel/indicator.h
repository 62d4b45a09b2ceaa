// Indicator: the general threat-intel indicator model (issue 3 item 1) that every importer
// (STIX, MISP, CSV, lists) produces and the future IntelIndex compiles. Plain values with a
// normalised `value` string whose form depends on `type` (see IndicatorType). No behaviour
// beyond naming and normalisation helpers; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quench/core/time.h"

namespace quench {

// Normalised value forms:
//   kIpv4/kIpv6          "192.0.2.1", "2001:db8::1" (IpAddress::ToString)
//   kIpv4Cidr/kIpv6Cidr  "192.0.2.0/24" (masked, IpPrefix::ToString)
//   kIpPort              "192.0.2.1:443", "[2001:db8::1]:443"
//   kDomain              "example.com" (lower case, no trailing dot): the exact name
//   kDomainSuffix        "example.com": the name and every subdomain of it
//   kUrl                 as given (scheme and host lower-cased)
//   hashes, JA3/JA3S/HASSH, X.509 and SSH fingerprints: lower-case hex without separators
//   kJa4                 as given, lower case
enum class IndicatorType : uint8_t {
  kIpv4,
  kIpv6,
  kIpv4Cidr,
  kIpv6Cidr,
  kIpPort,
  kDomain,
  kDomainSuffix,
  kUrl,
  kMd5,
  kSha1,
  kSha256,
  kJa3,
  kJa4,
  kHassh,
  kX509Sha1,
  kX509Sha256,
  kSshKeyFingerprint,
};
inline constexpr int kIndicatorTypeCount = 17;

inline std::string_view IndicatorTypeName(IndicatorType type) {
  switch (type) {
    case IndicatorType::kIpv4: return "ipv4";
    case IndicatorType::kIpv6: return "ipv6";
    case IndicatorType::kIpv4Cidr: return "ipv4-cidr";
    case IndicatorType::kIpv6Cidr: return "ipv6-cidr";
    case IndicatorType::kIpPort: return "ip-port";
    case IndicatorType::kDomain: return "domain";
    case IndicatorType::kDomainSuffix: return "domain-suffix";
    case IndicatorType::kUrl: return "url";
    case IndicatorType::kMd5: return "md5";
    case IndicatorType::kSha1: return "sha1";
    case IndicatorType::kSha256: return "sha256";
    case IndicatorType::kJa3: return "ja3";
    case IndicatorType::kJa4: return "ja4";
    case IndicatorType::kHassh: return "hassh";
    case IndicatorType::kX509Sha1: return "x509-sha1";
    case IndicatorType::kX509Sha256: return "x509-sha256";
    case IndicatorType::kSshKeyFingerprint: return "ssh-key-fingerprint";
  }
  return "unknown";
}

// Traffic Light Protocol; kUnknown when the source gave no marking. TLP 1.0 WHITE maps to
// kClear.
enum class Tlp : uint8_t { kUnknown, kClear, kGreen, kAmber, kAmberStrict, kRed };

inline std::string_view TlpName(Tlp tlp) {
  switch (tlp) {
    case Tlp::kUnknown: return "unknown";
    case Tlp::kClear: return "clear";
    case Tlp::kGreen: return "green";
    case Tlp::kAmber: return "amber";
    case Tlp::kAmberStrict: return "amber+strict";
    case Tlp::kRed: return "red";
  }
  return "unknown";
}

struct Indicator {
  IndicatorType type = IndicatorType::kIpv4;
  std::string value;            // normalised, see IndicatorType
  std::string source;           // feed or producer name ("unit42-stix/cve-2023-23397.json")
  std::string source_id;        // the id inside the source (STIX id, MISP uuid, line number)
  std::string family;           // malware family or actor, "" when unknown
  std::string campaign;         // campaign / operation name, "" when unknown
  int confidence = -1;          // 0..100, -1 when the source gave none
  Tlp tlp = Tlp::kUnknown;
  std::optional<Timestamp> valid_from;
  std::optional<Timestamp> valid_until;
  std::optional<Timestamp> first_seen;
  std::optional<Timestamp> last_seen;
  std::vector<std::string> labels;       // STIX labels / indicator_types, MISP tags
  std::vector<std::string> kill_chain;   // "kill_chain_name:phase_name"
  std::vector<std::string> references;   // URLs or "source:external_id"

  // True when `ts` lies inside [valid_from, valid_until) (open ends when absent).
  bool ValidAt(Timestamp ts) const {
    if (valid_from && ts < *valid_from) return false;
    if (valid_until && ts >= *valid_until) return false;
    return true;
  }
};

}  // namespace quench

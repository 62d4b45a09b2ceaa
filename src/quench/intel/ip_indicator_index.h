// IP indicators (addresses, CIDR blocks, address:port pairs) from plain intel lists such as
// maltrail's trail files, compiled into an immutable IpIndicatorIndex answering "which
// indicator, if any, covers this address and port" with the most specific one.
// IpIndicatorIndexBuilder is single-threaded; the built index owns its indicators, is never
// modified after Build() and is safe to share across threads for reads.
// A minimal first intel module: STIX/MISP/CSV loaders and domains come with the full system.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "quench/core/ip_address.h"
#include "quench/core/status.h"

namespace quench {

// Where one sighting of an indicator came from.
struct IpIndicatorAttribution {
  std::string family;  // threat family or list name ("apt_sofacy")
  std::string source;  // "path:line"
};

struct IpIndicator {
  std::string value;             // as written in the first list that had it ("1.2.3.4:80")
  std::string family;            // family of the first attribution
  std::string source;            // "path:line" of the first attribution
  std::optional<uint16_t> port;  // set for ip:port indicators (then prefix is a host prefix)
  IpPrefix prefix;
  // Every list line that named this indicator, first one included, in load order.
  std::vector<IpIndicatorAttribution> attributions;
};

// The address, prefix and port written in one indicator text; see ParseIpIndicator.
struct ParsedIpIndicator {
  IpPrefix prefix;
  std::optional<uint16_t> port;
};

// Parses "1.2.3.4", "10.0.0.0/8", "2001:db8::/32", "1.2.3.4:80", "[2001:db8::1]:443".
// An error (kParseError) says why: "invalid IPv4 address", "prefix length 40 out of range
// 0-32", "port 99999 out of range 1-65535", ...
Result<ParsedIpIndicator> ParseIpIndicator(std::string_view text);

class IpIndicatorIndex {
 public:
  IpIndicatorIndex() = default;
  IpIndicatorIndex(IpIndicatorIndex&&) = default;
  IpIndicatorIndex& operator=(IpIndicatorIndex&&) = default;
  IpIndicatorIndex(const IpIndicatorIndex&) = delete;
  IpIndicatorIndex& operator=(const IpIndicatorIndex&) = delete;

  // The most specific indicator covering (address, port): an address:port entry beats a
  // plain address, which beats the longest matching CIDR block. nullptr when none does.
  // `proto` (IP protocol number) is accepted for the full intel system; plain lists carry no
  // protocol, so it does not affect the answer yet. The pointer lives as long as the index.
  const IpIndicator* Match(const IpAddress& address, uint16_t port, uint8_t proto) const;

  size_t size() const { return indicators_.size(); }
  bool empty() const { return indicators_.empty(); }
  const std::vector<IpIndicator>& indicators() const { return indicators_; }

 private:
  friend class IpIndicatorIndexBuilder;

  struct AddressPort {
    IpAddress address;
    uint16_t port = 0;
    friend bool operator==(const AddressPort&, const AddressPort&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const AddressPort& k) {
      return H::combine(std::move(h), k.address, k.port);
    }
  };
  // Masked network address -> indicator, for one prefix length.
  struct PrefixTable {
    int prefix_len = 0;
    absl::flat_hash_map<IpAddress, uint32_t> by_network;
  };

  std::vector<IpIndicator> indicators_;
  absl::flat_hash_map<AddressPort, uint32_t> by_address_port_;
  // Only the prefix lengths present, longest first, one list per family.
  std::vector<PrefixTable> v4_tables_;
  std::vector<PrefixTable> v6_tables_;
};

// What loading one list file did. Every line is either loaded, a comment/blank line, skipped
// by kind (not an IP indicator), or a warning (looked like one but was invalid, or too long).
struct IntelLoadReport {
  struct Skipped {
    uint64_t count = 0;
    std::string example;  // "path:line: text" of the first such line
  };
  static constexpr size_t kMaxWarnings = 20;

  std::string path;
  std::string family;
  uint64_t lines = 0;
  uint64_t loaded = 0;      // lines accepted as IP indicators (duplicates included)
  uint64_t duplicates = 0;  // of those, indicators already present (attribution added)
  uint64_t invalid = 0;     // lines reported as warnings and not loaded
  std::map<std::string, Skipped> skipped_by_kind;  // "domain", "url", "other"
  std::vector<std::string> warnings;               // "path:line: reason", the first kMaxWarnings
  uint64_t warnings_total = 0;

  uint64_t skipped() const;
  // One line for operators: "apt_sofacy.txt (apt_sofacy): 240 loaded, 0 duplicate, ..."
  std::string Summary() const;
};

class IpIndicatorIndexBuilder {
 public:
  // Adds one indicator; the same prefix and port seen again adds an attribution instead.
  Status Add(std::string_view value, std::string_view family, std::string_view source);
  // Loads a plain list (see the .cc for the accepted line forms). Missing or unreadable file
  // -> error naming the path; bad lines are reported, never fatal.
  Result<IntelLoadReport> LoadPlainList(const std::string& path);
  // Compiles everything added so far; the builder is left empty.
  IpIndicatorIndex Build();

  size_t size() const { return indicators_.size(); }

 private:
  struct Key {
    IpAddress network;
    int prefix_len = 0;
    int32_t port = -1;  // -1: no port
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.network, k.prefix_len, k.port);
    }
  };
  // Returns true when the indicator was new, false when it was a duplicate.
  bool AddParsed(const ParsedIpIndicator& parsed, std::string_view value, std::string_view family,
                 std::string_view source);

  std::vector<IpIndicator> indicators_;
  absl::flat_hash_map<Key, uint32_t> by_key_;
};

}  // namespace quench

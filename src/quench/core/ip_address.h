// IpAddress: an IPv4 or IPv6 address in 16 bytes. IPv4 is held in its IPv4-mapped IPv6 form
// (::ffff:a.b.c.d) so both families hash, compare and sort alike; ToString() prints IPv4
// dotted and IPv6 in RFC 5952 canonical form. Plain value type; thread-compatible.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace quench {

class IpAddress {
 public:
  constexpr IpAddress() = default;

  // From 4 bytes in network order.
  static IpAddress FromV4Bytes(const uint8_t* b) {
    IpAddress a;
    a.bytes_[10] = 0xff;
    a.bytes_[11] = 0xff;
    std::memcpy(a.bytes_.data() + 12, b, 4);
    return a;
  }
  // From a host-order 32-bit value (0xC0A80001 is 192.168.0.1).
  static IpAddress FromV4(uint32_t host_order) {
    uint8_t b[4] = {static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
                    static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
    return FromV4Bytes(b);
  }
  // From 16 bytes in network order. A v4-mapped address stays v4-mapped (is_v4() is true).
  static IpAddress FromV6Bytes(const uint8_t* b) {
    IpAddress a;
    std::memcpy(a.bytes_.data(), b, 16);
    return a;
  }
  // Parses dotted IPv4 or textual IPv6; nullopt when it is neither.
  static std::optional<IpAddress> Parse(std::string_view text);

  bool is_v4() const {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(bytes_.data(), kMapped, 12) == 0;
  }
  bool is_unspecified() const { return *this == IpAddress(); }
  // Host-order IPv4 value. REQUIRES: is_v4().
  uint32_t v4() const {
    return (uint32_t{bytes_[12]} << 24) | (uint32_t{bytes_[13]} << 16) |
           (uint32_t{bytes_[14]} << 8) | bytes_[15];
  }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  // The address with all bits after prefix_len cleared; prefix_len counts from the start of
  // the family's own address (0-32 for IPv4, 0-128 for IPv6).
  IpAddress Masked(int prefix_len) const;
  std::string ToString() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine_contiguous(std::move(h), a.bytes_.data(), a.bytes_.size());
  }

 private:
  std::array<uint8_t, 16> bytes_{};
};

// A CIDR block: address (already masked) and prefix length in the family's own terms.
struct IpPrefix {
  IpAddress address;
  int prefix_len = 0;

  // "10.0.0.0/8", "2001:db8::/32", or a bare address (a host prefix).
  static std::optional<IpPrefix> Parse(std::string_view text);
  bool Contains(const IpAddress& a) const;
  std::string ToString() const;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

}  // namespace quench

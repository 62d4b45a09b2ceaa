#include "quench/core/ip_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace quench {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t out[16];
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, out) != 1) return std::nullopt;
    return FromV4Bytes(out);
  }
  if (inet_pton(AF_INET6, buf, out) != 1) return std::nullopt;
  return FromV6Bytes(out);
}

IpAddress IpAddress::Masked(int prefix_len) const {
  IpAddress out = *this;
  int bits = is_v4() ? 96 + prefix_len : prefix_len;
  for (int i = 0; i < 16; ++i) {
    int keep = bits - i * 8;
    if (keep >= 8) continue;
    if (keep <= 0) {
      out.bytes_[i] = 0;
    } else {
      out.bytes_[i] &= static_cast<uint8_t>(0xff << (8 - keep));
    }
  }
  return out;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4()) {
    inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf));
  }
  return buf;
}

std::optional<IpPrefix> IpPrefix::Parse(std::string_view text) {
  size_t slash = text.find('/');
  auto addr = IpAddress::Parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  int max_len = addr->is_v4() ? 32 : 128;
  int len = max_len;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || len < 0 || len > max_len) {
      return std::nullopt;
    }
  }
  return IpPrefix{addr->Masked(len), len};
}

bool IpPrefix::Contains(const IpAddress& a) const {
  if (a.is_v4() != address.is_v4()) return false;
  return a.Masked(prefix_len) == address;
}

std::string IpPrefix::ToString() const {
  return address.ToString() + "/" + std::to_string(prefix_len);
}

}  // namespace quench

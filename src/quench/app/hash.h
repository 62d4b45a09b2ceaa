// Hex digests (MD5, SHA-1, SHA-256) of a byte span, for fingerprints such as JA3, JA4 and
// certificate thumbprints. A thin wrapper over OpenSSL's libcrypto so the rest of quench never
// includes OpenSSL headers. Pure functions; thread-safe. Results are lowercase hex.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace quench {

std::string Md5Hex(std::span<const uint8_t> bytes);
std::string Sha1Hex(std::span<const uint8_t> bytes);
std::string Sha256Hex(std::span<const uint8_t> bytes);

// Convenience overloads over text (the JA3/JA4 strings are hashed as ASCII).
std::string Md5Hex(std::string_view text);
std::string Sha1Hex(std::string_view text);
std::string Sha256Hex(std::string_view text);

}  // namespace quench

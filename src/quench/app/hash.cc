#include "quench/app/hash.h"

#include <openssl/evp.h>

namespace quench {
namespace {

std::string Digest(const EVP_MD* md, const uint8_t* data, size_t size) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL; report an empty digest then.
  if (EVP_Digest(data, size, out, &out_len, md, nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(size_t{out_len} * 2, '0');
  for (unsigned int i = 0; i < out_len; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 0xf];
  }
  return hex;
}

const uint8_t* Bytes(std::string_view text) {
  return reinterpret_cast<const uint8_t*>(text.data());
}

}  // namespace

std::string Md5Hex(std::span<const uint8_t> b) { return Digest(EVP_md5(), b.data(), b.size()); }
std::string Sha1Hex(std::span<const uint8_t> b) { return Digest(EVP_sha1(), b.data(), b.size()); }
std::string Sha256Hex(std::span<const uint8_t> b) {
  return Digest(EVP_sha256(), b.data(), b.size());
}
std::string Md5Hex(std::string_view t) { return Digest(EVP_md5(), Bytes(t), t.size()); }
std::string Sha1Hex(std::string_view t) { return Digest(EVP_sha1(), Bytes(t), t.size()); }
std::string Sha256Hex(std::string_view t) { return Digest(EVP_sha256(), Bytes(t), t.size()); }

}  // namespace quench

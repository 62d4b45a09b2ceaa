#include "quench/app/hash.h"

#include <openssl/evp.h>

namespace quench {
namespace {

// OpenSSL 3 looks an algorithm up on every EVP_Digest call given the legacy EVP_md5()-style
// handles (about 2 us each here); fetching once and reusing the handle avoids that.
// Function-local statics: initialised once, thread-safe; never freed (process lifetime).
const EVP_MD* Md5() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md != nullptr ? md : EVP_md5();
}
const EVP_MD* Sha1() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md != nullptr ? md : EVP_sha1();
}
const EVP_MD* Sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

std::string Digest(const EVP_MD* md, const uint8_t* data, size_t size) {
  // One context per thread, reused: creating one per call costs an allocation and a lookup.
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx holder;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  // Failures only come from allocation inside OpenSSL; report an empty digest then.
  if (holder.ctx == nullptr || EVP_DigestInit_ex2(holder.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(holder.ctx, data, size) != 1 ||
      EVP_DigestFinal_ex(holder.ctx, out, &out_len) != 1) {
    return {};
  }
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

std::string Md5Hex(std::span<const uint8_t> b) { return Digest(Md5(), b.data(), b.size()); }
std::string Sha1Hex(std::span<const uint8_t> b) { return Digest(Sha1(), b.data(), b.size()); }
std::string Sha256Hex(std::span<const uint8_t> b) { return Digest(Sha256(), b.data(), b.size()); }
std::string Md5Hex(std::string_view t) { return Digest(Md5(), Bytes(t), t.size()); }
std::string Sha1Hex(std::string_view t) { return Digest(Sha1(), Bytes(t), t.size()); }
std::string Sha256Hex(std::string_view t) { return Digest(Sha256(), Bytes(t), t.size()); }

}  // namespace quench

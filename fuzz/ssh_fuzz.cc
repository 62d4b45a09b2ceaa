// Fuzz harness for ParseSshHandshake (identification line, then the KEXINIT binary packet) and
// the HASSH strings. Besides memory safety it checks that every returned view lies inside the
// input, that a parsed handshake does not claim more bytes than the input holds, and that the
// HASSH algorithm string is exactly the four lists joined by ';'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "quench/app/ssh.h"

namespace {

void CheckInside(std::string_view v, const uint8_t* data, size_t size) {
  if (v.empty()) return;
  const auto* begin = reinterpret_cast<const uint8_t*>(v.data());
  if (begin < data || begin + v.size() > data + size) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  quench::SshHandshake h;
  quench::SshParseStatus st = quench::ParseSshHandshake(std::span<const uint8_t>(data, size), &h);
  if (st == quench::SshParseStatus::kOk && (!h.has_kexinit || h.bytes_used > size)) std::abort();
  if (h.banner.size() > quench::kMaxSshBannerBytes) std::abort();
  const quench::SshKexInit& k = h.kexinit;
  for (std::string_view v :
       {h.banner, h.proto_version, h.software, h.comments, k.kex_algorithms,
        k.server_host_key_algorithms, k.encryption_c2s, k.encryption_s2c, k.mac_c2s, k.mac_s2c,
        k.compression_c2s, k.compression_s2c, k.languages_c2s, k.languages_s2c}) {
    CheckInside(v, data, size);
  }
  if (h.has_kexinit) {
    std::string alg = quench::HasshAlgorithms(k, false);
    if (alg.size() != k.kex_algorithms.size() + k.encryption_c2s.size() + k.mac_c2s.size() +
                          k.compression_c2s.size() + 3) {
      std::abort();
    }
    if (quench::Hassh(k, true).size() != 32) std::abort();
  }
  return 0;
}

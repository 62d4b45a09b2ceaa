// Fuzz harness for the TLS parsers in app/tls.h. The first input byte selects the parser
// (mod 3: 0 ClientHello + JA3/JA4, 1 ServerHello + certificate, 2 the certificate-name DER
// walk); the rest is the byte stream. Besides memory safety it checks output invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "quench/app/tls.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quench;  // NOLINT: harness
  if (size == 0) return 0;
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      TlsClientHello hello;
      const TlsParseStatus st = ParseTlsClientHello(bytes, &hello);
      if (st != TlsParseStatus::kOk) {
        if (!hello.cipher_suites.empty() || !hello.sni.empty()) std::abort();
        break;
      }
      if (hello.sni.size() > 255) std::abort();
      const std::string ja4 = Ja4(hello);
      if (ja4.size() != 36 || ja4[10] != '_' || ja4[23] != '_') std::abort();
      if (Ja3Hash(hello).size() != 32) std::abort();
      if (Ja4Raw(hello).compare(0, 10, ja4, 0, 10) != 0) std::abort();
      break;
    }
    case 1: {
      TlsServerHello hello;
      TlsParseStatus cert = TlsParseStatus::kNeedMore;
      const TlsParseStatus st = ParseTlsServerHello(bytes, &hello, &cert);
      if (hello.has_certificate && (st != TlsParseStatus::kOk || cert != TlsParseStatus::kOk ||
                                    hello.cert_sha1.size() != 40 ||
                                    hello.cert_sha256.size() != 64)) {
        std::abort();
      }
      break;
    }
    default: {
      std::string subject, issuer;
      const bool ok = ParseCertificateNames(bytes, &subject, &issuer);
      if (!ok && (!subject.empty() || !issuer.empty())) std::abort();
      if (subject.size() > 255 || issuer.size() > 255) std::abort();
      break;
    }
  }
  return 0;
}

// TLS handshake metadata from the first bytes of a TCP flow: the ClientHello (SNI, ALPN,
// offered versions, groups, point formats, signature algorithms, JA3, JA4) and the server's
// first flight (ServerHello version/cipher; for TLS <= 1.2 the first certificate's
// fingerprints and subject/issuer CN). Parsers are pure functions over the concatenated
// bytes seen so far in one direction; the caller owns the buffer. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quench {

enum class TlsParseStatus : uint8_t {
  kNeedMore = 0,  // a prefix of a plausible TLS handshake: call again with more bytes
  kOk,            // the message was parsed; the output is filled
  kNotTls,        // the bytes do not start a TLS handshake (other protocol)
  kMalformed,     // starts like TLS but breaks its own length rules
};
std::string_view TlsParseStatusName(TlsParseStatus s);

// Caps on what the parsers accept (bounded work and memory for untrusted input).
// A ClientHello with a post-quantum key share is ~1.8 KB; 64 KiB covers any real one.
inline constexpr size_t kTlsMaxHandshakeBytes = 64 * 1024;
// Largest record payload a peer may send (2^14 plus the 2048 bytes TLS 1.2 allows for
// expansion); longer means not TLS.
inline constexpr size_t kTlsMaxRecordBytes = 16384 + 2048;

// GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa.
constexpr bool IsTlsGrease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

struct TlsClientHello {
  uint16_t record_version = 0;  // version field of the first record header
  uint16_t legacy_version = 0;  // client_version of the ClientHello (JA3's SSLVersion)
  // As sent, in order, GREASE included (the fingerprints drop it).
  std::vector<uint16_t> cipher_suites;
  std::vector<uint16_t> extensions;
  std::vector<uint16_t> supported_versions;
  std::vector<uint16_t> supported_groups;
  std::vector<uint8_t> ec_point_formats;
  std::vector<uint16_t> signature_algorithms;
  std::vector<std::string> alpn;
  std::string sni;       // first host_name entry of server_name; empty if none
  bool has_sni_extension = false;
};

// Parses the ClientHello at the start of `client_bytes` (everything the client sent so far,
// concatenated; the handshake message may span records). On kOk `out` is fully written.
TlsParseStatus ParseTlsClientHello(std::span<const uint8_t> client_bytes, TlsClientHello* out);

// Highest non-GREASE version offered: from supported_versions if present, else legacy.
uint16_t TlsOfferedVersion(const TlsClientHello& hello);

// JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats", decimal
// values joined by '-', GREASE removed; Ja3Hash is the MD5 of that string.
std::string Ja3String(const TlsClientHello& hello);
std::string Ja3Hash(const TlsClientHello& hello);

// JA4 (FoxIO, TLS client), e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1"; `transport` is
// 't' (TCP), 'q' (QUIC) or 'd' (DTLS). Ja4Raw is the unhashed "ja4_r" form.
std::string Ja4(const TlsClientHello& hello, char transport = 't');
std::string Ja4Raw(const TlsClientHello& hello, char transport = 't');

struct TlsServerHello {
  uint16_t legacy_version = 0;     // server_version field
  uint16_t selected_version = 0;   // supported_versions extension, 0 when absent
  uint16_t cipher_suite = 0;
  std::vector<uint16_t> extensions;
  // First certificate of the Certificate message that follows (TLS <= 1.2 only).
  bool has_certificate = false;
  std::string cert_sha1;    // lowercase hex of the DER
  std::string cert_sha256;
  std::string cert_subject_cn;  // empty if absent or not found within the walk's bounds
  std::string cert_issuer_cn;
  // The negotiated version: selected_version when present, else legacy_version.
  uint16_t version() const { return selected_version != 0 ? selected_version : legacy_version; }
};

// Parses the ServerHello at the start of `server_bytes`, and, when the negotiated version is
// <= TLS 1.2 and the Certificate message follows within the bytes given, its first
// certificate. Returns kOk once the ServerHello is complete; `certificate_status` (optional)
// says kOk (certificate parsed), kNeedMore (may still come), or kNotTls (none expected:
// TLS 1.3, or another message came first, as in a resumed session).
TlsParseStatus ParseTlsServerHello(std::span<const uint8_t> server_bytes, TlsServerHello* out,
                                   TlsParseStatus* certificate_status = nullptr);

// Subject and issuer common names of a DER X.509 certificate (a bounded DER walk; fields
// are left empty when absent or unparsable). Returns false when the DER is not a certificate.
bool ParseCertificateNames(std::span<const uint8_t> der, std::string* subject_cn,
                           std::string* issuer_cn);

}  // namespace quench

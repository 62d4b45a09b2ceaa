// TLS ClientHello/ServerHello parsing and the JA3/JA4 fingerprints.
//
// Worked example (JA4, FoxIO's reference ClientHello): TLS 1.3 offered in supported_versions
// -> "13"; SNI extension present -> 'd'; 15 ciphers and 16 extensions without GREASE ->
// "1516"; first ALPN "h2" -> "h2"; so part a is "t13d1516h2". Part b is the first 12 hex
// digits of SHA-256("002f,0035,...,cca9") over the ciphers sorted as 4-digit hex = 8daaf6152771.
// Part c hashes the sorted extensions without GREASE, SNI (0000) and ALPN (0010), then '_',
// then the signature algorithms in the order sent: "0005,000a,...,ff01_0403,0804,..." ->
// e5627efa2ab1. Result: t13d1516h2_8daaf6152771_e5627efa2ab1.
#include "quench/app/tls.h"

#include <algorithm>

#include "quench/app/hash.h"
#include "quench/core/byte_reader.h"

namespace quench {
namespace {

constexpr uint8_t kContentHandshake = 22;
constexpr uint8_t kHandshakeClientHello = 1;
constexpr uint8_t kHandshakeServerHello = 2;
constexpr uint8_t kHandshakeCertificate = 11;

constexpr uint16_t kExtServerName = 0x0000;
constexpr uint16_t kExtSupportedGroups = 0x000a;
constexpr uint16_t kExtEcPointFormats = 0x000b;
constexpr uint16_t kExtSignatureAlgorithms = 0x000d;
constexpr uint16_t kExtAlpn = 0x0010;
constexpr uint16_t kExtSupportedVersions = 0x002b;

// Bounds on the metadata kept from one hello (the lists are bounded by the message size).
constexpr size_t kMaxNameBytes = 255;  // SNI and certificate CN (a DNS name is at most 253)
constexpr size_t kMaxAlpnValues = 16;
constexpr int kMaxDerNameEntries = 64;  // RDNs walked per X.509 Name

// The handshake bytes carried by the leading handshake records of `bytes`.
struct HandshakeStream {
  std::vector<uint8_t> bytes;
  uint16_t first_record_version = 0;
  // No more handshake bytes can follow: a non-handshake record came next, or the cap was hit.
  bool closed = false;
};

// Gathers the payloads of the leading handshake records (a partial last record contributes
// the bytes present). kNotTls when the first record header is not a TLS handshake header.
TlsParseStatus GatherHandshake(std::span<const uint8_t> input, HandshakeStream* out) {
  ByteReader r(input);
  bool first = true;
  out->bytes.clear();
  out->bytes.reserve(std::min(input.size(), kTlsMaxHandshakeBytes));
  while (r.remaining() > 0) {
    if (r.remaining() < 5) {
      if (first) {
        if (r.PeekU8(0) != kContentHandshake) return TlsParseStatus::kNotTls;
        if (r.remaining() >= 2 && r.PeekU8(1) != 3) return TlsParseStatus::kNotTls;
      } else if (r.PeekU8(0) != kContentHandshake) {
        out->closed = true;
      }
      break;
    }
    const uint8_t type = r.U8();
    const uint16_t version = r.U16Be();
    const uint16_t length = r.U16Be();
    const bool bad_header = (version >> 8) != 3 || length == 0 || length > kTlsMaxRecordBytes;
    if (first) {
      if (type != kContentHandshake || bad_header) return TlsParseStatus::kNotTls;
      out->first_record_version = version;
      first = false;
    } else if (type != kContentHandshake) {
      out->closed = true;
      break;
    } else if (bad_header) {
      return TlsParseStatus::kMalformed;
    }
    size_t take = std::min<size_t>(length, r.remaining());
    if (out->bytes.size() + take >= kTlsMaxHandshakeBytes) {
      take = kTlsMaxHandshakeBytes - out->bytes.size();
      out->closed = true;
    }
    const uint8_t* p = r.current();
    out->bytes.insert(out->bytes.end(), p, p + take);
    r.Skip(take);
    if (out->closed) break;
  }
  return TlsParseStatus::kOk;
}

// Finds the complete handshake message at `offset` of the stream. kOk with `body` set;
// kNeedMore when it may still arrive; kMalformed when it cannot (stream closed).
TlsParseStatus MessageAt(const HandshakeStream& s, size_t offset, uint8_t* type,
                         std::span<const uint8_t>* body) {
  const size_t available = s.bytes.size() > offset ? s.bytes.size() - offset : 0;
  const TlsParseStatus short_status = s.closed ? TlsParseStatus::kMalformed
                                               : TlsParseStatus::kNeedMore;
  if (available < 4) return short_status;
  ByteReader r(s.bytes.data() + offset, available);
  *type = r.U8();
  const uint32_t length = r.U24Be();
  if (length > kTlsMaxHandshakeBytes) return TlsParseStatus::kMalformed;
  if (r.remaining() < length) return short_status;
  *body = {r.current(), length};
  return TlsParseStatus::kOk;
}

// The shared start of both hello parsers: gathers the handshake stream from `bytes` and finds
// its first message, which must be of `expected_type` (else kNotTls). kOk with `body` set.
TlsParseStatus FirstHandshakeMessage(std::span<const uint8_t> bytes, uint8_t expected_type,
                                     HandshakeStream* stream, std::span<const uint8_t>* body) {
  if (bytes.empty()) return TlsParseStatus::kNeedMore;
  TlsParseStatus status = GatherHandshake(bytes, stream);
  if (status != TlsParseStatus::kOk) return status;
  if (!stream->bytes.empty() && stream->bytes[0] != expected_type) return TlsParseStatus::kNotTls;
  uint8_t type = 0;
  return MessageAt(*stream, 0, &type, body);
}

void ReadU16List(ByteReader r, std::vector<uint16_t>* out) {
  while (r.remaining() >= 2) out->push_back(r.U16Be());
}

std::string BoundedString(std::span<const uint8_t> bytes) {
  const size_t n = std::min(bytes.size(), kMaxNameBytes);
  return std::string(reinterpret_cast<const char*>(bytes.data()), n);
}

void ParseServerName(ByteReader r, TlsClientHello* out) {
  ByteReader list = r.Sub(r.U16Be());
  while (list.ok() && list.remaining() >= 3) {
    const uint8_t name_type = list.U8();
    ByteReader name = list.Sub(list.U16Be());
    if (!list.ok()) return;
    if (name_type == 0) {
      out->sni = BoundedString(name.rest());
      return;
    }
  }
}

void ParseAlpn(ByteReader r, TlsClientHello* out) {
  ByteReader list = r.Sub(r.U16Be());
  while (list.ok() && list.remaining() >= 1 && out->alpn.size() < kMaxAlpnValues) {
    ByteReader proto = list.Sub(list.U8());
    if (!list.ok()) return;
    out->alpn.push_back(BoundedString(proto.rest()));
  }
}

// Extension bodies that break their own inner lengths are kept as far as they parsed: the
// extension still counts in the fingerprints, as it does for JA3/JA4 implementations.
void ParseClientExtension(uint16_t type, ByteReader data, TlsClientHello* out) {
  switch (type) {
    case kExtServerName:
      out->has_sni_extension = true;
      ParseServerName(data, out);
      break;
    case kExtSupportedGroups:
      ReadU16List(data.Sub(data.U16Be()), &out->supported_groups);
      break;
    case kExtEcPointFormats: {
      ByteReader list = data.Sub(data.U8());
      while (list.remaining() > 0) out->ec_point_formats.push_back(list.U8());
      break;
    }
    case kExtSignatureAlgorithms:
      ReadU16List(data.Sub(data.U16Be()), &out->signature_algorithms);
      break;
    case kExtAlpn:
      ParseAlpn(data, out);
      break;
    case kExtSupportedVersions:
      ReadU16List(data.Sub(data.U8()), &out->supported_versions);
      break;
    default:
      break;
  }
}

TlsParseStatus ParseClientHelloBody(std::span<const uint8_t> body, TlsClientHello* out) {
  ByteReader r(body);
  out->legacy_version = r.U16Be();
  r.Skip(32);  // random
  const uint8_t session_id_length = r.U8();
  if (session_id_length > 32) return TlsParseStatus::kMalformed;
  r.Skip(session_id_length);
  const uint16_t cipher_bytes = r.U16Be();
  if (cipher_bytes % 2 != 0) return TlsParseStatus::kMalformed;
  ReadU16List(r.Sub(cipher_bytes), &out->cipher_suites);
  r.Skip(r.U8());  // compression methods
  if (!r.ok()) return TlsParseStatus::kMalformed;
  if (r.remaining() == 0) return TlsParseStatus::kOk;  // no extensions (SSL 3.0 style)
  ByteReader extensions = r.Sub(r.U16Be());
  if (!r.ok()) return TlsParseStatus::kMalformed;
  while (extensions.remaining() > 0) {
    const uint16_t type = extensions.U16Be();
    ByteReader data = extensions.Sub(extensions.U16Be());
    if (!extensions.ok()) return TlsParseStatus::kMalformed;
    out->extensions.push_back(type);
    ParseClientExtension(type, data, out);
  }
  return TlsParseStatus::kOk;
}

std::string_view Ja4Version(uint16_t v) {
  switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
  }
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHex4(uint16_t v, std::string* out) {
  const char digits[4] = {kHexDigits[v >> 12], kHexDigits[(v >> 8) & 0xf],
                          kHexDigits[(v >> 4) & 0xf], kHexDigits[v & 0xf]};
  out->append(digits, 4);
}

void AppendCount(size_t n, std::string* out) {
  n = std::min<size_t>(n, 99);
  out->push_back(static_cast<char>('0' + n / 10));
  out->push_back(static_cast<char>('0' + n % 10));
}

template <typename T>
void AppendDecimalList(const std::vector<T>& values, bool drop_grease, std::string* out) {
  bool first = true;
  for (T v : values) {
    if (drop_grease && IsTlsGrease(v)) continue;
    if (!first) out->push_back('-');
    out->append(std::to_string(v));
    first = false;
  }
}

std::vector<uint16_t> WithoutGrease(const std::vector<uint16_t>& values) {
  std::vector<uint16_t> kept;
  kept.reserve(values.size());
  for (uint16_t v : values) {
    if (!IsTlsGrease(v)) kept.push_back(v);
  }
  return kept;
}

std::string HexList(const std::vector<uint16_t>& values) {
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) s.push_back(',');
    AppendHex4(values[i], &s);
  }
  return s;
}

struct Ja4Parts {
  std::string a, ciphers, extensions;  // extensions includes "_sigalgs" when present
};

Ja4Parts MakeJa4Parts(const TlsClientHello& hello, char transport) {
  Ja4Parts p;
  const std::vector<uint16_t> ciphers = WithoutGrease(hello.cipher_suites);
  const std::vector<uint16_t> extensions = WithoutGrease(hello.extensions);
  p.a.push_back(transport);
  p.a.append(Ja4Version(TlsOfferedVersion(hello)));
  p.a.push_back(hello.has_sni_extension ? 'd' : 'i');
  AppendCount(ciphers.size(), &p.a);
  AppendCount(extensions.size(), &p.a);
  if (hello.alpn.empty() || hello.alpn.front().empty()) {
    p.a.append("00");
  } else {
    const std::string& first = hello.alpn.front();
    const char c0 = first.front();
    const char c1 = first.back();
    if (IsAlnum(c0) && IsAlnum(c1)) {
      p.a.push_back(c0);
      p.a.push_back(c1);
    } else {
      p.a.push_back(kHexDigits[static_cast<uint8_t>(c0) >> 4]);
      p.a.push_back(kHexDigits[static_cast<uint8_t>(c1) & 0xf]);
    }
  }
  std::vector<uint16_t> sorted_ciphers = ciphers;
  std::sort(sorted_ciphers.begin(), sorted_ciphers.end());
  p.ciphers = HexList(sorted_ciphers);
  std::vector<uint16_t> sorted_extensions;
  for (uint16_t e : extensions) {
    if (e != kExtServerName && e != kExtAlpn) sorted_extensions.push_back(e);
  }
  std::sort(sorted_extensions.begin(), sorted_extensions.end());
  p.extensions = HexList(sorted_extensions);
  if (!hello.signature_algorithms.empty()) {
    p.extensions.push_back('_');
    p.extensions.append(HexList(hello.signature_algorithms));
  }
  return p;
}

std::string Ja4Hash12(const std::string& s) {
  if (s.empty()) return "000000000000";
  return Sha256Hex(std::string_view(s)).substr(0, 12);
}

// --- minimal DER walk for certificate names ---

// Reads one TLV with a low tag number and a definite length of at most 4 length bytes.
bool ReadTlv(ByteReader* r, uint8_t* tag, ByteReader* content) {
  *tag = r->U8();
  if ((*tag & 0x1f) == 0x1f) return false;
  uint32_t length = r->U8();
  if (length & 0x80) {
    const uint32_t n = length & 0x7f;
    if (n == 0 || n > 4) return false;
    length = 0;
    for (uint32_t i = 0; i < n; ++i) length = (length << 8) | r->U8();
  }
  if (!r->ok()) return false;
  *content = r->Sub(length);
  return r->ok();
}

std::string DerStringValue(uint8_t tag, ByteReader value) {
  switch (tag) {
    case 0x0c:  // UTF8String
    case 0x13:  // PrintableString
    case 0x14:  // TeletexString
    case 0x16:  // IA5String
      return BoundedString(value.rest());
    case 0x1e: {  // BMPString: keep the low byte of each UCS-2 code unit
      std::string s;
      while (value.remaining() >= 2 && s.size() < kMaxNameBytes) {
        const uint16_t c = value.U16Be();
        s.push_back(c < 0x80 ? static_cast<char>(c) : '?');
      }
      return s;
    }
    default:
      return {};
  }
}

// First commonName (OID 2.5.4.3) of an X.509 Name.
std::string CommonName(ByteReader name) {
  static constexpr uint8_t kCnOid[] = {0x55, 0x04, 0x03};
  for (int i = 0; i < kMaxDerNameEntries && name.remaining() > 0; ++i) {
    uint8_t tag = 0;
    ByteReader rdn;
    if (!ReadTlv(&name, &tag, &rdn) || tag != 0x31) return {};
    while (rdn.remaining() > 0) {
      ByteReader attribute;
      if (!ReadTlv(&rdn, &tag, &attribute) || tag != 0x30) return {};
      ByteReader oid;
      if (!ReadTlv(&attribute, &tag, &oid) || tag != 0x06) return {};
      if (oid.remaining() == sizeof(kCnOid) &&
          std::equal(kCnOid, kCnOid + sizeof(kCnOid), oid.current())) {
        ByteReader value;
        if (!ReadTlv(&attribute, &tag, &value)) return {};
        return DerStringValue(tag, value);
      }
    }
  }
  return {};
}

}  // namespace

std::string_view TlsParseStatusName(TlsParseStatus s) {
  switch (s) {
    case TlsParseStatus::kNeedMore: return "need_more";
    case TlsParseStatus::kOk: return "ok";
    case TlsParseStatus::kNotTls: return "not_tls";
    case TlsParseStatus::kMalformed: return "malformed";
  }
  return "unknown";
}

TlsParseStatus ParseTlsClientHello(std::span<const uint8_t> client_bytes, TlsClientHello* out) {
  *out = TlsClientHello{};
  HandshakeStream stream;
  std::span<const uint8_t> body;
  TlsParseStatus status =
      FirstHandshakeMessage(client_bytes, kHandshakeClientHello, &stream, &body);
  if (status != TlsParseStatus::kOk) return status;
  out->record_version = stream.first_record_version;
  status = ParseClientHelloBody(body, out);
  if (status != TlsParseStatus::kOk) *out = TlsClientHello{};
  return status;
}

uint16_t TlsOfferedVersion(const TlsClientHello& hello) {
  uint16_t best = 0;
  for (uint16_t v : hello.supported_versions) {
    if (!IsTlsGrease(v)) best = std::max(best, v);
  }
  return best != 0 ? best : hello.legacy_version;
}

std::string Ja3String(const TlsClientHello& hello) {
  std::string s = std::to_string(hello.legacy_version);
  s.push_back(',');
  AppendDecimalList(hello.cipher_suites, true, &s);
  s.push_back(',');
  AppendDecimalList(hello.extensions, true, &s);
  s.push_back(',');
  AppendDecimalList(hello.supported_groups, true, &s);
  s.push_back(',');
  AppendDecimalList(hello.ec_point_formats, false, &s);
  return s;
}

std::string Ja3Hash(const TlsClientHello& hello) { return Md5Hex(std::string_view(Ja3String(hello))); }

std::string Ja4(const TlsClientHello& hello, char transport) {
  const Ja4Parts p = MakeJa4Parts(hello, transport);
  return p.a + "_" + Ja4Hash12(p.ciphers) + "_" + Ja4Hash12(p.extensions);
}

std::string Ja4Raw(const TlsClientHello& hello, char transport) {
  const Ja4Parts p = MakeJa4Parts(hello, transport);
  return p.a + "_" + p.ciphers + "_" + p.extensions;
}

TlsParseStatus ParseTlsServerHello(std::span<const uint8_t> server_bytes, TlsServerHello* out,
                                   TlsParseStatus* certificate_status) {
  *out = TlsServerHello{};
  TlsParseStatus cert_status_storage = TlsParseStatus::kNeedMore;
  TlsParseStatus* cert_status =
      certificate_status != nullptr ? certificate_status : &cert_status_storage;
  *cert_status = TlsParseStatus::kNeedMore;
  HandshakeStream stream;
  std::span<const uint8_t> body;
  TlsParseStatus status =
      FirstHandshakeMessage(server_bytes, kHandshakeServerHello, &stream, &body);
  if (status != TlsParseStatus::kOk) return status;

  ByteReader r(body);
  out->legacy_version = r.U16Be();
  r.Skip(32);  // random
  const uint8_t session_id_length = r.U8();
  if (session_id_length > 32) return TlsParseStatus::kMalformed;
  r.Skip(session_id_length);
  out->cipher_suite = r.U16Be();
  r.U8();  // compression method
  if (!r.ok()) {
    *out = TlsServerHello{};
    return TlsParseStatus::kMalformed;
  }
  if (r.remaining() > 0) {
    ByteReader extensions = r.Sub(r.U16Be());
    while (r.ok() && extensions.remaining() > 0) {
      const uint16_t ext_type = extensions.U16Be();
      ByteReader data = extensions.Sub(extensions.U16Be());
      if (!extensions.ok()) break;
      out->extensions.push_back(ext_type);
      if (ext_type == kExtSupportedVersions) out->selected_version = data.U16Be();
    }
    if (!r.ok() || !extensions.ok()) {
      *out = TlsServerHello{};
      return TlsParseStatus::kMalformed;
    }
  }

  // The Certificate message follows the ServerHello only up to TLS 1.2 (full handshakes).
  if (out->version() >= 0x0304 || out->version() < 0x0300) {
    *cert_status = TlsParseStatus::kNotTls;
    return TlsParseStatus::kOk;
  }
  const size_t next = 4 + body.size();
  uint8_t type = 0;
  const TlsParseStatus next_status = MessageAt(stream, next, &type, &body);
  if (stream.bytes.size() >= next + 1 && stream.bytes[next] != kHandshakeCertificate) {
    *cert_status = TlsParseStatus::kNotTls;  // e.g. ServerHelloDone/Finished of a resumption
    return TlsParseStatus::kOk;
  }
  if (next_status != TlsParseStatus::kOk) {
    *cert_status = stream.closed ? TlsParseStatus::kNotTls : TlsParseStatus::kNeedMore;
    return TlsParseStatus::kOk;
  }
  ByteReader cert_message(body);
  ByteReader list = cert_message.Sub(cert_message.U24Be());
  ByteReader der = list.Sub(list.U24Be());
  if (!cert_message.ok() || !list.ok() || der.remaining() == 0) {
    *cert_status = TlsParseStatus::kMalformed;
    return TlsParseStatus::kOk;
  }
  out->has_certificate = true;
  out->cert_sha1 = Sha1Hex(der.rest());
  out->cert_sha256 = Sha256Hex(der.rest());
  ParseCertificateNames(der.rest(), &out->cert_subject_cn, &out->cert_issuer_cn);
  *cert_status = TlsParseStatus::kOk;
  return TlsParseStatus::kOk;
}

bool ParseCertificateNames(std::span<const uint8_t> der, std::string* subject_cn,
                           std::string* issuer_cn) {
  subject_cn->clear();
  issuer_cn->clear();
  ByteReader r(der);
  uint8_t tag = 0;
  ByteReader certificate;
  if (!ReadTlv(&r, &tag, &certificate) || tag != 0x30) return false;
  ByteReader tbs;
  if (!ReadTlv(&certificate, &tag, &tbs) || tag != 0x30) return false;
  ByteReader field;
  if (!ReadTlv(&tbs, &tag, &field)) return false;
  if (tag == 0xa0 && !ReadTlv(&tbs, &tag, &field)) return false;  // [0] version, then serial
  if (tag != 0x02) return false;
  if (!ReadTlv(&tbs, &tag, &field) || tag != 0x30) return false;  // signature algorithm
  ByteReader issuer;
  if (!ReadTlv(&tbs, &tag, &issuer) || tag != 0x30) return false;
  if (!ReadTlv(&tbs, &tag, &field) || tag != 0x30) return false;  // validity
  ByteReader subject;
  if (!ReadTlv(&tbs, &tag, &subject) || tag != 0x30) return false;
  *issuer_cn = CommonName(issuer);
  *subject_cn = CommonName(subject);
  return true;
}

}  // namespace quench

// Builders for hand-made TLS handshakes used by tls_test.cc and the tls fuzz seeds.
// Test-only; header-only; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace quench::tls_test {

using Bytes = std::vector<uint8_t>;

inline void Put16(Bytes* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
inline void Put24(Bytes* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 16));
  Put16(b, v & 0xffff);
}
inline void Append(Bytes* b, const Bytes& more) { b->insert(b->end(), more.begin(), more.end()); }

struct Extension {
  uint16_t type;
  Bytes data;
};

inline Extension Sni(const std::string& name) {
  Bytes d;
  Put16(&d, static_cast<uint32_t>(name.size() + 3));
  d.push_back(0);
  Put16(&d, static_cast<uint32_t>(name.size()));
  d.insert(d.end(), name.begin(), name.end());
  return {0x0000, d};
}
inline Extension Alpn(const std::vector<std::string>& protos) {
  Bytes list;
  for (const auto& p : protos) {
    list.push_back(static_cast<uint8_t>(p.size()));
    list.insert(list.end(), p.begin(), p.end());
  }
  Bytes d;
  Put16(&d, static_cast<uint32_t>(list.size()));
  Append(&d, list);
  return {0x0010, d};
}
inline Extension U16ListExt(uint16_t type, const std::vector<uint16_t>& values, bool u8_len) {
  Bytes d;
  const uint32_t n = static_cast<uint32_t>(values.size() * 2);
  if (u8_len) {
    d.push_back(static_cast<uint8_t>(n));
  } else {
    Put16(&d, n);
  }
  for (uint16_t v : values) Put16(&d, v);
  return {type, d};
}
inline Extension Groups(const std::vector<uint16_t>& g) { return U16ListExt(0x000a, g, false); }
inline Extension SigAlgs(const std::vector<uint16_t>& s) { return U16ListExt(0x000d, s, false); }
inline Extension Versions(const std::vector<uint16_t>& v) { return U16ListExt(0x002b, v, true); }
inline Extension PointFormats(const Bytes& formats) {
  Bytes d;
  d.push_back(static_cast<uint8_t>(formats.size()));
  Append(&d, formats);
  return {0x000b, d};
}
inline Extension Empty(uint16_t type) { return {type, {}}; }

// A handshake message: type, 24-bit length, body.
inline Bytes Handshake(uint8_t type, const Bytes& body) {
  Bytes m;
  m.push_back(type);
  Put24(&m, static_cast<uint32_t>(body.size()));
  Append(&m, body);
  return m;
}

inline Bytes ExtensionBlock(const std::vector<Extension>& extensions) {
  Bytes ext;
  for (const auto& e : extensions) {
    Put16(&ext, e.type);
    Put16(&ext, static_cast<uint32_t>(e.data.size()));
    Append(&ext, e.data);
  }
  Bytes b;
  Put16(&b, static_cast<uint32_t>(ext.size()));
  Append(&b, ext);
  return b;
}

inline Bytes ClientHelloMessage(uint16_t version, const std::vector<uint16_t>& ciphers,
                                const std::vector<Extension>& extensions) {
  Bytes b;
  Put16(&b, version);
  b.insert(b.end(), 32, 0x11);  // random
  b.push_back(32);              // session id
  b.insert(b.end(), 32, 0x22);
  Put16(&b, static_cast<uint32_t>(ciphers.size() * 2));
  for (uint16_t c : ciphers) Put16(&b, c);
  b.push_back(1);  // compression methods: null
  b.push_back(0);
  Append(&b, ExtensionBlock(extensions));
  return Handshake(1, b);
}

inline Bytes ServerHelloMessage(uint16_t version, uint16_t cipher,
                                const std::vector<Extension>& extensions) {
  Bytes b;
  Put16(&b, version);
  b.insert(b.end(), 32, 0x33);
  b.push_back(0);  // empty session id
  Put16(&b, cipher);
  b.push_back(0);
  Append(&b, ExtensionBlock(extensions));
  return Handshake(2, b);
}

// Wraps handshake bytes in records of at most `max_payload` bytes each.
inline Bytes Records(const Bytes& handshake, size_t max_payload = 16384, uint8_t type = 22) {
  Bytes out;
  for (size_t pos = 0; pos < handshake.size(); pos += max_payload) {
    const size_t n = std::min(max_payload, handshake.size() - pos);
    out.push_back(type);
    Put16(&out, 0x0301);
    Put16(&out, static_cast<uint32_t>(n));
    out.insert(out.end(), handshake.begin() + static_cast<std::ptrdiff_t>(pos),
               handshake.begin() + static_cast<std::ptrdiff_t>(pos + n));
  }
  return out;
}

// DER helpers for a tiny certificate.
inline Bytes Tlv(uint8_t tag, const Bytes& content) {
  Bytes b;
  b.push_back(tag);
  if (content.size() < 0x80) {
    b.push_back(static_cast<uint8_t>(content.size()));
  } else {
    b.push_back(0x82);
    Put16(&b, static_cast<uint32_t>(content.size()));
  }
  Append(&b, content);
  return b;
}
inline Bytes CnName(const std::string& cn) {
  Bytes value(cn.begin(), cn.end());
  Bytes attribute = Tlv(0x06, {0x55, 0x04, 0x03});
  Append(&attribute, Tlv(0x0c, value));
  Bytes country = Tlv(0x06, {0x55, 0x04, 0x06});
  Append(&country, Tlv(0x13, {'Z', 'Z'}));
  Bytes name = Tlv(0x31, Tlv(0x30, country));
  Append(&name, Tlv(0x31, Tlv(0x30, attribute)));
  return Tlv(0x30, name);
}
inline Bytes TinyCertificate(const std::string& subject, const std::string& issuer) {
  Bytes tbs = Tlv(0xa0, Tlv(0x02, {0x02}));
  Append(&tbs, Tlv(0x02, {0x01, 0x23}));
  Bytes alg = Tlv(0x30, Tlv(0x06, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}));
  Append(&tbs, alg);
  Append(&tbs, CnName(issuer));
  Append(&tbs, Tlv(0x30, {}));
  Append(&tbs, CnName(subject));
  Bytes cert = Tlv(0x30, tbs);
  Append(&cert, alg);
  Append(&cert, Tlv(0x03, {0x00, 0x01, 0x02}));
  return Tlv(0x30, cert);
}
inline Bytes CertificateMessage(const Bytes& der) {
  Bytes b;
  Put24(&b, static_cast<uint32_t>(der.size() + 3));
  Put24(&b, static_cast<uint32_t>(der.size()));
  Append(&b, der);
  return Handshake(11, b);
}

}  // namespace quench::tls_test

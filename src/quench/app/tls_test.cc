#include "quench/app/tls.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "quench/app/hash.h"
#include "quench/app/tls_test_util.h"

namespace quench {
namespace {

using namespace tls_test;  // NOLINT: test builders

std::span<const uint8_t> Prefix(const Bytes& b, size_t n) { return {b.data(), n}; }

TEST(HashTest, KnownDigests) {
  EXPECT_EQ(Md5Hex(std::string_view("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Sha1Hex(std::string_view("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha256Hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const Bytes abc = {'a', 'b', 'c'};
  EXPECT_EQ(Sha1Hex(std::span<const uint8_t>(abc)), Sha1Hex(std::string_view("abc")));
}

TEST(TlsGreaseTest, RecognisesAllSixteenValues) {
  int count = 0;
  for (uint32_t v = 0; v <= 0xffff; ++v) count += IsTlsGrease(static_cast<uint16_t>(v)) ? 1 : 0;
  EXPECT_EQ(count, 16);
  EXPECT_TRUE(IsTlsGrease(0x0a0a));
  EXPECT_TRUE(IsTlsGrease(0xfafa));
  EXPECT_FALSE(IsTlsGrease(0x0a1a));
}

// The example from Salesforce's JA3 README:
// 769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0
Bytes Ja3ReadmeHello(bool with_grease) {
  std::vector<uint16_t> ciphers = {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
  std::vector<Extension> exts = {Sni("example.com"), Groups({23, 24, 25}), PointFormats({0})};
  if (with_grease) {
    ciphers.insert(ciphers.begin(), 0x2a2a);
    exts.insert(exts.begin(), Empty(0x5a5a));
    exts[2] = Groups({0xbaba, 23, 24, 25});
    exts.push_back({0xeaea, {0}});
  }
  return Records(ClientHelloMessage(0x0301, ciphers, exts));
}

TEST(TlsClientHelloTest, Ja3ReadmeVector) {
  TlsClientHello hello;
  ASSERT_EQ(ParseTlsClientHello(Ja3ReadmeHello(false), &hello), TlsParseStatus::kOk);
  EXPECT_EQ(hello.sni, "example.com");
  EXPECT_EQ(hello.legacy_version, 0x0301);
  EXPECT_EQ(hello.record_version, 0x0301);
  EXPECT_EQ(Ja3String(hello), "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
  EXPECT_EQ(Ja3Hash(hello), "ada70206e40642a3e4461f35503241d5");
}

TEST(TlsClientHelloTest, GreaseIsDroppedFromJa3ButKeptInFields) {
  TlsClientHello hello;
  ASSERT_EQ(ParseTlsClientHello(Ja3ReadmeHello(true), &hello), TlsParseStatus::kOk);
  EXPECT_EQ(hello.cipher_suites.front(), 0x2a2a);
  EXPECT_EQ(hello.extensions.size(), 5u);
  EXPECT_EQ(Ja3Hash(hello), "ada70206e40642a3e4461f35503241d5");
}

// FoxIO's JA4 README example: t13d1516h2_8daaf6152771_e5627efa2ab1.
Bytes Ja4ReadmeHello() {
  const std::vector<uint16_t> ciphers = {0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
                                         0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
                                         0x009d, 0x002f, 0x0035};
  const std::vector<uint16_t> sigalgs = {0x0403, 0x0804, 0x0401, 0x0503,
                                         0x0805, 0x0501, 0x0806, 0x0601};
  const std::vector<Extension> exts = {
      Empty(0x3a3a), Sni("www.example.org"), Empty(0x0017), Empty(0xff01),
      Groups({0x4a4a, 0x001d, 0x0017, 0x0018}), PointFormats({0}), Empty(0x0023),
      Alpn({"h2", "http/1.1"}), Empty(0x0005), SigAlgs(sigalgs), Empty(0x0012),
      Empty(0x0033), Empty(0x002d), Versions({0x6a6a, 0x0304, 0x0303}), Empty(0x001b),
      Empty(0x4469), Empty(0x0015), Empty(0x9a9a)};
  return Records(ClientHelloMessage(0x0303, ciphers, exts));
}

TEST(TlsClientHelloTest, Ja4ReadmeVector) {
  TlsClientHello hello;
  ASSERT_EQ(ParseTlsClientHello(Ja4ReadmeHello(), &hello), TlsParseStatus::kOk);
  EXPECT_EQ(TlsOfferedVersion(hello), 0x0304);
  ASSERT_EQ(hello.alpn.size(), 2u);
  EXPECT_EQ(hello.alpn[0], "h2");
  EXPECT_EQ(hello.alpn[1], "http/1.1");
  EXPECT_EQ(hello.supported_versions, (std::vector<uint16_t>{0x6a6a, 0x0304, 0x0303}));
  EXPECT_EQ(hello.ec_point_formats, (std::vector<uint8_t>{0}));
  EXPECT_EQ(hello.signature_algorithms.size(), 8u);
  EXPECT_EQ(Ja4(hello), "t13d1516h2_8daaf6152771_e5627efa2ab1");
  EXPECT_EQ(Ja4Raw(hello),
            "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,"
            "cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,"
            "0804,0401,0503,0805,0501,0806,0601");
}

TEST(TlsClientHelloTest, Ja4WithoutSniAlpnOrSignatureAlgorithms) {
  TlsClientHello hello;
  const Bytes bytes = Records(ClientHelloMessage(0x0303, {0x002f}, {Groups({23})}));
  ASSERT_EQ(ParseTlsClientHello(bytes, &hello), TlsParseStatus::kOk);
  EXPECT_FALSE(hello.has_sni_extension);
  EXPECT_EQ(Ja4Raw(hello), "t12i010100_002f_000a");
  EXPECT_EQ(Ja4(hello).substr(0, 11), "t12i010100_");
  EXPECT_EQ(Ja4(hello).substr(24), Sha256Hex(std::string_view("000a")).substr(0, 12));
}

TEST(TlsClientHelloTest, Ja4EmptyListsHashToZeros) {
  TlsClientHello hello;
  const Bytes bytes = Records(ClientHelloMessage(0x0301, {}, {}));
  ASSERT_EQ(ParseTlsClientHello(bytes, &hello), TlsParseStatus::kOk);
  EXPECT_EQ(Ja4(hello), "t10i000000_000000000000_000000000000");
  EXPECT_EQ(Ja3String(hello), "769,,,,");
}

TEST(TlsClientHelloTest, Ja4NonAlphanumericAlpnUsesHex) {
  TlsClientHello hello;
  const Bytes bytes =
      Records(ClientHelloMessage(0x0303, {0x1301}, {Alpn({std::string("\xab\x01\xcd", 3)})}));
  ASSERT_EQ(ParseTlsClientHello(bytes, &hello), TlsParseStatus::kOk);
  EXPECT_EQ(Ja4(hello).substr(0, 10), "t12i0101ad");
}

TEST(TlsClientHelloTest, HandshakeSpanningRecordsAndSegments) {
  const Bytes message = ClientHelloMessage(0x0303, {0x1301, 0xc02f},
                                           {Sni("router.example.net"), Alpn({"http/1.1"})});
  const Bytes one_record = Records(message);
  const Bytes three_records = Records(message, 40);
  ASSERT_GT(three_records.size(), one_record.size() + 5);
  TlsClientHello a, b;
  ASSERT_EQ(ParseTlsClientHello(one_record, &a), TlsParseStatus::kOk);
  ASSERT_EQ(ParseTlsClientHello(three_records, &b), TlsParseStatus::kOk);
  EXPECT_EQ(b.sni, "router.example.net");
  EXPECT_EQ(Ja3String(a), Ja3String(b));
  EXPECT_EQ(Ja4(a), Ja4(b));
  // Two TCP segments, split anywhere: the first part alone needs more, the whole parses.
  for (const Bytes* bytes : {&one_record, &three_records}) {
    for (size_t cut = 1; cut < bytes->size(); ++cut) {
      TlsClientHello h;
      EXPECT_EQ(ParseTlsClientHello(Prefix(*bytes, cut), &h), TlsParseStatus::kNeedMore)
          << "cut at " << cut;
    }
  }
}

TEST(TlsClientHelloTest, TruncationAtEveryOffsetNeedsMoreOrIsMalformed) {
  const Bytes full = Ja4ReadmeHello();
  for (size_t cut = 0; cut < full.size(); ++cut) {
    TlsClientHello h;
    EXPECT_EQ(ParseTlsClientHello(Prefix(full, cut), &h), TlsParseStatus::kNeedMore) << cut;
    // The same prefix followed by a non-handshake record can never complete.
    if (cut > 5) {
      Bytes closed(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
      const Bytes alert = {21, 3, 3, 0, 2, 2, 40};
      closed.insert(closed.end(), alert.begin(), alert.end());
      // A cut inside a record header makes the alert bytes part of that header.
      const TlsParseStatus s = ParseTlsClientHello(closed, &h);
      EXPECT_NE(s, TlsParseStatus::kOk) << cut;
    }
  }
}

TEST(TlsClientHelloTest, NotTlsAndMalformed) {
  TlsClientHello h;
  const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  const Bytes http_bytes(http.begin(), http.end());
  EXPECT_EQ(ParseTlsClientHello(http_bytes, &h), TlsParseStatus::kNotTls);
  EXPECT_EQ(ParseTlsClientHello(Prefix(http_bytes, 1), &h), TlsParseStatus::kNotTls);
  const Bytes ssh = {'S', 'S', 'H', '-', '2'};
  EXPECT_EQ(ParseTlsClientHello(ssh, &h), TlsParseStatus::kNotTls);
  // A ServerHello is a handshake but not a ClientHello.
  EXPECT_EQ(ParseTlsClientHello(Records(ServerHelloMessage(0x0303, 0x1301, {})), &h),
            TlsParseStatus::kNotTls);
  // Session id longer than 32 bytes.
  Bytes bad = ClientHelloMessage(0x0303, {0x1301}, {});
  bad[4 + 2 + 32] = 33;
  EXPECT_EQ(ParseTlsClientHello(Records(bad), &h), TlsParseStatus::kMalformed);
  // Extension block length larger than what is left of the message.
  Bytes bad_ext = ClientHelloMessage(0x0303, {0x1301}, {Sni("a.example")});
  const size_t ext_len_at = 4 + 2 + 32 + 1 + 32 + 2 + 2 + 2;
  bad_ext[ext_len_at] = 0x7f;
  EXPECT_EQ(ParseTlsClientHello(Records(bad_ext), &h), TlsParseStatus::kMalformed);
  EXPECT_TRUE(h.cipher_suites.empty()) << "output is cleared on failure";
}

TEST(TlsServerHelloTest, Tls12WithCertificate) {
  const Bytes der = TinyCertificate("router.example.net", "Example CA");
  Bytes flight = ServerHelloMessage(0x0303, 0xc02f, {Empty(0xff01), PointFormats({0})});
  Append(&flight, CertificateMessage(der));
  const Bytes bytes = Records(flight, 100);
  TlsServerHello sh;
  TlsParseStatus cert = TlsParseStatus::kNeedMore;
  ASSERT_EQ(ParseTlsServerHello(bytes, &sh, &cert), TlsParseStatus::kOk);
  EXPECT_EQ(cert, TlsParseStatus::kOk);
  EXPECT_EQ(sh.version(), 0x0303);
  EXPECT_EQ(sh.cipher_suite, 0xc02f);
  EXPECT_EQ(sh.extensions, (std::vector<uint16_t>{0xff01, 0x000b}));
  ASSERT_TRUE(sh.has_certificate);
  EXPECT_EQ(sh.cert_sha1, Sha1Hex(std::span<const uint8_t>(der)));
  EXPECT_EQ(sh.cert_sha256, Sha256Hex(std::span<const uint8_t>(der)));
  EXPECT_EQ(sh.cert_subject_cn, "router.example.net");
  EXPECT_EQ(sh.cert_issuer_cn, "Example CA");
  // Truncated inside the certificate: the ServerHello is there, the certificate is pending.
  const size_t hello_end = 5 + ServerHelloMessage(0x0303, 0xc02f, {}).size() + 10;
  for (size_t cut = hello_end; cut < bytes.size(); ++cut) {
    TlsServerHello partial;
    TlsParseStatus s = ParseTlsServerHello(Prefix(bytes, cut), &partial, &cert);
    ASSERT_EQ(s, TlsParseStatus::kOk) << cut;
    EXPECT_EQ(cert, TlsParseStatus::kNeedMore) << cut;
    EXPECT_FALSE(partial.has_certificate);
  }
}

TEST(TlsServerHelloTest, Tls13HasNoCertificateInTheClear) {
  // supported_versions in a ServerHello is a bare u16: build it by hand.
  Bytes flight = ServerHelloMessage(0x0303, 0x1302, {{0x002b, {0x03, 0x04}}});
  TlsServerHello sh;
  TlsParseStatus cert = TlsParseStatus::kNeedMore;
  ASSERT_EQ(ParseTlsServerHello(Records(flight), &sh, &cert), TlsParseStatus::kOk);
  EXPECT_EQ(sh.selected_version, 0x0304);
  EXPECT_EQ(sh.version(), 0x0304);
  EXPECT_EQ(sh.cipher_suite, 0x1302);
  EXPECT_EQ(cert, TlsParseStatus::kNotTls);
}

TEST(TlsServerHelloTest, ResumedSessionHasNoCertificate) {
  Bytes flight = ServerHelloMessage(0x0303, 0xc02f, {});
  Append(&flight, Handshake(14, {}));  // ServerHelloDone stands in for "not a Certificate"
  TlsServerHello sh;
  TlsParseStatus cert = TlsParseStatus::kNeedMore;
  ASSERT_EQ(ParseTlsServerHello(Records(flight), &sh, &cert), TlsParseStatus::kOk);
  EXPECT_EQ(cert, TlsParseStatus::kNotTls);
  TlsClientHello ch;
  EXPECT_EQ(ParseTlsServerHello(Ja3ReadmeHello(false), &sh), TlsParseStatus::kNotTls);
  EXPECT_EQ(ParseTlsClientHello(Records(flight), &ch), TlsParseStatus::kNotTls);
}

TEST(CertificateNamesTest, RejectsNonCertificates) {
  std::string subject = "x", issuer = "y";
  const Bytes junk = {0x30, 0x03, 0x02, 0x01, 0x00};
  EXPECT_FALSE(ParseCertificateNames(junk, &subject, &issuer));
  EXPECT_TRUE(subject.empty());
  const Bytes der = TinyCertificate("a", "b");
  for (size_t cut = 0; cut < der.size(); ++cut) {
    EXPECT_FALSE(ParseCertificateNames(Prefix(der, cut), &subject, &issuer)) << cut;
  }
  EXPECT_TRUE(ParseCertificateNames(der, &subject, &issuer));
  EXPECT_EQ(subject, "a");
  EXPECT_EQ(issuer, "b");
}

}  // namespace
}  // namespace quench

#include "quench/app/http.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "quench/app/ntlmssp.h"

namespace quench {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Base64(const std::string& in) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) | static_cast<uint8_t>(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(kAlphabet[(v >> k) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint32_t{static_cast<uint8_t>(in[i])} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out += "=";
  }
  return out;
}

void PutU16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v & 0xff));
  s->push_back(static_cast<char>(v >> 8));
}
void PutU32(std::string* s, uint32_t v) {
  for (int k = 0; k < 4; ++k) s->push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}
void PutSecBuf(std::string* s, size_t len, size_t offset) {
  PutU16(s, static_cast<uint16_t>(len));
  PutU16(s, static_cast<uint16_t>(len));
  PutU32(s, static_cast<uint32_t>(offset));
}
std::string Utf16(const std::string& ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

const std::string kSig("NTLMSSP\0", 8);

std::string NtlmNegotiate() {
  std::string m = kSig;
  PutU32(&m, 1);
  PutU32(&m, 0x00003207);  // unicode, oem, request target, domain+workstation supplied
  PutSecBuf(&m, 4, 32);
  PutSecBuf(&m, 2, 36);
  m += "CORP";
  m += "WS";
  return m;
}

std::string NtlmChallenge() {
  std::string target = Utf16("CORP");
  std::string m = kSig;
  PutU32(&m, 2);
  PutSecBuf(&m, target.size(), 48);
  PutU32(&m, 0x00000001);
  m.append(8, '\x11');  // server challenge
  m.append(8, '\0');    // reserved
  PutSecBuf(&m, 0, 0);  // target info
  m += target;
  return m;
}

// AUTHENTICATE with the names in UTF-16LE (unicode) or OEM, and dummy LM/NT responses.
std::string NtlmAuthenticate(bool unicode, const std::string& user, const std::string& domain,
                             const std::string& workstation) {
  auto enc = [&](const std::string& s) { return unicode ? Utf16(s) : s; };
  std::string lm(24, '\x01');
  std::string nt(24, '\x02');
  std::string d = enc(domain);
  std::string u = enc(user);
  std::string w = enc(workstation);
  size_t off = 64;
  std::string m = kSig;
  PutU32(&m, 3);
  PutSecBuf(&m, lm.size(), off);
  PutSecBuf(&m, nt.size(), off + lm.size());
  size_t names = off + lm.size() + nt.size();
  PutSecBuf(&m, d.size(), names);
  PutSecBuf(&m, u.size(), names + d.size());
  PutSecBuf(&m, w.size(), names + d.size() + u.size());
  PutSecBuf(&m, 0, 0);  // session key
  PutU32(&m, unicode ? kNtlmFlagUnicode : kNtlmFlagOem);
  m += lm + nt + d + u + w;
  return m;
}

TEST(HttpRequestTest, BasicGet) {
  std::string req =
      "GET /index.html?a=1 HTTP/1.1\r\nHost: example.com\r\nuser-agent:  curl/8.0 \r\n"
      "Content-Type: text/plain\r\nAccept: */*\r\n\r\nbody";
  HttpRequest r;
  ASSERT_EQ(ParseHttpRequest(Bytes(req), &r), HttpParseStatus::kOk);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.uri, "/index.html?a=1");
  EXPECT_EQ(r.version, "HTTP/1.1");
  EXPECT_EQ(r.host, "example.com");
  EXPECT_EQ(r.user_agent, "curl/8.0");
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.header_count, 4);
  EXPECT_EQ(r.head_bytes, req.size() - 4);
  EXPECT_EQ(r.auth_scheme, HttpAuthScheme::kNone);
}

TEST(HttpRequestTest, SplitAtEveryOffsetNeedsMore) {
  std::string req = "POST /login HTTP/1.0\r\nHost: a.b\r\nUser-Agent: x\r\n\r\n";
  for (size_t n = 0; n < req.size(); ++n) {
    HttpRequest r;
    ASSERT_EQ(ParseHttpRequest(Bytes(req.substr(0, n)), &r), HttpParseStatus::kNeedMore)
        << "prefix " << n;
  }
  HttpRequest r;
  ASSERT_EQ(ParseHttpRequest(Bytes(req), &r), HttpParseStatus::kOk);
  EXPECT_EQ(r.host, "a.b");
  // After the request line and Host, fields seen so far are filled.
  std::string partial = req.substr(0, 35);
  ASSERT_EQ(ParseHttpRequest(Bytes(partial), &r), HttpParseStatus::kNeedMore);
  EXPECT_EQ(r.uri, "/login");
  EXPECT_EQ(r.host, "a.b");
}

TEST(HttpRequestTest, NotHttp) {
  HttpRequest r;
  EXPECT_EQ(ParseHttpRequest(Bytes(std::string("\x16\x03\x01\x00", 4)), &r),
            HttpParseStatus::kNotHttp);
  EXPECT_EQ(ParseHttpRequest(Bytes("SSH-2.0-OpenSSH\r\n"), &r), HttpParseStatus::kNotHttp);
  EXPECT_EQ(ParseHttpRequest(Bytes("get / HTTP/1.1\r\n"), &r), HttpParseStatus::kNotHttp);
  EXPECT_EQ(ParseHttpRequest(Bytes("GET /\r\n"), &r), HttpParseStatus::kNotHttp);
  EXPECT_EQ(ParseHttpRequest(Bytes("GET / FTP/1.0\r\n"), &r), HttpParseStatus::kNotHttp);
  EXPECT_EQ(ParseHttpRequest(Bytes(std::string(40, 'A')), &r), HttpParseStatus::kNotHttp);
}

TEST(HttpRequestTest, OversizedAndTooManyHeadersAreMalformed) {
  HttpRequest r;
  std::string long_line = "GET /" + std::string(kMaxHttpLineBytes, 'a');
  EXPECT_EQ(ParseHttpRequest(Bytes(long_line), &r), HttpParseStatus::kMalformed);
  std::string long_header =
      "GET / HTTP/1.1\r\nCookie: " + std::string(kMaxHttpLineBytes, 'c') + "\r\n\r\n";
  EXPECT_EQ(ParseHttpRequest(Bytes(long_header), &r), HttpParseStatus::kMalformed);
  std::string many = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i <= kMaxHttpHeaders; ++i) many += "X-A: b\r\n";
  EXPECT_EQ(ParseHttpRequest(Bytes(many + "\r\n"), &r), HttpParseStatus::kMalformed);
  EXPECT_EQ(r.header_count, kMaxHttpHeaders);  // the count never exceeds its cap
  EXPECT_EQ(ParseHttpRequest(Bytes("GET / HTTP/1.1\r\nno colon here\r\n\r\n"), &r),
            HttpParseStatus::kMalformed);
}

TEST(HttpRequestTest, Connect) {
  HttpRequest r;
  const std::string v4 = "CONNECT mail.example.com:443 HTTP/1.1\r\n\r\n";
  ASSERT_EQ(ParseHttpRequest(Bytes(v4), &r), HttpParseStatus::kOk);
  EXPECT_EQ(r.connect_host, "mail.example.com");
  EXPECT_EQ(r.connect_port, 443);
  const std::string v6 = "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n";
  ASSERT_EQ(ParseHttpRequest(Bytes(v6), &r), HttpParseStatus::kOk);
  EXPECT_EQ(r.connect_host, "2001:db8::1");
  EXPECT_EQ(r.connect_port, 8443);
  ASSERT_EQ(ParseHttpRequest(Bytes("CONNECT host:99999 HTTP/1.1\r\n\r\n"), &r),
            HttpParseStatus::kOk);
  EXPECT_EQ(r.connect_port, 0);
  EXPECT_EQ(r.connect_host, "");
}

TEST(HttpRequestTest, AuthSchemes) {
  struct Case {
    const char* header;
    HttpAuthScheme scheme;
  } cases[] = {
      {"Authorization: Basic dXNlcjpwYXNz", HttpAuthScheme::kBasic},
      {"Authorization: bearer abc.def", HttpAuthScheme::kBearer},
      {"Authorization: Digest username=\"u\"", HttpAuthScheme::kDigest},
      {"Authorization: AWS4-HMAC-SHA256 x", HttpAuthScheme::kOther},
      {"Authorization: Negotiate YIIB", HttpAuthScheme::kNegotiate},
  };
  for (const Case& c : cases) {
    HttpRequest r;
    ASSERT_EQ(ParseHttpRequest(Bytes(std::string("GET / HTTP/1.1\r\n") + c.header + "\r\n\r\n"), &r),
              HttpParseStatus::kOk)
        << c.header;
    EXPECT_EQ(r.auth_scheme, c.scheme) << c.header;
    EXPECT_FALSE(r.proxy_authorization);
    EXPECT_FALSE(r.has_ntlm);
  }
}

TEST(HttpRequestTest, NtlmNegotiateAndChallengeTypes) {
  HttpRequest r;
  ASSERT_EQ(ParseHttpRequest(Bytes("GET / HTTP/1.1\r\nAuthorization: NTLM " +
                                   Base64(NtlmNegotiate()) + "\r\n\r\n"),
                             &r),
            HttpParseStatus::kOk);
  ASSERT_TRUE(r.has_ntlm);
  EXPECT_EQ(r.ntlm.type, NtlmMessageType::kNegotiate);
  EXPECT_EQ(r.ntlm.domain.view(), "CORP");
  EXPECT_EQ(r.ntlm.workstation.view(), "WS");

  NtlmInfo info;
  // Without the "supplied" flags the name fields are ignored, even when they point nowhere.
  std::string unsupplied = NtlmNegotiate();
  unsupplied[13] = 0;  // flags 0x00000207
  unsupplied[16 + 4] = static_cast<char>(0xff);
  ASSERT_EQ(ParseNtlmssp(Bytes(unsupplied), &info), NtlmParseStatus::kOk);
  EXPECT_EQ(info.domain.size, 0);
  EXPECT_EQ(info.workstation.size, 0);

  std::string challenge = NtlmChallenge();
  ASSERT_EQ(ParseNtlmssp(Bytes(challenge), &info), NtlmParseStatus::kOk);
  EXPECT_EQ(info.type, NtlmMessageType::kChallenge);
  EXPECT_EQ(info.domain.view(), "CORP");
}

TEST(HttpRequestTest, NtlmAuthenticateUnicodeViaProxyAuthorization) {
  std::string token = Base64(NtlmAuthenticate(true, "alice", "CORP", "LAPTOP-7"));
  std::string req = "CONNECT owa.example.org:443 HTTP/1.1\r\nHost: owa.example.org:443\r\n"
                    "Proxy-Authorization: NTLM " + token + "\r\n\r\n";
  HttpRequest r;
  ASSERT_EQ(ParseHttpRequest(Bytes(req), &r), HttpParseStatus::kOk);
  EXPECT_EQ(r.auth_scheme, HttpAuthScheme::kNtlm);
  EXPECT_TRUE(r.proxy_authorization);
  ASSERT_TRUE(r.has_ntlm);
  EXPECT_EQ(r.ntlm.type, NtlmMessageType::kAuthenticate);
  EXPECT_EQ(r.ntlm.user.view(), "alice");
  EXPECT_EQ(r.ntlm.domain.view(), "CORP");
  EXPECT_EQ(r.ntlm.workstation.view(), "LAPTOP-7");
  EXPECT_EQ(r.connect_port, 443);
}

TEST(HttpRequestTest, NtlmAuthenticateOemInsideNegotiateWrapper) {
  // A SPNEGO-like prefix before the NTLMSSP signature.
  std::string wrapped = std::string("\xa1\x81\x90\x30\x81\x8d\xa2\x81\x8a\x04\x81\x87", 12) +
                        NtlmAuthenticate(false, "bob", "LAB", "PC1");
  HttpRequest r;
  ASSERT_EQ(ParseHttpRequest(Bytes("GET / HTTP/1.1\r\nAuthorization: Negotiate " +
                                   Base64(wrapped) + "\r\n\r\n"),
                             &r),
            HttpParseStatus::kOk);
  EXPECT_EQ(r.auth_scheme, HttpAuthScheme::kNegotiate);
  ASSERT_TRUE(r.has_ntlm);
  EXPECT_EQ(r.ntlm.user.view(), "bob");
  EXPECT_EQ(r.ntlm.domain.view(), "LAB");
  EXPECT_EQ(r.ntlm.workstation.view(), "PC1");
}

TEST(NtlmsspTest, TruncationAtEveryOffsetNeverReadsOutside) {
  std::string m = NtlmAuthenticate(true, "alice", "CORP", "LAPTOP-7");
  for (size_t n = 0; n < m.size(); ++n) {
    NtlmInfo info;
    NtlmParseStatus s = ParseNtlmssp(Bytes(m.substr(0, n)), &info);
    EXPECT_NE(s, NtlmParseStatus::kOk) << "prefix " << n;
    EXPECT_EQ(s, n < 8 ? NtlmParseStatus::kNotNtlm : NtlmParseStatus::kMalformed) << n;
  }
}

TEST(NtlmsspTest, LongNamesAreTruncatedAtCharacterBoundary) {
  std::string user(300, 'u');
  std::string m = NtlmAuthenticate(true, user, "D", "W");
  NtlmInfo info;
  ASSERT_EQ(ParseNtlmssp(Bytes(m), &info), NtlmParseStatus::kOk);
  EXPECT_TRUE(info.user.truncated);
  EXPECT_EQ(info.user.size, kMaxNtlmNameBytes);
  // Non-ASCII UTF-16 (U+00E9, U+20AC and a surrogate pair U+1F600) converts to UTF-8.
  std::string m2 = kSig;
  PutU32(&m2, 3);
  m2.append(16, '\0');
  std::string name("\xe9\x00\xac\x20\x3d\xd8\x00\xde", 8);
  PutSecBuf(&m2, 0, 0);
  PutSecBuf(&m2, name.size(), 64);
  PutSecBuf(&m2, 0, 0);
  PutSecBuf(&m2, 0, 0);
  PutU32(&m2, kNtlmFlagUnicode);
  m2 += name;
  ASSERT_EQ(ParseNtlmssp(Bytes(m2), &info), NtlmParseStatus::kOk);
  EXPECT_EQ(info.user.view(), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(NtlmsspTest, FieldOutsideMessageIsMalformed) {
  std::string m = NtlmAuthenticate(true, "alice", "CORP", "WS");
  m[36 + 4] = static_cast<char>(0xf0);  // user offset far past the end
  NtlmInfo info;
  EXPECT_EQ(ParseNtlmssp(Bytes(m), &info), NtlmParseStatus::kMalformed);
  std::string bad_type = m;
  bad_type[8] = 9;
  EXPECT_EQ(ParseNtlmssp(Bytes(bad_type), &info), NtlmParseStatus::kMalformed);
}

TEST(HttpResponseTest, StatusLineAndHeaders) {
  std::string resp =
      "HTTP/1.1 407 Proxy Authentication Required\r\nServer: squid/5.7\r\n"
      "Content-Type: text/html;charset=utf-8\r\nProxy-Authenticate: NTLM\r\n\r\n";
  HttpResponse r;
  ASSERT_EQ(ParseHttpResponse(Bytes(resp), &r), HttpParseStatus::kOk);
  EXPECT_EQ(r.status_code, 407);
  EXPECT_EQ(r.reason, "Proxy Authentication Required");
  EXPECT_EQ(r.server, "squid/5.7");
  EXPECT_EQ(r.content_type, "text/html;charset=utf-8");
  for (size_t n = 0; n < resp.size(); ++n) {
    ASSERT_EQ(ParseHttpResponse(Bytes(resp.substr(0, n)), &r), HttpParseStatus::kNeedMore) << n;
  }
  EXPECT_EQ(ParseHttpResponse(Bytes("HTTP/1.0 200\r\n\r\n"), &r), HttpParseStatus::kOk);
  EXPECT_EQ(r.status_code, 200);
  EXPECT_EQ(ParseHttpResponse(Bytes("HTTX/1.1 200 OK\r\n"), &r), HttpParseStatus::kNotHttp);
  EXPECT_EQ(ParseHttpResponse(Bytes("HTTP/1.1 2x0 OK\r\n\r\n"), &r), HttpParseStatus::kMalformed);
}

}  // namespace
}  // namespace quench

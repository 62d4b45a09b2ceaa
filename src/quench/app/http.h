// HTTP/1.x request and response head parsers over the first bytes of one direction of a
// flow: request line, Host, User-Agent, Content-Type, the (Proxy-)Authorization scheme with
// NTLMSSP user/domain/workstation (never the credentials themselves), CONNECT target;
// status line, Content-Type, Server. Results borrow the input bytes (string_views valid while
// the caller's buffer is) except the NTLM names, which are copied into inline buffers.
// Pure functions, no allocation; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "quench/app/ntlmssp.h"

namespace quench {

// Longest request/status line or header line accepted; a longer one is malformed (nginx and
// Apache default to 8 KiB).
inline constexpr size_t kMaxHttpLineBytes = 8192;
// Most header lines accepted in one head (Apache's LimitRequestFields default is 100).
inline constexpr size_t kMaxHttpHeaders = 100;
// Longest base64 NTLM/Negotiate token decoded; AUTHENTICATE with NTLMv2 and SPNEGO wrapping
// stays well below (decoded at most 3/4 of this, on the stack).
inline constexpr size_t kMaxHttpAuthTokenBytes = 8192;

enum class HttpParseStatus : uint8_t {
  kNeedMore = 0,  // looks like HTTP so far; the head is not complete yet
  kOk,            // the whole head (through the empty line) was parsed
  kNotHttp,       // the first bytes are not an HTTP/1.x request (or response)
  kMalformed,     // HTTP-looking but broken: over-long line, too many headers, bad syntax
};
std::string_view HttpParseStatusName(HttpParseStatus s);

enum class HttpAuthScheme : uint8_t {
  kNone = 0,
  kBasic,
  kNtlm,
  kNegotiate,
  kBearer,
  kDigest,
  kOther,
};
std::string_view HttpAuthSchemeName(HttpAuthScheme s);

struct HttpRequest {
  std::string_view method;
  std::string_view uri;
  std::string_view version;  // "HTTP/1.1"
  std::string_view host;
  std::string_view user_agent;
  std::string_view content_type;
  // CONNECT: the authority of the request line split into host and port (port 0 if absent).
  std::string_view connect_host;
  uint16_t connect_port = 0;
  // Authorization (or, when that is absent, Proxy-Authorization).
  HttpAuthScheme auth_scheme = HttpAuthScheme::kNone;
  bool proxy_authorization = false;  // the scheme came from Proxy-Authorization
  bool has_ntlm = false;             // the token decoded to an NTLMSSP message
  NtlmInfo ntlm;
  uint16_t header_count = 0;
  size_t head_bytes = 0;  // bytes through the terminating empty line (kOk only)
};

struct HttpResponse {
  std::string_view version;
  uint16_t status_code = 0;
  std::string_view reason;
  std::string_view content_type;
  std::string_view server;
  uint16_t header_count = 0;
  size_t head_bytes = 0;
};

// REQUIRES: out non-null. On kNeedMore the fields seen so far are filled; on kOk all are.
HttpParseStatus ParseHttpRequest(std::span<const uint8_t> data, HttpRequest* out);
HttpParseStatus ParseHttpResponse(std::span<const uint8_t> data, HttpResponse* out);

}  // namespace quench

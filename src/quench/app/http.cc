// HTTP/1.x head parsing. Worked example: the bytes
//   "CONNECT mail.example.com:443 HTTP/1.1\r\nHost: mail.example.com:443\r\n"
//   "Proxy-Authorization: NTLM TlRMTVNTUAADAAAA...\r\n\r\n"
// give method "CONNECT", connect_host "mail.example.com", connect_port 443, auth_scheme kNtlm
// with proxy_authorization set, and the token base64-decoded into a stack buffer and handed
// to ParseNtlmssp (user/domain/workstation copied out; the buffer dies with the call).
// Without the final "\r\n" the same bytes give kNeedMore with those fields already filled.
#include "quench/app/http.h"

#include <algorithm>
#include <array>

#include "quench/core/byte_reader.h"

namespace quench {
namespace {

constexpr size_t kMaxMethodBytes = 24;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view AsText(std::span<const uint8_t> data) {
  ByteReader r(data);
  return {reinterpret_cast<const char*>(r.current()), r.remaining()};
}

enum class LineResult : uint8_t { kLine, kNeedMore, kTooLong };

// Next line of `text` from *pos (without CR LF); advances *pos past the LF.
LineResult NextLine(std::string_view text, size_t* pos, std::string_view* line) {
  std::string_view rest = text.substr(*pos);
  size_t lf = rest.find('\n');
  if (lf == std::string_view::npos) {
    return rest.size() > kMaxHttpLineBytes ? LineResult::kTooLong : LineResult::kNeedMore;
  }
  if (lf > kMaxHttpLineBytes) return LineResult::kTooLong;
  *line = rest.substr(0, lf);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  *pos += lf + 1;
  return LineResult::kLine;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Decodes base64 (padding optional) into out; returns the decoded size or -1 on bad input.
long Base64Decode(std::string_view in, std::span<uint8_t> out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = Base64Value(c);
    if (v < 0) return -1;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= out.size()) return -1;
      out[n++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  return static_cast<long>(n);
}

void ParseAuthorization(std::string_view value, bool proxy, HttpRequest* out) {
  size_t sp = value.find(' ');
  std::string_view scheme = value.substr(0, sp);
  std::string_view token = sp == std::string_view::npos ? std::string_view{} : Trim(value.substr(sp));
  HttpAuthScheme s = HttpAuthScheme::kOther;
  if (IEquals(scheme, "Basic")) s = HttpAuthScheme::kBasic;
  else if (IEquals(scheme, "NTLM")) s = HttpAuthScheme::kNtlm;
  else if (IEquals(scheme, "Negotiate")) s = HttpAuthScheme::kNegotiate;
  else if (IEquals(scheme, "Bearer")) s = HttpAuthScheme::kBearer;
  else if (IEquals(scheme, "Digest")) s = HttpAuthScheme::kDigest;
  out->auth_scheme = s;
  out->proxy_authorization = proxy;
  out->has_ntlm = false;
  if ((s != HttpAuthScheme::kNtlm && s != HttpAuthScheme::kNegotiate) || token.empty() ||
      token.size() > kMaxHttpAuthTokenBytes) {
    return;
  }
  std::array<uint8_t, kMaxHttpAuthTokenBytes / 4 * 3 + 3> buf;
  long n = Base64Decode(token, buf);
  if (n <= 0) return;
  std::span<const uint8_t> decoded(buf.data(), static_cast<size_t>(n));
  size_t at = FindNtlmsspSignature(decoded);
  if (at >= decoded.size()) return;
  out->has_ntlm = ParseNtlmssp(decoded.subspan(at), &out->ntlm) == NtlmParseStatus::kOk;
}

void ParseConnectTarget(std::string_view authority, HttpRequest* out) {
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() == ':') port = after.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return;
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > 65535) return;
  }
  out->connect_host = host;
  out->connect_port = static_cast<uint16_t>(value);
}

// Calls on_header(name, value) for each header line after the start line, stopping at the
// empty line. Returns kOk with *head_bytes set, kNeedMore, or kMalformed.
template <typename OnHeader>
HttpParseStatus ParseHeaders(std::string_view text, size_t pos, uint16_t* count,
                             size_t* head_bytes, OnHeader on_header) {
  std::string_view line;
  while (true) {
    switch (NextLine(text, &pos, &line)) {
      case LineResult::kNeedMore: return HttpParseStatus::kNeedMore;
      case LineResult::kTooLong: return HttpParseStatus::kMalformed;
      case LineResult::kLine: break;
    }
    if (line.empty()) {
      *head_bytes = pos;
      return HttpParseStatus::kOk;
    }
    if (line.front() == ' ' || line.front() == '\t') continue;  // obsolete line folding
    if (*count >= kMaxHttpHeaders) return HttpParseStatus::kMalformed;
    ++*count;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return HttpParseStatus::kMalformed;
    on_header(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
}

bool IsVersion(std::string_view v) {
  return v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' &&
         v[6] == '.' && v[7] >= '0' && v[7] <= '9';
}

}  // namespace

std::string_view HttpParseStatusName(HttpParseStatus s) {
  switch (s) {
    case HttpParseStatus::kNeedMore: return "need_more";
    case HttpParseStatus::kOk: return "ok";
    case HttpParseStatus::kNotHttp: return "not_http";
    case HttpParseStatus::kMalformed: return "malformed";
  }
  return "unknown";
}

std::string_view HttpAuthSchemeName(HttpAuthScheme s) {
  switch (s) {
    case HttpAuthScheme::kNone: return "none";
    case HttpAuthScheme::kBasic: return "basic";
    case HttpAuthScheme::kNtlm: return "ntlm";
    case HttpAuthScheme::kNegotiate: return "negotiate";
    case HttpAuthScheme::kBearer: return "bearer";
    case HttpAuthScheme::kDigest: return "digest";
    case HttpAuthScheme::kOther: return "other";
  }
  return "unknown";
}

HttpParseStatus ParseHttpRequest(std::span<const uint8_t> data, HttpRequest* out) {
  *out = HttpRequest{};
  std::string_view text = AsText(data);
  // The method: an upper-case token followed by a space, decided on the first bytes.
  size_t i = 0;
  while (i < text.size() && i <= kMaxMethodBytes && text[i] != ' ') {
    char c = text[i];
    if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_')) return HttpParseStatus::kNotHttp;
    ++i;
  }
  if (i > kMaxMethodBytes) return HttpParseStatus::kNotHttp;
  if (i == text.size()) return HttpParseStatus::kNeedMore;
  if (i == 0) return HttpParseStatus::kNotHttp;

  size_t pos = 0;
  std::string_view line;
  switch (NextLine(text, &pos, &line)) {
    case LineResult::kNeedMore: {
      // Fill what the partial request line already shows (method and, if complete, URI).
      out->method = text.substr(0, i);
      return HttpParseStatus::kNeedMore;
    }
    case LineResult::kTooLong: return HttpParseStatus::kMalformed;
    case LineResult::kLine: break;
  }
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp2 == sp1) return HttpParseStatus::kNotHttp;  // HTTP/0.9 or not HTTP at all
  std::string_view version = line.substr(sp2 + 1);
  if (!IsVersion(version)) return HttpParseStatus::kNotHttp;
  out->method = line.substr(0, sp1);
  out->uri = Trim(line.substr(sp1 + 1, sp2 - sp1 - 1));
  out->version = version;
  if (out->uri.empty()) return HttpParseStatus::kMalformed;
  if (out->method == "CONNECT") ParseConnectTarget(out->uri, out);

  bool have_auth = false;
  return ParseHeaders(text, pos, &out->header_count, &out->head_bytes,
                      [&](std::string_view name, std::string_view value) {
                        if (IEquals(name, "Host")) {
                          if (out->host.empty()) out->host = value;
                        } else if (IEquals(name, "User-Agent")) {
                          if (out->user_agent.empty()) out->user_agent = value;
                        } else if (IEquals(name, "Content-Type")) {
                          if (out->content_type.empty()) out->content_type = value;
                        } else if (IEquals(name, "Authorization")) {
                          if (!have_auth) ParseAuthorization(value, false, out);
                          have_auth = true;
                        } else if (IEquals(name, "Proxy-Authorization")) {
                          if (!have_auth && out->auth_scheme == HttpAuthScheme::kNone) {
                            ParseAuthorization(value, true, out);
                          }
                        }
                      });
}

HttpParseStatus ParseHttpResponse(std::span<const uint8_t> data, HttpResponse* out) {
  *out = HttpResponse{};
  std::string_view text = AsText(data);
  constexpr std::string_view kPrefix = "HTTP/";
  size_t prefix = std::min(text.size(), kPrefix.size());
  if (text.substr(0, prefix) != kPrefix.substr(0, prefix)) return HttpParseStatus::kNotHttp;
  size_t pos = 0;
  std::string_view line;
  switch (NextLine(text, &pos, &line)) {
    case LineResult::kNeedMore: return HttpParseStatus::kNeedMore;
    case LineResult::kTooLong: return HttpParseStatus::kMalformed;
    case LineResult::kLine: break;
  }
  // "HTTP/1.1 200 OK": version, three digits, optional reason.
  if (line.size() < 12 || !IsVersion(line.substr(0, 8)) || line[8] != ' ') {
    return HttpParseStatus::kMalformed;
  }
  uint16_t code = 0;
  for (size_t k = 9; k < 12; ++k) {
    if (line[k] < '0' || line[k] > '9') return HttpParseStatus::kMalformed;
    code = static_cast<uint16_t>(code * 10 + (line[k] - '0'));
  }
  if (line.size() > 12 && line[12] != ' ') return HttpParseStatus::kMalformed;
  out->version = line.substr(0, 8);
  out->status_code = code;
  out->reason = line.size() > 13 ? Trim(line.substr(13)) : std::string_view{};
  return ParseHeaders(text, pos, &out->header_count, &out->head_bytes,
                      [&](std::string_view name, std::string_view value) {
                        if (IEquals(name, "Content-Type")) {
                          if (out->content_type.empty()) out->content_type = value;
                        } else if (IEquals(name, "Server")) {
                          if (out->server.empty()) out->server = value;
                        }
                      });
}

}  // namespace quench

// Fuzz harness for the HTTP/1.x head parsers (ParseHttpRequest, ParseHttpResponse) and, through
// the Authorization header, the NTLMSSP parser; byte 0 picks request or response. Besides
// memory safety it checks that every returned view lies inside the input, that a complete head
// is not longer than the input, and that NTLM names respect their cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "quench/app/http.h"
#include "quench/app/ntlmssp.h"

namespace {

void CheckInside(std::string_view v, const uint8_t* data, size_t size) {
  if (v.empty()) return;
  const auto* begin = reinterpret_cast<const uint8_t*>(v.data());
  if (begin < data || begin + v.size() > data + size) std::abort();
}

void CheckName(const quench::NtlmName& name) {
  if (name.size > quench::kMaxNtlmNameBytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool response = (data[0] & 1) != 0;
  ++data;
  --size;
  std::span<const uint8_t> bytes(data, size);
  if (response) {
    quench::HttpResponse r;
    quench::HttpParseStatus st = quench::ParseHttpResponse(bytes, &r);
    if (st == quench::HttpParseStatus::kOk && r.head_bytes > size) std::abort();
    for (std::string_view v : {r.version, r.reason, r.content_type, r.server}) {
      CheckInside(v, data, size);
    }
    if (r.header_count > quench::kMaxHttpHeaders) std::abort();
  } else {
    quench::HttpRequest r;
    quench::HttpParseStatus st = quench::ParseHttpRequest(bytes, &r);
    if (st == quench::HttpParseStatus::kOk && r.head_bytes > size) std::abort();
    for (std::string_view v : {r.method, r.uri, r.version, r.host, r.user_agent, r.content_type,
                               r.connect_host}) {
      CheckInside(v, data, size);
    }
    if (r.header_count > quench::kMaxHttpHeaders) std::abort();
    CheckName(r.ntlm.user);
    CheckName(r.ntlm.domain);
    CheckName(r.ntlm.workstation);
    // The raw NTLMSSP parser on the same bytes (SMB will hand it binary tokens).
    quench::NtlmInfo info;
    size_t at = quench::FindNtlmsspSignature(bytes);
    if (at < size) {
      quench::ParseNtlmssp(bytes.subspan(at), &info);
      CheckName(info.user);
      CheckName(info.domain);
      CheckName(info.workstation);
    }
  }
  return 0;
}

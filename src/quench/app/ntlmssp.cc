// NTLMSSP parsing. Worked example (AUTHENTICATE, offsets from the signature):
//   0  "NTLMSSP\0"   8  type=3 (u32 LE)
//   12 LmChallengeResponse   {len u16, maxlen u16, offset u32}  -- skipped, never read
//   20 NtChallengeResponse   {...}                               -- skipped, never read
//   28 DomainName {len=12, max=12, off=88}   36 UserName {...}   44 Workstation {...}
//   52 EncryptedRandomSessionKey {...}  -- skipped     60 NegotiateFlags (u32 LE)
// With flags & NEGOTIATE_UNICODE, DomainName at 88 is 12 bytes of UTF-16LE ("CORP\0..." is
// not NUL-terminated: "C\0O\0R\0P\0..."), converted to UTF-8 "CORP..".
#include "quench/app/ntlmssp.h"

#include <algorithm>
#include <cstring>

#include "quench/core/byte_reader.h"

namespace quench {
namespace {

constexpr uint8_t kSignature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

struct SecBuf {
  uint16_t len = 0;
  uint32_t offset = 0;
};

SecBuf ReadSecBuf(ByteReader* r) {
  SecBuf b;
  b.len = r->U16Le();
  r->U16Le();  // MaximumLength: informational
  b.offset = r->U32Le();
  return b;
}

// Appends the UTF-8 encoding of `cp` if it fits entirely; otherwise marks truncation.
void Append(NtlmName* name, uint32_t cp) {
  char enc[4];
  size_t n;
  if (cp < 0x80) {
    enc[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    enc[0] = static_cast<char>(0xC0 | (cp >> 6));
    enc[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    enc[0] = static_cast<char>(0xE0 | (cp >> 12));
    enc[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    enc[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    enc[0] = static_cast<char>(0xF0 | (cp >> 18));
    enc[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    enc[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    enc[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  if (name->truncated || name->size + n > kMaxNtlmNameBytes) {
    name->truncated = true;
    return;
  }
  std::memcpy(name->bytes + name->size, enc, n);
  name->size = static_cast<uint16_t>(name->size + n);
}

void DecodeUtf16Le(ByteReader r, NtlmName* name) {
  while (r.remaining() >= 2 && !name->truncated) {
    uint32_t unit = r.U16Le();
    if (unit >= 0xD800 && unit < 0xDC00) {
      uint32_t low = r.remaining() >= 2 ? r.PeekU8(0) | (uint32_t{r.PeekU8(1)} << 8) : 0;
      if (low >= 0xDC00 && low < 0xE000) {
        r.Skip(2);
        Append(name, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
      } else {
        Append(name, 0xFFFD);
      }
    } else if (unit >= 0xDC00 && unit < 0xE000) {
      Append(name, 0xFFFD);
    } else {
      Append(name, unit);
    }
  }
}

// OEM code page unknown on the wire: bytes are taken as Latin-1, which keeps ASCII exact and
// the output valid UTF-8.
void DecodeOem(ByteReader r, NtlmName* name) {
  while (r.remaining() > 0 && !name->truncated) Append(name, r.U8());
}

// Reads the field `b` of `message` into `name`; false when it points outside the message.
bool ReadName(std::span<const uint8_t> message, SecBuf b, bool unicode, NtlmName* name) {
  if (b.len == 0) return true;
  if (b.offset > message.size() || b.len > message.size() - b.offset) return false;
  ByteReader field(message.subspan(b.offset, b.len));
  if (unicode) {
    DecodeUtf16Le(field, name);
  } else {
    DecodeOem(field, name);
  }
  return true;
}

}  // namespace

size_t FindNtlmsspSignature(std::span<const uint8_t> bytes) {
  auto it = std::search(bytes.begin(), bytes.end(), std::begin(kSignature), std::end(kSignature));
  return static_cast<size_t>(it - bytes.begin());
}

NtlmParseStatus ParseNtlmssp(std::span<const uint8_t> message, NtlmInfo* out) {
  *out = NtlmInfo{};
  ByteReader r(message);
  uint8_t sig[8];
  if (!r.Copy(sig, sizeof(sig)) || std::memcmp(sig, kSignature, sizeof(sig)) != 0) {
    return NtlmParseStatus::kNotNtlm;
  }
  uint32_t type = r.U32Le();
  if (!r.ok()) return NtlmParseStatus::kMalformed;
  switch (type) {
    case 1: {
      out->type = NtlmMessageType::kNegotiate;
      out->flags = r.U32Le();
      if (!r.ok()) return NtlmParseStatus::kMalformed;
      // Old clients send a 16-byte NEGOTIATE without the supplied-name fields.
      if (r.remaining() < 16) return NtlmParseStatus::kOk;
      SecBuf domain = ReadSecBuf(&r);
      SecBuf workstation = ReadSecBuf(&r);
      // The names are only meaningful when the flags say they were supplied.
      if (!(out->flags & kNtlmFlagDomainSupplied)) domain = SecBuf{};
      if (!(out->flags & kNtlmFlagWorkstationSupplied)) workstation = SecBuf{};
      if (!ReadName(message, domain, false, &out->domain) ||
          !ReadName(message, workstation, false, &out->workstation)) {
        return NtlmParseStatus::kMalformed;
      }
      return NtlmParseStatus::kOk;
    }
    case 2: {
      out->type = NtlmMessageType::kChallenge;
      SecBuf target = ReadSecBuf(&r);
      out->flags = r.U32Le();
      if (!r.ok()) return NtlmParseStatus::kMalformed;
      bool unicode = (out->flags & kNtlmFlagUnicode) != 0;
      if (!ReadName(message, target, unicode, &out->domain)) return NtlmParseStatus::kMalformed;
      return NtlmParseStatus::kOk;
    }
    case 3: {
      out->type = NtlmMessageType::kAuthenticate;
      r.Skip(16);  // LM and NT challenge responses: never read
      SecBuf domain = ReadSecBuf(&r);
      SecBuf user = ReadSecBuf(&r);
      SecBuf workstation = ReadSecBuf(&r);
      r.Skip(8);  // encrypted random session key: never read
      out->flags = r.U32Le();
      if (!r.ok()) return NtlmParseStatus::kMalformed;
      bool unicode = (out->flags & kNtlmFlagUnicode) != 0;
      if (!ReadName(message, domain, unicode, &out->domain) ||
          !ReadName(message, user, unicode, &out->user) ||
          !ReadName(message, workstation, unicode, &out->workstation)) {
        return NtlmParseStatus::kMalformed;
      }
      return NtlmParseStatus::kOk;
    }
    default:
      return NtlmParseStatus::kMalformed;
  }
}

std::string_view NtlmMessageTypeName(NtlmMessageType type) {
  switch (type) {
    case NtlmMessageType::kNegotiate: return "negotiate";
    case NtlmMessageType::kChallenge: return "challenge";
    case NtlmMessageType::kAuthenticate: return "authenticate";
    case NtlmMessageType::kUnknown: break;
  }
  return "unknown";
}

}  // namespace quench

// NTLMSSP message parser (MS-NLMP): message type and flags of NEGOTIATE/CHALLENGE/
// AUTHENTICATE, and from AUTHENTICATE the user, domain and workstation names (UTF-16LE or OEM
// per the NEGOTIATE_UNICODE flag, converted to UTF-8 into fixed inline buffers). The LM/NT
// challenge responses, session key, MIC and any password material are never read or kept.
// Shared by HTTP (NTLM/Negotiate) and, later, SMB. Pure function over borrowed bytes; no
// allocation; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace quench {

// Longest UTF-8 name kept per field (user, domain, workstation); longer names are cut at a
// character boundary and flagged truncated. Windows caps these at 256 UTF-16 units.
inline constexpr size_t kMaxNtlmNameBytes = 256;

enum class NtlmMessageType : uint8_t {
  kUnknown = 0,
  kNegotiate = 1,
  kChallenge = 2,
  kAuthenticate = 3,
};

enum class NtlmParseStatus : uint8_t {
  kOk = 0,     // a well-formed NTLMSSP message; fields filled as far as the type carries them
  kNotNtlm,    // no "NTLMSSP\0" signature
  kMalformed,  // signature present but the message is truncated or its fields point outside it
};

inline constexpr uint32_t kNtlmFlagUnicode = 0x00000001;
inline constexpr uint32_t kNtlmFlagOem = 0x00000002;
inline constexpr uint32_t kNtlmFlagDomainSupplied = 0x00001000;
inline constexpr uint32_t kNtlmFlagWorkstationSupplied = 0x00002000;

struct NtlmName {
  char bytes[kMaxNtlmNameBytes] = {};
  uint16_t size = 0;
  bool truncated = false;
  std::string_view view() const { return {bytes, size}; }
};

struct NtlmInfo {
  NtlmMessageType type = NtlmMessageType::kUnknown;
  uint32_t flags = 0;
  // AUTHENTICATE: the account. NEGOTIATE: the optional supplied domain/workstation (OEM).
  // CHALLENGE: domain holds the server's TargetName.
  NtlmName user;
  NtlmName domain;
  NtlmName workstation;
};

// Parses one NTLMSSP message starting at its signature. REQUIRES: out non-null; *out is reset.
NtlmParseStatus ParseNtlmssp(std::span<const uint8_t> message, NtlmInfo* out);

// Offset of the first "NTLMSSP\0" signature in `bytes` (for SPNEGO-wrapped tokens), or
// bytes.size() when absent.
size_t FindNtlmsspSignature(std::span<const uint8_t> bytes);

std::string_view NtlmMessageTypeName(NtlmMessageType type);

}  // namespace quench

// SSH handshake parser over the first bytes of one direction of a flow: the identification
// line ("SSH-2.0-OpenSSH_8.4p1 Debian-5", RFC 4253 s4.2) and the unencrypted KEXINIT binary
// packet that follows it (s7.1), with HASSH / HASSHServer (Salesforce's definition:
// MD5 of "kex;enc;mac;cmp" for the client-to-server, resp. server-to-client, lists).
// Results borrow the input bytes; ParseSsh* does not allocate; Hassh* build strings (once
// per flow). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace quench {

// Longest identification line (RFC 4253: 255 bytes including CR LF).
inline constexpr size_t kMaxSshBannerBytes = 255;
// Lines a server may send before its identification line; more, or more bytes, is not SSH.
inline constexpr size_t kMaxSshPreBannerLines = 16;
inline constexpr size_t kMaxSshPreBannerBytes = 4096;
// Largest binary packet accepted (RFC 4253 s6.1: implementations must handle 35000).
inline constexpr uint32_t kMaxSshPacketBytes = 35000;

enum class SshParseStatus : uint8_t {
  kNeedMore = 0,  // SSH so far; banner or KEXINIT incomplete (see SshHandshake::has_banner)
  kOk,            // banner and KEXINIT parsed
  kNotSsh,        // not an SSH identification
  kMalformed,     // SSH banner seen but what follows is broken (bad lengths, not KEXINIT)
};
std::string_view SshParseStatusName(SshParseStatus s);

struct SshKexInit {
  std::string_view kex_algorithms;
  std::string_view server_host_key_algorithms;
  std::string_view encryption_c2s;
  std::string_view encryption_s2c;
  std::string_view mac_c2s;
  std::string_view mac_s2c;
  std::string_view compression_c2s;
  std::string_view compression_s2c;
  std::string_view languages_c2s;
  std::string_view languages_s2c;
  bool first_kex_packet_follows = false;
};

struct SshHandshake {
  bool has_banner = false;
  std::string_view banner;          // the identification line without CR LF
  std::string_view proto_version;   // "2.0" (or "1.99")
  std::string_view software;        // "OpenSSH_8.4p1"
  std::string_view comments;        // "Debian-5" (empty when absent)
  bool has_kexinit = false;
  SshKexInit kexinit;
  size_t bytes_used = 0;  // through the end of the KEXINIT packet (kOk only)
};

// Parses the banner and then the KEXINIT packet from the start of one direction's bytes.
// Only a server may send other lines before its banner (RFC 4253 s4.2): with
// allow_pre_banner_lines false (client bytes) anything but "SSH-" first is kNotSsh at once.
// REQUIRES: out non-null. On kNeedMore the banner fields are filled once complete.
SshParseStatus ParseSshHandshake(std::span<const uint8_t> data, SshHandshake* out,
                                 bool allow_pre_banner_lines = true);

// "kex;enc;mac;cmp" for the client (c2s lists) or server (s2c lists), and its MD5 hex.
std::string HasshAlgorithms(const SshKexInit& kexinit, bool server);
std::string Hassh(const SshKexInit& kexinit, bool server);

}  // namespace quench

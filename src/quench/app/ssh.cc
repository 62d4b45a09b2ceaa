// SSH handshake parsing. Worked example: a client sends
//   "SSH-2.0-OpenSSH_8.4p1 Debian-5\r\n"
//   00 00 05 dc  0a  14  <16-byte cookie>  00 00 00 3c "curve25519-sha256,..."  ...
//   packet_length=1500, padding_length=10, SSH_MSG_KEXINIT=20, then ten name-lists
//   (u32 length + bytes), first_kex_packet_follows (u8), reserved (u32), 10 bytes padding.
// HASSH = MD5("curve25519-sha256,...;aes128-ctr,...;umac-64-etm@openssh.com,...;none,...")
// over the kex, c2s encryption, c2s MAC and c2s compression lists.
#include "quench/app/ssh.h"

#include "quench/app/hash.h"
#include "quench/core/byte_reader.h"

namespace quench {
namespace {

constexpr uint8_t kMsgKexInit = 20;

std::string_view AsText(ByteReader r) {
  return {reinterpret_cast<const char*>(r.current()), r.remaining()};
}

std::string_view ReadNameList(ByteReader* r) {
  uint32_t len = r->U32Be();
  if (!r->CanRead(len)) {
    r->Skip(len);
    return {};
  }
  std::string_view list(reinterpret_cast<const char*>(r->current()), len);
  r->Skip(len);
  return list;
}

// Parses the banner; sets *pos past it. kOk when found, kNeedMore/kNotSsh otherwise.
SshParseStatus ParseBanner(std::string_view text, bool allow_pre_banner_lines, SshHandshake* out,
                           size_t* pos) {
  size_t at = 0;
  for (size_t lines = 0;; ++lines) {
    std::string_view rest = text.substr(at);
    // Decide "not SSH" on the first bytes of the line when it claims to be the banner.
    size_t cmp = rest.size() < 4 ? rest.size() : 4;
    bool is_banner = rest.substr(0, cmp) == std::string_view("SSH-").substr(0, cmp);
    if (lines == 0 && !is_banner) {
      if (!allow_pre_banner_lines) return SshParseStatus::kNotSsh;
      // Servers may send other lines first, but those must be text; a client may not.
      for (size_t k = 0; k < cmp; ++k) {
        unsigned char c = static_cast<unsigned char>(rest[k]);
        if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') return SshParseStatus::kNotSsh;
      }
    }
    size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) {
      if (rest.size() > (is_banner ? kMaxSshBannerBytes : kMaxSshPreBannerBytes)) {
        return SshParseStatus::kNotSsh;
      }
      return SshParseStatus::kNeedMore;
    }
    std::string_view line = rest.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at += lf + 1;
    if (is_banner && rest.size() >= 4) {
      if (lf + 1 > kMaxSshBannerBytes) return SshParseStatus::kNotSsh;
      // "SSH-protoversion-softwareversion SP comments"
      std::string_view body = line.substr(4);
      size_t dash = body.find('-');
      if (dash == std::string_view::npos || dash == 0) return SshParseStatus::kNotSsh;
      out->has_banner = true;
      out->banner = line;
      out->proto_version = body.substr(0, dash);
      std::string_view sw = body.substr(dash + 1);
      size_t sp = sw.find(' ');
      out->software = sw.substr(0, sp);
      out->comments = sp == std::string_view::npos ? std::string_view{} : sw.substr(sp + 1);
      *pos = at;
      return SshParseStatus::kOk;
    }
    if (lines + 1 >= kMaxSshPreBannerLines || at > kMaxSshPreBannerBytes) {
      return SshParseStatus::kNotSsh;
    }
  }
}

}  // namespace

std::string_view SshParseStatusName(SshParseStatus s) {
  switch (s) {
    case SshParseStatus::kNeedMore: return "need_more";
    case SshParseStatus::kOk: return "ok";
    case SshParseStatus::kNotSsh: return "not_ssh";
    case SshParseStatus::kMalformed: return "malformed";
  }
  return "unknown";
}

SshParseStatus ParseSshHandshake(std::span<const uint8_t> data, SshHandshake* out,
                                 bool allow_pre_banner_lines) {
  *out = SshHandshake{};
  ByteReader all(data);
  size_t pos = 0;
  SshParseStatus banner = ParseBanner(AsText(all), allow_pre_banner_lines, out, &pos);
  if (banner != SshParseStatus::kOk) return banner;

  ByteReader r(data.subspan(pos));
  if (r.remaining() < 6) return SshParseStatus::kNeedMore;
  uint32_t packet_length = r.U32Be();
  uint8_t padding_length = r.U8();
  if (packet_length > kMaxSshPacketBytes || packet_length < 1u + padding_length + 1u) {
    return SshParseStatus::kMalformed;
  }
  if (r.PeekU8() != kMsgKexInit) return SshParseStatus::kMalformed;
  if (r.remaining() < packet_length - 1) return SshParseStatus::kNeedMore;
  ByteReader p = r.Sub(packet_length - 1 - padding_length);
  p.Skip(1 + 16);  // message number, cookie
  SshKexInit& k = out->kexinit;
  k.kex_algorithms = ReadNameList(&p);
  k.server_host_key_algorithms = ReadNameList(&p);
  k.encryption_c2s = ReadNameList(&p);
  k.encryption_s2c = ReadNameList(&p);
  k.mac_c2s = ReadNameList(&p);
  k.mac_s2c = ReadNameList(&p);
  k.compression_c2s = ReadNameList(&p);
  k.compression_s2c = ReadNameList(&p);
  k.languages_c2s = ReadNameList(&p);
  k.languages_s2c = ReadNameList(&p);
  k.first_kex_packet_follows = p.U8() != 0;
  p.U32Be();  // reserved
  if (!p.ok()) {
    out->kexinit = SshKexInit{};
    return SshParseStatus::kMalformed;
  }
  out->has_kexinit = true;
  out->bytes_used = pos + 4 + packet_length;
  return SshParseStatus::kOk;
}

std::string HasshAlgorithms(const SshKexInit& k, bool server) {
  std::string s;
  s.reserve(k.kex_algorithms.size() + k.encryption_c2s.size() + k.mac_c2s.size() +
            k.compression_c2s.size() + 3);
  s.append(k.kex_algorithms).append(";");
  s.append(server ? k.encryption_s2c : k.encryption_c2s).append(";");
  s.append(server ? k.mac_s2c : k.mac_c2s).append(";");
  s.append(server ? k.compression_s2c : k.compression_c2s);
  return s;
}

std::string Hassh(const SshKexInit& kexinit, bool server) {
  return Md5Hex(std::string_view(HasshAlgorithms(kexinit, server)));
}

}  // namespace quench

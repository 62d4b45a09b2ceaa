#include "quench/app/ssh.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace quench {
namespace {

void PutU32(std::string* s, uint32_t v) {
  s->push_back(static_cast<char>(v >> 24));
  s->push_back(static_cast<char>(v >> 16));
  s->push_back(static_cast<char>(v >> 8));
  s->push_back(static_cast<char>(v));
}

void PutList(std::string* s, const std::string& list) {
  PutU32(s, static_cast<uint32_t>(list.size()));
  s->append(list);
}

// A KEXINIT binary packet (unencrypted, as sent right after the banner).
std::string KexInitPacket() {
  std::string payload;
  payload.push_back(20);               // SSH_MSG_KEXINIT
  payload.append(16, '\x5a');          // cookie
  PutList(&payload, "curve25519-sha256,diffie-hellman-group14-sha256");
  PutList(&payload, "ssh-ed25519");
  PutList(&payload, "aes128-ctr,aes256-gcm@openssh.com");
  PutList(&payload, "aes256-ctr");
  PutList(&payload, "hmac-sha2-256");
  PutList(&payload, "hmac-sha1");
  PutList(&payload, "none,zlib@openssh.com");
  PutList(&payload, "none");
  PutList(&payload, "");
  PutList(&payload, "");
  payload.push_back(0);  // first_kex_packet_follows
  PutU32(&payload, 0);   // reserved
  uint8_t padding = static_cast<uint8_t>(8 - (payload.size() + 5) % 8);
  if (padding < 4) padding = static_cast<uint8_t>(padding + 8);
  std::string packet;
  PutU32(&packet, static_cast<uint32_t>(payload.size() + padding + 1));
  packet.push_back(static_cast<char>(padding));
  packet.append(payload);
  packet.append(padding, '\0');
  return packet;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

const std::string kBanner = "SSH-2.0-OpenSSH_8.4p1 Debian-5\r\n";

TEST(SshTest, BannerAndKexInit) {
  std::string data = kBanner + KexInitPacket();
  SshHandshake h;
  ASSERT_EQ(ParseSshHandshake(Bytes(data), &h), SshParseStatus::kOk);
  EXPECT_EQ(h.banner, "SSH-2.0-OpenSSH_8.4p1 Debian-5");
  EXPECT_EQ(h.proto_version, "2.0");
  EXPECT_EQ(h.software, "OpenSSH_8.4p1");
  EXPECT_EQ(h.comments, "Debian-5");
  ASSERT_TRUE(h.has_kexinit);
  EXPECT_EQ(h.bytes_used, data.size());
  EXPECT_EQ(h.kexinit.server_host_key_algorithms, "ssh-ed25519");
  EXPECT_EQ(h.kexinit.mac_s2c, "hmac-sha1");
  EXPECT_EQ(HasshAlgorithms(h.kexinit, false),
            "curve25519-sha256,diffie-hellman-group14-sha256;aes128-ctr,aes256-gcm@openssh.com;"
            "hmac-sha2-256;none,zlib@openssh.com");
  // printf '%s' '<the string above>' | md5sum
  EXPECT_EQ(Hassh(h.kexinit, false), "7b3f76e580e44aea1e396d8af55a8228");
  // printf '%s' 'curve25519-sha256,diffie-hellman-group14-sha256;aes256-ctr;hmac-sha1;none' | md5sum
  EXPECT_EQ(Hassh(h.kexinit, true), "ec533e8b63734be039f4747583343cb8");
}

TEST(SshTest, TruncationAtEveryOffsetNeedsMore) {
  std::string data = kBanner + KexInitPacket();
  for (size_t n = 0; n < data.size(); ++n) {
    SshHandshake h;
    ASSERT_EQ(ParseSshHandshake(Bytes(data.substr(0, n)), &h), SshParseStatus::kNeedMore)
        << "prefix " << n;
    EXPECT_EQ(h.has_banner, n >= kBanner.size()) << "prefix " << n;
    EXPECT_FALSE(h.has_kexinit);
  }
}

TEST(SshTest, BannerWithoutCommentsAndCrLessLf) {
  std::string data = "SSH-1.99-dropbear_2019.78\n";
  SshHandshake h;
  EXPECT_EQ(ParseSshHandshake(Bytes(data), &h), SshParseStatus::kNeedMore);
  ASSERT_TRUE(h.has_banner);
  EXPECT_EQ(h.proto_version, "1.99");
  EXPECT_EQ(h.software, "dropbear_2019.78");
  EXPECT_EQ(h.comments, "");
}

TEST(SshTest, ServerPreBannerLinesAreSkipped) {
  std::string data = "Welcome to the router\r\nauthorized use only\r\n" + kBanner + KexInitPacket();
  SshHandshake h;
  ASSERT_EQ(ParseSshHandshake(Bytes(data), &h), SshParseStatus::kOk);
  EXPECT_EQ(h.software, "OpenSSH_8.4p1");
}

TEST(SshTest, ClientMayNotSendPreBannerLines) {
  SshHandshake h;
  EXPECT_EQ(ParseSshHandshake(Bytes("GET / HTTP/1.1\r\n"), &h, false), SshParseStatus::kNotSsh);
  EXPECT_EQ(ParseSshHandshake(Bytes("GET / HTTP/1.1\r\n"), &h, true), SshParseStatus::kNeedMore);
  EXPECT_EQ(ParseSshHandshake(Bytes("SS"), &h, false), SshParseStatus::kNeedMore);
}

TEST(SshTest, NotSsh) {
  SshHandshake h;
  EXPECT_EQ(ParseSshHandshake(Bytes(std::string("\x16\x03\x01\x02\x00", 5)), &h),
            SshParseStatus::kNotSsh);
  EXPECT_EQ(ParseSshHandshake(Bytes("SSH-garbage\r\n"), &h), SshParseStatus::kNotSsh);
  std::string many;
  for (int i = 0; i < 20; ++i) many += "hello\r\n";
  EXPECT_EQ(ParseSshHandshake(Bytes(many), &h), SshParseStatus::kNotSsh);
  EXPECT_EQ(ParseSshHandshake(Bytes("SSH-2.0-" + std::string(300, 'a')), &h),
            SshParseStatus::kNotSsh);
}

TEST(SshTest, MalformedKexInit) {
  std::string packet = KexInitPacket();
  SshHandshake h;
  // Not a KEXINIT message.
  std::string wrong = packet;
  wrong[5] = 21;
  EXPECT_EQ(ParseSshHandshake(Bytes(kBanner + wrong), &h), SshParseStatus::kMalformed);
  // Packet length over the cap.
  std::string huge = packet;
  huge[0] = 0x7f;
  EXPECT_EQ(ParseSshHandshake(Bytes(kBanner + huge), &h), SshParseStatus::kMalformed);
  // A name-list length pointing past the packet.
  std::string bad_list = packet;
  bad_list[5 + 17] = 0x10;
  EXPECT_EQ(ParseSshHandshake(Bytes(kBanner + bad_list), &h), SshParseStatus::kMalformed);
  EXPECT_FALSE(h.has_kexinit);
  EXPECT_TRUE(h.has_banner);
}

}  // namespace
}  // namespace quench

#include "generator.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "packet_builder.h"
#include "test_util.h"

namespace pcapgen {
namespace {

using testing::Generate;
using testing::ReadFile;
using testing::ReadPcap;
using testing::Record;
using testing::TempPath;

struct TcpView {
  std::string src, dst;
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags;
  size_t payload;
};

// Ethernet + IPv4 + TCP only (what these specs produce).
bool ParseTcp(const Record& rec, TcpView& v) {
  quench::ByteReader r(rec.data.data(), rec.data.size());
  r.Skip(12);
  if (r.U16Be() != 0x0800) return false;
  const uint8_t vihl = r.U8();
  r.Skip(1);
  const uint16_t total = r.U16Be();
  r.Skip(5);
  if (r.U8() != 6) return false;
  r.Skip(2);
  uint8_t a[4] = {}, b[4] = {};
  r.Copy(a, 4);
  r.Copy(b, 4);
  r.Skip((vihl & 0xf) * 4u - 20);
  v.src = quench::IpAddress::FromV4Bytes(a).ToString();
  v.dst = quench::IpAddress::FromV4Bytes(b).ToString();
  v.sport = r.U16Be();
  v.dport = r.U16Be();
  v.seq = r.U32Be();
  v.ack = r.U32Be();
  const uint8_t off = r.U8();
  v.flags = r.U8();
  v.payload = total - (vihl & 0xf) * 4u - (off >> 4) * 4u;
  return r.ok();
}

std::vector<Record> GenerateRecords(const std::string& json, const std::string& name) {
  const std::string path = TempPath(name);
  const std::string err = Generate(json, path);
  EXPECT_EQ(err, "");
  uint32_t linktype = 0;
  std::vector<Record> recs;
  EXPECT_TRUE(ReadPcap(ReadFile(path), linktype, recs));
  std::remove(path.c_str());
  return recs;
}

constexpr int64_t kStart = 1705312800LL * 1'000'000'000;  // 2024-01-15T10:00:00Z

TEST(GeneratorTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const std::string spec = R"({"seed": %, "flows": [
      {"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 443, "duration": 5, "packets_to_server": 4,
       "packets_to_client": 6, "repeat": {"count": 3, "interval": 10, "jitter": 2}},
      {"proto": "udp", "client": "10.0.0.1", "server": "9.9.9.9", "server_port": 53, "start": 3}]})";
  auto with_seed = [&](const std::string& seed) {
    std::string s = spec;
    s.replace(s.find('%'), 1, seed);
    const std::string path = TempPath("seed" + seed);
    EXPECT_EQ(Generate(s, path), "");
    auto bytes = ReadFile(path);
    std::remove(path.c_str());
    return bytes;
  };
  const auto a = with_seed("1"), b = with_seed("1"), c = with_seed("2");
  EXPECT_GT(a.size(), 24u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(GeneratorTest, SortedAndInsideEachFlowsDuration) {
  auto recs = GenerateRecords(R"({"flows": [
      {"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 443, "start": 2, "duration": 5,
       "packets_to_server": 20, "packets_to_client": 30},
      {"client": "10.0.0.3", "server": "10.0.0.2", "server_port": 22, "start": 0, "duration": 3, "teardown": "rst"}]})",
                              "sorted");
  ASSERT_EQ(recs.size(), (3 + 50 + 3) + (3 + 2 + 1u));
  for (size_t i = 1; i < recs.size(); ++i) ASSERT_LE(recs[i - 1].ts_ns, recs[i].ts_ns) << i;
  for (const Record& rec : recs) {
    TcpView v;
    ASSERT_TRUE(ParseTcp(rec, v));
    const bool first = v.src == "10.0.0.1" || v.dst == "10.0.0.1";
    const int64_t lo = kStart + (first ? 2 : 0) * 1'000'000'000LL;
    const int64_t hi = lo + (first ? 5 : 3) * 1'000'000'000LL;
    EXPECT_GE(rec.ts_ns, lo);
    EXPECT_LE(rec.ts_ns, hi);
  }
}

TEST(GeneratorTest, SequenceAndAckNumbersAdvance) {
  auto recs = GenerateRecords(R"({"flows": [
      {"client": "10.0.0.1", "server": "10.0.0.2", "server_port": 8080, "duration": 5,
       "packets_to_server": 7, "packets_to_client": 9, "client_payload": [1, 300], "server_payload": [1, 1400]}]})",
                              "seq");
  ASSERT_EQ(recs.size(), 3 + 16 + 3u);
  std::map<std::string, uint32_t> next;  // sender -> next sequence number
  for (size_t i = 0; i < recs.size(); ++i) {
    TcpView v;
    ASSERT_TRUE(ParseTcp(recs[i], v));
    const std::string peer = v.dst;
    if (v.flags & kTcpSyn) {
      next[v.src] = v.seq + 1;
    } else {
      ASSERT_TRUE(next.count(v.src));
      EXPECT_EQ(v.seq, next[v.src]) << "packet " << i;
      next[v.src] += static_cast<uint32_t>(v.payload) + ((v.flags & kTcpFin) ? 1 : 0);
    }
    if (v.flags & kTcpAck) {
      ASSERT_TRUE(next.count(peer)) << i;
      EXPECT_EQ(v.ack, next[peer]) << "packet " << i;
    }
  }
  TcpView last;
  ASSERT_TRUE(ParseTcp(recs.back(), last));
  EXPECT_EQ(last.flags, kTcpAck);
}

TEST(GeneratorTest, AttemptOnlyAndRefused) {
  auto recs = GenerateRecords(R"({"flows": [
      {"client": "198.51.100.40", "server": "88.209.251.6", "server_port": 443, "handshake": "syn_only",
       "syn_retries": 2, "teardown": "none", "duration": 7},
      {"client": "198.51.100.40", "server": "88.209.251.7", "server_port": 443, "handshake": "syn_rst",
       "teardown": "none"}]})",
                              "attempt");
  int syns_to_6 = 0, rsts = 0, other = 0;
  for (const Record& rec : recs) {
    TcpView v;
    ASSERT_TRUE(ParseTcp(rec, v));
    if (v.dst == "88.209.251.6" && v.flags == kTcpSyn) {
      ++syns_to_6;
    } else if (v.src == "88.209.251.7" && v.flags == (kTcpRst | kTcpAck)) {
      ++rsts;
    } else if (!(v.dst == "88.209.251.7" && v.flags == kTcpSyn)) {
      ++other;
    }
  }
  EXPECT_EQ(syns_to_6, 3);
  EXPECT_EQ(rsts, 1);
  EXPECT_EQ(other, 0);
}

TEST(GeneratorTest, RepeatWalksCidrAndPorts) {
  auto recs = GenerateRecords(R"({"flows": [
      {"client": "10.9.0.1", "client_port": 40000, "server": "10.0.0.2", "server_port": 22, "duration": 1,
       "packets_to_server": 1, "packets_to_client": 1, "teardown": "none",
       "repeat": {"count": 5, "interval": 60, "client_cidr": "192.0.2.0/29", "client_port_step": 2}}]})",
                              "repeat");
  std::set<std::string> clients;
  std::set<uint16_t> ports;
  for (const Record& rec : recs) {
    TcpView v;
    ASSERT_TRUE(ParseTcp(rec, v));
    if (v.dport == 22) {
      clients.insert(v.src);
      ports.insert(v.sport);
    }
  }
  EXPECT_EQ(clients, (std::set<std::string>{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"}));
  EXPECT_EQ(ports, (std::set<uint16_t>{40000, 40002, 40004, 40006, 40008}));
  ASSERT_FALSE(recs.empty());
  EXPECT_GE(recs.back().ts_ns - recs.front().ts_ns, 4 * 60 * 1'000'000'000LL);
}

TEST(GeneratorTest, LiteralFirstPayloadIsSentVerbatim) {
  auto recs = GenerateRecords(R"({"flows": [
      {"client": "23.24.68.109", "server": "198.51.100.23", "server_port": 22, "duration": 5,
       "packets_to_server": 3, "packets_to_client": 3, "first_client_payload": "SSH-2.0-OpenSSH_8.4\r\n"}]})",
                              "banner");
  ASSERT_GE(recs.size(), 4u);
  const auto& frame = recs[3].data;  // after the handshake, the client speaks first
  const std::string tail(frame.end() - 21, frame.end());
  EXPECT_EQ(tail, "SSH-2.0-OpenSSH_8.4\r\n");
}

}  // namespace
}  // namespace pcapgen

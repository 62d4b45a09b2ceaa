// Decodes real captures from QUENCH_SHARED_DATA/pcaps through libpcap directly (not the
// capture module, so this test depends only on the decoders) and compares counts with tshark.
#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "quench/decode/decoder.h"
#include "quench/decode/fragment_tracker.h"

namespace quench {
namespace {

namespace fs = std::filesystem;

const fs::path kPcapDir = fs::path(QUENCH_SHARED_DATA) / "pcaps";

struct Tally {
  bool opened = false;
  uint64_t frames = 0;
  uint64_t ok = 0;
  uint64_t tcp = 0;
  uint64_t udp = 0;
  uint64_t tunneled = 0;
  std::map<DecodeStatus, uint64_t> by_status;
  AnomalyCounters anomalies;
};

std::optional<LinkType> ToLinkType(int dlt) {
  switch (dlt) {
    case DLT_NULL:
      return LinkType::kNull;
    case DLT_EN10MB:
      return LinkType::kEthernet;
    case DLT_RAW:
      return LinkType::kRaw;
    case 14:
      return LinkType::kRawAlt;
    case DLT_LOOP:
      return LinkType::kLoop;
    case DLT_LINUX_SLL:
      return LinkType::kLinuxSll;
    case DLT_IPV4:
      return LinkType::kIpv4;
    case DLT_IPV6:
      return LinkType::kIpv6;
    case DLT_LINUX_SLL2:
      return LinkType::kLinuxSll2;
    default:
      return std::nullopt;
  }
}

Tally DecodeFile(const fs::path& path) {
  Tally t;
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(path.c_str(),
                                                         PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pcap == nullptr) return t;
  t.opened = true;
  const auto linktype = ToLinkType(pcap_datalink(pcap));
  FragmentTracker tracker(1024);
  pcap_pkthdr* header;
  const u_char* data;
  while (pcap_next_ex(pcap, &header, &data) == 1) {
    ++t.frames;
    Frame frame;
    frame.ts = int64_t{header->ts.tv_sec} * kNanosPerSecond + header->ts.tv_usec;
    frame.data = data;
    frame.caplen = header->caplen;
    frame.wire_len = header->len;
    frame.linktype = linktype.value_or(static_cast<LinkType>(pcap_datalink(pcap)));
    PacketInfo pkt;
    DecodeStatus status = DecodeFrame(frame, &pkt, &t.anomalies);
    ++t.by_status[status];
    if (status != DecodeStatus::kOk) continue;
    tracker.Resolve(&pkt, &t.anomalies);
    ++t.ok;
    // Only packets that carry the L4 header count, as tshark with reassembly off sees them.
    const bool has_l4_header = !pkt.is_fragment || pkt.is_first_fragment;
    if (has_l4_header && pkt.ip_proto == kIpProtoTcp) ++t.tcp;
    if (has_l4_header && pkt.ip_proto == kIpProtoUdp) ++t.udp;
    if (pkt.tunnel_depth > 0) ++t.tunneled;
  }
  pcap_close(pcap);
  return t;
}

#define SKIP_WITHOUT_DATA()                                                              \
  if (!fs::is_directory(kPcapDir)) {                                                    \
    GTEST_SKIP() << "shared capture data not found at " << kPcapDir                     \
                 << " (set -DQUENCH_SHARED_DATA=...)";                                  \
  }

// Expected counts were obtained by hand with tshark 4.0 (Debian 12), with reassembly off so
// that every frame counts once and ICMP errors quoting a TCP/UDP header do not count:
//   tshark -o ip.defragment:FALSE -o ipv6.defragment:FALSE -r FILE
//          -Y 'tcp && !icmp && !icmpv6' | wc -l       (and likewise for udp)
// and `capinfos -c FILE` for the frame count. quench reports the innermost flow of a tunnel,
// tshark's `udp` also matches VXLAN's outer UDP, so for vxlan.pcap the udp figure is
// `tshark -r vxlan.pcap -Y 'count(udp) == 2' | wc -l` (inner UDP) instead of 127.
struct Expected {
  const char* file;
  uint64_t frames;
  uint64_t tcp;
  uint64_t udp;
};

class RealCaptureCounts : public ::testing::TestWithParam<Expected> {};

TEST_P(RealCaptureCounts, MatchTshark) {
  SKIP_WITHOUT_DATA();
  const Expected& e = GetParam();
  const fs::path path = kPcapDir / e.file;
  if (!fs::exists(path)) GTEST_SKIP() << path << " not found";
  Tally t = DecodeFile(path);
  ASSERT_TRUE(t.opened) << path;
  EXPECT_EQ(t.frames, e.frames);
  EXPECT_EQ(t.tcp, e.tcp);
  EXPECT_EQ(t.udp, e.udp);
}

INSTANTIATE_TEST_SUITE_P(Files, RealCaptureCounts,
                         ::testing::Values(
                             Expected{"ndpi/pcap/4in4tunnel.pcap", 5, 0, 5},
                             Expected{"ndpi/pcap/6in4tunnel.pcap", 127, 75, 4},
                             Expected{"ndpi/pcap/4in6tunnel.pcap", 4, 4, 0},
                             Expected{"ndpi/pcap/gre.pcapng", 1, 0, 1},
                             Expected{"ndpi/pcap/vxlan.pcap", 127, 119, 8},
                             Expected{"ndpi/pcap/dns_fragmented.pcap", 66, 20, 39},
                             Expected{"ndpi/pcap/KakaoTalk_chat.pcap", 347, 310, 36},  // SLL
                             Expected{"ndpi/pcap/opc-ua.pcap", 381, 381, 0},           // null
                             Expected{"ndpi/pcap/ocs.pcap", 946, 938, 8},              // raw IP
                             Expected{"slips/test12-icmp-portscan.pcap", 37, 0, 0}));

// Every frame of every capture decodes to some status without crashing (ASan/UBSan builds
// make this a memory-safety check over real traffic).
TEST(RealCaptures, EveryFrameDecodes) {
  SKIP_WITHOUT_DATA();
  uint64_t files = 0;
  uint64_t frames = 0;
  uint64_t ok = 0;
  AnomalyCounters anomalies;
  std::map<DecodeStatus, uint64_t> by_status;
  for (const auto& entry : fs::recursive_directory_iterator(kPcapDir)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".pcap" && ext != ".pcapng" && ext != ".cap")) {
      continue;
    }
    Tally t = DecodeFile(entry.path());
    if (!t.opened) continue;
    ++files;
    frames += t.frames;
    ok += t.ok;
    anomalies.Add(t.anomalies);
    for (auto [status, n] : t.by_status) by_status[status] += n;
  }
  std::printf("%llu files, %llu frames\n", static_cast<unsigned long long>(files),
              static_cast<unsigned long long>(frames));
  for (auto [status, n] : by_status) {
    std::printf("  %-12s %llu\n", std::string(DecodeStatusName(status)).c_str(),
                static_cast<unsigned long long>(n));
  }
  anomalies.ForEachNonZero([](std::string_view name, uint64_t n) {
    std::printf("  %-36s %llu\n", std::string(name).c_str(), static_cast<unsigned long long>(n));
  });
  RecordProperty("files", static_cast<int>(files));
  EXPECT_GT(files, 0u);
  // Nearly all real traffic is IP the decoders understand.
  EXPECT_GT(ok, frames * 8 / 10) << ok << " of " << frames;
}

}  // namespace
}  // namespace quench

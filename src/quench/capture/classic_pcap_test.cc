// The classic-pcap record reader against libpcap itself: same frames, times, lengths and
// bytes, on hand-made files of every byte order and time resolution and on every real
// capture in ../shared/data.
#include "quench/capture/classic_pcap.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "quench/capture/pcap_source.h"

namespace quench {
namespace {

namespace fs = std::filesystem;

// Compares PcapFileReader (which uses ClassicPcapRecords for classic files) with a bare
// libpcap loop on `path`; returns the number of frames compared.
size_t CompareWithLibpcap(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  auto reader = PcapFileReader::Open(path);
  if (pcap == nullptr) {
    EXPECT_FALSE(reader) << path;
    return 0;
  }
  EXPECT_TRUE(reader) << path;
  if (!reader) {
    pcap_close(pcap);
    return 0;
  }
  AnomalyCounters anomalies;
  size_t n = 0;
  uint64_t bad_fractions = 0;
  pcap_pkthdr* hdr;
  const u_char* data;
  while (pcap_next_ex(pcap, &hdr, &data) == 1) {
    Frame frame;
    const uint64_t bad_before_next = anomalies.Get(Anomaly::kCaptureBadTimestamp);
    if (!(*reader)->Next(&frame, &anomalies)) {
      ADD_FAILURE() << path << ": quench stopped at frame " << n << ": " << (*reader)->warning();
      break;
    }
    Timestamp ts = static_cast<Timestamp>(hdr->ts.tv_sec) * kNanosPerSecond + hdr->ts.tv_usec;
    // libpcap scales an out-of-range microsecond field in 32 bits (it wraps); quench keeps
    // the arithmetic exact and counts the record instead.
    bad_fractions = anomalies.Get(Anomaly::kCaptureBadTimestamp);
    if (bad_fractions == bad_before_next) {
      EXPECT_EQ(frame.ts, ts) << path << " frame " << n;
    }
    EXPECT_EQ(frame.caplen, hdr->caplen) << path << " frame " << n;
    EXPECT_EQ(frame.wire_len, std::max(hdr->len, hdr->caplen)) << path << " frame " << n;
    EXPECT_EQ(std::memcmp(frame.data, data, std::min(frame.caplen, hdr->caplen)), 0)
        << path << " frame " << n;
    ++n;
  }
  Frame extra;
  EXPECT_FALSE((*reader)->Next(&extra, &anomalies)) << path << ": quench read more frames";
  pcap_close(pcap);
  return n;
}

class ClassicPcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("quench_classic_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& image) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << image;
    return path;
  }
  fs::path dir_;
};

void Put32(std::string* out, uint32_t v, bool big) {
  for (int i = 0; i < 4; ++i) {
    int shift = big ? 24 - 8 * i : 8 * i;
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

std::string Image(bool big, bool nanos, int records, uint32_t snaplen = 65535) {
  std::string out;
  Put32(&out, nanos ? 0xa1b23c4d : 0xa1b2c3d4, big);
  out += big ? std::string("\x00\x02\x00\x04", 4) : std::string("\x02\x00\x04\x00", 4);
  Put32(&out, 0, big);
  Put32(&out, 0, big);
  Put32(&out, snaplen, big);
  Put32(&out, 1, big);
  for (int i = 0; i < records; ++i) {
    uint32_t len = 60 + static_cast<uint32_t>(i) * 7;
    Put32(&out, 1700000000u + static_cast<uint32_t>(i), big);
    Put32(&out, nanos ? 123456789u : 123456u, big);
    Put32(&out, len, big);
    Put32(&out, len + 4, big);
    out.append(len, static_cast<char>(i));
  }
  return out;
}

TEST_F(ClassicPcapTest, EveryByteOrderAndResolutionMatchesLibpcap) {
  for (bool big : {false, true}) {
    for (bool nanos : {false, true}) {
      std::string path = Write("f.pcap", Image(big, nanos, 50));
      EXPECT_EQ(CompareWithLibpcap(path), 50u) << "big=" << big << " nanos=" << nanos;
    }
  }
}

TEST_F(ClassicPcapTest, RecordsLargerThanTheBufferRefillCorrectly) {
  // 3000 records of 60-21000 bytes (about 31 MB) cross the 4 MiB buffer many times.
  std::string out = Image(false, false, 0);
  for (int i = 0; i < 3000; ++i) {
    uint32_t len = 60 + static_cast<uint32_t>(i) * 7;
    Put32(&out, 1700000000u, false);
    Put32(&out, static_cast<uint32_t>(i), false);
    Put32(&out, len, false);
    Put32(&out, len, false);
    out.append(len, static_cast<char>(i));
  }
  EXPECT_EQ(CompareWithLibpcap(Write("big.pcap", out)), 3000u);
}

TEST_F(ClassicPcapTest, HugeCaplenIsAReadErrorAndCutRecordIsTruncation) {
  std::string image = Image(false, false, 2);
  std::string huge = image.substr(0, 24);
  Put32(&huge, 1, false);
  Put32(&huge, 0, false);
  Put32(&huge, 0x7fffffff, false);
  Put32(&huge, 60, false);
  auto records = ClassicPcapRecords::Open(Write("huge.pcap", huge), 65535);
  ASSERT_NE(records, nullptr);
  ClassicPcapRecords::Record rec;
  EXPECT_FALSE(records->Next(&rec));
  EXPECT_FALSE(records->truncated());
  EXPECT_NE(records->error().find("invalid packet capture length 2147483647"), std::string::npos);

  auto cut = ClassicPcapRecords::Open(Write("cut.pcap", image.substr(0, image.size() - 10)), 65535);
  ASSERT_NE(cut, nullptr);
  EXPECT_TRUE(cut->Next(&rec));
  EXPECT_FALSE(cut->Next(&rec));
  EXPECT_TRUE(cut->truncated());
  EXPECT_NE(cut->error().find("only got"), std::string::npos);
}

TEST_F(ClassicPcapTest, OverSnaplenIsTrimmedAndFlagged) {
  auto records = ClassicPcapRecords::Open(Write("s.pcap", Image(false, false, 2, 64)), 64);
  ASSERT_NE(records, nullptr);
  ClassicPcapRecords::Record rec;
  ASSERT_TRUE(records->Next(&rec));
  EXPECT_FALSE(rec.over_snaplen);  // 60 bytes
  ASSERT_TRUE(records->Next(&rec));
  EXPECT_TRUE(rec.over_snaplen);   // 67 bytes claimed
  EXPECT_EQ(rec.caplen, 64u);
  EXPECT_FALSE(records->Next(&rec));
  EXPECT_TRUE(records->error().empty());
}

TEST_F(ClassicPcapTest, PcapngAndGarbageAreLeftToLibpcap) {
  EXPECT_EQ(ClassicPcapRecords::Open(Write("ng", std::string("\x0a\x0d\x0d\x0a", 4) + std::string(40, 'x')), 0), nullptr);
  EXPECT_EQ(ClassicPcapRecords::Open(Write("short", "abc"), 0), nullptr);
  EXPECT_EQ(ClassicPcapRecords::Open((dir_ / "missing").string(), 0), nullptr);
}

TEST(ClassicPcapRealDataTest, EveryRealCaptureReadsExactlyAsLibpcapReadsIt) {
  fs::path root = fs::path(QUENCH_SHARED_DATA) / "pcaps";
  if (!fs::exists(root)) GTEST_SKIP() << root << " absent: real-capture comparison skipped";
  size_t files = 0, frames = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (name == "COMMIT" || name == "LICENSE" || entry.path().extension() == ".out") continue;
    frames += CompareWithLibpcap(entry.path().string());
    ++files;
  }
  std::printf("compared %zu files, %zu frames with libpcap\n", files, frames);
  EXPECT_GT(files, 500u);
  EXPECT_GT(frames, 100000u);
}

}  // namespace
}  // namespace quench

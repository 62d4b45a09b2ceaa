#include "quench/capture/pcap_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace quench {
namespace {

namespace fs = std::filesystem;

// One record to write: time in ns, captured bytes, and the wire length (0: same as bytes).
struct TestRecord {
  Timestamp ts = 0;
  std::vector<uint8_t> bytes;
  uint32_t wire_len = 0;
  uint32_t caplen_override = 0;  // when non-zero, written as caplen regardless of bytes
};

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>(v >> 8));
}

// A classic little-endian pcap file image, with nanosecond or microsecond timestamps.
std::string PcapImage(uint32_t linktype, const std::vector<TestRecord>& records, bool nanos = true,
                      uint32_t snaplen = 65535) {
  std::string out;
  PutU32(&out, nanos ? 0xa1b23c4d : 0xa1b2c3d4);
  PutU16(&out, 2);
  PutU16(&out, 4);
  PutU32(&out, 0);
  PutU32(&out, 0);
  PutU32(&out, snaplen);
  PutU32(&out, linktype);
  for (const TestRecord& r : records) {
    int64_t sec = r.ts / kNanosPerSecond;
    int64_t frac = r.ts % kNanosPerSecond;
    PutU32(&out, static_cast<uint32_t>(sec));
    PutU32(&out, static_cast<uint32_t>(nanos ? frac : frac / 1000));
    uint32_t caplen =
        r.caplen_override != 0 ? r.caplen_override : static_cast<uint32_t>(r.bytes.size());
    PutU32(&out, caplen);
    PutU32(&out, r.wire_len != 0 ? r.wire_len : static_cast<uint32_t>(r.bytes.size()));
    out.append(r.bytes.begin(), r.bytes.end());
  }
  return out;
}

std::vector<uint8_t> Bytes(size_t n, uint8_t fill) { return std::vector<uint8_t>(n, fill); }

class PcapSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("quench_pcap_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const std::string& image) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << image;
    return path;
  }

  fs::path dir_;
};

TEST_F(PcapSourceTest, ReadsFramesWithNanosecondTimestamps) {
  std::vector<TestRecord> records = {
      {1'700'000'000'123'456'789, Bytes(60, 0xaa), 0, 0},
      {1'700'000'001'000'000'001, Bytes(1514, 0xbb), 0, 0},
      {1'700'000'002'999'999'999, Bytes(42, 0xcc), 0, 0},
  };
  std::string path = Write("eth.pcap", PcapImage(1, records));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  EXPECT_EQ((*reader)->linktype(), LinkType::kEthernet);
  EXPECT_EQ((*reader)->file_size(), fs::file_size(path));
  AnomalyCounters anomalies;
  Frame frame;
  for (const TestRecord& r : records) {
    ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
    EXPECT_EQ(frame.ts, r.ts);
    EXPECT_EQ(frame.caplen, r.bytes.size());
    EXPECT_EQ(frame.wire_len, r.bytes.size());
    EXPECT_EQ(frame.linktype, LinkType::kEthernet);
    EXPECT_EQ(frame.data[0], r.bytes[0]);
    EXPECT_EQ(frame.data[frame.caplen - 1], r.bytes.back());
  }
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));  // stays at the end
  EXPECT_EQ((*reader)->frames_read(), 3u);
  EXPECT_TRUE((*reader)->warning().empty());
  EXPECT_EQ(anomalies.Total(), 0u);
  EXPECT_EQ((*reader)->bytes_consumed(), fs::file_size(path));
}

TEST_F(PcapSourceTest, MicrosecondFileBecomesNanoseconds) {
  std::string path =
      Write("usec.pcap", PcapImage(1, {{1'600'000'000'654'321'000, Bytes(60, 1), 0, 0}}, false));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(frame.ts, 1'600'000'000'654'321'000);
}

TEST_F(PcapSourceTest, MapsLinkTypes) {
  struct Case {
    uint32_t file_linktype;
    LinkType expected;
  };
  // LINKTYPE_RAW (101) in a file is DLT_RAW (12) on Linux.
  const Case cases[] = {{1, LinkType::kEthernet},    {113, LinkType::kLinuxSll},
                        {276, LinkType::kLinuxSll2}, {101, LinkType::kRaw},
                        {0, LinkType::kNull},        {228, LinkType::kIpv4}};
  for (const Case& c : cases) {
    std::string path = Write("lt" + std::to_string(c.file_linktype) + ".pcap",
                             PcapImage(c.file_linktype, {{1, Bytes(40, 0x45), 0, 0}}));
    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader) << reader.error().ToString();
    EXPECT_EQ((*reader)->linktype(), c.expected) << c.file_linktype;
    AnomalyCounters anomalies;
    Frame frame;
    ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
    EXPECT_EQ(frame.linktype, c.expected) << c.file_linktype;
  }
}

TEST_F(PcapSourceTest, UnknownLinkTypePassesThroughAsNumber) {
  // LINKTYPE_IEEE802_11 (105) is DLT_IEEE802_11 (105): not one quench names.
  std::string path = Write("wifi.pcap", PcapImage(105, {{1, Bytes(40, 0), 0, 0}}));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  EXPECT_EQ(static_cast<uint16_t>((*reader)->linktype()), 105);
}

TEST_F(PcapSourceTest, TruncatedFileYieldsCompleteFramesThenWarns) {
  std::string image = PcapImage(
      1, {{10, Bytes(100, 1), 0, 0}, {20, Bytes(100, 2), 0, 0}, {30, Bytes(100, 3), 0, 0}});
  image.resize(image.size() - 50);  // cut in the middle of the third record's bytes
  std::string path = Write("cut.pcap", image);
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(frame.data[0], 1);
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(frame.data[0], 2);
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureTruncatedFile), 1u);
  const std::string& warning = (*reader)->warning();
  EXPECT_NE(warning.find(path), std::string::npos) << warning;
  EXPECT_NE(warning.find("truncated after 2 frames"), std::string::npos) << warning;
}

TEST_F(PcapSourceTest, FileCutInsideRecordHeaderAlsoWarns) {
  std::string image = PcapImage(1, {{10, Bytes(100, 1), 0, 0}, {20, Bytes(100, 2), 0, 0}});
  image.resize(24 + 16 + 100 + 7);  // 7 bytes of the second record header
  std::string path = Write("cut_header.pcap", image);
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureTruncatedFile), 1u);
  EXPECT_NE((*reader)->warning().find("after 1 frames"), std::string::npos) << (*reader)->warning();
}

TEST_F(PcapSourceTest, ImpossibleCaptureLengthIsReadError) {
  // A caplen of 0x7fffffff is beyond anything libpcap accepts: the record is corrupt.
  std::string path = Write(
      "corrupt.pcap", PcapImage(1, {{10, Bytes(60, 1), 0, 0}, {20, Bytes(60, 2), 0, 0x7fffffff}}));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureReadError), 1u);
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureTruncatedFile), 0u);
  EXPECT_NE((*reader)->warning().find(path + ": read error after 1 frames"), std::string::npos)
      << (*reader)->warning();
}

TEST_F(PcapSourceTest, CaplenAboveWireLengthIsCountedAndClamped) {
  std::string path = Write("wire.pcap", PcapImage(1, {{10, Bytes(80, 1), 60, 0}}));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureSnaplenExceeded), 1u);
  EXPECT_EQ(frame.caplen, 80u);
  EXPECT_GE(frame.wire_len, frame.caplen);
}

TEST_F(PcapSourceTest, CaplenAboveSnaplenNeverExceedsSnaplen) {
  // libpcap (1.10) itself trims such a record to the file's snaplen and skips the rest, so
  // the frame keeps its first 100 bytes and its wire length, and the next record is intact.
  std::string path = Write(
      "snap.pcap", PcapImage(1, {{10, Bytes(200, 1), 0, 0}, {20, Bytes(50, 2), 0, 0}}, true, 100));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(frame.caplen, 100u);
  EXPECT_EQ(frame.wire_len, 200u);
  EXPECT_EQ(frame.data[99], 1);
  ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
  EXPECT_EQ(frame.caplen, 50u);
  EXPECT_EQ(frame.data[0], 2);
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
}

TEST_F(PcapSourceTest, TimeGoingBackwardsIsCountedButDelivered) {
  std::string path = Write(
      "back.pcap",
      PcapImage(1, {{30, Bytes(60, 1), 0, 0}, {10, Bytes(60, 2), 0, 0}, {40, Bytes(60, 3), 0, 0}}));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  int n = 0;
  while ((*reader)->Next(&frame, &anomalies)) ++n;
  EXPECT_EQ(n, 3);
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureTimeWentBackwards), 1u);
}

TEST_F(PcapSourceTest, GarbageHeaderFailsNamingTheFile) {
  std::string path = Write("garbage.pcap", std::string(64, 'x'));
  auto reader = PcapFileReader::Open(path);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code(), ErrorCode::kIoError);
  EXPECT_NE(reader.error().message().find(path), std::string::npos) << reader.error().message();
}

TEST_F(PcapSourceTest, MissingFileIsNotFound) {
  std::string path = (dir_ / "does_not_exist.pcap").string();
  auto reader = PcapFileReader::Open(path);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(reader.error().message().find(path), std::string::npos);
}

TEST_F(PcapSourceTest, EmptyFileFailsToOpen) {
  std::string path = Write("empty.pcap", "");
  auto reader = PcapFileReader::Open(path);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message().find(path), std::string::npos) << reader.error().message();
}

TEST_F(PcapSourceTest, HeaderOnlyFileHasNoFrames) {
  std::string path = Write("header_only.pcap", PcapImage(1, {}));
  auto reader = PcapFileReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  AnomalyCounters anomalies;
  Frame frame;
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
  EXPECT_TRUE((*reader)->warning().empty());
  EXPECT_EQ(anomalies.Total(), 0u);
}

TEST_F(PcapSourceTest, MergesThreeFilesByTimeWithTiesInArgumentOrder) {
  // Frame byte 0 tells which file (1, 2, 3) and byte 1 its index within the file.
  auto rec = [](Timestamp ts, uint8_t file, uint8_t index) {
    std::vector<uint8_t> b(60, 0);
    b[0] = file;
    b[1] = index;
    return TestRecord{ts, b, 0, 0};
  };
  std::string a = Write("a.pcap", PcapImage(1, {rec(1, 1, 0), rec(4, 1, 1), rec(9, 1, 2)}));
  std::string b = Write("b.pcap", PcapImage(113, {rec(2, 2, 0), rec(3, 2, 1), rec(9, 2, 2)}));
  std::string c =
      Write("c.pcap", PcapImage(1, {rec(2, 3, 0), rec(5, 3, 1), rec(8, 3, 2), rec(10, 3, 3)}));
  auto source = MergedPcapSource::Open({a, b, c});
  ASSERT_TRUE(source) << source.error().ToString();
  EXPECT_EQ((*source)->total_bytes(), fs::file_size(a) + fs::file_size(b) + fs::file_size(c));
  AnomalyCounters anomalies;
  Frame frame;
  std::vector<std::pair<int, int>> order;
  std::vector<Timestamp> times;
  while ((*source)->Next(&frame, &anomalies)) {
    order.emplace_back(frame.data[0], frame.data[1]);
    times.push_back(frame.ts);
    EXPECT_EQ(frame.linktype, frame.data[0] == 2 ? LinkType::kLinuxSll : LinkType::kEthernet);
  }
  std::vector<std::pair<int, int>> expected = {{1, 0}, {2, 0}, {3, 0}, {2, 1}, {1, 1},
                                               {3, 1}, {3, 2}, {1, 2}, {2, 2}, {3, 3}};
  EXPECT_EQ(order, expected);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_EQ(anomalies.Total(), 0u);
  EXPECT_TRUE((*source)->warnings().empty());
  EXPECT_EQ((*source)->bytes_consumed(), (*source)->total_bytes());
}

TEST_F(PcapSourceTest, MergeKeepsFrameBytesValidUntilNextCall) {
  std::string a =
      Write("a.pcap", PcapImage(1, {{1, Bytes(60, 0xa1), 0, 0}, {3, Bytes(60, 0xa2), 0, 0}}));
  std::string b = Write("b.pcap", PcapImage(1, {{2, Bytes(60, 0xb1), 0, 0}}));
  auto source = MergedPcapSource::Open({a, b});
  ASSERT_TRUE(source);
  AnomalyCounters anomalies;
  Frame frame;
  std::vector<uint8_t> firsts;
  while ((*source)->Next(&frame, &anomalies)) {
    // Every byte of the frame must still be the file's, not the next record's.
    for (uint32_t i = 0; i < frame.caplen; ++i) ASSERT_EQ(frame.data[i], frame.data[0]);
    firsts.push_back(frame.data[0]);
  }
  EXPECT_EQ(firsts, (std::vector<uint8_t>{0xa1, 0xb1, 0xa2}));
}

TEST_F(PcapSourceTest, MergeCountsBackwardsTimeAndCollectsWarnings) {
  std::string a = Write("a.pcap", PcapImage(1, {{5, Bytes(60, 1), 0, 0}, {2, Bytes(60, 1), 0, 0}}));
  std::string image = PcapImage(1, {{1, Bytes(60, 2), 0, 0}, {6, Bytes(60, 2), 0, 0}});
  image.resize(image.size() - 10);
  std::string b = Write("b.pcap", image);
  auto source = MergedPcapSource::Open({a, b});
  ASSERT_TRUE(source);
  AnomalyCounters anomalies;
  Frame frame;
  int n = 0;
  while ((*source)->Next(&frame, &anomalies)) ++n;
  EXPECT_EQ(n, 3);
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureTimeWentBackwards), 1u);
  EXPECT_EQ(anomalies.Get(Anomaly::kCaptureTruncatedFile), 1u);
  auto warnings = (*source)->warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(b), std::string::npos);
}

TEST_F(PcapSourceTest, MergeOpenFailsNamingTheBadFile) {
  std::string a = Write("a.pcap", PcapImage(1, {{1, Bytes(60, 1), 0, 0}}));
  std::string bad = Write("bad.pcap", "not a capture at all, not even close");
  auto source = MergedPcapSource::Open({a, bad});
  ASSERT_FALSE(source);
  EXPECT_NE(source.error().message().find(bad), std::string::npos);
  std::string missing = (dir_ / "missing.pcap").string();
  source = MergedPcapSource::Open({a, missing});
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(source.error().message().find(missing), std::string::npos);
  EXPECT_FALSE(MergedPcapSource::Open({}));
}

TEST_F(PcapSourceTest, SingleFileMergeReadsEverything) {
  std::string a = Write("a.pcap", PcapImage(1, {{1, Bytes(60, 1), 0, 0}, {2, Bytes(61, 2), 0, 0}}));
  auto source = MergedPcapSource::Open({a});
  ASSERT_TRUE(source);
  AnomalyCounters anomalies;
  Frame frame;
  ASSERT_TRUE((*source)->Next(&frame, &anomalies));
  EXPECT_EQ(frame.caplen, 60u);
  ASSERT_TRUE((*source)->Next(&frame, &anomalies));
  EXPECT_EQ(frame.caplen, 61u);
  EXPECT_FALSE((*source)->Next(&frame, &anomalies));
}

TEST_F(PcapSourceTest, ReadsPcapngConvertedByEditcap) {
  if (std::system("command -v editcap >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "editcap not installed; cannot produce a pcapng file to read";
  }
  std::vector<TestRecord> records = {{1'700'000'000'000'000'001, Bytes(60, 1), 0, 0},
                                     {1'700'000'000'500'000'000, Bytes(70, 2), 100, 0}};
  std::string in = Write("in.pcap", PcapImage(1, records));
  std::string out = (dir_ / "out.pcapng").string();
  std::string cmd = "editcap -F pcapng '" + in + "' '" + out + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto reader = PcapFileReader::Open(out);
  ASSERT_TRUE(reader) << reader.error().ToString();
  EXPECT_EQ((*reader)->linktype(), LinkType::kEthernet);
  AnomalyCounters anomalies;
  Frame frame;
  for (const TestRecord& r : records) {
    ASSERT_TRUE((*reader)->Next(&frame, &anomalies));
    EXPECT_EQ(frame.ts, r.ts);
    EXPECT_EQ(frame.caplen, r.bytes.size());
    EXPECT_EQ(frame.wire_len, r.wire_len != 0 ? r.wire_len : r.bytes.size());
    EXPECT_EQ(frame.data[0], r.bytes[0]);
  }
  EXPECT_FALSE((*reader)->Next(&frame, &anomalies));
  EXPECT_TRUE((*reader)->warning().empty());
  EXPECT_GT((*reader)->bytes_consumed(), 0u);
}

// Frame counts observed with `capinfos -c` on the shared data set.
TEST(PcapSourceRealDataTest, FrameCountsMatchCapinfos) {
  const std::string root = std::string(QUENCH_SHARED_DATA) + "/pcaps";
  struct Case {
    const char* relative;
    uint64_t frames;
  };
  const Case cases[] = {
      {"/slips/malicious-ssh-bruteforce.pcap", 1178},
      {"/ndpi/pcap/1kxun.pcap", 1723},
      {"/ndpi/pcap/ah.pcapng", 6},
      {"/ndpi/pcap/anydesk.pcapng", 174},
  };
  int checked = 0;
  for (const Case& c : cases) {
    std::string path = root + c.relative;
    if (!fs::exists(path)) continue;
    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader) << reader.error().ToString();
    AnomalyCounters anomalies;
    Frame frame;
    uint64_t n = 0;
    Timestamp first = 0;
    while ((*reader)->Next(&frame, &anomalies)) {
      if (n == 0) first = frame.ts;
      ++n;
    }
    EXPECT_EQ(n, c.frames) << path;
    EXPECT_TRUE((*reader)->warning().empty()) << (*reader)->warning();
    EXPECT_GT(first, Timestamp{946684800} * kNanosPerSecond) << path;  // after 2000-01-01
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no shared pcaps under " << root;
}

}  // namespace
}  // namespace quench

// DNS parser over real captures in QUENCH_SHARED_DATA/pcaps/ndpi/pcap: frames are decoded
// with DecodeFrame, UDP port 53 payloads and single-segment TCP port 53 messages are parsed,
// and the question names are compared per frame with tshark's dns.qry.name (tshark is run
// from the test when installed; the comparison is skipped with a message otherwise).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "quench/app/dns.h"
#include "quench/capture/pcap_source.h"
#include "quench/decode/decoder.h"

namespace quench {
namespace {

const std::filesystem::path kPcapDir =
    std::filesystem::path(QUENCH_SHARED_DATA) / "pcaps" / "ndpi" / "pcap";

// DNS-heavy captures (DNS over UDP/TCP 53 in the tshark sense), chosen by running
//   tshark -r F -Y "dns && (udp.port==53 || tcp.port==53)" -T fields -e dns.qry.name | wc -l
// over every capture whose name mentions dns; the count is that number of lines (one line
// per DNS message tshark decoded) with tshark 4.0.17.
struct Capture {
  const char* file;
  int tshark_messages;
};
constexpr Capture kCaptures[] = {
    {"bad-dns-traffic.pcap", 382},     {"dns-tunnel-iodine.pcap", 434},
    {"dns_exfiltration.pcap", 300},    {"dns_fragmented.pcap", 43},
    {"dns_ambiguous_names.pcap", 20},  {"dns-google-nsid.pcapng", 14},
    {"malformed_dns.pcap", 6},         {"dns.pcap", 5},
    {"dns-invalid-chars.pcap", 2},     {"dns_long_domainname.pcap", 2},
    {"dns_invert_query.pcapng", 2},    {"netbios_wildcard_dns_query.pcap", 1},
    {"bt-dns.pcap", 2},                {"mullvad_dns.pcap", 2},
};

// Question names quench finds, per frame number (1-based).
struct QuenchResult {
  std::map<uint64_t, std::vector<std::string>> names;
  int messages_ok = 0;
  int messages_failed = 0;
  std::map<std::string_view, int> failures;  // by DnsParseStatusName
};

void AddMessage(DnsParseStatus st, const DnsMessage& m, uint64_t frame_no, QuenchResult* out) {
  if (st != DnsParseStatus::kOk) {
    ++out->messages_failed;
    ++out->failures[DnsParseStatusName(st)];
  } else {
    ++out->messages_ok;
  }
  // Names read before a failure are still reported (tshark shows them too).
  for (const DnsQuestion& q : m.Questions()) out->names[frame_no].emplace_back(m.Text(q.name));
}

QuenchResult RunQuench(const std::string& path) {
  QuenchResult result;
  auto reader = PcapFileReader::Open(path);
  EXPECT_TRUE(reader.has_value()) << path;
  if (!reader) return result;
  AnomalyCounters anomalies;
  Frame frame;
  PacketInfo pkt;
  auto msg = std::make_unique<DnsMessage>();
  uint64_t frame_no = 0;
  while ((*reader)->Next(&frame, &anomalies)) {
    ++frame_no;
    if (DecodeFrame(frame, &pkt, &anomalies) != DecodeStatus::kOk || !pkt.has_ports) continue;
    if (pkt.sport != 53 && pkt.dport != 53) continue;
    if (pkt.is_fragment && !pkt.is_first_fragment) continue;
    std::span<const uint8_t> payload(pkt.payload, pkt.payload_caplen);
    if (pkt.ip_proto == kIpProtoUdp && !payload.empty()) {
      AddMessage(ParseDnsMessage(payload, msg.get()), *msg, frame_no, &result);
    } else if (pkt.ip_proto == kIpProtoTcp) {
      // Every whole message in the segment; a message split across segments is not parsed.
      while (payload.size() >= 2) {
        size_t consumed = 0;
        const DnsParseStatus st = ParseDnsTcpMessage(payload, msg.get(), &consumed);
        if (st == DnsParseStatus::kTruncatedTcpLength) break;
        AddMessage(st, *msg, frame_no, &result);
        if (st != DnsParseStatus::kOk) break;
        payload = payload.subspan(consumed);
      }
    }
  }
  return result;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Starts tshark printing frame number and dns.qry.name for each DNS message of `path`; all
// captures are started before any is read, so the tshark start-ups overlap.
FILE* StartTshark(const std::string& path) {
  const std::string cmd = "tshark -n -r '" + path +
                          "' -Y 'dns && (udp.port==53 || tcp.port==53)' -T fields "
                          "-E occurrence=a -E aggregator=, -e frame.number -e dns.qry.name "
                          "2>/dev/null";
  return popen(cmd.c_str(), "r");
}

// tshark's dns.qry.name per frame; false when tshark could not be run.
bool ReadTshark(FILE* pipe, std::map<uint64_t, std::vector<std::string>>* names, int* lines) {
  if (pipe == nullptr) return false;
  char buf[8192];
  *lines = 0;
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) {
    std::string line(buf);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    ++*lines;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const uint64_t frame_no = std::stoull(line.substr(0, tab));
    std::string rest = line.substr(tab + 1);
    size_t start = 0;
    while (start <= rest.size() && !rest.empty()) {
      const size_t sep = rest.find(',', start);
      (*names)[frame_no].push_back(Lower(rest.substr(start, sep - start)));
      if (sep == std::string::npos) break;
      start = sep + 1;
    }
  }
  return pclose(pipe) == 0;
}

// Length of the valid UTF-8 sequence at raw[i] (a byte >= 0x80), 0 when invalid.
size_t Utf8Length(const std::string& raw, size_t i) {
  const auto u = [&](size_t k) { return static_cast<uint8_t>(raw[k]); };
  const uint8_t b = u(i);
  size_t n = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    n = 2;
  } else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b == 0xe0) lo = 0xa0;
    if (b == 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b == 0xf0) lo = 0x90;
    if (b == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > raw.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const uint8_t c = u(i + k);
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xbf)) return 0;
  }
  return n;
}

// quench's canonical text in tshark's presentation, to compare names and not escaping:
// tshark shows '.' and '\\' in a label bare, bytes below 0x20 and 0x7f as \ooo (octal), valid
// UTF-8 sequences as they are and other bytes from 0x80 as U+FFFD, and keeps case (lowered by
// ReadTshark before comparing).
std::string TsharkPresentation(std::string_view text) {
  std::string raw;  // label bytes with quench's escapes undone
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      raw += text[i];
    } else if (i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9') {
      raw += static_cast<char>((text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 +
                               (text[i + 3] - '0'));
      i += 3;
    } else {
      raw += text[++i];
    }
  }
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    const uint8_t v = static_cast<uint8_t>(raw[i]);
    if (v >= 0x80) {
      const size_t n = Utf8Length(raw, i);
      if (n == 0) {
        out += "\xef\xbf\xbd";
      } else {
        out += raw.substr(i, n);
        i += n - 1;
      }
    } else if (v < 0x20 || v == 0x7f) {
      out += '\\';
      out += static_cast<char>('0' + (v >> 6));
      out += static_cast<char>('0' + ((v >> 3) & 7));
      out += static_cast<char>('0' + (v & 7));
    } else {
      out += static_cast<char>(v);
    }
  }
  return out;
}

bool TsharkPresent() { return std::system("tshark --version >/dev/null 2>&1") == 0; }

struct Totals {
  int tshark_names = 0;
  int agree = 0;
  int ok = 0;
  int failed = 0;
  int placeholders = 0;
};

// Parses one capture, compares with tshark when `tshark`; expected_lines < 0: not checked.
// `pipe` is StartTshark's, or null to skip the comparison.
void CompareCapture(const std::string& file, int expected_lines, FILE* pipe, bool quiet,
                    Totals* totals) {
  const std::string path = (kPcapDir / file).string();
  const QuenchResult ours = RunQuench(path);
  totals->ok += ours.messages_ok;
  totals->failed += ours.messages_failed;
  if (expected_lines > 0) {
    EXPECT_GT(ours.messages_ok, 0) << file;
  }
  if (pipe == nullptr) return;
  std::map<uint64_t, std::vector<std::string>> theirs;
  int lines = 0;
  const bool tshark_ok = ReadTshark(pipe, &theirs, &lines);
  // A damaged capture makes tshark exit non-zero after printing what it read; only the
  // curated list requires a clean run.
  if (expected_lines >= 0) {
    ASSERT_TRUE(tshark_ok) << file;
  }
  if (expected_lines >= 0) {
    EXPECT_EQ(lines, expected_lines) << file << ": tshark output changed";
  }
  // Multiset comparison per file: tshark attributes a reassembled message (IP fragments,
  // TCP segments) to its last frame, quench to the frame it parsed.
  std::map<std::string, int> ours_left;
  for (const auto& [frame_no, names] : ours.names) {
    for (const std::string& n : names) ++ours_left[TsharkPresentation(n)];
  }
  int file_names = 0;
  int file_agree = 0;
  for (const auto& [frame_no, names] : theirs) {
    for (std::string name : names) {
      if (name == "<root>") name = ".";
      if (name.size() > 1 && name.front() == '<' && name.back() == '>') {
        ++totals->placeholders;  // "<Name too long>" and the like: no name to compare
        continue;
      }
      ++file_names;
      auto it = ours_left.find(name);
      if (it != ours_left.end() && it->second > 0) {
        --it->second;
        ++file_agree;
      } else if (!quiet) {
        std::printf("  %s frame %llu: tshark '%s' not found in quench's names\n", file.c_str(),
                    static_cast<unsigned long long>(frame_no), name.c_str());
      }
    }
  }
  if (!quiet || file_agree != file_names || ours.messages_failed > 0) {
    std::printf("%-34s tshark names %4d, quench agrees on %4d; quench messages ok %4d failed %d",
                file.c_str(), file_names, file_agree, ours.messages_ok, ours.messages_failed);
    for (const auto& [reason, n] : ours.failures) {
      std::printf(" %.*s=%d", static_cast<int>(reason.size()), reason.data(), n);
    }
    std::printf("\n");
  }
  totals->tshark_names += file_names;
  totals->agree += file_agree;
}

void PrintTotals(const Totals& t) {
  std::printf("total: quench messages ok %d, failed %d\n", t.ok, t.failed);
  std::printf("total: tshark names %d, agreement %d (%.2f%%); tshark placeholders skipped %d\n",
              t.tshark_names, t.agree, 100.0 * t.agree / std::max(1, t.tshark_names),
              t.placeholders);
}

TEST(DnsPcap, ParsesDnsCapturesAndAgreesWithTshark) {
  if (!std::filesystem::is_directory(kPcapDir)) {
    GTEST_SKIP() << "no shared captures at " << kPcapDir;
  }
  const bool tshark = TsharkPresent();
  Totals totals;
  std::vector<FILE*> pipes;
  for (const Capture& c : kCaptures) {
    const bool present = std::filesystem::exists(kPcapDir / c.file);
    if (!present) ADD_FAILURE() << "missing " << c.file;
    pipes.push_back(tshark && present ? StartTshark((kPcapDir / c.file).string()) : nullptr);
  }
  for (size_t i = 0; i < std::size(kCaptures); ++i) {
    if (!std::filesystem::exists(kPcapDir / kCaptures[i].file)) continue;
    CompareCapture(kCaptures[i].file, kCaptures[i].tshark_messages, pipes[i], /*quiet=*/false,
                   &totals);
  }
  PrintTotals(totals);
  if (!tshark) GTEST_SKIP() << "tshark not installed: comparison skipped (parsed captures only)";
  // Measured 98.85% (1199 of 1213 with tshark 4.0.17); the 14 misses are tshark's rendering of
  // non-UTF-8 label bytes in dns-tunnel-iodine.pcap (docs/app-dns.md).
  EXPECT_GE(totals.agree * 1000, totals.tshark_names * 985);
}

// Every capture of the directory; minutes of tshark, so only on request:
//   QUENCH_DNS_ALL_CAPTURES=1 app_dns_pcap_test --gtest_filter=DnsPcap.AllCaptures
TEST(DnsPcap, AllCaptures) {
  if (std::getenv("QUENCH_DNS_ALL_CAPTURES") == nullptr) {
    GTEST_SKIP() << "set QUENCH_DNS_ALL_CAPTURES=1 to compare every capture with tshark";
  }
  if (!std::filesystem::is_directory(kPcapDir)) {
    GTEST_SKIP() << "no shared captures at " << kPcapDir;
  }
  if (!TsharkPresent()) GTEST_SKIP() << "tshark not installed";
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kPcapDir)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".pcap" || ext == ".pcapng" || ext == ".cap")) {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  Totals totals;
  for (const std::string& f : files) {
    CompareCapture(f, -1, StartTshark((kPcapDir / f).string()), /*quiet=*/true, &totals);
  }
  PrintTotals(totals);
  EXPECT_GT(totals.tshark_names, 0);
}

}  // namespace
}  // namespace quench

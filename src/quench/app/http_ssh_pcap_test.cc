// HTTP and SSH parsers over real captures in QUENCH_SHARED_DATA/pcaps: frames are decoded
// with DecodeFrame, each TCP direction is reassembled in order (in-sequence segments only,
// bounded), client bytes of port 80/8080/3128 flows go to ParseHttpRequest (every request of
// the connection, so NTLM AUTHENTICATE on a kept-alive connection is seen), and both
// directions of SSH flows (port 22, or bytes opening with "SSH-") go to ParseSshHandshake.
// Compared with tshark (run from the test; skipped with a message when absent) on
// http.host / http.request.uri / http.user_agent / ntlmssp.auth.username / ssh.protocol, and
// HASSH with nDPI's expected results (ndpi/result/*.out lines listing HASSH-C / HASSH-S).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "quench/app/http.h"
#include "quench/app/ssh.h"
#include "quench/capture/pcap_source.h"
#include "quench/decode/decoder.h"

namespace quench {
namespace {

const std::filesystem::path kData = std::filesystem::path(QUENCH_SHARED_DATA) / "pcaps";
const std::filesystem::path kNdpiPcaps = kData / "ndpi" / "pcap";

// Captures with HTTP requests, NTLM over HTTP (webdav.pcap) and SSH handshakes, chosen with
//   grep -l -a -e TlRMTVNTUA -e SSH-2.0 and by name (http*, ssh*), tshark 4.0.17.
constexpr const char* kHttpCaptures[] = {
    "http_auth.pcap",       "http_connect.pcap",
    "http-proxy.pcapng",    "http.pcapng",
    "http-lines-split.pcap", "http_ua_splitted_in_two_pkts.pcapng",
    "windowsupdate_over_http.pcap", "webdav.pcap",
    "http_origin_different_than_host.pcap", "http-manipulated.pcap",
};
constexpr const char* kSshCaptures[] = {"ssh.pcap", "ssh_unidirectional.pcap",
                                        "custom_categories.pcapng"};

// The captures to read: the chosen ones, or with QUENCH_HTTP_SSH_ALL=1 in the environment every
// capture under pcaps/ (an opt-in survey of a few minutes, for the figures in the docs).
std::vector<std::string> Captures(std::span<const char* const> chosen) {
  std::vector<std::string> paths;
  if (std::getenv("QUENCH_HTTP_SSH_ALL") != nullptr) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(kData)) {
      std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng" || ext == ".cap")) {
        paths.push_back(e.path().string());
      }
    }
    std::sort(paths.begin(), paths.end());
    return paths;
  }
  for (const char* name : chosen) paths.push_back((kNdpiPcaps / name).string());
  return paths;
}

bool IsHttpPort(uint16_t port) { return port == 80 || port == 8080 || port == 3128; }

using PortPair = std::pair<uint16_t, uint16_t>;  // (sender port, receiver port)

struct HttpRow {
  std::string host, uri, user_agent, ntlm_user;
};
struct SshSide {
  std::string banner;
  std::string hassh;  // client or server HASSH as nDPI prints it (upper-case hex)
};

struct QuenchResult {
  std::map<PortPair, std::vector<HttpRow>> http;  // client port, server port
  std::map<PortPair, SshSide> ssh;                 // sender port, receiver port
  int http_malformed = 0;
};

struct Direction {
  bool started = false;
  bool done = false;
  uint32_t next_seq = 0;
  std::string buf;
};

constexpr size_t kMaxBuffer = 65536;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void FeedHttp(Direction* d, PortPair ports, QuenchResult* out) {
  while (!d->buf.empty()) {
    HttpRequest req;
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(d->buf.data()), d->buf.size());
    HttpParseStatus st = ParseHttpRequest(bytes, &req);
    if (st == HttpParseStatus::kNeedMore) {
      if (d->buf.size() > kMaxBuffer) d->buf.clear();
      return;
    }
    if (st != HttpParseStatus::kOk) {
      if (st == HttpParseStatus::kMalformed) ++out->http_malformed;
      d->buf.clear();  // a body or something else: wait for the next segment
      return;
    }
    HttpRow row{std::string(req.host), std::string(req.uri), std::string(req.user_agent),
                req.has_ntlm && req.ntlm.type == NtlmMessageType::kAuthenticate
                    ? std::string(req.ntlm.user.view())
                    : std::string()};
    out->http[ports].push_back(std::move(row));
    d->buf.erase(0, req.head_bytes);
  }
}

void FeedSsh(Direction* d, PortPair ports, bool from_client, QuenchResult* out) {
  SshHandshake h;
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(d->buf.data()), d->buf.size());
  SshParseStatus st = ParseSshHandshake(bytes, &h);
  if (st == SshParseStatus::kNeedMore && d->buf.size() < kMaxBuffer) return;
  d->done = true;
  if (!h.has_banner) return;
  SshSide& side = out->ssh[ports];
  side.banner = std::string(h.banner);
  if (h.has_kexinit) side.hassh = Upper(Hassh(h.kexinit, !from_client));
}

QuenchResult RunQuench(const std::string& path, bool want_http, bool want_ssh) {
  QuenchResult result;
  auto reader = PcapFileReader::Open(path);
  EXPECT_TRUE(reader.has_value()) << path;
  if (!reader) return result;
  AnomalyCounters anomalies;
  Frame frame;
  PacketInfo pkt;
  std::map<std::string, Direction> dirs;
  std::map<std::string, bool> initiator;  // "a>b" key -> sent the SYN
  while ((*reader)->Next(&frame, &anomalies)) {
    if (DecodeFrame(frame, &pkt, &anomalies) != DecodeStatus::kOk || !pkt.has_ports) continue;
    if (pkt.ip_proto != kIpProtoTcp) continue;
    std::string key = pkt.src.ToString() + ":" + std::to_string(pkt.sport) + ">" +
                      pkt.dst.ToString() + ":" + std::to_string(pkt.dport);
    if ((pkt.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn) initiator[key] = true;
    Direction& d = dirs[key];
    if (d.done || pkt.payload_caplen == 0) continue;
    if (d.started && pkt.tcp_seq != d.next_seq) continue;  // retransmission or out of order
    d.started = true;
    d.next_seq = pkt.tcp_seq + pkt.payload_len;
    d.buf.append(reinterpret_cast<const char*>(pkt.payload), pkt.payload_caplen);
    if (pkt.payload_caplen < pkt.payload_len) d.done = true;
    PortPair ports{pkt.sport, pkt.dport};
    if (want_http && IsHttpPort(pkt.dport)) {
      FeedHttp(&d, ports, &result);
    } else if (want_ssh && (pkt.sport == 22 || pkt.dport == 22 || d.buf.rfind("SSH-", 0) == 0)) {
      std::string reverse = pkt.dst.ToString() + ":" + std::to_string(pkt.dport) + ">" +
                            pkt.src.ToString() + ":" + std::to_string(pkt.sport);
      bool from_client = initiator.count(key) > 0 ||
                         (initiator.count(reverse) == 0 && pkt.sport > pkt.dport);
      FeedSsh(&d, ports, from_client, &result);
    } else {
      d.done = true;
    }
  }
  return result;
}

bool HaveTshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

std::vector<std::vector<std::string>> Tshark(const std::string& path, const std::string& filter,
                                             const std::vector<std::string>& fields) {
  std::string cmd = "tshark -n -r '" + path + "' -Y '" + filter + "' -T fields";
  for (const std::string& f : fields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return rows;
  std::string line;
  int c;
  while ((c = std::fgetc(p)) != EOF) {
    if (c != '\n') {
      line.push_back(static_cast<char>(c));
      continue;
    }
    std::vector<std::string> cols;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      cols.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(cols));
    line.clear();
  }
  pclose(p);
  return rows;
}

struct Agreement {
  int total = 0;
  int agree = 0;
  void Add(bool ok) {
    ++total;
    agree += ok ? 1 : 0;
  }
  double Percent() const { return total == 0 ? 100.0 : 100.0 * agree / total; }
};

TEST(HttpSshPcapTest, HttpFieldsAgreeWithTshark) {
  if (!std::filesystem::exists(kNdpiPcaps)) GTEST_SKIP() << "no shared data at " << kNdpiPcaps;
  if (!HaveTshark()) GTEST_SKIP() << "tshark not installed; comparison skipped";
  Agreement host, uri, ua, ntlm;
  for (const std::string& path : Captures(kHttpCaptures)) {
    const std::string& name = path;
    if (!std::filesystem::exists(path)) continue;
    QuenchResult ours = RunQuench(path, true, false);
    auto rows = Tshark(path, "http.request && (tcp.dstport == 80 || tcp.dstport == 8080 || tcp.dstport == 3128)",
                       {"tcp.srcport", "tcp.dstport", "http.host", "http.request.uri",
                        "http.user_agent", "ntlmssp.auth.username"});
    std::map<PortPair, size_t> index;
    for (const auto& row : rows) {
      if (row.size() < 6) continue;
      PortPair ports{static_cast<uint16_t>(std::stoi(row[0])),
                     static_cast<uint16_t>(std::stoi(row[1]))};
      size_t i = index[ports]++;
      const std::vector<HttpRow>& list = ours.http[ports];
      const HttpRow* mine = i < list.size() ? &list[i] : nullptr;
      auto check = [&](Agreement* a, const std::string& want, const std::string HttpRow::*field,
                       const char* what) {
        if (want.empty()) return;
        bool ok = mine != nullptr && mine->*field == want;
        a->Add(ok);
        if (!ok) {
          ADD_FAILURE() << name << " " << ports.first << ">" << ports.second << " request " << i
                        << " " << what << ": tshark '" << want << "' quench '"
                        << (mine ? mine->*field : std::string("<none>")) << "'";
        }
      };
      check(&host, row[2], &HttpRow::host, "host");
      check(&uri, row[3], &HttpRow::uri, "uri");
      check(&ua, row[4], &HttpRow::user_agent, "user_agent");
      check(&ntlm, row[5], &HttpRow::ntlm_user, "ntlm user");
    }
  }
  std::printf("http agreement with tshark: host %d/%d, uri %d/%d, user_agent %d/%d, "
              "ntlmssp.auth.username %d/%d\n",
              host.agree, host.total, uri.agree, uri.total, ua.agree, ua.total, ntlm.agree,
              ntlm.total);
  EXPECT_GT(host.total, 20);
  EXPECT_GT(ntlm.total, 0);
}

TEST(HttpSshPcapTest, SshBannersAgreeWithTshark) {
  if (!std::filesystem::exists(kNdpiPcaps)) GTEST_SKIP() << "no shared data at " << kNdpiPcaps;
  if (!HaveTshark()) GTEST_SKIP() << "tshark not installed; comparison skipped";
  Agreement banner;
  for (const std::string& path : Captures(kSshCaptures)) {
    const std::string& name = path;
    if (!std::filesystem::exists(path)) continue;
    QuenchResult ours = RunQuench(path, false, true);
    auto rows = Tshark(path, "ssh.protocol", {"tcp.srcport", "tcp.dstport", "ssh.protocol"});
    for (const auto& row : rows) {
      if (row.size() < 3 || row[2].empty()) continue;
      PortPair ports{static_cast<uint16_t>(std::stoi(row[0])),
                     static_cast<uint16_t>(std::stoi(row[1]))};
      bool ok = ours.ssh.count(ports) > 0 && ours.ssh[ports].banner == row[2];
      banner.Add(ok);
      EXPECT_TRUE(ok) << name << " " << ports.first << ">" << ports.second << ": tshark '"
                      << row[2] << "' quench '" << ours.ssh[ports].banner << "'";
    }
  }
  std::printf("ssh.protocol agreement with tshark: %d/%d\n", banner.agree, banner.total);
  EXPECT_GT(banner.total, 0);
}

// nDPI result lines: "... TCP 172.16.238.1:58395 <-> 172.16.238.168:22 [proto: ...]
// ...[HASSH-C: 21B4...][Server: ...][HASSH-S: B1C6...]": client first.
std::string Field(const std::string& line, const std::string& tag) {
  size_t at = line.find("[" + tag + ": ");
  if (at == std::string::npos) return "";
  at += tag.size() + 3;
  return line.substr(at, line.find(']', at) - at);
}
uint16_t PortOf(const std::string& endpoint) {
  return static_cast<uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

TEST(HttpSshPcapTest, HasshAgreesWithNdpi) {
  std::filesystem::path results = kData / "ndpi" / "result";
  if (!std::filesystem::exists(results)) GTEST_SKIP() << "no nDPI results at " << results;
  Agreement client, server;
  for (const auto& entry : std::filesystem::directory_iterator(results)) {
    std::ifstream in(entry.path());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      if (line.find("HASSH-") != std::string::npos) lines.push_back(line);
    }
    if (lines.empty()) continue;
    std::string pcap = (kNdpiPcaps / entry.path().stem()).string();
    if (!std::filesystem::exists(pcap)) continue;
    QuenchResult ours = RunQuench(pcap, false, true);
    for (const std::string& line : lines) {
      size_t tcp = line.find("TCP ");
      size_t arrow = line.find(" <-> ");
      size_t end = line.find(" [", arrow);
      if (tcp == std::string::npos || arrow == std::string::npos) continue;
      uint16_t cport = PortOf(line.substr(tcp + 4, arrow - tcp - 4));
      uint16_t sport = PortOf(line.substr(arrow + 5, end - arrow - 5));
      std::string want_c = Field(line, "HASSH-C");
      std::string want_s = Field(line, "HASSH-S");
      if (!want_c.empty()) {
        bool ok = ours.ssh[{cport, sport}].hassh == want_c;
        client.Add(ok);
        EXPECT_TRUE(ok) << pcap << " " << cport << ">" << sport << " HASSH-C " << want_c
                        << " quench '" << ours.ssh[{cport, sport}].hassh << "'";
      }
      if (!want_s.empty()) {
        bool ok = ours.ssh[{sport, cport}].hassh == want_s;
        server.Add(ok);
        EXPECT_TRUE(ok) << pcap << " " << sport << ">" << cport << " HASSH-S " << want_s
                        << " quench '" << ours.ssh[{sport, cport}].hassh << "'";
      }
    }
  }
  std::printf("HASSH agreement with nDPI: client %d/%d, server %d/%d\n", client.agree,
              client.total, server.agree, server.total);
  EXPECT_GT(client.total + server.total, 0);
}

}  // namespace
}  // namespace quench

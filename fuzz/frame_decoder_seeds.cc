// Writes the seed corpus of the frame decoder fuzzer: one small hand-built frame per layer
// the decoders know (built with quench/decode/test_frames.h, never copied from captures).
// Usage: frame_decoder_seeds DIR   (files are named seed-<name>).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "frame_decoder_fuzz.h"
#include "quench/decode/test_frames.h"

using namespace quench;               // NOLINT(build/namespaces)
using namespace quench::test_frames;  // NOLINT(build/namespaces)

namespace {

uint8_t Index(LinkType t) {
  for (size_t i = 0; i < fuzz::kFuzzLinkTypeCount; ++i) {
    if (fuzz::kFuzzLinkTypes[i] == t) return static_cast<uint8_t>(i);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  constexpr uint32_t kA = 0x0a000001;
  constexpr uint32_t kB = 0x0a000002;
  const Bytes v4tcp = Ipv4(kA, kB, 6, Tcp(1234, 80, 0x02, Filler(8)));
  const Bytes v4udp = Ipv4(kA, kB, 17, Udp(5353, 53, Filler(8)));
  const Bytes v6udp = Ipv6("2001:db8::1", "2001:db8::2", 17, Udp(5353, 53, Filler(8)));
  const Bytes v6tcp = Ipv6("2001:db8::1", "2001:db8::2", 6, Tcp(1, 2, 0x10, Filler(4)));
  Ipv4Options first;
  first.more_fragments = true;
  Ipv4Options later;
  later.fragment_offset_units = 2;
  Ipv4Options opts;
  opts.options = {0x01, 0x01, 0x94, 0x04};
  Bytes ah = {6, 4};
  ah.resize(24, 0);

  std::vector<std::pair<std::string, std::pair<LinkType, Bytes>>> seeds = {
      {"eth-ipv4-tcp", {LinkType::kEthernet, Ethernet(0x0800, v4tcp)}},
      {"eth-ipv4-udp", {LinkType::kEthernet, Ethernet(0x0800, v4udp)}},
      {"eth-ipv4-icmp", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 1, Icmp(8, 0)))}},
      {"eth-ipv6-icmpv6", {LinkType::kEthernet, Ethernet(0x86dd, Ipv6("::1", "::2", 58, Icmp(128, 0)))}},
      {"eth-arp", {LinkType::kEthernet, Ethernet(0x0806, Filler(28))}},
      {"eth-vlan", {LinkType::kEthernet, Ethernet(0x0800, v4tcp, {{0x8100, 10}})}},
      {"eth-qinq", {LinkType::kEthernet, Ethernet(0x86dd, v6udp, {{0x88a8, 1}, {0x8100, 2}})}},
      {"eth-mpls", {LinkType::kEthernet, Ethernet(0x8847, Mpls({16, 17}, v4tcp))}},
      {"eth-mpls-pw", {LinkType::kEthernet,
                       Ethernet(0x8847, Mpls({16}, Cat({Bytes{0, 0, 0, 0}, Ethernet(0x0800, v4udp)})))}},
      {"eth-pppoe", {LinkType::kEthernet, Ethernet(0x8864, Pppoe(0x0021, v4tcp))}},
      {"eth-pppoe-v6", {LinkType::kEthernet, Ethernet(0x8864, Pppoe(0x0057, v6udp))}},
      {"eth-ipv4-options", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(1, 2), opts))}},
      {"eth-ipv4-frag-first", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(1, 2, Filler(16)), first))}},
      {"eth-ipv4-frag-later", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 17, Filler(16), later))}},
      {"eth-ipv4-ah", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 51, Cat({ah, Tcp(1, 2, 0x10)})))}},
      {"eth-ipv6-ext", {LinkType::kEthernet,
                        Ethernet(0x86dd, Ipv6("::1", "::2", 0, Ipv6Ext(43, Ipv6Ext(60, Udp(1, 2)))))}},
      {"eth-ipv6-frag", {LinkType::kEthernet,
                         Ethernet(0x86dd, Ipv6("::1", "::2", 44, Ipv6Frag(17, 0, true, 9, Udp(1, 2, Filler(8)))))}},
      {"eth-gre-key", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x0800, v4tcp, 7)))}},
      {"eth-gre-csum-seq-v6", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x86dd, v6tcp, {}, 1, true)))}},
      {"eth-gre-teb", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x6558, Ethernet(0x0800, v4udp))))}},
      {"eth-gre-erspan2", {LinkType::kEthernet,
                           Ethernet(0x0800, Ipv4(kA, kB, 47, Gre(0x88be, Cat({Bytes{0x10, 0, 0, 0, 0, 0, 0, 0},
                                                                               Ethernet(0x0800, v4tcp)}), {}, 1)))}},
      {"eth-gre-pptp", {LinkType::kEthernet,
                        Ethernet(0x0800, Ipv4(kA, kB, 47, Cat({Bytes{0x30, 0x81, 0x88, 0x0b, 0, 0x31, 0, 1, 0, 0, 0, 1,
                                                                      0, 0, 0, 1, 0xff, 0x03, 0x00, 0x21}, v4udp})))}},
      {"eth-vxlan", {LinkType::kEthernet,
                     Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(4000, 4789, Vxlan(5, Ethernet(0x0800, v4tcp)))))}},
      {"eth-4in4", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 4, v4tcp))}},
      {"eth-6in4", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 41, v6udp))}},
      {"eth-4in6", {LinkType::kEthernet, Ethernet(0x86dd, Ipv6("::1", "::2", 4, v4udp))}},
      {"sll-ipv4", {LinkType::kLinuxSll, Sll(0x0800, v4tcp)}},
      {"sll2-ipv6", {LinkType::kLinuxSll2, Sll2(0x86dd, v6udp)}},
      {"null-ipv4", {LinkType::kNull, NullHeader(2, v4tcp)}},
      {"null-ipv6", {LinkType::kNull, NullHeader(30, v6udp)}},
      {"loop-ipv6", {LinkType::kLoop, NullHeader(24, v6tcp, true)}},
      {"raw-ipv4", {LinkType::kRaw, v4udp}},
      {"rawalt-ipv6", {LinkType::kRawAlt, v6tcp}},
      {"ipv4", {LinkType::kIpv4, v4tcp}},
      {"ipv6", {LinkType::kIpv6, v6udp}},
      {"eth-gtpu", {LinkType::kEthernet,
                    Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(2152, 2152, Gtpu(v4tcp))), {{0x8100, 5}})}},
      {"eth-gtpu-ext-v6", {LinkType::kEthernet,
                           Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(2152, 2152,
                                                                 Gtpu(v6udp, 0xff, 3, {Bytes(2, 0), Bytes(6, 1)}))))}},
      {"eth-gtpu-echo", {LinkType::kEthernet, Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(2152, 2152, Gtpu({}, 1, 9))))}},
      {"eth-capwap-wlan", {LinkType::kEthernet,
                           Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(5246, 5247,
                                                                 CapwapData(WlanData(0x0800, v4tcp, true, true)))))}},
      {"eth-capwap-eth", {LinkType::kEthernet,
                          Ethernet(0x0800, Ipv4(kA, kB, 17, Udp(5247, 5247,
                                                                CapwapData(Ethernet(0x86dd, v6udp), false))))}},
      {"ppp-ipv4", {LinkType::kPpp, PppFrame(0x0021, v4tcp)}},
      {"ppp-bare-ipv6", {LinkType::kPpp, PppFrame(0x0057, v6udp, false)}},
      {"ppp-chdlc", {LinkType::kPpp, Chdlc(0x0800, v4udp)}},
      {"pppserial-mpls", {LinkType::kPppSerial, PppFrame(0x0281, Mpls({16}, v4tcp))}},
      {"chdlc-ipv4", {LinkType::kCiscoHdlc, Chdlc(0x0800, v4tcp)}},
      {"chdlc-mpls", {LinkType::kCiscoHdlc, Chdlc(0x8847, Mpls({16, 17}, v6tcp))}},
      {"wlan-qos", {LinkType::kIeee80211, WlanData(0x0800, v4udp, true)}},
      {"ppi-eth", {LinkType::kPpi, Ppi(1, Ethernet(0x0800, v4udp))}},
      {"ppi-wlan", {LinkType::kPpi, Ppi(105, WlanData(0x86dd, v6tcp))}},
  };
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  for (const auto& [name, seed] : seeds) {
    std::ofstream out(dir / ("seed-" + name), std::ios::binary);
    const char index = static_cast<char>(Index(seed.first));
    out.write(&index, 1);
    out.write(reinterpret_cast<const char*>(seed.second.data()),
              static_cast<std::streamsize>(seed.second.size()));
  }
  std::printf("wrote %zu seeds to %s\n", seeds.size(), dir.c_str());
  return 0;
}

// pcap_floor: the throughput floor for whole-run benchmarks (bench/run.sh). A bare libpcap
// read loop - pcap_open_offline + pcap_next_ex over every packet, summing caplen so the loop
// cannot be optimised away - and nothing else. No tool that reads a capture through libpcap
// can be faster than this on the same file; quench's target is a fraction of it.
// Single-threaded; prints one line: "<packets> packets <bytes> bytes <seconds> s <Mpps> Mpps".
#include <pcap/pcap.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: pcap_floor FILE...\n  reads every packet, prints packets/s\n");
    return 2;
  }
  uint64_t packets = 0;
  uint64_t caplen_sum = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i < argc; ++i) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* pcap = pcap_open_offline(argv[i], errbuf);
    if (pcap == nullptr) {
      std::fprintf(stderr, "pcap_floor: %s: %s\n", argv[i], errbuf);
      return 1;
    }
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(pcap, &header, &data)) == 1) {
      ++packets;
      caplen_sum += header->caplen;
    }
    if (rc == PCAP_ERROR) {
      std::fprintf(stderr, "pcap_floor: %s: %s\n", argv[i], pcap_geterr(pcap));
      pcap_close(pcap);
      return 1;
    }
    pcap_close(pcap);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu packets %llu bytes %.3f s %.3f Mpps\n",
              static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(caplen_sum), seconds,
              seconds > 0 ? static_cast<double>(packets) / seconds / 1e6 : 0.0);
  return 0;
}

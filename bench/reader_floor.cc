// reader_floor: quench's own capture reader (PcapFileReader / MergedPcapSource, which reads
// classic pcap records itself after libpcap validates the file; docs/decisions/0002) in a
// bare loop, summing caplen. bench/run.sh reports it beside the libpcap floor so that what
// quench gains by reading and what it spends on decode, flows and detection are both visible.
// Prints one line: "<packets> packets <bytes> bytes <seconds> s <Mpps> Mpps".
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "quench/capture/pcap_source.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: reader_floor FILE...\n");
    return 2;
  }
  std::vector<std::string> paths(argv + 1, argv + argc);
  const auto start = std::chrono::steady_clock::now();
  auto source = quench::MergedPcapSource::Open(paths);
  if (!source) {
    std::fprintf(stderr, "reader_floor: %s\n", source.error().message().c_str());
    return 1;
  }
  quench::AnomalyCounters anomalies;
  quench::Frame frame;
  uint64_t packets = 0, bytes = 0;
  while ((*source)->Next(&frame, &anomalies)) {
    ++packets;
    bytes += frame.caplen;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu packets %llu bytes %.3f s %.3f Mpps\n", static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(bytes), seconds,
              seconds > 0 ? static_cast<double>(packets) / seconds / 1e6 : 0.0);
  return 0;
}

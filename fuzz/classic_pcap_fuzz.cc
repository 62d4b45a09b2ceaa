// Fuzz harness for ClassicPcapRecords, the classic-pcap record reader: the input is a whole
// capture file (written to an in-memory file). Besides memory safety it checks that every
// record lies inside the reader's buffer bounds it reports and never exceeds the snaplen.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "quench/capture/classic_pcap.h"
#include "quench/core/limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using quench::ClassicPcapRecords;
  int fd = memfd_create("classic_pcap_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t written = 0;
  while (written < size) {
    ssize_t n = write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  // The snaplen comes from libpcap in real use; fuzz both "none" and a small one.
  const uint32_t snaplen = size > 0 && (data[size - 1] & 1) ? 96 : 0;
  auto records = ClassicPcapRecords::FromFd(fd, snaplen);  // owns fd on success
  if (records == nullptr) return 0;
  ClassicPcapRecords::Record rec;
  uint64_t total = 0;
  while (records->Next(&rec)) {
    if (rec.caplen > quench::limits::kMaxPcapCaplen) std::abort();
    if (snaplen != 0 && rec.caplen > snaplen) std::abort();
    // Touch every byte so ASan sees any out-of-bounds frame.
    for (uint32_t i = 0; i < rec.caplen; ++i) total += rec.data[i];
  }
  if (records->bytes_consumed() > size) std::abort();
  return static_cast<int>(total & 0);
}

// Packet capture files through libpcap: pcap and pcapng, any link type libpcap reports
// (the decoders say which they handle). PcapFileReader reads one file; MergedPcapSource
// reads several in timestamp order. A truncated or corrupt file yields every frame before
// the damage, then stops with a warning (warning()) and a counted anomaly, never a crash.
// Each object owns its libpcap handle(s); single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quench/core/anomaly.h"
#include "quench/core/frame.h"
#include "quench/core/status.h"

namespace quench {

class PcapFileReader {
 public:
  // Opens `path`; an error names the file and libpcap's reason.
  static Result<std::unique_ptr<PcapFileReader>> Open(const std::string& path);
  ~PcapFileReader();

  // Next frame, or false at end of file (or at the first unreadable record; see warning()).
  // The frame's bytes are valid until the next call.
  bool Next(Frame* frame, AnomalyCounters* anomalies);

  const std::string& path() const { return path_; }
  LinkType linktype() const { return linktype_; }
  // Non-empty when reading stopped early: "capture.pcap: truncated after 1234 frames: ...".
  const std::string& warning() const { return warning_; }
  uint64_t frames_read() const { return frames_read_; }
  // Bytes of the file consumed so far and the file size, for progress display.
  uint64_t bytes_consumed() const;
  uint64_t file_size() const { return file_size_; }

 private:
  PcapFileReader() = default;
  bool Deliver(Timestamp ts, const uint8_t* data, uint32_t caplen, uint32_t wire_len,
               bool over_snaplen, Frame* frame, AnomalyCounters* anomalies);
  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string path_;
  std::string warning_;
  LinkType linktype_ = LinkType::kEthernet;
  uint64_t frames_read_ = 0;
  uint64_t file_size_ = 0;
  uint32_t snaplen_ = 0;   // the file's snapshot length; 0 when the file says none
  Timestamp last_ts_ = 0;  // previous frame's time, to count time going backwards
  bool done_ = false;      // end of file or first unreadable record reached
};

// Several files read as one stream in timestamp order (a k-way merge on the next frame of
// each file). Files that fail to open are reported by Open and not read.
class MergedPcapSource {
 public:
  static Result<std::unique_ptr<MergedPcapSource>> Open(const std::vector<std::string>& paths);
  ~MergedPcapSource();

  bool Next(Frame* frame, AnomalyCounters* anomalies) {
    // One file: no merge; the reader's own loop is the whole cost.
    return single_ != nullptr ? single_->Next(frame, anomalies) : NextMerged(frame, anomalies);
  }
  // Warnings from every file read so far.
  std::vector<std::string> warnings() const;
  uint64_t bytes_consumed() const;
  uint64_t total_bytes() const;

 private:
  MergedPcapSource() = default;
  bool NextMerged(Frame* frame, AnomalyCounters* anomalies);
  struct Cursor;
  PcapFileReader* single_ = nullptr;  // set when there is exactly one file
  std::vector<std::unique_ptr<Cursor>> cursors_;
  // Min-heap on (next frame's time, argument order) of the cursors that still hold a frame.
  std::vector<Cursor*> heap_;
  // The cursor whose frame Next() returned last; it is advanced at the start of the next call
  // so that frame's bytes stay valid until then.
  Cursor* last_ = nullptr;
  bool primed_ = false;
};

}  // namespace quench

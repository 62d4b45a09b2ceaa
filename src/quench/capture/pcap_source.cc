// Merge example: files A (t=1,4), B (t=2,3) and C (t=2). The heap starts with A@1, B@2, C@2.
// Next() pops A@1 (A is remembered as last_). The following Next() first advances A (A@4 goes
// back into the heap), then pops B@2: ties go to the file given first, so B@2 precedes C@2.
// Then C@2, B@3, A@4. A frame's bytes belong to its reader's buffer, which is why a cursor is
// advanced only when the caller comes back for the next frame.
#include "quench/capture/pcap_source.h"

#include "quench/capture/classic_pcap.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace quench {

struct PcapFileReader::Handle {
  pcap_t* pcap = nullptr;
  // Classic pcap files are read by ClassicPcapRecords (docs/decisions/0002-pcap-reading.md);
  // libpcap still opens and validates them and reads pcapng.
  std::unique_ptr<ClassicPcapRecords> classic;
  ~Handle() {
    if (pcap != nullptr) pcap_close(pcap);
  }
};

PcapFileReader::~PcapFileReader() = default;

Result<std::unique_ptr<PcapFileReader>> PcapFileReader::Open(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return MakeError(ErrorCode::kNotFound, path + ": no such file");
  }
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  pcap_t* pcap =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pcap == nullptr) {
    return MakeError(ErrorCode::kIoError,
                     path + ": cannot read as a pcap or pcapng capture: " + errbuf);
  }
  std::unique_ptr<PcapFileReader> reader(new PcapFileReader());
  reader->handle_ = std::make_unique<Handle>();
  reader->handle_->pcap = pcap;
  reader->path_ = path;
  // DLT values are passed through: an unknown one is counted by the decoder, not here.
  reader->linktype_ = static_cast<LinkType>(static_cast<uint16_t>(pcap_datalink(pcap)));
  int snaplen = pcap_snapshot(pcap);
  reader->snaplen_ = snaplen > 0 ? static_cast<uint32_t>(snaplen) : 0;
  uintmax_t size = std::filesystem::file_size(path, ec);
  reader->file_size_ = ec ? 0 : static_cast<uint64_t>(size);
  // libpcap accepted the file; a classic pcap is then read record by record by our own
  // buffered reader, which costs a fraction of pcap_next_ex's two stdio reads per record.
  reader->handle_->classic = ClassicPcapRecords::Open(path, reader->snaplen_);
  if (reader->handle_->classic != nullptr) {
    pcap_close(reader->handle_->pcap);
    reader->handle_->pcap = nullptr;
  }
  return reader;
}

bool PcapFileReader::Next(Frame* frame, AnomalyCounters* anomalies) {
  if (done_) [[unlikely]] {
    return false;
  }
  if (handle_->classic != nullptr) [[likely]] {
    ClassicPcapRecords& records = *handle_->classic;
    ClassicPcapRecords::Record rec;
    if (!records.Next(&rec)) [[unlikely]] {
      done_ = true;
      if (!records.error().empty()) {
        anomalies->Increment(records.truncated() ? Anomaly::kCaptureTruncatedFile
                                                 : Anomaly::kCaptureReadError);
        warning_ = path_ + (records.truncated() ? ": truncated after " : ": read error after ") +
                   std::to_string(frames_read_) + " frames: " + records.error() +
                   "; frames after this point were not read";
      }
      return false;
    }
    if (rec.bad_fraction) [[unlikely]] anomalies->Increment(Anomaly::kCaptureBadTimestamp);
    return Deliver(rec.ts, rec.data, rec.caplen, rec.wire_len, rec.over_snaplen, frame, anomalies);
  }
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(handle_->pcap, &hdr, &data);
  if (rc != 1) [[unlikely]] {
    done_ = true;
    if (rc == PCAP_ERROR_BREAK) return false;  // clean end of file
    std::string_view reason = pcap_geterr(handle_->pcap);
    // libpcap says "truncated dump file; ..." for a record cut short by the end of the file.
    bool truncated = reason.find("truncated") != std::string_view::npos;
    anomalies->Increment(truncated ? Anomaly::kCaptureTruncatedFile : Anomaly::kCaptureReadError);
    warning_ = path_ + (truncated ? ": truncated after " : ": read error after ") +
               std::to_string(frames_read_) + " frames: " + std::string(reason) +
               "; frames after this point were not read";
    return false;
  }
  // With nanosecond precision requested, tv_usec carries nanoseconds.
  Timestamp ts = static_cast<Timestamp>(hdr->ts.tv_sec) * kNanosPerSecond +
                 static_cast<Timestamp>(hdr->ts.tv_usec);
  return Deliver(ts, data, hdr->caplen, hdr->len, false, frame, anomalies);
}

[[gnu::always_inline]] inline bool PcapFileReader::Deliver(Timestamp ts, const uint8_t* data, uint32_t caplen,
                             uint32_t wire_len, bool over_snaplen, Frame* frame,
                             AnomalyCounters* anomalies) {
  if (over_snaplen || (snaplen_ != 0 && caplen > snaplen_) || caplen > wire_len) [[unlikely]] {
    anomalies->Increment(Anomaly::kCaptureSnaplenExceeded);
    // The captured bytes are real; only the snaplen bounds what a sane writer could store.
    // A wire length below the captured length is a broken header: the frame was at least
    // as long as what was captured of it.
    if (snaplen_ != 0 && caplen > snaplen_) caplen = snaplen_;
    if (wire_len < caplen) wire_len = caplen;
  }
  if (ts < last_ts_ && frames_read_ != 0) [[unlikely]] {
    anomalies->Increment(Anomaly::kCaptureTimeWentBackwards);
  }
  last_ts_ = ts;
  ++frames_read_;
  frame->ts = ts;
  frame->data = data;
  frame->caplen = caplen;
  frame->wire_len = wire_len;
  frame->linktype = linktype_;
  return true;
}

uint64_t PcapFileReader::bytes_consumed() const {
  if (handle_ == nullptr) return 0;
  if (handle_->classic != nullptr) return handle_->classic->bytes_consumed();
  if (handle_->pcap == nullptr) return 0;
  FILE* file = pcap_file(handle_->pcap);
  if (file == nullptr) return 0;
  long pos = std::ftell(file);
  if (pos < 0) return 0;
  return std::min<uint64_t>(static_cast<uint64_t>(pos), file_size_ != 0 ? file_size_ : UINT64_MAX);
}

struct MergedPcapSource::Cursor {
  std::unique_ptr<PcapFileReader> reader;
  size_t order = 0;  // position in the argument list; breaks timestamp ties
  Frame frame;       // the next frame of this file; bytes owned by `reader`
};

namespace {

// std::*_heap build a max-heap; "greater" puts the earliest frame at the front.
struct LaterFrame {
  template <typename C>
  bool operator()(const C* a, const C* b) const {
    if (a->frame.ts != b->frame.ts) return a->frame.ts > b->frame.ts;
    return a->order > b->order;
  }
};

}  // namespace

MergedPcapSource::~MergedPcapSource() = default;

Result<std::unique_ptr<MergedPcapSource>> MergedPcapSource::Open(
    const std::vector<std::string>& paths) {
  if (paths.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no capture files given");
  }
  std::unique_ptr<MergedPcapSource> source(new MergedPcapSource());
  source->cursors_.reserve(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    QUENCH_ASSIGN_OR_RETURN(auto reader, PcapFileReader::Open(paths[i]));
    auto cursor = std::make_unique<Cursor>();
    cursor->reader = std::move(reader);
    cursor->order = i;
    source->cursors_.push_back(std::move(cursor));
  }
  source->heap_.reserve(paths.size());
  if (source->cursors_.size() == 1) source->single_ = source->cursors_.front()->reader.get();
  return source;
}

bool MergedPcapSource::NextMerged(Frame* frame, AnomalyCounters* anomalies) {
  if (!primed_) [[unlikely]] {
    primed_ = true;
    for (auto& cursor : cursors_) {
      if (cursor->reader->Next(&cursor->frame, anomalies)) heap_.push_back(cursor.get());
    }
    std::make_heap(heap_.begin(), heap_.end(), LaterFrame());
  } else if (last_ != nullptr) {
    if (last_->reader->Next(&last_->frame, anomalies)) {
      heap_.push_back(last_);
      std::push_heap(heap_.begin(), heap_.end(), LaterFrame());
    }
    last_ = nullptr;
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), LaterFrame());
  last_ = heap_.back();
  heap_.pop_back();
  *frame = last_->frame;
  return true;
}

std::vector<std::string> MergedPcapSource::warnings() const {
  std::vector<std::string> out;
  for (const auto& cursor : cursors_) {
    if (!cursor->reader->warning().empty()) out.push_back(cursor->reader->warning());
  }
  return out;
}

uint64_t MergedPcapSource::bytes_consumed() const {
  uint64_t total = 0;
  for (const auto& cursor : cursors_) total += cursor->reader->bytes_consumed();
  return total;
}

uint64_t MergedPcapSource::total_bytes() const {
  uint64_t total = 0;
  for (const auto& cursor : cursors_) total += cursor->reader->file_size();
  return total;
}

}  // namespace quench

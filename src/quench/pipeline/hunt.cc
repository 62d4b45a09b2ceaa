#include "quench/pipeline/hunt.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "quench/capture/pcap_source.h"
#include "quench/decode/decoder.h"
#include "quench/decode/fragment_tracker.h"
#include "quench/detect/indicator_contact.h"
#include "quench/intel/ip_indicator_index.h"
#include "quench/sink/atomic_file.h"
#include "quench/sink/json_format.h"

namespace quench {

namespace {

constexpr size_t kFlowBufferFlushBytes = 1 << 20;
constexpr DurationNs kTickInterval = kNanosPerSecond;
constexpr uint64_t kProgressCheckMask = (1u << 16) - 1;  // look at the clock every 65536 frames

// Receives ended flows from the flow table and fans them out to the flow sink and detectors;
// collects findings. Lives for one RunHunt call.
class FlowFanout final : public FlowConsumer, public FindingSink {
 public:
  FlowFanout(std::vector<std::unique_ptr<Detector>>* detectors, AtomicFileWriter* flows_out,
             HuntCounts* counts, std::vector<Finding>* findings)
      : detectors_(detectors), flows_out_(flows_out), counts_(counts), findings_(findings) {}

  void OnFlowEnd(const FlowRecord& flow) override {
    ++counts_->flows;
    if (flows_out_ != nullptr) {
      AppendFlowJson(flow, &flow_buffer_);
      flow_buffer_.push_back('\n');
      if (flow_buffer_.size() >= kFlowBufferFlushBytes) FlushFlows();
    }
    for (auto& d : *detectors_) d->OnFlow(flow, *this);
  }
  void Emit(Finding finding) override { findings_->push_back(std::move(finding)); }

  void Tick(Timestamp now) {
    for (auto& d : *detectors_) d->OnTick(now, *this);
  }
  void Finish() {
    for (auto& d : *detectors_) d->Finish(*this);
    FlushFlows();
  }

 private:
  void FlushFlows() {
    if (flows_out_ != nullptr) flows_out_->Write(flow_buffer_);
    flow_buffer_.clear();
  }

  std::vector<std::unique_ptr<Detector>>* detectors_;
  AtomicFileWriter* flows_out_;
  HuntCounts* counts_;
  std::vector<Finding>* findings_;
  std::string flow_buffer_;
};

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  void Update(const HuntCounts& c, const FlowTable& table, uint64_t done, uint64_t total) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    double pct = total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0.0;
    std::fprintf(stderr, "\rquench hunt: %5.1f%%  %llu frames  %zu open flows  %llu ended   ", pct,
                 static_cast<unsigned long long>(c.frames), table.size(),
                 static_cast<unsigned long long>(c.flows));
    shown_ = true;
  }
  void Clear() {
    if (shown_) std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

nlohmann::json MakeSummary(const HuntOptions& options, const HuntReport& r,
                           const std::vector<nlohmann::json>& intel, Timestamp first_ts,
                           Timestamp last_ts, size_t table_memory_peak) {
  nlohmann::json anomalies = nlohmann::json::object();
  r.anomalies.ForEachNonZero([&](std::string_view name, uint64_t n) { anomalies[std::string(name)] = n; });
  uint64_t verdicts[3] = {0, 0, 0};
  for (const HostVerdict& h : r.hosts) ++verdicts[static_cast<int>(h.verdict)];
  const FlowTableStats& fs = r.flow_stats;
  return {
      {"tool", "quench"},
      {"version", QUENCH_VERSION},
      {"command", "hunt"},
      {"inputs", options.inputs},
      {"first_packet", r.counts.frames ? nlohmann::json(FormatRfc3339Millis(first_ts)) : nlohmann::json()},
      {"last_packet", r.counts.frames ? nlohmann::json(FormatRfc3339Millis(last_ts)) : nlohmann::json()},
      {"counts",
       {{"packets", r.counts.frames},
        {"bytes", r.counts.frame_bytes},
        {"ip_packets", r.counts.ip_packets},
        {"not_ip", r.counts.not_ip},
        {"malformed", r.counts.malformed},
        {"unsupported", r.counts.unsupported},
        {"flows", r.counts.flows},
        {"findings", r.findings.size()},
        {"hosts", r.hosts.size()},
        {"hosts_compromised", verdicts[static_cast<int>(Verdict::kCompromised)]},
        {"hosts_suspicious", verdicts[static_cast<int>(Verdict::kSuspicious)]},
        {"hosts_exposed", verdicts[static_cast<int>(Verdict::kExposed)]}}},
      {"flow_table",
       {{"max_flows", options.flow_table.max_flows},
        {"idle_timeout_s", options.flow_table.idle_timeout / kNanosPerSecond},
        {"active_timeout_s", options.flow_table.active_timeout / kNanosPerSecond},
        {"flows_created", fs.flows_created},
        {"evicted", fs.evicted},
        {"idle_timeouts", fs.idle_timeouts},
        {"active_timeouts", fs.active_timeouts},
        {"peak_active", fs.peak_active},
        {"peak_memory_bytes", table_memory_peak}}},
      {"anomalies", std::move(anomalies)},
      {"intel", intel},
      {"warnings", r.warnings},
      {"timings",
       {{"wall_seconds", r.wall_seconds},
        {"frames_per_second",
         r.wall_seconds > 0 ? static_cast<double>(r.counts.frames) / r.wall_seconds : 0.0}}},
  };
}

}  // namespace

Result<HuntReport> RunHunt(const HuntOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  HuntReport report;

  // Shared, immutable inputs first: a bad intel file or input fails before any work.
  IpIndicatorIndexBuilder intel_builder;
  std::vector<nlohmann::json> intel_summaries;
  for (const std::string& path : options.intel_files) {
    QUENCH_ASSIGN_OR_RETURN(IntelLoadReport load, intel_builder.LoadPlainList(path));
    for (const std::string& w : load.warnings) report.warnings.push_back(w);
    if (load.warnings_total > load.warnings.size()) {
      report.warnings.push_back(fmt::format("{}: {} more invalid line(s) not shown", path,
                                            load.warnings_total - load.warnings.size()));
    }
    nlohmann::json skipped = nlohmann::json::object();
    for (const auto& [kind, skip] : load.skipped_by_kind) {
      skipped[kind] = {{"count", skip.count}, {"example", skip.example}};
    }
    intel_summaries.push_back({{"path", path},
                               {"loaded", load.loaded},
                               {"duplicates", load.duplicates},
                               {"skipped", std::move(skipped)},
                               {"invalid", load.invalid},
                               {"warnings", load.warnings_total}});
  }
  const IpIndicatorIndex intel = intel_builder.Build();
  QUENCH_ASSIGN_OR_RETURN(std::unique_ptr<MergedPcapSource> source,
                          MergedPcapSource::Open(options.inputs));

  std::unique_ptr<AtomicFileWriter> flows_out;
  if (!options.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    if (ec) {
      return MakeError(ErrorCode::kIoError,
                       fmt::format("{}: cannot create output directory: {}", options.out_dir, ec.message()));
    }
    if (options.write_flows) {
      QUENCH_ASSIGN_OR_RETURN(flows_out, AtomicFileWriter::Create(options.out_dir + "/flows.jsonl"));
    }
  }

  std::vector<std::unique_ptr<Detector>> detectors;
  detectors.push_back(std::make_unique<IndicatorContactDetector>(&intel));
  FlowFanout fanout(&detectors, flows_out.get(), &report.counts, &report.findings);
  FlowTable table(options.flow_table, &fanout);
  FragmentTracker fragments;
  ProgressLine progress(options.progress);

  Frame frame;
  PacketInfo pkt;
  Timestamp first_ts = 0, last_ts = 0, next_tick = 0;
  size_t table_memory_peak = 0;
  HuntCounts& counts = report.counts;
  while (source->Next(&frame, &report.anomalies)) {
    if (counts.frames == 0) {
      first_ts = frame.ts;
      next_tick = frame.ts + kTickInterval;
    }
    ++counts.frames;
    counts.frame_bytes += frame.wire_len;
    last_ts = std::max(last_ts, frame.ts);
    switch (DecodeFrame(frame, &pkt, &report.anomalies)) {
      case DecodeStatus::kOk:
        ++counts.ip_packets;
        if (pkt.is_fragment) fragments.Resolve(&pkt, &report.anomalies);
        table.Add(pkt);
        break;
      case DecodeStatus::kNotIp: ++counts.not_ip; break;
      case DecodeStatus::kMalformed: ++counts.malformed; break;
      case DecodeStatus::kUnsupported: ++counts.unsupported; break;
    }
    if (frame.ts >= next_tick) [[unlikely]] {
      fanout.Tick(frame.ts);
      next_tick = frame.ts + kTickInterval;
    }
    if ((counts.frames & kProgressCheckMask) == 0) [[unlikely]] {
      table_memory_peak = std::max(table_memory_peak, table.MemoryBytes());
      progress.Update(counts, table, source->bytes_consumed(), source->total_bytes());
    }
  }
  progress.Clear();
  table_memory_peak = std::max(table_memory_peak, table.MemoryBytes());
  table.Flush();
  fanout.Finish();
  report.flow_stats = table.stats();
  report.anomalies.Increment(Anomaly::kFlowTableFull, report.flow_stats.evicted);
  for (const std::string& w : source->warnings()) report.warnings.push_back(w);

  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.ts < b.ts; });
  report.hosts = ScoreHosts(report.findings);
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  report.summary =
      MakeSummary(options, report, intel_summaries, first_ts, last_ts, table_memory_peak);

  if (!options.out_dir.empty()) {
    std::string hosts_text, findings_text;
    for (const HostVerdict& h : report.hosts) hosts_text += HostVerdictToJson(h).dump() + "\n";
    for (const Finding& f : report.findings) findings_text += FindingToJson(f).dump() + "\n";
    QUENCH_RETURN_IF_ERROR(WriteFileAtomically(options.out_dir + "/hosts.jsonl", hosts_text));
    QUENCH_RETURN_IF_ERROR(WriteFileAtomically(options.out_dir + "/findings.jsonl", findings_text));
    if (flows_out) QUENCH_RETURN_IF_ERROR(flows_out->Commit());
    QUENCH_RETURN_IF_ERROR(
        WriteFileAtomically(options.out_dir + "/summary.json", report.summary.dump(2) + "\n"));
  }
  return report;
}

}  // namespace quench

// The text report of `quench hunt`: counts, anomalies, then hosts by verdict with their
// strongest evidence, then what to do. Everything here is also in the JSON files.
#include <iterator>

#include <fmt/format.h>

#include "quench/core/proto.h"
#include "quench/pipeline/hunt.h"

namespace quench {

namespace {

std::string Rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f} M", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f} k", per_second / 1e3);
  return fmt::format("{:.0f}", per_second);
}

std::string_view VerdictLabel(Verdict v) {
  switch (v) {
    case Verdict::kCompromised: return "COMPROMISED";
    case Verdict::kSuspicious: return "SUSPICIOUS";
    case Verdict::kExposed: return "EXPOSED";
  }
  return "";
}

}  // namespace

std::string FormatHuntReport(const HuntReport& r, const HuntOptions& options) {
  std::string out;
  auto it = std::back_inserter(out);
  const HuntCounts& c = r.counts;
  fmt::format_to(it, "quench hunt: {} input(s), {} frames ({} IP packets), {} flows in {:.2f} s ({} frames/s)\n",
                 options.inputs.size(), c.frames, c.ip_packets, c.flows, r.wall_seconds,
                 Rate(r.wall_seconds > 0 ? static_cast<double>(c.frames) / r.wall_seconds : 0));
  if (c.not_ip + c.malformed + c.unsupported > 0) {
    fmt::format_to(it, "  not IP: {}, malformed: {}, unsupported: {}\n", c.not_ip, c.malformed,
                   c.unsupported);
  }
  if (r.flow_stats.evicted > 0) {
    fmt::format_to(it, "  flow table full: {} flows ended early (raise --max-flows)\n",
                   r.flow_stats.evicted);
  }
  std::string anomalies;
  r.anomalies.ForEachNonZero([&](std::string_view name, uint64_t n) {
    fmt::format_to(std::back_inserter(anomalies), "{}{} {}", anomalies.empty() ? "" : ", ", name, n);
  });
  if (!anomalies.empty()) fmt::format_to(it, "  anomalies: {}\n", anomalies);
  for (const std::string& w : r.warnings) fmt::format_to(it, "  warning: {}\n", w);

  if (r.hosts.empty()) {
    fmt::format_to(it, "\nNo findings: no flow touched a known indicator.\n");
  } else {
    fmt::format_to(it, "\n{} host(s) with findings ({} findings):\n", r.hosts.size(), r.findings.size());
    for (const HostVerdict& h : r.hosts) {
      fmt::format_to(it, "\n  {:<11} {:<39} score {:.2f}  findings {}  [{}]\n",
                     VerdictLabel(h.verdict), h.host.ToString(), h.score, h.findings,
                     fmt::join(h.detectors, ", "));
      size_t shown = 0;
      for (size_t index : h.finding_indices) {
        if (shown++ == 3) {
          fmt::format_to(it, "      ... {} more in findings.jsonl\n", h.finding_indices.size() - 3);
          break;
        }
        const Finding& f = r.findings[index];
        fmt::format_to(it, "    - [{} {:.2f} {}] {}\n", SeverityName(f.severity), f.confidence,
                       fmt::join(f.attack, ","), f.summary);
      }
    }
    bool any_compromised = false;
    for (const HostVerdict& h : r.hosts) any_compromised |= h.verdict == Verdict::kCompromised;
    if (any_compromised) {
      fmt::format_to(it,
                     "\nFor compromised routers (advisory AA24-059A): first copy the evidence "
                     "(configuration, files,\n  processes, firewall rules), then factory-reset, "
                     "install the latest firmware, "
                     "change every default\n  credential, and firewall WAN-side management "
                     "(SSH, Telnet, web GUI) so it is not reachable from outside.\n");
    }
  }
  if (!options.out_dir.empty()) {
    fmt::format_to(it, "\nWrote {}/hosts.jsonl, findings.jsonl, summary.json{}\n", options.out_dir,
                   options.write_flows ? ", flows.jsonl" : "");
  }
  return out;
}

}  // namespace quench

#include "quench/detect/host_verdict.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace quench {

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kExposed: return "exposed";
    case Verdict::kSuspicious: return "suspicious";
    case Verdict::kCompromised: return "compromised";
  }
  return "suspicious";
}

namespace {

double SeverityWeight(Severity s) {
  switch (s) {
    case Severity::kLow: return 0.15;
    case Severity::kMedium: return 0.4;
    case Severity::kHigh: return 0.8;
    case Severity::kCritical: return 1.0;
  }
  return 0.0;
}

double Strength(const Finding& f) { return SeverityWeight(f.severity) * std::clamp(f.confidence, 0.0, 1.0); }

}  // namespace

std::vector<HostVerdict> ScoreHosts(const std::vector<Finding>& findings) {
  std::map<IpAddress, std::vector<size_t>> by_host;
  for (size_t i = 0; i < findings.size(); ++i) by_host[findings[i].host].push_back(i);

  std::vector<HostVerdict> out;
  out.reserve(by_host.size());
  for (auto& [host, indices] : by_host) {
    std::stable_sort(indices.begin(), indices.end(), [&](size_t a, size_t b) {
      return Strength(findings[a]) > Strength(findings[b]);
    });
    HostVerdict v;
    v.host = host;
    v.findings = indices.size();
    v.finding_indices = indices;
    double keep = 1.0;
    bool all_exposure = true;
    v.first_seen = findings[indices.front()].ts;
    v.last_seen = findings[indices.front()].last_ts;
    for (size_t i : indices) {
      const Finding& f = findings[i];
      keep *= 1.0 - Strength(f);
      all_exposure = all_exposure && f.exposure;
      v.first_seen = std::min(v.first_seen, f.ts);
      v.last_seen = std::max(v.last_seen, std::max(f.last_ts, f.ts));
      if (std::find(v.detectors.begin(), v.detectors.end(), f.detector) == v.detectors.end()) {
        v.detectors.push_back(f.detector);
      }
    }
    v.score = 1.0 - keep;
    if (all_exposure) {
      v.verdict = Verdict::kExposed;
    } else if (v.score >= 0.7) {
      v.verdict = Verdict::kCompromised;
    } else {
      v.verdict = Verdict::kSuspicious;
    }
    const Finding& top = findings[indices.front()];
    v.summary = indices.size() == 1
                    ? top.summary
                    : fmt::format("{} (and {} more finding(s))", top.summary, indices.size() - 1);
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const HostVerdict& a, const HostVerdict& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.host < b.host;
  });
  return out;
}

}  // namespace quench

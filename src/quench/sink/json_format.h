// The JSON shapes of DESIGN.md §4: flows (flows.jsonl and finding evidence), findings
// (findings.jsonl) and host verdicts (hosts.jsonl). Field names snake_case, times RFC 3339
// UTC with milliseconds, addresses canonical. Pure functions; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "quench/detect/finding.h"
#include "quench/detect/host_verdict.h"
#include "quench/flow/flow_record.h"

namespace quench {

// Appends one flow as a JSON object (no newline). Fast path for flows.jsonl.
void AppendFlowJson(const FlowRecord& flow, std::string* out);
nlohmann::json FlowToJson(const FlowRecord& flow);
nlohmann::json FindingToJson(const Finding& finding);
nlohmann::json HostVerdictToJson(const HostVerdict& verdict);

}  // namespace quench

// Detector: the interface every detector implements (docs/adding-a-detector.md). Detectors
// see only FlowRecords and packet-time ticks, so they work on every input kind. A detector
// instance is owned by one pipeline worker and called from that thread only; shared inputs
// (intel index, rules) are borrowed immutable objects that outlive it.
#pragma once

#include <string_view>

#include "quench/core/time.h"
#include "quench/detect/finding.h"
#include "quench/flow/flow_record.h"

namespace quench {

class Detector {
 public:
  virtual ~Detector() = default;
  // Short kebab-case name used in findings ("indicator-contact").
  virtual std::string_view name() const = 0;
  // Called once per ended flow, in end order.
  virtual void OnFlow(const FlowRecord& flow, FindingSink& sink) = 0;
  // Called as packet time advances (about once per second of input time); detectors that
  // hold windows emit what is complete.
  virtual void OnTick(Timestamp /*now*/, FindingSink& /*sink*/) {}
  // Called once at end of input; emit everything still held.
  virtual void Finish(FindingSink& sink) = 0;
};

}  // namespace quench

#include "quench/flow/flow_record.h"

namespace quench {

std::string_view FlowEndReasonName(FlowEndReason r) {
  switch (r) {
    case FlowEndReason::kActive:
      return "active";
    case FlowEndReason::kIdleTimeout:
      return "idle_timeout";
    case FlowEndReason::kActiveTimeout:
      return "active_timeout";
    case FlowEndReason::kTcpClose:
      return "tcp_close";
    case FlowEndReason::kTcpReset:
      return "tcp_reset";
    case FlowEndReason::kEvicted:
      return "evicted";
    case FlowEndReason::kEndOfInput:
      return "end_of_input";
  }
  return "unknown";
}

}  // namespace quench

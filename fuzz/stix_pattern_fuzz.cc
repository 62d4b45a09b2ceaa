// Fuzz harness for the STIX pattern parser and indicator extraction: the input is one
// pattern. Besides memory safety it checks that a parsed pattern keeps its text, that every
// comparison span lies inside it, and that every extracted indicator has a value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "quench/intel/stix_pattern.h"

namespace {

void CheckSpans(const quench::StixNode& node, size_t text_size) {
  if (node.kind == quench::StixNode::Kind::kComparison) {
    if (node.comparison.begin > node.comparison.end || node.comparison.end > text_size) abort();
  }
  for (const quench::StixNode& child : node.children) CheckSpans(child, text_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pattern = quench::ParseStixPattern(text);
  if (!pattern) {
    if (pattern.error().message().empty()) abort();
    return 0;
  }
  if (pattern->text != text) abort();
  CheckSpans(pattern->root, text.size());
  quench::StixExtraction extraction = quench::ExtractStixIndicators(*pattern);
  for (const auto& ind : extraction.indicators) {
    if (ind.value.empty()) abort();
  }
  for (const auto& u : extraction.unsupported) {
    if (u.name.empty()) abort();
  }
  return 0;
}

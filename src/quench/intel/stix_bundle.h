// STIX 2.0 / 2.1 bundle importer: indicator objects -> quench Indicators, with validity,
// labels, confidence, TLP (from object_marking_refs), kill chain, external references, and
// the family/campaign names reached through "indicates" relationships. Parses JSON with
// nlohmann (non-throwing mode: no exception leaves this module). Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "quench/core/status.h"
#include "quench/intel/indicator.h"
#include "quench/intel/stix_pattern.h"

namespace quench {

struct StixBundleImport {
  std::string spec_version;            // "2.0", "2.1", or "" when the bundle does not say
  size_t objects = 0;                  // every object in the bundle
  size_t indicator_objects = 0;        // objects with "type": "indicator"
  size_t patterns_parsed = 0;          // indicator objects whose STIX pattern parsed
  std::vector<Indicator> indicators;   // one per extracted value (a pattern may give several)
  StixImportReport report;             // counts per type and unsupported constructs
  // Indicator objects skipped, one line each: "<file>: <object id>: <reason>".
  std::vector<std::string> object_errors;
};

// Imports bundle text. `source_name` names the file in messages and becomes
// Indicator::source unless the bundle names its producer (created_by_ref -> identity name,
// then "<identity> (<source_name>)"). A lone STIX object is taken as a bundle of one. Fails
// only when the text is not a JSON object with an "objects" array (malformed JSON names the
// byte offset); bad indicator objects are skipped and listed in object_errors.
Result<StixBundleImport> ImportStixBundle(std::string_view json_text, std::string_view source_name);

// Reads and imports a file; errors name the path.
Result<StixBundleImport> ImportStixBundleFile(const std::string& path);

}  // namespace quench

// STIX bundle import. Two passes over "objects": the first indexes everything an indicator
// can point at (names of malware / campaign / intrusion-set / threat-actor / identity, TLP of
// marking-definitions, indicates / attributed-to relationships, reports' object_refs,
// sightings), the second turns each indicator object into one Indicator per extracted value.
// nlohmann::json throws only from parse(), caught right there; every later access checks the
// JSON type first, so no exception leaves this file.
#include "quench/intel/stix_bundle.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "quench/core/time.h"

namespace quench {
namespace {

using Json = nlohmann::json;

const std::string* GetString(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

std::string StringOr(const Json& obj, const char* key, std::string fallback = "") {
  const std::string* s = GetString(obj, key);
  return s != nullptr ? *s : fallback;
}

// Well-known marking-definition ids (STIX 2.0/2.1 TLP 1.0 and the TLP 2.0 extension), so a
// reference resolves even when the bundle does not carry the definition object.
Tlp WellKnownTlp(std::string_view id) {
  static const std::pair<std::string_view, Tlp> kIds[] = {
      {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::kClear},
      {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::kGreen},
      {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::kAmber},
      {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::kRed},
      {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp::kClear},
      {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp::kGreen},
      {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp::kAmber},
      {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", Tlp::kAmberStrict},
      {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp::kRed},
  };
  for (const auto& [known, tlp] : kIds) {
    if (known == id) return tlp;
  }
  return Tlp::kUnknown;
}

Tlp TlpFromWord(std::string word) {
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (word.rfind("tlp:", 0) == 0) word = word.substr(4);
  if (word == "white" || word == "clear") return Tlp::kClear;
  if (word == "green") return Tlp::kGreen;
  if (word == "amber") return Tlp::kAmber;
  if (word == "amber+strict") return Tlp::kAmberStrict;
  if (word == "red") return Tlp::kRed;
  return Tlp::kUnknown;
}

void AppendUnique(std::vector<std::string>& list, std::string value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

void AddExternalReferences(const Json& obj, std::vector<std::string>& refs) {
  auto it = obj.find("external_references");
  if (it == obj.end() || !it->is_array()) return;
  for (const Json& ref : *it) {
    if (!ref.is_object()) continue;
    if (const std::string* url = GetString(ref, "url")) {
      AppendUnique(refs, *url);
    } else if (const std::string* ext = GetString(ref, "external_id")) {
      AppendUnique(refs, StringOr(ref, "source_name", "external") + ":" + *ext);
    }
  }
}

struct Sighting {
  std::optional<Timestamp> first_seen;
  std::optional<Timestamp> last_seen;
};

// Everything pass 1 learns about the bundle.
struct BundleIndex {
  std::map<std::string, std::pair<std::string, std::string>> named;  // id -> (type, name)
  std::map<std::string, Tlp> tlp_by_marking;
  std::map<std::string, std::vector<std::string>> indicates;     // indicator id -> targets
  std::map<std::string, std::vector<std::string>> attributed;    // campaign id -> actors
  std::map<std::string, std::vector<std::string>> report_refs;   // object id -> report urls
  std::map<std::string, Sighting> sightings;                     // indicator id -> seen
};

void IndexObject(const Json& obj, BundleIndex& index) {
  const std::string* type = GetString(obj, "type");
  const std::string* id = GetString(obj, "id");
  if (type == nullptr || id == nullptr) return;
  if (*type == "malware" || *type == "campaign" || *type == "intrusion-set" ||
      *type == "threat-actor" || *type == "identity" || *type == "tool") {
    if (const std::string* name = GetString(obj, "name")) index.named[*id] = {*type, *name};
  } else if (*type == "marking-definition") {
    Tlp tlp = Tlp::kUnknown;
    auto def = obj.find("definition");
    if (StringOr(obj, "definition_type") == "tlp" && def != obj.end() && def->is_object()) {
      tlp = TlpFromWord(StringOr(*def, "tlp"));
    }
    if (tlp == Tlp::kUnknown) tlp = TlpFromWord(StringOr(obj, "name"));
    if (tlp == Tlp::kUnknown) tlp = WellKnownTlp(*id);
    if (tlp != Tlp::kUnknown) index.tlp_by_marking[*id] = tlp;
  } else if (*type == "relationship") {
    const std::string rel = StringOr(obj, "relationship_type");
    const std::string source = StringOr(obj, "source_ref");
    const std::string target = StringOr(obj, "target_ref");
    if (rel == "indicates" && source.rfind("indicator--", 0) == 0) {
      index.indicates[source].push_back(target);
    } else if (rel == "attributed-to") {
      index.attributed[source].push_back(target);
    }
  } else if (*type == "report") {
    std::vector<std::string> urls;
    AddExternalReferences(obj, urls);
    auto refs = obj.find("object_refs");
    if (!urls.empty() && refs != obj.end() && refs->is_array()) {
      for (const Json& ref : *refs) {
        if (!ref.is_string()) continue;
        auto& list = index.report_refs[ref.get<std::string>()];
        for (const std::string& u : urls) AppendUnique(list, u);
      }
    }
  } else if (*type == "sighting") {
    const std::string of = StringOr(obj, "sighting_of_ref");
    Sighting& s = index.sightings[of];
    if (auto first = ParseRfc3339(StringOr(obj, "first_seen"))) {
      if (!s.first_seen || *first < *s.first_seen) s.first_seen = first;
    }
    if (auto last = ParseRfc3339(StringOr(obj, "last_seen"))) {
      if (!s.last_seen || *last > *s.last_seen) s.last_seen = last;
    }
  }
}

// Sets family and campaign from the objects the indicator "indicates" (and, for campaigns,
// the actors they are attributed to).
void ResolveNames(const BundleIndex& index, const std::string& indicator_id, Indicator& base) {
  auto it = index.indicates.find(indicator_id);
  if (it == index.indicates.end()) return;
  std::vector<std::string> families;
  std::vector<std::string> actors;
  std::vector<std::string> campaigns;
  for (const std::string& target : it->second) {
    auto named = index.named.find(target);
    if (named == index.named.end()) continue;
    const auto& [type, name] = named->second;
    if (type == "malware" || type == "tool") {
      AppendUnique(families, name);
    } else if (type == "intrusion-set" || type == "threat-actor") {
      AppendUnique(actors, name);
    } else if (type == "campaign") {
      AppendUnique(campaigns, name);
      auto attributed = index.attributed.find(target);
      if (attributed == index.attributed.end()) continue;
      for (const std::string& actor : attributed->second) {
        auto actor_named = index.named.find(actor);
        if (actor_named != index.named.end()) AppendUnique(actors, actor_named->second.second);
      }
    }
  }
  for (std::string& a : actors) AppendUnique(families, std::move(a));
  base.family = Join(families);
  base.campaign = Join(campaigns);
}

}  // namespace

Result<StixBundleImport> ImportStixBundle(std::string_view json_text, std::string_view source_name) {
  const std::string file(source_name);
  Json bundle;
  try {
    bundle = Json::parse(json_text.begin(), json_text.end());
  } catch (const Json::parse_error& e) {
    return MakeError(ErrorCode::kParseError,
                     file + ": malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  if (!bundle.is_object()) return MakeError(ErrorCode::kParseError, file + ": not a JSON object");
  // A lone STIX object (not a bundle) is imported as a bundle of one.
  const std::string top_type = StringOr(bundle, "type");
  if (!top_type.empty() && top_type != "bundle" && bundle.find("objects") == bundle.end()) {
    Json single = Json::object();
    single["type"] = "bundle";
    single["objects"] = Json::array();
    single["objects"].push_back(std::move(bundle));
    bundle = std::move(single);
  }
  auto objects = bundle.find("objects");
  if (objects == bundle.end() || !objects->is_array()) {
    return MakeError(ErrorCode::kParseError,
                     file + ": no \"objects\" array (not a STIX bundle, id " +
                         StringOr(bundle, "id", "none") + ")");
  }

  StixBundleImport out;
  out.spec_version = StringOr(bundle, "spec_version");
  out.objects = objects->size();
  BundleIndex index;
  for (const Json& obj : *objects) {
    if (obj.is_object()) IndexObject(obj, index);
  }

  size_t position = 0;
  for (const Json& obj : *objects) {
    ++position;
    if (!obj.is_object()) {
      out.object_errors.push_back(file + ": objects[" + std::to_string(position - 1) +
                                  "]: not a JSON object");
      continue;
    }
    if (StringOr(obj, "type") != "indicator") continue;
    ++out.indicator_objects;
    const std::string id = StringOr(obj, "id", "objects[" + std::to_string(position - 1) + "]");
    auto skip = [&](const std::string& reason) {
      out.object_errors.push_back(file + ": " + id + ": " + reason);
    };
    if (out.spec_version.empty()) out.spec_version = StringOr(obj, "spec_version");

    const std::string* pattern_text = GetString(obj, "pattern");
    if (pattern_text == nullptr) {
      skip("no pattern");
      out.report.AddUnsupported("indicator without a pattern", file + ": " + id);
      continue;
    }
    const std::string pattern_type = StringOr(obj, "pattern_type", "stix");
    if (pattern_type != "stix") {
      out.report.AddUnsupported("pattern_type " + pattern_type,
                                file + ": " + id + ": " + pattern_text->substr(0, 200));
      continue;
    }
    auto pattern = ParseStixPattern(*pattern_text);
    if (!pattern) {
      skip("pattern: " + pattern.error().message());
      out.report.AddUnsupported("unparsable pattern", file + ": " + id + ": " +
                                                          pattern.error().message());
      continue;
    }
    ++out.patterns_parsed;

    Indicator base;
    base.source = file;
    if (const std::string* creator = GetString(obj, "created_by_ref")) {
      auto named = index.named.find(*creator);
      if (named != index.named.end()) base.source = named->second.second + " (" + file + ")";
    }
    base.source_id = id;
    if (const std::string* from = GetString(obj, "valid_from")) {
      base.valid_from = ParseRfc3339(*from);
      if (!base.valid_from) {
        skip("bad valid_from '" + *from + "'");
        continue;
      }
    }
    if (const std::string* until = GetString(obj, "valid_until")) {
      base.valid_until = ParseRfc3339(*until);
      if (!base.valid_until) {
        skip("bad valid_until '" + *until + "'");
        continue;
      }
    }
    auto confidence = obj.find("confidence");
    if (confidence != obj.end() && confidence->is_number_integer()) {
      const int64_t c = confidence->get<int64_t>();
      if (c >= 0 && c <= 100) base.confidence = static_cast<int>(c);
    }
    for (const char* key : {"labels", "indicator_types"}) {
      auto list = obj.find(key);
      if (list == obj.end() || !list->is_array()) continue;
      for (const Json& label : *list) {
        if (label.is_string()) AppendUnique(base.labels, label.get<std::string>());
      }
    }
    auto phases = obj.find("kill_chain_phases");
    if (phases != obj.end() && phases->is_array()) {
      for (const Json& phase : *phases) {
        if (!phase.is_object()) continue;
        AppendUnique(base.kill_chain,
                     StringOr(phase, "kill_chain_name") + ":" + StringOr(phase, "phase_name"));
      }
    }
    auto markings = obj.find("object_marking_refs");
    if (markings != obj.end() && markings->is_array()) {
      for (const Json& ref : *markings) {
        if (!ref.is_string()) continue;
        const std::string& ref_id = ref.get_ref<const std::string&>();
        auto known = index.tlp_by_marking.find(ref_id);
        Tlp tlp = known != index.tlp_by_marking.end() ? known->second : WellKnownTlp(ref_id);
        if (tlp > base.tlp) base.tlp = tlp;  // the most restrictive marking wins
      }
    }
    AddExternalReferences(obj, base.references);
    if (auto reports = index.report_refs.find(id); reports != index.report_refs.end()) {
      for (const std::string& url : reports->second) AppendUnique(base.references, url);
    }
    if (auto seen = index.sightings.find(id); seen != index.sightings.end()) {
      base.first_seen = seen->second.first_seen;
      base.last_seen = seen->second.last_seen;
    }
    ResolveNames(index, id, base);

    StixExtraction extraction = ExtractStixIndicators(*pattern);
    out.report.Add(extraction, file + ": " + id);
    for (ExtractedIndicator& ind : extraction.indicators) {
      Indicator indicator = base;
      indicator.type = ind.type;
      indicator.value = std::move(ind.value);
      out.indicators.push_back(std::move(indicator));
    }
  }
  return out;
}

Result<StixBundleImport> ImportStixBundleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIoError, path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kIoError, path + ": read error");
  return ImportStixBundle(text.str(), path);
}

}  // namespace quench

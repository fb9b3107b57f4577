// libFuzzer target for the outside input the reports read: a harness's _results.json and an
// attempt's context_testgroup.json. Whatever parses must satisfy the model's rules, and the
// reports rendered from it must contain no byte XML forbids.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/report/html_report.h"
#include "core/report/json_io.h"
#include "core/report/junit.h"
#include "core/report/markdown_report.h"
#include "core/report/results_json.h"
#include "core/report/results_model.h"

namespace {

void CheckXmlCharacters(const std::string& text) {
  for (char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<mptest::proto::Outcome> outcomes;
  auto parsed = mptest::report::ParseResultsJson(input, "_results.json");
  if (parsed.ok()) {
    for (const mptest::proto::TestOutcome& outcome : *parsed) {
      outcomes.push_back(mptest::report::ToCoreOutcome(outcome));
      if (!mptest::report::IsKnownOutcome(outcomes.back().outcome())) std::abort();
    }
  }
  mptest::proto::CampaignResults results;
  if (mptest::report::JsonToMessage(input, "context_testgroup.json", results.add_groups()).ok()) {
    for (const mptest::proto::Outcome& outcome : outcomes) {
      *results.mutable_groups(0)->add_outcomes() = outcome;
    }
    mptest::report::MarkFlaky(&results);
    CheckXmlCharacters(mptest::report::RenderJunit(results));
    CheckXmlCharacters(mptest::report::RenderHtml(results));
    (void)mptest::report::RenderMarkdown(results);
  }
  return 0;
}

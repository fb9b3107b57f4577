// junit.xml writer.
#include "core/report/junit.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/report/escape.h"
#include "core/report/results_model.h"

namespace mptest::report {
namespace {

struct Counts {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
};

std::string Attribute(absl::string_view name, absl::string_view value) {
  return absl::StrCat(" ", name, "=\"", XmlEscape(value), "\"");
}

std::string Seconds(double seconds) { return absl::StrFormat("%.3f", std::max(0.0, seconds)); }

// The testcases of one attempt, counting them into `counts`.
std::string RenderTestcases(const proto::TestGroupResult& group, Counts* counts) {
  const std::string classname =
      absl::StrCat(group.testgroup(), ".", group.tentacle_variant(),
                   group.tentacle_variant_role().empty() ? "" : "-", group.tentacle_variant_role());
  std::string xml;
  for (const proto::Outcome& outcome : group.outcomes()) {
    ++counts->tests;
    absl::StrAppend(&xml, "    <testcase", Attribute("name", outcome.name()),
                    Attribute("classname", classname),
                    Attribute("time", Seconds(outcome.duration_s())));
    const Verdict verdict = outcome.outcome();
    if (verdict == proto::Outcome::passed) {
      absl::StrAppend(&xml, "/>\n");
      continue;
    }
    std::string element;
    if (verdict == proto::Outcome::failed) {
      ++counts->failures;
      // The body is what CI systems show: the output against the expectation.
      const std::string message = !outcome.text().empty() ? outcome.text()
                                  : !outcome.diff().empty()
                                      ? "output differs from the expected output"
                                      : "failed";
      std::string body = outcome.diff();
      if (!outcome.expected_file().empty()) {
        absl::StrAppend(&body, body.empty() ? "" : "\n", "expected: ", outcome.expected_file(),
                        "\noutput:   ", outcome.output_file());
      }
      element = body.empty() ? absl::StrCat("<failure", Attribute("message", message), "/>")
                             : absl::StrCat("<failure", Attribute("message", message), ">",
                                            XmlEscape(body), "</failure>");
    } else if (verdict == proto::Outcome::xfailed) {
      ++counts->skipped;
      element = absl::StrCat(
          "<skipped type=\"xfail\"",
          Attribute("message", absl::StrCat("expected failure: ", outcome.text())), "/>");
    } else if (verdict == proto::Outcome::skipped) {
      ++counts->skipped;
      element = absl::StrCat("<skipped", Attribute("message", outcome.text()), "/>");
    } else {
      ++counts->errors;
      element = absl::StrCat("<error", Attribute("message", outcome.text()), "/>");
    }
    absl::StrAppend(&xml, ">\n      ", element, "\n    </testcase>\n");
  }
  // The attempt as a whole, when it did not run to the end.
  GroupState state = StateOf(group);
  if (state != GroupState::kRun) {
    ++counts->tests;
    absl::StrAppend(&xml, "    <testcase", Attribute("name", group.testgroup()),
                    Attribute("classname", classname),
                    Attribute("time", Seconds(group.end_s() - group.start_s())), ">\n      ");
    if (state == GroupState::kErrored) {
      ++counts->errors;
      absl::StrAppend(&xml, "<error", Attribute("message", group.msg_error()), "/>");
    } else if (state == GroupState::kInterrupted) {
      // JUnit has no such verdict: a skip whose type says what happened.
      ++counts->skipped;
      absl::StrAppend(&xml, "<skipped", Attribute("type", "interrupted"),
                      Attribute("message", group.msg_interrupted()), "/>");
    } else if (state == GroupState::kRunning) {
      // A live results directory: the attempt's tests so far are above.
      ++counts->skipped;
      absl::StrAppend(&xml, "<skipped", Attribute("type", "running"),
                      Attribute("message", "still running"), "/>");
    } else {
      ++counts->skipped;
      absl::StrAppend(&xml, "<skipped", Attribute("message", group.msg_skipped()), "/>");
    }
    absl::StrAppend(&xml, "\n    </testcase>\n");
  }
  return xml;
}

}  // namespace

std::string RenderJunit(const proto::CampaignResults& results) {
  std::string suites;
  Counts total;
  for (const proto::TestGroupResult& group : results.groups()) {
    Counts counts;
    std::string testcases = RenderTestcases(group, &counts);
    absl::StrAppend(&suites, "  <testsuite", Attribute("name", group.directory_relative()),
                    absl::StrFormat(" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"",
                                    counts.tests, counts.failures, counts.errors, counts.skipped),
                    Attribute("time", Seconds(group.end_s() - group.start_s())),
                    Attribute("timestamp", group.time_start()), ">\n");
    absl::StrAppend(&suites, "    <properties>\n");
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string&>{"testgroup", group.testgroup()},
          {"testid", group.testid()},
          {"attempt", group.attempt()},
          {"tentacle_variant", group.tentacle_variant()},
          {"tentacle_reference", group.tentacle_reference()},
          {"tentacle_mcu", group.tentacle_mcu()},
          {"commandline", group.commandline()}}) {
      absl::StrAppend(&suites, "      <property", Attribute("name", name),
                      Attribute("value", value), "/>\n");
    }
    absl::StrAppend(&suites, "      <property name=\"flaky\" value=\"",
                    group.flaky() ? "true" : "false", "\"/>\n    </properties>\n");
    absl::StrAppend(&suites, testcases, "  </testsuite>\n");
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
  }
  const proto::CampaignContext& context = results.context();
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites",
      Attribute("name", context.testbed_name().empty() ? "mptest" : context.testbed_name()),
      absl::StrFormat(" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"", total.tests,
                      total.failures, total.errors, total.skipped),
      Attribute("time", Seconds(context.end_s() - context.start_s())), ">\n", suites,
      "</testsuites>\n");
}

}  // namespace mptest::report

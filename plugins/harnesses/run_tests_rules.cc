// run-tests.py's per-test rules; see run_tests_rules.h.
#include "plugins/harnesses/run_tests_rules.h"

#include <regex>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace mptest::harnesses {
namespace {

constexpr absl::string_view kStartTest = "START TEST";

// run-tests.py's tests_with_regex_output.
constexpr const char* kRegexOutputTests[] = {
    "micropython/meminfo.py",       "basics/bytes_compare3.py",
    "basics/builtin_help.py",       "basics/weakref_callback_exception.py",
    "misc/sys_settrace_cov.py",     "net_inet/tls_text_errors.py",
    "ports/unix/extra_coverage.py", "thread/thread_exc2.py",
    "ports/esp32/partition_ota.py",
};

// run-tests.py's flaky_tests_to_ignore: test, reason, platform ("" = all).
struct FlakyTest {
  const char* test;
  const char* reason;
  const char* platform;
};
constexpr FlakyTest kFlakyTests[] = {
    {"thread/thread_gc1.py", "GC race condition", ""},
    {"thread/stress_schedule.py", "intermittent crash under QEMU", ""},
    {"thread/stress_recurse.py", "stack overflow under emulation", ""},
    {"thread/stress_heap.py", "flaky on macOS", "darwin"},
    {"cmdline/repl_lock.py", "REPL timing under QEMU", ""},
    {"cmdline/repl_cont.py", "REPL escaping on macOS", "darwin"},
    {"extmod/time_time_ns.py", "CI runner clock precision", ""},
};

// convert_regex_escapes: an .exp line as a regular expression (ECMAScript is close enough
// to Python's re for these lines).
std::string RegexFromExpLine(absl::string_view line) {
  std::string out;
  bool escape = false;
  for (char c : line) {
    if (escape) {
      escape = false;
      // Python's $ also matches just before a final newline; ECMAScript's only at the end.
      if (c == '$') {
        out += "(?=\\n?$)";
      } else {
        out.push_back(c);
      }
    } else if (c == '\\') {
      escape = true;
    } else if (absl::string_view("()[]{}.*+^$").find(c) != absl::string_view::npos) {
      out.push_back('\\');
      out.push_back(c);
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == '\n') {
    out.pop_back();
    out += "\r*\n";
  }
  return out;
}

bool MatchesAtStart(const std::regex& pattern, const std::string& text) {
  return std::regex_search(text, pattern, std::regex_constants::match_continuous);
}

// Lines with their "\n" kept (splitlines(keepends=True) for \n-only text).
std::vector<std::string> LinesWithEnds(absl::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == absl::string_view::npos ? text.size() : end + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

}  // namespace

std::string NormalizeNewlines(absl::string_view text) {
  return absl::StrReplaceAll(absl::StrReplaceAll(text, {{"\r\r\n", "\n"}}), {{"\r\n", "\n"}});
}

std::string PrependStartTest(absl::string_view script) {
  return absl::StrCat("print('START TEST')", absl::StartsWith(script, "#") ? "" : "\n", script);
}

RemoteOutput MakeRemoteOutput(const RemoteRun& run, bool start_test_prepended) {
  RemoteOutput result;
  std::string output = run.stdout_text;
  if (!run.error.ok()) {
    result.had_crash = true;
    absl::StrAppend(&output, run.error.message(), "\nCRASH");
  } else if (!run.stderr_text.empty()) {
    result.had_crash = true;
    if (start_test_prepended && run.stdout_text.empty() &&
        absl::StrContains(run.stderr_text, "MemoryError")) {
      output = "SKIP-TOO-LARGE\n";
    } else {
      absl::StrAppend(&output, run.stderr_text, "CRASH");
    }
  }
  if (start_test_prepended && output != "SKIP-TOO-LARGE\n") {
    // Exactly run-tests.py's check: boards send \r\n (the execpty relay makes the unix port's
    // bare \n one).
    absl::string_view rest = output;
    if (absl::ConsumePrefix(&rest, absl::StrCat(kStartTest, "\r\n"))) {
      output = std::string(rest);
    } else {
      result.had_crash = true;
    }
  }
  result.output = NormalizeNewlines(output);
  return result;
}

bool HasRegexOutput(absl::string_view test) {
  for (const char* name : kRegexOutputTests) {
    if (test == name) return true;
  }
  return false;
}

std::string ApplyRegexExpectation(absl::string_view output, absl::string_view expected) {
  struct ExpLine {
    std::string text;
    bool any_lines;
    std::regex pattern;
  };
  std::vector<ExpLine> exp;
  for (const std::string& line : LinesWithEnds(expected)) {
    if (line == "########\n") {
      exp.push_back({line, true, std::regex()});
    } else {
      exp.push_back({line, false, std::regex(RegexFromExpLine(line))});
    }
  }
  std::vector<std::string> mupy;
  for (absl::string_view line : absl::StrSplit(output, '\n'))
    mupy.push_back(absl::StrCat(line, "\n"));
  if (absl::EndsWith(output, "\n")) mupy.pop_back();
  size_t i_mupy = 0;
  for (size_t i = 0; i < exp.size(); ++i) {
    if (exp[i].any_lines) {
      if (i + 1 >= exp.size()) break;
      size_t skip = 0;
      while (i_mupy + skip < mupy.size() &&
             !MatchesAtStart(exp[i + 1].pattern, mupy[i_mupy + skip])) {
        ++skip;
      }
      if (i_mupy + skip >= mupy.size()) {
        if (i_mupy < mupy.size()) mupy[i_mupy] = "######## FAIL\n";
        break;
      }
      mupy.erase(mupy.begin() + i_mupy, mupy.begin() + i_mupy + skip);
      mupy.insert(mupy.begin() + i_mupy, "########\n");
      ++i_mupy;
    } else {
      if (i_mupy < mupy.size() && MatchesAtStart(exp[i].pattern, mupy[i_mupy])) {
        mupy[i_mupy] = exp[i].text;
      }
      ++i_mupy;
    }
    if (i_mupy >= mupy.size()) break;
  }
  std::string joined;
  for (const std::string& line : mupy) joined += line;
  return joined;
}

bool MissingUnittest(absl::string_view output) {
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  const size_t start = lines.size() > 3 ? lines.size() - 3 : 0;
  for (size_t i = start; i < lines.size(); ++i) {
    if (lines[i] == "ImportError: no module named 'unittest'") return true;
  }
  return false;
}

TestVerdict DecideTest(absl::string_view test, const RemoteOutput& output,
                       absl::string_view expected, absl::string_view host_platform) {
  if (output.output == "SKIP\n") return {"skip", ""};
  if (output.output == "SKIP-TOO-LARGE\n") return {"skip", "too large"};
  if (MissingUnittest(output.output)) {
    return {"fail", "requires unittest (e.g. mpremote mip install unittest)"};
  }
  bool passed = false;
  // unittest output: its summary decides.
  std::vector<absl::string_view> lines = absl::StrSplit(output.output, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  const size_t n = lines.size();
  static const std::regex kRan("Ran (\\d+) tests$");
  static const std::regex kSummary(
      "(OK)( \\(skipped=(\\d+)\\))?$|(FAILED) \\(failures=(\\d+), errors=(\\d+)\\)$");
  bool unittest = false;
  if (n > 4 && lines[n - 4] == std::string(70, '-') && lines[n - 2].empty()) {
    const std::string ran(lines[n - 3]);
    const std::string summary(lines[n - 1]);
    std::smatch summary_match;
    if (std::regex_match(ran, kRan) && std::regex_match(summary, summary_match, kSummary)) {
      unittest = true;
      passed = summary_match[1].matched;
    }
  }
  if (!unittest) {
    std::string compared = output.output;
    if (!output.had_crash && HasRegexOutput(test)) {
      compared = ApplyRegexExpectation(compared, expected);
    }
    passed = compared == expected;
  }
  if (passed) return {"pass", ""};
  for (const FlakyTest& flaky : kFlakyTests) {
    if (test == flaky.test && (*flaky.platform == '\0' || host_platform == flaky.platform)) {
      return {"ignored", absl::StrCat("flaky: ", flaky.reason)};
    }
  }
  return {"fail", ""};
}

}  // namespace mptest::harnesses

// Escaping for the report formats: XML/HTML text and attributes, Markdown table cells, and
// URL paths. Text from outside (test names, error messages, board output) goes through these.
#ifndef MPTEST_CORE_REPORT_ESCAPE_H_
#define MPTEST_CORE_REPORT_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mptest::report {

// Escapes & < > " ' and replaces what XML 1.0 forbids (control characters other than tab,
// newline and carriage return; invalid UTF-8) with U+FFFD, so the result is always well-formed.
std::string XmlEscape(absl::string_view text);

// A Markdown table cell: XML-escaped, '|' escaped, newlines as <br>.
std::string MarkdownCell(absl::string_view text);

// The offset of the first byte of `text` that does not start a valid UTF-8 sequence (as XmlEscape
// judges it), or npos when all of it is valid.
size_t FirstInvalidUtf8(absl::string_view text);

// Percent-encodes a relative path for an href (keeps '/', letters, digits, "-._~,@").
std::string UrlPath(absl::string_view path);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_ESCAPE_H_

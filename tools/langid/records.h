// What langid writes for one text: the records of line mode (one line per
// input line, see docs/CLI.md) and the human-readable answers of argument
// mode. Everything is appended to a std::string; numbers are formatted
// without printf (tools/common/number_format.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/line_reader.h"
#include "tools/langid/spans.h"

namespace ffnlp {
namespace langid {

// The name to show for a prediction: the model's, "Undetermined" for the
// unknown label, else "".
const char* display_name(const Prediction& p);

// `line` is null in argument mode: JSON records then have no "line" and
// "truncated" keys.
void append_result_record(std::string& out, bool json, const Prediction* top, size_t count, const TextStats& stats,
                          size_t text_bytes, const tools::Line* line);
void append_spans_record(std::string& out, bool json, const char* text, size_t size, const std::vector<Span>& spans,
                         const tools::Line* line);
void append_error_record(std::string& out, bool json, Status status, const tools::Line* line);

// Argument mode, for people: one line per answer or span.
void append_result_text(std::string& out, const Prediction* top, size_t count);
void append_spans_text(std::string& out, const char* text, const std::vector<Span>& spans);

}  // namespace langid
}  // namespace ffnlp

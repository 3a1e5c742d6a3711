#include "tools/langid/records.h"

#include <cstring>

#include "tools/common/json_string.h"
#include "tools/common/number_format.h"

namespace ffnlp {
namespace langid {
namespace {

using tools::append_fixed;
using tools::append_json_string;
using tools::append_uint;

void append_c(std::string& out, const char* s) { out.append(s, std::strlen(s)); }
void append_json(std::string& out, const char* s) { append_json_string(out, s, std::strlen(s)); }

// {"line": N, "text_bytes": B[, "truncated": true]
void open_json_record(std::string& out, size_t text_bytes, const tools::Line* line) {
  out.push_back('{');
  if (line != nullptr) {
    out.append("\"line\": ");
    append_uint(out, line->number);
    out.append(", ");
  }
  out.append("\"text_bytes\": ");
  append_uint(out, text_bytes);
  if (line != nullptr && line->truncated()) out.append(", \"truncated\": true");
}

}  // namespace

const char* display_name(const Prediction& p) {
  return p.name[0] ? p.name : (p.label_index == kNoLabel ? "Undetermined" : "");
}

void append_result_record(std::string& out, bool json, const Prediction* top, size_t count, const TextStats& stats,
                          size_t text_bytes, const tools::Line* line) {
  if (!json) {
    if (count == 0) {
      out.append("und\t0.0000\n");
      return;
    }
    for (size_t i = 0; i < count; ++i) {
      if (i > 0) out.push_back('\t');
      append_c(out, top[i].label);
      out.push_back('\t');
      append_fixed(out, top[i].probability, 4);
    }
    out.push_back('\n');
    return;
  }
  open_json_record(out, text_bytes, line);
  out.append(", \"letters\": ");
  append_uint(out, stats.letters);
  out.append(", \"results\": [");
  for (size_t i = 0; i < count; ++i) {
    out.append(i ? ", {\"language\": " : "{\"language\": ");
    append_json(out, top[i].label);
    out.append(", \"name\": ");
    append_json(out, display_name(top[i]));
    out.append(", \"probability\": ");
    append_fixed(out, top[i].probability, 4);
    out.append(top[i].reliable ? ", \"is_reliable\": true}" : ", \"is_reliable\": false}");
  }
  out.append("]}\n");
}

void append_spans_record(std::string& out, bool json, const char* text, size_t size, const std::vector<Span>& spans,
                         const tools::Line* line) {
  if (!json) {
    for (size_t i = 0; i < spans.size(); ++i) {
      const Span& s = spans[i];
      if (i > 0) out.push_back('\t');
      append_c(out, s.label);
      out.push_back('\t');
      append_uint(out, s.begin);
      out.push_back('-');
      append_uint(out, s.end);
      out.push_back('\t');
      append_fixed(out, s.probability, 4);
    }
    out.push_back('\n');
    return;
  }
  open_json_record(out, size, line);
  out.append(", \"spans\": [");
  for (size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    out.append(i ? ", {\"begin\": " : "{\"begin\": ");
    append_uint(out, s.begin);
    out.append(", \"end\": ");
    append_uint(out, s.end);
    out.append(", \"language\": ");
    append_json(out, s.label);
    out.append(", \"name\": ");
    append_json(out, s.name);
    out.append(", \"probability\": ");
    append_fixed(out, s.probability, 4);
    out.append(s.reliable ? ", \"is_reliable\": true, \"text\": " : ", \"is_reliable\": false, \"text\": ");
    append_json_string(out, text + s.begin, s.end - s.begin);
    out.push_back('}');
  }
  out.append("]}\n");
}

void append_error_record(std::string& out, bool json, Status status, const tools::Line* line) {
  if (!json) {
    out.append("error\t");
    append_c(out, status_name(status));
    out.push_back('\n');
    return;
  }
  out.push_back('{');
  if (line != nullptr) {
    out.append("\"line\": ");
    append_uint(out, line->number);
    out.append(", ");
  }
  out.append("\"error\": ");
  append_json(out, status_name(status));
  out.append("}\n");
}

void append_result_text(std::string& out, const Prediction* top, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    // As printf("%-8s %-28s ...") would pad them (in bytes).
    append_c(out, top[i].label);
    for (size_t pad = std::strlen(top[i].label); pad < 8; ++pad) out.push_back(' ');
    out.push_back(' ');
    const char* name = display_name(top[i]);
    append_c(out, name);
    for (size_t pad = std::strlen(name); pad < 28; ++pad) out.push_back(' ');
    out.append(" probability ");
    append_fixed(out, top[i].probability, 4);
    out.append(top[i].reliable ? "  reliable\n" : "  not reliable\n");
  }
}

void append_spans_text(std::string& out, const char* text, const std::vector<Span>& spans) {
  for (const Span& s : spans) {
    append_uint(out, s.begin);
    out.push_back('-');
    append_uint(out, s.end);
    out.push_back('\t');
    append_c(out, s.label);
    out.push_back('\t');
    append_fixed(out, s.probability, 4);
    out.push_back('\t');
    append_c(out, s.name);
    out.push_back('\t');
    out.append(text + s.begin, s.end - s.begin);
    out.push_back('\n');
  }
}

}  // namespace langid
}  // namespace ffnlp

// Command-line options from a table: one row per option (name, value,
// help, what it does), so adding an option is adding a row.
//
//   std::vector<OptionSpec> table = {
//       {"--top", "K", "the K most probable languages",
//        [&](const char* v, std::string* e) { return parse_count("--top", v, 1, 10000, &o.top, e); }},
//       {"--json", nullptr, "JSON output", [&](const char*, std::string*) { o.json = true; return true; }},
//   };
//   std::vector<std::string> words;
//   std::string error;
//   if (!parse_args(argc, argv, table, &words, &error)) { print error; return 2; }
//
// Accepted forms: `--name VALUE`, `--name=VALUE`, `--flag`, and "--" to end
// the options. Anything else starting with '-' (but "-" alone) is an
// unknown option. Messages name the option: "--top needs a value (K)".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace ffnlp {
namespace tools {

struct OptionSpec {
  const char* name;   // "--top"
  const char* value;  // "K" for an option with a value; nullptr for a flag
  const char* help;   // shown by format_option_help; '\n' starts a new line
  // Applies the option (value is nullptr for a flag). On a bad value,
  // returns false with a message in *error.
  std::function<bool(const char* value, std::string* error)> apply;
  const char* alias = nullptr;  // e.g. "-h"
};

// Applies the options in argv[1..argc) in order; other arguments go to
// *positional. False with a message on the first error.
bool parse_args(int argc, char** argv, const std::vector<OptionSpec>& table, std::vector<std::string>* positional,
                std::string* error);

// The "options:" part of a usage text, one row per option.
std::string format_option_help(const std::vector<OptionSpec>& table);

// A whole decimal number in [min, max]: digits only (no sign, spaces, hex
// or octal), overflow checked. Message: "--top: expected a whole number
// from 1 to 10000, got 'abc'".
bool parse_count_u64(const char* option, const char* text, uint64_t min, uint64_t max, uint64_t* out,
                     std::string* error);
template <class T>
bool parse_count(const char* option, const char* text, uint64_t min, uint64_t max, T* out, std::string* error) {
  const uint64_t limit = std::numeric_limits<T>::max();
  uint64_t v = 0;
  if (!parse_count_u64(option, text, min, max < limit ? max : limit, &v, error)) return false;
  *out = static_cast<T>(v);
  return true;
}

}  // namespace tools
}  // namespace ffnlp

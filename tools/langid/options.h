// langid's options: one table row per option (tools/common/cli_args.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tools/common/cli_args.h"

namespace ffnlp {
namespace langid {

constexpr size_t kDefaultMaxLine = 1 << 20;
constexpr size_t kMaxMaxLine = size_t{1} << 30;  // --max-line at most 1 GiB
constexpr unsigned kMaxThreads = 256;

struct Options {
  size_t top = 1;
  bool json = false, spans = false, list = false, help = false;
  std::string eval_path, model_path;
  size_t max_line = kDefaultMaxLine;
  unsigned threads = 0;  // 0: tools::default_thread_count()
  std::vector<std::string> words;
};

// The table; its rows write into *options.
std::vector<tools::OptionSpec> option_table(Options* options);

// Everything --help prints.
std::string usage_text();

// argv -> options. False with a message (without the "langid: " prefix).
bool parse_options(int argc, char** argv, Options* options, std::string* error);

}  // namespace langid
}  // namespace ffnlp

// langid's options: one table row per option (tools/common/cli_args.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
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
  std::string prior = "model";  // --prior: model | uniform
  std::string only;             // --only: comma-separated codes, "" = all
  std::string prefer;           // --prefer: comma-separated codes, "" = no hints
  float prefer_weight = kDefaultPreferWeight;  // --prefer-weight
  std::vector<std::string> words;
  // Filled by resolve_classify_options() once the model is loaded; what
  // every classification of this run passes to the model.
  std::vector<uint32_t> only_indices;
  std::vector<uint32_t> prefer_indices;
  ClassifyOptions classify;
};

// The table; its rows write into *options.
std::vector<tools::OptionSpec> option_table(Options* options);

// Everything --help prints.
std::string usage_text();

// argv -> options. False with a message (without the "langid: " prefix).
bool parse_options(int argc, char** argv, Options* options, std::string* error);

// --prior, --only and --prefer against the loaded model's labels ->
// options->classify. False with a message for an unknown or repeated code.
bool resolve_classify_options(const Model& model, Options* options, std::string* error);

}  // namespace langid
}  // namespace ffnlp

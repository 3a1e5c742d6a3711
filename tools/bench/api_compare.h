// The section of `make bench` that runs the same texts through the C API
// (ffnlp_workspace_classify), the C++ API (Model::classify with a
// Workspace) and the CLI (build/langid line mode, one thread): whether the
// answers agree (C and C++: label and probability bits; CLI: label and the
// printed probability against the C++ float printed the same way) and
// their speed as ratios to the C++ API, measured in the same run, by CPU
// time (the thread's for C and C++, the child process's for the CLI, its
// start-up on an empty input subtracted).
#pragma once

#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"

namespace bench {

struct ApiCompareOptions {
  int runs = 7;
  double min_time = 0.2;
  std::string langid_path;  // the CLI to run ("" or missing: the CLI row is left out)
  std::string model_path;   // the model file the CLI loads with --model
};

// One row per text class: `name`, its texts.
void api_compare_row(const ApiCompareOptions& o, const std::vector<uint8_t>& model_bytes, const ffnlp::Model& model,
                     const std::string& name, const std::vector<std::string>& texts);

}  // namespace bench

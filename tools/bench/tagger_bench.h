// The tagger's section of `make bench`: tokens per second of tag() (text,
// with the tokenizer) and tag_tokens() (pre-tokenized) on held-out Brown
// sentences, one sentence per call on one thread; the language identifier's
// classify() on the same sentences in the same run as the baseline (a ratio
// of bytes per second); heap allocations per call.
#pragma once

#include <string>

#include "ffnlp/ffnlp.h"

namespace bench {

struct TaggerBenchOptions {
  std::string tagger_path = "models/pos-en.ffm";
  std::string sentences_path = "data/pos/test.tsv";  // tagged sentences; a built-in sample when absent
  int runs = 7;
  double min_time = 0.2;
};

// Prints the section; `classifier` is the language identifier the rest of
// the bench measures (the baseline).
void tagger_section(const TaggerBenchOptions& o, const ffnlp::Model& classifier);

}  // namespace bench

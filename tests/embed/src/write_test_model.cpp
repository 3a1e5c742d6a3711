// write_test_model OUT.ffm [SEED]: writes the tiny 3-label classifier of
// tests/test_models.h (labels aa/bb/cc, unknown label "und"). Used by the
// embedding, example and install tests, and to regenerate the checked-in
// tests/golden/tiny_golden.ffm (seed 42) whose probabilities are pinned as
// cross-architecture golden values in tests/runtime/test_embed.cpp.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "test_models.h"
#include "ffnlp/features.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: write_test_model OUT.ffm [SEED]\n");
    return 2;
  }
  const uint32_t seed = argc == 3 ? static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10)) : 42u;
  const std::vector<uint8_t> bytes =
      ffnlp::testing::build_tiny_model(ffnlp::testing::make_tiny_network(seed, ffnlp::kScriptCount));
  std::FILE* f = std::fopen(argv[1], "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  return 0;
}

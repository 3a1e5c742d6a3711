// Neighbour words (docs/SPEC.md "Neighbour words"): the words file of a
// spec's [neighbours] section becomes the neighbours.* metadata and one
// q8_row tensor of scores (docs/FORMAT.md), which the runtime adds to the
// logits of a group of close labels when a text holds those words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/common/model_writer.h"

namespace ffnlp {
namespace tools {

// Limits the runtime checks at load (docs/FORMAT.md).
constexpr uint32_t kMaxNeighbourGroups = 64;
constexpr uint32_t kMinNeighbourGroupSize = 2;
constexpr uint32_t kMaxNeighbourGroupSize = 16;
constexpr uint32_t kMaxNeighbourWords = 1u << 20;  // over all groups
constexpr const char* kNeighbourScoresTensor = "neighbour_scores";

// The spec's [neighbours] section.
struct NeighbourSpec {
  bool present = false;
  uint32_t seed = 0;
  float weight = 0;        // finite, >= 0
  uint32_t bits = 8;       // the scores' tensor: 8 (q8_row) or 4 (q4_row)
  uint32_t key_bits = 32;  // of a word's key: 32, or 24 (the 32-bit key >> 8, stored in 3 bytes)
  std::string words_file;  // relative to the spec file
  int line = 0;            // of the section header, for messages
};

// Which code points the model's word channel keeps in a word ([text]): a
// word holding anything else could never be found in a text.
struct WordCharacters {
  bool lowercase = true;
  bool drop_digits = true;
};

// What the file stores, in its order.
struct NeighbourTables {
  uint32_t seed = 0;
  float weight = 0;
  std::vector<uint32_t> groups;       // group sizes
  std::vector<uint32_t> labels;       // label indices, group after group
  std::vector<uint32_t> word_counts;  // per group
  uint32_t key_bits = 32;             // 32, or 24: keys are the 32-bit keys >> 8
  std::vector<uint32_t> words;        // keys, one per word, ascending within each group (packed when written)
  TensorToWrite scores;               // q8_row (1, N), zero point 128, or q4_row, zero point 8
  std::vector<float> values;          // the N scores before quantizing, in the tensor's order
};

// Strict UTF-8 to code points: false on any invalid, overlong, surrogate or
// truncated sequence.
bool code_points_of(const std::string& word, std::vector<uint32_t>* cps);

// A word's key: its code points hashed as a word channel with this seed and
// 2^32 - 1 buckets would. The word must be valid UTF-8 (false otherwise).
bool neighbour_word_key(const std::string& word, uint32_t seed, uint32_t* key);

// 24-bit keys as neighbours.words stores them: 3 little-endian bytes each,
// in order, zero-padded to a whole number of u32s (docs/FORMAT.md).
std::vector<uint32_t> pack_keys_24(const std::vector<uint32_t>& keys);

// Parses the words file's text (`file` names it in messages) against the
// model's label codes. Throws std::runtime_error "FILE:LINE: message" (or
// "FILE: message" for what concerns the whole file).
NeighbourTables build_neighbour_tables(const std::string& text, const std::string& file, const NeighbourSpec& spec,
                                       const std::vector<std::string>& label_codes, const WordCharacters& characters);

// Adds the tensor and the neighbours.* keys (neighbours.key_bits only for
// 24-bit keys: a file of 32-bit keys is as before it existed).
void write_neighbour_tables(NeighbourTables tables, ModelWriter* writer);

}  // namespace tools
}  // namespace ffnlp

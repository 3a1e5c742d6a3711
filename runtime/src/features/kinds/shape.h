// Feature kind `shape`: one feature per word, its shape, from a fixed table
// of kShapeRows = 100 rows: row = case * 20 + content * 4 + length.
//   case (from the ORIGINAL characters, before lowercasing):
//     0 no cased letter (e.g. Han, Arabic, digits only)
//     1 lower: cased letters, none upper            ("word")
//     2 title: the first cased letter is the only upper one ("Word", "A")
//     3 upper: two or more upper, no lower          ("WORD")
//     4 mixed: anything else                        ("iPhone", "McDonald")
//     A letter is upper when its lowercase differs from it; lower when it is
//     not upper and its script is Latin, Greek, Cyrillic, Armenian, Georgian
//     or Cherokee.
//   content: 0 letters only, 1 digits only, 2 letters and digits,
//     3 punctuation or symbols only, 4 punctuation or symbols with letters or
//     digits (3 and 4 occur for tokens of token models; words of whole-text
//     models hold only letters and, without text.drop_digits, digits).
//   length (code points): 0 one, 1 two or three, 2 four to six, 3 seven or more.
// Parameters: buckets (must be 100).
#ifndef FFNLP_FEATURES_KINDS_SHAPE_H_
#define FFNLP_FEATURES_KINDS_SHAPE_H_

#include <cstdint>

#include "features/text_features.h"

namespace ffnlp {

struct ShapeKind {
  static constexpr FeatureKind kKind = FeatureKind::kShape;
  static constexpr const char* kName = "shape";
  static constexpr uint32_t kParams = 0;
  static constexpr uint32_t kRequired = 0;
  static constexpr uint32_t kFixedBuckets = kShapeRows;
  static constexpr bool kFromText = true;
  static constexpr const char* kSummary = "each word's shape: case pattern x letters/digits/punctuation x length class";

  static Status check(const ChannelSpec&, uint32_t, const TextOptions&, Error*) { return Status::kOk; }

  static bool bicameral(uint32_t script) {
    switch (static_cast<Script>(script)) {
      case Script::kLatin:
      case Script::kGreek:
      case Script::kCyrillic:
      case Script::kArmenian:
      case Script::kGeorgian:
      case Script::kCherokee:
        return true;
      default:
        return false;
    }
  }

  // Counts over one word (or token), then its row.
  struct Counter {
    uint32_t length = 0, upper = 0, lower = 0, letters = 0, digits = 0, other = 0;
    bool first_cased_upper = false, seen_cased = false;

    void add(uint32_t char_class, bool is_upper, bool is_lower) {
      ++length;
      if (char_class == static_cast<uint32_t>(CharClass::kLetter)) {
        ++letters;
        if ((is_upper || is_lower) && !seen_cased) {
          seen_cased = true;
          first_cased_upper = is_upper;
        }
        upper += is_upper;
        lower += is_lower;
      } else if (char_class == static_cast<uint32_t>(CharClass::kDigit)) {
        ++digits;
      } else {
        ++other;
      }
    }

    uint32_t row() const {
      uint32_t c;
      if (upper == 0 && lower == 0) c = 0;
      else if (upper == 0) c = 1;
      else if (upper == 1 && first_cased_upper) c = 2;
      else if (lower == 0) c = 3;
      else c = 4;
      uint32_t content;
      const bool alnum = letters != 0 || digits != 0;
      if (other != 0) content = alnum ? 4 : 3;
      else if (digits == 0) content = 0;
      else content = letters == 0 ? 1 : 2;
      const uint32_t len = length <= 1 ? 0 : (length <= 3 ? 1 : (length <= 6 ? 2 : 3));
      return c * 20 + content * 4 + len;
    }
  };
};

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_SHAPE_H_

// tokenize_words (ffnlp/features.h): the tokenizer's rules (features/tokenizer.h)
// over a whole text.
#include "features/tokenizer.h"

#include "ffnlp/features.h"

namespace ffnlp {

Status tokenize_words(const char* text, size_t size, Token* tokens, size_t capacity, size_t* count) {
  if (count == nullptr) return Status::kInvalidArgument;
  *count = 0;
  if ((text == nullptr && size != 0) || (tokens == nullptr && capacity != 0)) return Status::kInvalidArgument;
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text);
  size_t pos = 0, begin = 0, end = 0, n = 0;
  while (detail::next_token(s, size, &pos, &begin, &end)) {
    if (n < capacity) {
      tokens[n].begin = begin;
      tokens[n].end = end;
    }
    ++n;
  }
  *count = n;
  return n > capacity ? Status::kBufferTooSmall : Status::kOk;
}

}  // namespace ffnlp

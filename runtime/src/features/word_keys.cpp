// for_each_word_key (features/word_keys.h): extract_loop's word path.
#include "features/word_keys.h"

#include "features/cleanup.h"
#include "features/extract.h"
#include "features/hash.h"

namespace ffnlp {
namespace detail {

size_t for_each_word_key(const uint8_t* text, size_t size, const internal::FeaturePlan& options, uint32_t seed,
                         uint32_t buckets, void (*add)(void* context, uint32_t key), void* context) {
  if (text == nullptr) return 0;
  const size_t end = text_end(text, size, options.max_bytes);
  const bool keep_digits = !options.drop_digits;
  uint32_t hash = 0, length = 0;  // of the current word; length 0: none
  size_t words = 0;
  bool token_start = true;  // cleanup: text[i] begins a whitespace-delimited token
  auto end_word = [&]() {
    if (length == 0) return;
    add(context, bucket_of(fnv_finish(hash, length), buckets));
    ++words;
    length = 0;
  };
  size_t i = 0;
  while (i < end) {
    uint32_t cp = text[i];
    if (options.cleanup) {
      if (token_start || cp == '<' || cp == '&') {
        const size_t skip_to = skip_span(text, i, end, token_start);
        if (skip_to > i) {
          end_word();  // a skipped span separates words
          i = skip_to;
          token_start = true;
          continue;
        }
      }
      token_start = is_ascii_space(static_cast<uint8_t>(cp));
    }
    uint32_t info;
    if (cp < 0x80) {
      info = kCharBlocks[cp];
      ++i;
    } else {
      i += decode_utf8_inline(text + i, end - i, &cp);
      info = char_info(cp);
    }
    const uint32_t cls = class_from_info(info);
    if (cls == static_cast<uint32_t>(CharClass::kLetter)) {
      if (options.lowercase) cp = lower_from_info(cp, info);
    } else if (cls != static_cast<uint32_t>(CharClass::kDigit) || !keep_digits) {
      end_word();
      continue;
    }
    if (length == 0) hash = kFnvOffset ^ seed;
    hash = fnv_step(hash, cp);
    ++length;
  }
  end_word();
  return words;
}

}  // namespace detail
}  // namespace ffnlp

// for_each_word_key (features/word_keys.h): extract_loop's word path.
#include "features/word_keys.h"

#include "features/text_walk.h"
#include "features/extract.h"
#include "features/hash.h"

namespace ffnlp {
namespace detail {

namespace {

template <bool kCleanup>
size_t walk(const uint8_t* text, size_t end, bool lowercase, bool keep_digits, bool laughter, uint32_t seed,
            uint32_t buckets, void (*add)(void* context, uint32_t key), void* context, size_t stop_after) {
  uint32_t hash = 0, length = 0;  // of the current word; length 0: none
  size_t words = 0;
  bool token_start = true;
  auto end_word = [&]() {
    if (length == 0) return;
    add(context, bucket_of(fnv_finish(hash, length), buckets));
    ++words;
    length = 0;
  };
  size_t i = 0;
  while (i < end) {
    uint32_t cp, info;
    if (!next_char<kCleanup>(text, end, &i, &token_start, laughter, &cp, &info)) {
      end_word();  // a skipped span separates words
      if (words >= stop_after) return words;
      continue;
    }
    const uint32_t cls = class_from_info(info);
    if (cls == static_cast<uint32_t>(CharClass::kLetter)) {
      if (lowercase) cp = lower_from_info(cp, info);
    } else if (cls != static_cast<uint32_t>(CharClass::kDigit) || !keep_digits) {
      end_word();
      if (words >= stop_after) return words;
      continue;
    }
    if (length == 0) hash = kFnvOffset ^ seed;
    hash = fnv_step(hash, cp);
    ++length;
  }
  end_word();
  return words;
}

}  // namespace

size_t for_each_word_key(const uint8_t* text, size_t size, const internal::FeaturePlan& options, uint32_t seed,
                         uint32_t buckets, void (*add)(void* context, uint32_t key), void* context,
                         size_t stop_after) {
  if (text == nullptr || stop_after == 0) return 0;
  const size_t end = text_end(text, size, options.max_bytes);
  const bool lowercase = options.lowercase, keep_digits = !options.drop_digits, laughter = options.cleanup == 2;
  return options.cleanup != 0
             ? walk<true>(text, end, lowercase, keep_digits, laughter, seed, buckets, add, context, stop_after)
             : walk<false>(text, end, lowercase, keep_digits, laughter, seed, buckets, add, context, stop_after);
}

}  // namespace detail
}  // namespace ffnlp

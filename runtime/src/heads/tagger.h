// The tagger head (heads/tagger.cpp): one label per token, greedy left to
// right, over the token units of each token's window. Used by Model::tag,
// Model::tag_tokens and the C API (which pass their own record types), so
// every API takes the same code path and gives the same bits.
#ifndef FFNLP_HEADS_TAGGER_H_
#define FFNLP_HEADS_TAGGER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "api/model_access.h"
#include "ffnlp/ffnlp.h"

struct ffnlp_token;
struct ffnlp_tagged_token;

namespace ffnlp {
namespace internal {

// Tokens as the caller passed them: tokens[j] with lengths[j] bytes
// (lengths null: NUL-terminated).
struct TokenList {
  const char* const* tokens;
  const size_t* lengths;
  const uint8_t* token(size_t j, size_t* size) const {
    const char* t = tokens[j];
    *size = lengths != nullptr ? lengths[j] : (t != nullptr ? std::strlen(t) : 0);
    return reinterpret_cast<const uint8_t*>(t);
  }
};

// Tokens of a text, as the tokenizer wrote them into the output records
// (any type with begin and end members).
template <class Record>
struct TextSpans {
  const uint8_t* text;
  const Record* spans;
  const uint8_t* token(size_t j, size_t* size) const {
    *size = static_cast<size_t>(spans[j].end - spans[j].begin);
    return text + spans[j].begin;
  }
};

// The tagger's entry points (friend of Model). Every API goes through run()
// with its own token source and record type.
struct TaggerAccess {
  template <class Source, class Out>
  static Status run(const Model& model, const Source& source, size_t n, void* scratch, size_t scratch_size, Out* out);
  // The C API's records (same code path).
  static Status tokenize(const Model& model, const char* text, size_t size, ffnlp_token* out, size_t capacity,
                         size_t* count);
  static Status tag(const Model& model, const char* text, size_t size, void* scratch, size_t scratch_size,
                    ffnlp_tagged_token* out, size_t capacity, size_t* count);
  static Status tag_tokens(const Model& model, const char* const* tokens, const size_t* lengths, size_t n,
                           void* scratch, size_t scratch_size, ffnlp_tagged_token* out);
};

}  // namespace internal
}  // namespace ffnlp

#endif  // FFNLP_HEADS_TAGGER_H_

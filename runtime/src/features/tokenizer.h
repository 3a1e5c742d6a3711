// The tokenizer of token models: rule set "words", version 1 (part of the
// model format: a token model records `tokenizer = words` and
// `tokenizer.version = 1`; docs/SPEC.md "Tokens"). Inline, for the tagger's
// loop; tokenize_words() (ffnlp/features.h) is the out-of-line form.
//
// Text is decoded strictly (features/utf8.h). Each character is one of:
//   space   White_Space and other invisible characters: C0 and C1 controls,
//           U+0020, U+00A0, U+00AD, U+061C, U+1680, U+180E, U+2000-200B,
//           U+200E-200F, U+2028-202F, U+205F-2064, U+2066-206F, U+3000,
//           U+FEFF, U+FFF9-FFFB; and every invalid byte. Spaces separate
//           tokens and belong to none.
//   letter  class letter of the character tables (letters and combining
//           marks of every script, ZWNJ/ZWJ), except the spaces above
//   digit   class digit (decimal digits of every script)
//   other   everything else: punctuation and symbols (also unassigned code
//           points and a real U+FFFD)
// Tokens, left to right, each starting at the first non-space character:
//   1. Acronym: a letter, '.', a letter, '.', ... (at least two letters,
//      each followed by one '.'; each "letter" one code point): "U.S.",
//      "p.m.", "e.g." -> one token, the last '.' included.
//   2. Word: a maximal run of letters and digits, which also takes in
//        - an apostrophe (U+0027 ', U+2019 ’) after a letter or digit and
//          before a letter: "don't", "John's", "1920's";
//        - a hyphen (U+002D -, U+2010, U+2011) between two letters or
//          digits: "full-time", "B-52", "1961-62";
//        - one of , . : / between two digits: "1,000", "3.5", "12:30", "1/2".
//   3. Other: a maximal run of ONE repeated other character: "...", "--",
//      "!!", "?" (".)" is two tokens).
// Time O(size), no allocation; every byte is looked at a bounded number of
// times (the acronym check reads ahead only while the pattern holds, and
// that text becomes the token).
#ifndef FFNLP_FEATURES_TOKENIZER_H_
#define FFNLP_FEATURES_TOKENIZER_H_

#include <cstddef>
#include <cstdint>

#include "features/unicode.h"
#include "features/utf8.h"

namespace ffnlp {
namespace detail {

enum class TokenChar : uint8_t { kSpace, kLetter, kDigit, kOther };

inline bool is_token_space(uint32_t cp) {
  if (cp <= 0x20) return true;
  if (cp < 0x7F) return false;
  if (cp <= 0xA0) return true;  // DEL, C1 controls, NO-BREAK SPACE
  if (cp < 0x2000) return cp == 0xAD || cp == 0x61C || cp == 0x1680 || cp == 0x180E;
  if (cp <= 0x206F) {
    return cp <= 0x200B || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202F) ||
           (cp >= 0x205F && cp <= 0x2064) || cp >= 0x2066;
  }
  return cp == 0x3000 || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

// One character of the text: code point, byte length, category.
struct TokenCharAt {
  uint32_t cp;
  uint32_t length;
  TokenChar kind;
};

inline TokenCharAt token_char_at(const uint8_t* s, size_t size, size_t at) {
  TokenCharAt c;
  uint32_t cp = s[at];
  uint32_t info;
  if (cp < 0x80) {
    c.length = 1;
    info = kCharBlocks[cp];
  } else {
    c.length = static_cast<uint32_t>(decode_utf8_inline(s + at, size - at, &cp));
    if (cp == kReplacementChar && c.length == 1) {  // an invalid byte
      c.cp = cp;
      c.kind = TokenChar::kSpace;
      return c;
    }
    info = char_info(cp);
  }
  c.cp = cp;
  if (is_token_space(cp)) {
    c.kind = TokenChar::kSpace;
  } else {
    const uint32_t cls = class_from_info(info);
    c.kind = cls == static_cast<uint32_t>(CharClass::kLetter)
                 ? TokenChar::kLetter
                 : (cls == static_cast<uint32_t>(CharClass::kDigit) ? TokenChar::kDigit : TokenChar::kOther);
  }
  return c;
}

inline bool is_apostrophe(uint32_t cp) { return cp == 0x27 || cp == 0x2019; }
inline bool is_hyphen(uint32_t cp) { return cp == 0x2D || cp == 0x2010 || cp == 0x2011; }
inline bool is_number_joiner(uint32_t cp) { return cp == ',' || cp == '.' || cp == ':' || cp == '/'; }
inline bool is_word_char(TokenChar k) { return k == TokenChar::kLetter || k == TokenChar::kDigit; }

// End of an acronym starting with the letter `first` at `at`, or `at` when
// the text there is not one (rule 1).
inline size_t acronym_end(const uint8_t* s, size_t size, size_t at, const TokenCharAt& first) {
  size_t p = at + first.length;
  uint32_t letters = 1;
  size_t end = at;
  for (;;) {
    if (p >= size || s[p] != '.') break;
    ++p;  // the '.' after a letter
    if (letters >= 2) end = p;
    if (p >= size) break;
    const TokenCharAt c = token_char_at(s, size, p);
    if (c.kind != TokenChar::kLetter) break;
    const size_t after = p + c.length;
    if (after >= size || s[after] != '.') break;  // "U.Sx": not an acronym letter
    ++letters;
    p = after;
  }
  return end;
}

// The next token at or after *pos: true with [*begin, *end), and *pos moved
// past it; false (and *pos = size) when only spaces remain.
inline bool next_token(const uint8_t* s, size_t size, size_t* pos, size_t* begin, size_t* end) {
  size_t p = *pos;
  TokenCharAt c;
  for (;;) {
    if (p >= size) {
      *pos = size;
      return false;
    }
    c = token_char_at(s, size, p);
    if (c.kind != TokenChar::kSpace) break;
    p += c.length;
  }
  *begin = p;
  if (c.kind == TokenChar::kOther) {
    const uint32_t cp = c.cp;
    p += c.length;
    while (p < size) {
      const TokenCharAt n = token_char_at(s, size, p);
      if (n.cp != cp || n.kind != TokenChar::kOther) break;
      p += n.length;
    }
    *pos = *end = p;
    return true;
  }
  if (c.kind == TokenChar::kLetter) {
    const size_t a = acronym_end(s, size, p, c);
    if (a != p) {
      *pos = *end = a;
      return true;
    }
  }
  TokenChar last = c.kind;
  p += c.length;
  while (p < size) {
    const TokenCharAt n = token_char_at(s, size, p);
    if (is_word_char(n.kind)) {
      last = n.kind;
      p += n.length;
      continue;
    }
    if (n.kind != TokenChar::kOther) break;
    const bool apostrophe = is_apostrophe(n.cp);
    const bool hyphen = is_hyphen(n.cp);
    const bool number = last == TokenChar::kDigit && is_number_joiner(n.cp);
    if (!apostrophe && !hyphen && !number) break;
    const size_t q = p + n.length;
    if (q >= size) break;
    const TokenCharAt after = token_char_at(s, size, q);
    const bool joins = apostrophe ? after.kind == TokenChar::kLetter
                                  : (hyphen ? is_word_char(after.kind) : after.kind == TokenChar::kDigit);
    if (!joins) break;
    last = after.kind;
    p = q + after.length;
  }
  *pos = *end = p;
  return true;
}

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_TOKENIZER_H_

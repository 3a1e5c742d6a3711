// Text clean-up before features (model option text.cleanup = 1; off unless a
// model asks for it). Spans that carry no language are skipped as if they
// were separators:
//   markup   <tag ...>, </tag>, <!...>, <?...?> (a '<' followed by a letter,
//            '/', '!' or '?', up to the next '>' within 1024 bytes and before
//            any other '<'); entities &name; &#123; &#x1F;
//   tokens   (a token runs from the start of the text, a whitespace or the
//            end of a skipped span, to the next whitespace or '<'; leading
//            ( [ { " ' and trailing ) ] } " ' . , ; : ! ? are ignored when
//            matching):
//            URLs       scheme://... (scheme: a letter, then letters, digits, + - .)
//                       or www.something
//            e-mail     x@y.z (an '@' after the first byte, a '.' later, not last)
//            @handles   @ followed by a letter, digit or '_'
//            paths      starting with / ~/ ./ ../ \\ or X:\ ; holding a '\',
//                       two or more '/', or a '/' and a file name
//            file names name.ext with a known extension (txt, pdf, py, ...)
//            numbers with units: an optional sign or currency (+ - $ € £ ¥),
//                       a digit, digits and . , : ' and at most 6 bytes of
//                       unit (letters, % ° µ ² ³ /): 5km 3.5GB 100% 12:30pm
//                       20°C $5; a bare number followed by a known unit
//                       token ("5 km", "16 GB", "3.5 GHz") skips both.
//            laughter   (text.cleanup = 2 only) one syllable repeated, in
//                       any case: haha, hahaha, ahahah, hehe, hihi, eheh,
//                       jajaja (three or more: German "jaja" is a word),
//                       kkk..., wkwk, ахаха, хехе; and lol, lool, lmao,
//                       lmfao, rofl, xd, xdd, xddd. Written the same way in
//                       many languages, they pulled short chat messages to
//                       whichever language's training text held them.
// Every check looks at most at the current and the next token (or 1024
// bytes for a tag, which stops at the next '<'), so a text is scanned a
// bounded number of times: linear time, no allocation, any bytes (invalid
// UTF-8 is just bytes that match no pattern).
#ifndef FFNLP_FEATURES_CLEANUP_H_
#define FFNLP_FEATURES_CLEANUP_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {
namespace detail {

inline bool is_ascii_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// If a span without language starts at text[pos] (pos < end), returns its
// end (> pos); otherwise pos. `token_start`: pos begins a token;
// `laughter`: laughter tokens are skipped too (text.cleanup = 2).
size_t skip_span(const uint8_t* text, size_t pos, size_t end, bool token_start, bool laughter);

// Whether the token t[0, n) (trimmed of leading and trailing punctuation)
// is laughter as the rule above defines it.
bool is_laughter(const uint8_t* t, size_t n);

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_CLEANUP_H_

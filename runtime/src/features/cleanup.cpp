// The clean-up rules (features/cleanup.h; docs/SPEC.md "Text clean-up").
#include "features/cleanup.h"

#if defined(__SSE2__) || defined(_M_X64)
#define FFNLP_CLEANUP_SSE2 1
#include <emmintrin.h>
#endif

#include <cstring>

namespace ffnlp {
namespace detail {
namespace {

constexpr size_t kMaxTagBytes = 1024;
constexpr size_t kMaxEntityName = 31;
constexpr size_t kMaxUnitBytes = 6;

bool is_alpha(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
bool is_alnum(uint8_t c) { return is_alpha(c) || is_digit(c); }
uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c + 32) : c; }

bool equals_lower(const uint8_t* s, size_t n, const char* word) {
  const size_t w = std::strlen(word);
  if (n != w) return false;
  for (size_t i = 0; i < n; ++i) {
    if (lower(s[i]) != static_cast<uint8_t>(word[i])) return false;
  }
  return true;
}

bool starts_with_lower(const uint8_t* s, size_t n, const char* prefix) {
  const size_t p = std::strlen(prefix);
  return n >= p && equals_lower(s, p, prefix);
}

// ---- markup -------------------------------------------------------------------
size_t skip_tag(const uint8_t* s, size_t pos, size_t end) {
  if (pos + 1 >= end) return pos;
  const uint8_t c = s[pos + 1];
  if (!(is_alpha(c) || c == '/' || c == '!' || c == '?')) return pos;
  const size_t limit = end - pos > kMaxTagBytes ? pos + kMaxTagBytes : end;
  for (size_t i = pos + 1; i < limit; ++i) {
    if (s[i] == '>') return i + 1;
    if (s[i] == '<') return pos;  // a tag holds no '<': the scan never overlaps the next one
  }
  return pos;
}

size_t skip_entity(const uint8_t* s, size_t pos, size_t end) {
  size_t i = pos + 1;
  if (i < end && s[i] == '#') {
    ++i;
    const bool hex = i < end && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    const size_t first = i;
    while (i < end && i - first < 8 &&
           (is_digit(s[i]) || (hex && ((s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F'))))) {
      ++i;
    }
    return (i > first && i < end && s[i] == ';') ? i + 1 : pos;
  }
  const size_t first = i;
  while (i < end && i - first < kMaxEntityName && is_alnum(s[i])) ++i;
  return (i > first && is_alpha(s[first]) && i < end && s[i] == ';') ? i + 1 : pos;
}

// ---- tokens ---------------------------------------------------------------------
bool leading_punct(uint8_t c) { return c == '(' || c == '[' || c == '{' || c == '"' || c == '\''; }
bool trailing_punct(uint8_t c) {
  return c == ')' || c == ']' || c == '}' || c == '"' || c == '\'' || c == '.' || c == ',' || c == ';' || c == ':' ||
         c == '!' || c == '?';
}

size_t token_end(const uint8_t* s, size_t pos, size_t end) {
  while (pos < end && !is_ascii_space(s[pos]) && s[pos] != '<') ++pos;
  return pos;
}

bool is_url(const uint8_t* s, size_t n) {
  if (starts_with_lower(s, n, "www.") && n > 4) return true;
  if (n == 0 || !is_alpha(s[0])) return false;
  size_t i = 1;
  while (i < n && (is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
  return i + 3 <= n && s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/';
}

bool is_email(const uint8_t* s, size_t n) {
  const void* at = n > 1 ? std::memchr(s + 1, '@', n - 1) : nullptr;
  if (at == nullptr) return false;
  const size_t a = static_cast<size_t>(static_cast<const uint8_t*>(at) - s);
  for (size_t i = a + 2; i + 1 < n; ++i) {
    if (s[i] == '.') return true;
  }
  return false;
}

bool is_handle(const uint8_t* s, size_t n) { return n >= 2 && s[0] == '@' && (is_alnum(s[1]) || s[1] == '_'); }

const char* const kExtensions[] = {
    "txt", "md", "rst", "pdf", "doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "csv", "tsv", "ppt", "pptx", "odp",
    "jpg", "jpeg", "png", "gif", "bmp", "svg", "webp", "tif", "tiff", "ico", "mp3", "wav", "ogg", "flac", "mp4",
    "mkv", "avi", "mov", "webm", "zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "tar", "deb", "rpm", "iso", "exe",
    "dll", "so", "dylib", "bin", "dat", "db", "sqlite", "log", "ini", "cfg", "conf", "json", "xml", "yaml", "yml",
    "toml", "html", "htm", "css", "js", "ts", "py", "rb", "pl", "php", "java", "kt", "c", "h", "cc", "cpp", "hpp",
    "cs", "go", "rs", "swift", "sh", "bat", "ps1", "npz", "npy", "ffm", "po", "pot", "mo", "srt"};

// name.ext with a known extension and a name with an ASCII letter or digit.
bool is_file_name(const uint8_t* s, size_t n) {
  size_t dot = n;
  while (dot > 0 && s[dot - 1] != '.') --dot;
  if (dot < 2 || dot == n) return false;  // no dot, nothing before it, or nothing after it
  const uint8_t* ext = s + dot;
  const size_t ext_length = n - dot;
  bool known = false;
  for (const char* e : kExtensions) known = known || equals_lower(ext, ext_length, e);
  if (!known) return false;
  for (size_t i = 0; i + 1 < dot; ++i) {
    if (is_alnum(s[i])) return true;
  }
  return false;
}

bool is_path(const uint8_t* s, size_t n) {
  if (n < 2) return false;
  if (s[0] == '/' || s[0] == '\\') return is_alnum(s[1]) || s[1] == '.' || s[1] == '_' || s[1] == '\\';
  if (starts_with_lower(s, n, "~/") || starts_with_lower(s, n, "./") || starts_with_lower(s, n, "../")) return true;
  if (n >= 3 && is_alpha(s[0]) && s[1] == ':' && (s[2] == '\\' || s[2] == '/')) return true;
  size_t slashes = 0, last_slash = 0;
  bool backslash = false;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '/') {
      ++slashes;
      last_slash = i;
    }
    backslash = backslash || s[i] == '\\';
  }
  if (backslash) return true;
  if (slashes >= 2) return true;
  return slashes == 1 && is_file_name(s + last_slash + 1, n - last_slash - 1);
}

// Length of a UTF-8 unit character at s (letters, % ° µ ² ³ /), or 0.
size_t unit_char(const uint8_t* s, size_t n) {
  if (is_alpha(s[0]) || s[0] == '%' || s[0] == '/') return 1;
  if (n >= 2 && s[0] == 0xC2 && (s[1] == 0xB0 || s[1] == 0xB5 || s[1] == 0xB2 || s[1] == 0xB3)) return 2;  // ° µ ² ³
  return 0;
}

// Length of a leading sign or currency sign (+ - $ € £ ¥), or 0.
size_t sign_prefix(const uint8_t* s, size_t n) {
  if (s[0] == '+' || s[0] == '-' || s[0] == '$') return 1;
  if (n >= 2 && s[0] == 0xC2 && (s[1] == 0xA3 || s[1] == 0xA5)) return 2;               // £ ¥
  if (n >= 3 && s[0] == 0xE2 && s[1] == 0x82 && s[2] == 0xAC) return 3;                 // €
  return 0;
}

// 0: not a number; 1: a bare number; 2: a number with a unit attached.
int number_kind(const uint8_t* s, size_t n) {
  size_t i = n == 0 ? 0 : sign_prefix(s, n);
  if (i >= n || !is_digit(s[i])) return 0;
  while (i < n && (is_digit(s[i]) || ((s[i] == '.' || s[i] == ',' || s[i] == ':' || s[i] == '\'') && i + 1 < n &&
                                      is_digit(s[i + 1])))) {
    ++i;
  }
  if (i == n) return 1;
  const size_t unit_start = i;
  while (i < n) {
    const size_t u = unit_char(s + i, n - i);
    if (u == 0) return 0;
    i += u;
  }
  return i - unit_start <= kMaxUnitBytes ? 2 : 0;
}

const char* const kUnits[] = {"km", "m", "cm", "mm", "nm", "kg", "g", "mg", "t", "lb", "lbs", "oz", "mi", "ft",
                              "yd", "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "bit", "kbit", "mbit",
                              "kbps", "mbps", "gbps", "hz", "khz", "mhz", "ghz", "w", "kw", "mw", "kwh", "v", "mv",
                              "a", "ma", "mah", "ml", "l", "cl", "dl", "px", "pt", "dpi", "ppi", "fps", "rpm", "mph",
                              "kph", "km/h", "ms", "s", "sec", "min", "h", "hrs", "%", "\xC2\xB0" "c", "\xC2\xB0" "f",
                              "\xC2\xB0"};

bool is_unit(const uint8_t* s, size_t n) {
  for (const char* u : kUnits) {
    if (equals_lower(s, n, u)) return true;
  }
  return false;
}

// A byte that one of the token patterns below needs (a URL ':' or "www.",
// an e-mail or handle '@', a path '/', '\\' or "X:", a file name '.', a
// number a digit).
inline bool pattern_byte(uint8_t c) {
  return c == '.' || c == ':' || c == '/' || c == '\\' || c == '@' || is_digit(c);
}

size_t skip_token(const uint8_t* s, size_t pos, size_t end, bool laughter) {
  // The token's end and whether it holds a pattern byte, in one pass: most
  // words hold none and are kept without trimming or the checks.
  size_t stop = pos;
  bool candidate = false;
#if defined(FFNLP_CLEANUP_SSE2)
  // 16 bytes at a time while they are there: the first stop byte (ASCII
  // space or '<') and whether a pattern byte comes before it.
  while (end - stop >= 16) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + stop));
    // Unsigned b - lo <= hi - lo as signed compares after a bias of 0x80.
    const __m128i bias = _mm_set1_epi8(static_cast<char>(0x80));
    auto in_range = [&](char lo, char hi) {
      const __m128i x = _mm_xor_si128(_mm_sub_epi8(b, _mm_set1_epi8(lo)), bias);
      return _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>((hi - lo + 1) ^ 0x80)));
    };
    const __m128i space =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(' ')), in_range('\t', '\r')),
                     _mm_cmpeq_epi8(b, _mm_set1_epi8('<')));
    // '.' '/' '0'-'9' ':' are one range (0x2E-0x3A); then '\\' and '@'.
    const __m128i pattern =
        _mm_or_si128(_mm_or_si128(in_range('.', ':'), _mm_cmpeq_epi8(b, _mm_set1_epi8('\\'))),
                     _mm_cmpeq_epi8(b, _mm_set1_epi8('@')));
    const uint32_t stops = static_cast<uint32_t>(_mm_movemask_epi8(space));
    const uint32_t patterns = static_cast<uint32_t>(_mm_movemask_epi8(pattern));
    if (stops != 0) {
      const uint32_t first = static_cast<uint32_t>(__builtin_ctz(stops));
      candidate = candidate || (patterns & ((1u << first) - 1)) != 0;
      stop += first;
      goto scanned;
    }
    candidate = candidate || patterns != 0;
    stop += 16;
  }
#endif
  while (stop < end && !is_ascii_space(s[stop]) && s[stop] != '<') {
    candidate = candidate || pattern_byte(s[stop]);
    ++stop;
  }
#if defined(FFNLP_CLEANUP_SSE2)
scanned:
#endif
  if (!candidate && !laughter) return pos;
  size_t a = pos, b = stop;
  while (a < b && leading_punct(s[a])) ++a;
  while (b > a && trailing_punct(s[b - 1])) --b;
  if (a == b) return pos;
  const uint8_t* t = s + a;
  const size_t n = b - a;
  if (!candidate) return is_laughter(t, n) ? stop : pos;
  if (is_url(t, n) || is_email(t, n) || is_handle(t, n) || is_path(t, n) || is_file_name(t, n)) return stop;
  const int number = number_kind(t, n);
  if (number == 2) return stop;
  if (number == 1 && b == stop) {
    // A bare number, then whitespace and a unit token: skip both.
    size_t next = stop;
    while (next < end && is_ascii_space(s[next])) ++next;
    const size_t next_stop = token_end(s, next, end);
    size_t unit_end = next_stop;
    while (unit_end > next && trailing_punct(s[unit_end - 1])) --unit_end;
    if (next < unit_end && is_unit(s + next, unit_end - next)) return next_stop;
  }
  return pos;
}

// ---- laughter (text.cleanup = 2) -----------------------------------------------
// A token's letters as symbols: ASCII letters lowercased, and the Cyrillic
// letters of Russian laughter (х а е и, either case) as 'X' 'A' 'E' 'I', so
// a token mixing the scripts is not laughter. 0: any other byte.
uint8_t laughter_symbol(const uint8_t* t, size_t n, size_t* i) {
  const uint8_t c = t[*i];
  if (is_alpha(c)) {
    ++*i;
    return lower(c);
  }
  if ((c == 0xD0 || c == 0xD1) && *i + 1 < n && (t[*i + 1] & 0xC0) == 0x80) {
    const uint32_t cp = ((c & 0x1Fu) << 6) | (t[*i + 1] & 0x3Fu);
    *i += 2;
    switch (cp) {
      case 0x0445: case 0x0425: return 'X';
      case 0x0430: case 0x0410: return 'A';
      case 0x0435: case 0x0415: return 'E';
      case 0x0438: case 0x0418: return 'I';
      default: return 0;
    }
  }
  return 0;
}

bool one_of(uint8_t c, const char* set) { return c != 0 && std::strchr(set, c) != nullptr; }

}  // namespace

bool is_laughter(const uint8_t* t, size_t n) {
  if (n < 2) return false;
  // Every token of a text with clean-up comes here: most are rejected by
  // their first byte.
  const uint8_t first = lower(t[0]);
  if ((first == 'l' || first == 'r' || first == 'x') && n <= 5) {
    // The chat abbreviations written the same in every language.
    static const char* const kChat[] = {"lol", "lool", "lmao", "lmfao", "rofl", "xd", "xdd", "xddd"};
    for (const char* w : kChat) {
      if (equals_lower(t, n, w)) return true;
    }
    return false;
  }
  if (!one_of(first, "hjkwaei") && first != 0xD0 && first != 0xD1) return false;
  // One syllable repeated: two symbols alternating (either first) through
  // the whole token, or k repeated. One pass, no allocation.
  size_t i = 0, length = 0;
  uint8_t even = 0, odd = 0;
  while (i < n) {
    const uint8_t c = laughter_symbol(t, n, &i);
    if (c == 0) return false;
    if (length == 0) even = c;
    else if (length == 1) odd = c;
    else if (c != (length % 2 == 0 ? even : odd)) return false;
    ++length;
  }
  if (length >= 3 && even == 'k' && odd == 'k') return true;  // kkk: Portuguese chat
  if (length < 4) return false;
  const uint8_t consonant = one_of(even, "hjwX") ? even : odd;
  const uint8_t other = consonant == even ? odd : even;
  switch (consonant) {
    case 'h': return one_of(other, "aei");                     // haha, ahah, hehe, hihi
    case 'j': return length >= 6 && one_of(other, "aei");      // jajaja (jaja: a German word)
    case 'X': return one_of(other, "AEI");                     // хаха, ахах, хехе
    case 'w': return other == 'k';                             // wkwk: Indonesian chat
    default: return false;
  }
}

size_t skip_span(const uint8_t* text, size_t pos, size_t end, bool token_start, bool laughter) {
  const uint8_t c = text[pos];
  if (c == '<') return skip_tag(text, pos, end);
  if (c == '&') {
    const size_t e = skip_entity(text, pos, end);
    if (e != pos) return e;
  }
  return token_start ? skip_token(text, pos, end, laughter) : pos;
}

}  // namespace detail
}  // namespace ffnlp

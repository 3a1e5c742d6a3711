// Script of a code point, from the generated tables (text_tables.cpp).
#include "features/unicode.h"

namespace ffnlp {

Script script_of(uint32_t code_point) {
  const uint32_t info = detail::char_info(code_point);
  return static_cast<Script>((info >> detail::kInfoScriptShift) & detail::kInfoScriptMask);
}

const char* script_name(Script script) {
  static constexpr const char* kNames[kScriptCount] = {
      "Common",   "Latin",     "Greek",      "Cyrillic", "Armenian", "Hebrew",
      "Arabic",   "Syriac",    "Thaana",     "Devanagari", "Bengali", "Gurmukhi",
      "Gujarati", "Oriya",     "Tamil",      "Telugu",   "Kannada",  "Malayalam",
      "Sinhala",  "Thai",      "Lao",        "Tibetan",  "Myanmar",  "Georgian",
      "Hangul",   "Ethiopic",  "Cherokee",   "CanadianAboriginal", "Ogham", "Runic",
      "Khmer",    "Mongolian", "Hiragana",   "Katakana", "Han",      "Yi",
      "Tifinagh", "Nko",       "Vai",        "Bopomofo", "OlChiki",  "Other",
  };
  const uint32_t id = static_cast<uint32_t>(script);
  return id < kScriptCount ? kNames[id] : "Unknown";
}

}  // namespace ffnlp

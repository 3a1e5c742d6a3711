#include "tools/common/json_string.h"

namespace ffnlp {
namespace tools {
namespace {

// Bytes copied as they are: printable ASCII other than '"' and '\\'.
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

}  // namespace

size_t utf8_sequence_length(const unsigned char* p, size_t n, size_t* bad) {
  const unsigned char b0 = p[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *bad = 1;  // 80-C1, F5-FF: never the start of a sequence
    return 0;
  }
  for (size_t i = 1; i < len; ++i) {
    const unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;
    if (i >= n || p[i] < min || p[i] > max) {
      *bad = i;
      return 0;
    }
  }
  return len;
}

void append_json_string(std::string& out, const char* data, size_t size) {
  static const char kHex[] = "0123456789abcdef";
  const unsigned char* p = reinterpret_cast<const unsigned char*>(data);
  out.push_back('"');
  size_t i = 0;
  while (i < size) {
    size_t run = i;
    while (run < size && kPlain.plain[p[run]]) ++run;
    if (run > i) {
      out.append(data + i, run - i);
      i = run;
      if (i == size) break;
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default: {
          const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out.append(escaped, 6);
        }
      }
      ++i;
      continue;
    }
    size_t bad = 0;
    const size_t len = utf8_sequence_length(p + i, size - i, &bad);
    if (len > 0) {
      out.append(data + i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD
      i += bad;
    }
  }
  out.push_back('"');
}

}  // namespace tools
}  // namespace ffnlp

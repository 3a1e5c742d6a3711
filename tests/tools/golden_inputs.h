// Uncompressed inputs matching tests/tools/gen_golden_vectors.py, plus small
// helpers shared by the tools tests.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace golden {

// Same LCG as lcg_bytes() in gen_golden_vectors.py.
inline std::vector<uint8_t> lcg_bytes(uint32_t seed, size_t n,
                                      const std::string& alphabet = "") {
  uint32_t x = seed;
  std::vector<uint8_t> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    x = (x * 1103515245u + 12345u) & 0x7FFFFFFFu;
    uint8_t b = static_cast<uint8_t>((x >> 16) & 0xFF);
    out.push_back(alphabet.empty() ? b
                                   : static_cast<uint8_t>(alphabet[b % alphabet.size()]));
  }
  return out;
}

inline std::vector<uint8_t> lines_text() {
  std::string s;
  for (int i = 0; i < 200; ++i)
    s += "line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog\n";
  return std::vector<uint8_t>(s.begin(), s.end());
}

inline std::vector<uint8_t> d1() { return lcg_bytes(1, 1000, "abcdefgh"); }
inline std::vector<uint8_t> d2() { return lcg_bytes(2, 600); }
inline std::vector<uint8_t> d3() { return lines_text(); }
inline std::vector<uint8_t> d4() {
  std::vector<uint8_t> block = lcg_bytes(3, 1000, "abcdefghijklmnopqrstuvwxyz");
  std::vector<uint8_t> out = block;
  for (int i = 0; i < 3100; ++i)
    for (char c : std::string("0123456789")) out.push_back(static_cast<uint8_t>(c));
  out.insert(out.end(), block.begin(), block.end());
  return out;
}

inline std::vector<uint8_t> bytes_of(const unsigned char* p, size_t n) {
  return std::vector<uint8_t>(p, p + n);
}
inline std::vector<uint8_t> bytes_of(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// Runs f() and returns the std::runtime_error message it throws, or
// "<no exception>" if it returns normally.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace golden

// Checks that `expr` throws std::runtime_error whose message contains `substr`.
#define CHECK_ERROR_CONTAINS(expr, substr)                                    \
  do {                                                                       \
    std::string err_ = golden::error_of([&] { (void)(expr); });              \
    CHECK_MESSAGE(err_.find(substr) != std::string::npos,                    \
                  "expected error containing '" << substr << "', got: " << err_); \
  } while (0)

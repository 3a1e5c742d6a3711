// tools/common output helpers: JSON strings from any bytes, numbers without
// printf, and the option table.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "float_bits.h"
#include "tests/tools/json_check.h"
#include "tools/common/cli_args.h"
#include "tools/common/json_string.h"
#include "tools/common/number_format.h"

using namespace ffnlp::tools;

namespace {

std::string json(const std::string& bytes) {
  std::string out;
  append_json_string(out, bytes.data(), bytes.size());
  return out;
}

std::string printf_fixed(double v, int decimals) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fixed(float v, int decimals) {
  std::string out;
  append_fixed(out, v, decimals);
  return out;
}

}  // namespace

TEST_CASE("JSON strings: escapes, NUL bytes and golden replacements of invalid UTF-8") {
  CHECK(json("plain") == "\"plain\"");
  CHECK(json("a\"b\\c/d") == "\"a\\\"b\\\\c/d\"");
  CHECK(json(std::string("a\0b", 3)) == "\"a\\u0000b\"");
  CHECK(json("\b\f\n\r\t\x01\x1f\x7f") == "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"");
  CHECK(json("Tämä € 𝄞 \xe2\x80\xa8") == "\"Tämä € 𝄞 \xe2\x80\xa8\"");  // valid UTF-8 (U+2028 too) as it is
  const std::string fffd = "\xef\xbf\xbd";
  // Unicode 15, table 3-8: one U+FFFD per maximal subpart.
  CHECK(json("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64") ==
        "\"a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd + "d\"");
  CHECK(json("\xC0\xAF") == "\"" + fffd + fffd + "\"");          // overlong: C0 is never valid
  CHECK(json("\xE0\x80\xAF") == "\"" + fffd + fffd + fffd + "\"");  // overlong 3-byte form
  CHECK(json("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");  // a surrogate
  CHECK(json("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // above U+10FFFF
  CHECK(json("\xF0\x9F\x98") == "\"" + fffd + "\"");                  // truncated at the end
  CHECK(json("\xFF\xFE") == "\"" + fffd + fffd + "\"");
}

TEST_CASE("JSON strings: any bytes give valid JSON; valid UTF-8 round-trips") {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes;
    const size_t n = rng() % 24;
    for (size_t i = 0; i < n; ++i) {
      // Mostly the interesting bytes: controls, continuation and lead bytes.
      const uint32_t r = rng();
      bytes += static_cast<char>(r % 3 == 0 ? (r >> 8) % 0x20 : (r % 3 == 1 ? 0x80 + (r >> 8) % 0x80 : (r >> 8) % 256));
    }
    std::string decoded;
    const std::string out = json(bytes);
    CAPTURE(out);
    REQUIRE(testing_json::parse_string(out, &decoded));
    if (testing_json::valid_utf8(bytes)) CHECK(decoded == bytes);
  }
  // Every code point, encoded validly, round-trips.
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x3000 ? 1 : 97)) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string s = testing_json::encode_utf8(cp);
    std::string decoded;
    REQUIRE(testing_json::parse_string(json(s), &decoded));
    CHECK(decoded == s);
  }
}

TEST_CASE("fixed-point formatting matches printf %.4f exactly") {
  // Ties: odd multiples of 1/32 have an exact 5 in the fifth decimal.
  for (int i = 1; i < 64; i += 2) {
    const float v = static_cast<float>(i) / 32.0f;
    CHECK(fixed(v, 4) == printf_fixed(v, 4));
  }
  CHECK(fixed(0.03125f, 4) == "0.0312");  // half to even
  CHECK(fixed(0.09375f, 4) == "0.0938");
  CHECK(fixed(0.0f, 4) == "0.0000");
  CHECK(fixed(-0.0f, 4) == "-0.0000");
  CHECK(fixed(1.0f, 4) == "1.0000");
  CHECK(fixed(0.99995f, 4) == printf_fixed(0.99995f, 4));
  // Every float in [0, 1] at a stride, and their neighbours of k/10000.
  size_t checked = 0;
  for (uint32_t bits = 0; bits <= 0x3f800000u; bits += 997) {
    const float v = ffnlp::testing::float_from_bits(bits);
    REQUIRE(fixed(v, 4) == printf_fixed(v, 4));
    ++checked;
  }
  for (int k = 0; k <= 10000; ++k) {
    const float centre = (static_cast<float>(k) + 0.5f) / 10000.0f;
    for (float v : {centre, std::nextafter(centre, 0.0f), std::nextafter(centre, 2.0f)}) {
      REQUIRE(fixed(v, 4) == printf_fixed(v, 4));
      ++checked;
    }
  }
  CHECK(checked > 1000000);
  // Random floats of every magnitude and sign, every precision 0-8, and the
  // values passed on to snprintf (large, infinite, NaN).
  std::mt19937 rng(5);
  for (int i = 0; i < 200000; ++i) {
    const float v = ffnlp::testing::float_from_bits(rng());
    const int d = i % 9;
    CAPTURE(v);
    REQUIRE(fixed(v, d) == printf_fixed(v, d));
  }
  CHECK(fixed(std::numeric_limits<float>::infinity(), 4) == printf_fixed(INFINITY, 4));
  CHECK(fixed(1e20f, 2) == printf_fixed(1e20f, 2));
  std::string out;
  append_uint(out, 0);
  out += ' ';
  append_uint(out, 18446744073709551615ull);
  CHECK(out == "0 18446744073709551615");
}

TEST_CASE("option table: values, flags, --name=value, --, and the messages") {
  size_t top = 1;
  bool json_flag = false;
  std::vector<OptionSpec> table = {
      {"--top", "K", "top", [&](const char* v, std::string* e) { return parse_count("--top", v, 1, 100, &top, e); }},
      {"--json", nullptr, "json", [&](const char*, std::string*) { return json_flag = true; }, "-j"},
  };
  auto parse = [&](std::vector<const char*> args, std::vector<std::string>* positional, std::string* error) {
    args.insert(args.begin(), "prog");
    return parse_args(static_cast<int>(args.size()), const_cast<char**>(args.data()), table, positional, error);
  };
  std::vector<std::string> words;
  std::string error;
  CHECK(parse({"--top", "5", "hello", "-j", "--", "--json", "-"}, &words, &error));
  CHECK(top == 5);
  CHECK(json_flag);
  CHECK(words == std::vector<std::string>{"hello", "--json", "-"});
  CHECK(parse({"--top=7"}, &words, &error));
  CHECK(top == 7);
  CHECK_FALSE(parse({"--top"}, &words, &error));
  CHECK(error == "--top needs a value (K)");
  CHECK_FALSE(parse({"--nope"}, &words, &error));
  CHECK(error == "unknown option '--nope'");
  CHECK_FALSE(parse({"--json=1"}, &words, &error));
  CHECK(error == "--json takes no value");
  for (const char* bad : {"0", "101", "-1", "+5", " 5", "5 ", "0x10", "abc", "", "99999999999999999999999"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse({"--top", bad}, &words, &error));
    CHECK(error == std::string("--top: expected a whole number from 1 to 100, got '") + bad + "'");
  }
  CHECK(parse({"--top", "010"}, &words, &error));
  CHECK(top == 10);  // decimal, never octal
  uint64_t big = 0;
  CHECK(parse_count_u64("--n", "18446744073709551615", 0, UINT64_MAX, &big, &error));
  CHECK(big == UINT64_MAX);
  CHECK_FALSE(parse_count_u64("--n", "18446744073709551616", 0, UINT64_MAX, &big, &error));
  const std::string help = format_option_help(table);
  CHECK(help.find("  --top K") != std::string::npos);
  CHECK(help.find("  -j, --json") != std::string::npos);
}

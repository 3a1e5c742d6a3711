// The tokenizer of token models (rule set "words" version 1; docs/SPEC.md
// "Tokens"), through the public function tokenize_words(): golden token
// lists for every rule, byte offsets, the buffer protocol, linear time.
#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "ffnlp/features.h"

using namespace ffnlp;

namespace {

// The tokens of `text`, joined with " | ".
std::string tokens_of(const std::string& text) {
  std::vector<Token> tokens(text.size() + 1);
  size_t n = 0;
  REQUIRE(tokenize_words(text.data(), text.size(), tokens.data(), tokens.size(), &n) == Status::kOk);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    REQUIRE(tokens[i].begin < tokens[i].end);
    REQUIRE(tokens[i].end <= text.size());
    if (i > 0) REQUIRE(tokens[i - 1].end <= tokens[i].begin);
    if (i > 0) out += " | ";
    out += text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
  }
  return out;
}

}  // namespace

TEST_CASE("tokenizer: words, punctuation and the sentence of the issue") {
  CHECK(tokens_of("The old man the boat.") == "The | old | man | the | boat | .");
  CHECK(tokens_of("Hello, world!") == "Hello | , | world | !");
  CHECK(tokens_of("(quoted) \"text\"") == "( | quoted | ) | \" | text | \"");
  CHECK(tokens_of("") == "");
  CHECK(tokens_of(" \t\r\n ") == "");
}

TEST_CASE("tokenizer: apostrophes and hyphens inside words") {
  CHECK(tokens_of("don't John's I'm") == "don't | John's | I'm");
  CHECK(tokens_of("don\xE2\x80\x99t") == "don\xE2\x80\x99t");  // U+2019
  CHECK(tokens_of("1920's") == "1920's");
  CHECK(tokens_of("dogs' 'em 'twas") == "dogs | ' | ' | em | ' | twas");
  CHECK(tokens_of("it'") == "it | '");
  CHECK(tokens_of("full-time well-to-do") == "full-time | well-to-do");
  CHECK(tokens_of("B-52 1961-62 2-year-old") == "B-52 | 1961-62 | 2-year-old");
  CHECK(tokens_of("-x x- x--y x - y") == "- | x | x | - | x | -- | y | x | - | y");
  CHECK(tokens_of("co\xE2\x80\x90op") == "co\xE2\x80\x90op");  // U+2010 HYPHEN
}

TEST_CASE("tokenizer: numbers keep , . : / between digits") {
  CHECK(tokens_of("1,000 3.5 12:30 1/2 10.000,50") == "1,000 | 3.5 | 12:30 | 1/2 | 10.000,50");
  CHECK(tokens_of("1,000. 3, a,b 3,a a.5") == "1,000 | . | 3 | , | a | , | b | 3 | , | a | a | . | 5");
  CHECK(tokens_of("$5 50% #1") == "$ | 5 | 50 | % | # | 1");
  CHECK(tokens_of("A4 1960s 3rd") == "A4 | 1960s | 3rd");
  // Arabic-Indic digits are digits too.
  CHECK(tokens_of("\xD9\xA3,\xD9\xA4") == "\xD9\xA3,\xD9\xA4");
}

TEST_CASE("tokenizer: acronyms of single letters and periods") {
  CHECK(tokens_of("U.S. e.g. p.m. U.S.A.") == "U.S. | e.g. | p.m. | U.S.A.");
  CHECK(tokens_of("the U.S.") == "the | U.S.");
  CHECK(tokens_of("U.S") == "U | . | S");
  CHECK(tokens_of("plan A. Then") == "plan | A | . | Then");
  CHECK(tokens_of("Mr. Smith") == "Mr | . | Smith");
  CHECK(tokens_of("a.b.c") == "a.b. | c");
  CHECK(tokens_of("U.Sx.") == "U | . | Sx | .");
}

TEST_CASE("tokenizer: runs of one repeated punctuation or symbol character") {
  CHECK(tokens_of("Wait... what?!") == "Wait | ... | what | ? | !");
  CHECK(tokens_of("a -- b --- c") == "a | -- | b | --- | c");
  CHECK(tokens_of(".)") == ". | )");
  CHECK(tokens_of("!!!???") == "!!! | ???");
  // Emoji: symbols (a run of the same one is one token).
  CHECK(tokens_of("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x83") == "\xF0\x9F\x98\x80\xF0\x9F\x98\x80 | \xF0\x9F\x98\x83");
  // A real U+FFFD is a symbol; an invalid byte is a space.
  CHECK(tokens_of("a\xEF\xBF\xBD" "b") == "a | \xEF\xBF\xBD | b");
}

TEST_CASE("tokenizer: Unicode words, spaces, controls and invalid bytes") {
  CHECK(tokens_of("caf\x65\xCC\x81 na\xC3\xAFve") == "caf\x65\xCC\x81 | na\xC3\xAFve");  // combining acute
  CHECK(tokens_of("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80!") ==
        "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 | , | \xD0\xBC\xD0\xB8\xD1\x80 | !");
  CHECK(tokens_of("\xE6\x88\x91\xE7\x88\xB1\xE4\xBD\xA0\xE3\x80\x82") == "\xE6\x88\x91\xE7\x88\xB1\xE4\xBD\xA0 | \xE3\x80\x82");
  CHECK(tokens_of("ab\xFF" "cd\xC3") == "ab | cd");
  CHECK(tokens_of("\xFF\xFE\x80") == "");
  // NO-BREAK SPACE, IDEOGRAPHIC SPACE, ZERO WIDTH SPACE, BOM, soft hyphen, controls.
  CHECK(tokens_of("a\xC2\xA0" "b\xE3\x80\x80" "c\xE2\x80\x8B" "d\xEF\xBB\xBF" "e\xC2\xAD" "f\x01g\x7Fh") ==
        "a | b | c | d | e | f | g | h");
  // ZWNJ stays inside a word (Persian).
  CHECK(tokens_of("\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xB1\xD9\x88\xD9\x85") == "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xB1\xD9\x88\xD9\x85");
}

TEST_CASE("tokenizer: byte offsets and the buffer protocol") {
  const std::string text = "  Hi, you.";
  Token t[8];
  size_t n = 0;
  REQUIRE(tokenize_words(text.data(), text.size(), t, 8, &n) == Status::kOk);
  REQUIRE(n == 4);
  CHECK(t[0].begin == 2);
  CHECK(t[0].end == 4);
  CHECK(t[1].begin == 4);
  CHECK(t[1].end == 5);
  CHECK(t[3].begin == 9);
  CHECK(t[3].end == 10);
  Token small[2];
  CHECK(tokenize_words(text.data(), text.size(), small, 2, &n) == Status::kBufferTooSmall);
  CHECK(n == 4);
  CHECK(small[1].begin == 4);
  CHECK(tokenize_words(text.data(), text.size(), nullptr, 0, &n) == Status::kBufferTooSmall);
  CHECK(n == 4);
  CHECK(tokenize_words(nullptr, 0, nullptr, 0, &n) == Status::kOk);
  CHECK(n == 0);
  CHECK(tokenize_words(nullptr, 3, t, 8, &n) == Status::kInvalidArgument);
  CHECK(tokenize_words(text.data(), text.size(), t, 8, nullptr) == Status::kInvalidArgument);
}

TEST_CASE("tokenizer: linear time on adversarial text") {
  // Long almost-acronyms, long numbers, one 10,000-character token.
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "a.";
  text += "aa ";
  for (int i = 0; i < 200000; ++i) text += "1,";
  text += "x ";
  text += std::string(10000, 'w');
  std::vector<Token> tokens(text.size());
  size_t n = 0;
  const std::clock_t t0 = std::clock();  // CPU time: a loaded machine must not fail this
  REQUIRE(tokenize_words(text.data(), text.size(), tokens.data(), tokens.size(), &n) == Status::kOk);
  const double seconds = double(std::clock() - t0) / CLOCKS_PER_SEC;
  CHECK(seconds < 10.0);  // milliseconds here; quadratic scanning of the 200,000-part runs would take minutes
  // "a.a.....a." is one acronym, then "aa"; "1,1,...1," is one number and
  // ',' runs; the long word last.
  CHECK(n >= 3);
  CHECK(tokens[n - 1].end - tokens[n - 1].begin == 10000);
  CHECK(tokens[0].end - tokens[0].begin == 400000);
}

#!/usr/bin/env python3
"""Tests of neighbour_words.py: words are cut as the runtime cuts them, and
the per-family balancing of the counts (run by `make test`)."""
import math
import collections
import os
import random
import subprocess
import sys
import tempfile
import unicodedata
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neighbour_words as nw  # noqa: E402


class Words(unittest.TestCase):
    def test_unicode_version_is_the_runtime_tables(self):
        # runtime/src/features/unicode_tables.cpp is generated from Unicode
        # 14.0.0; another version would cut a few words differently.
        self.assertEqual(unicodedata.unidata_version, "14.0.0")

    def test_latin1_symbols_separate_words(self):
        # ª º µ are letters to Unicode but separators to the runtime
        # (SEPARATOR_OVERRIDES): the converter refuses a word holding them.
        self.assertEqual(nw.words("1ª vez, 2º piso, 5µm"), ["vez", "piso", "m"])

    def test_digits_and_punctuation_separate(self):
        self.assertEqual(nw.words("abc123def, x-y"), ["abc", "def", "x", "y"])

    def test_lowercasing_as_the_runtime(self):
        self.assertEqual(nw.words("İstanbul ΟΔΟΣ Straße"), ["istanbul", "οδοσ", "straße"])

    def test_joiners_and_marks_stay_inside_words(self):
        self.assertEqual(nw.words("می\u200cخواهم"), ["می\u200cخواهم"])
        self.assertEqual(nw.words("Cafe\u0301 ok"), ["cafe\u0301", "ok"])


class BalancedCounts(unittest.TestCase):
    def write(self, rows):
        f = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8")
        f.write("".join(f"{code}\t{text}\n" for code, text in rows))
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def setUp(self):
        # Language xx: 100 tokens of "ui" in one file, 20 of "chat" in another,
        # 2 of "rare" in a third; yy only in the first.
        self.big = self.write([("xx", "ui " * 10)] * 10 + [("yy", "hello")])
        self.small = self.write([("xx", "chat " * 4)] * 5)
        self.tiny = self.write([("xx", "rare rare")])
        self.files = [self.big, self.small, self.tiny]

    def test_plain_counts_add_up(self):
        c = nw.count_words(self.files, {"xx", "yy"})
        self.assertEqual(c["xx"], {"ui": 100, "chat": 20, "rare": 2})
        self.assertEqual(c["yy"], {"hello": 1})

    def test_every_eligible_family_weighs_the_same(self):
        c = nw.balanced_counts(self.files, {"xx", "yy"}, min_tokens=10, share=1.0)
        # 122 tokens in all, split equally between the two files with 10+.
        self.assertAlmostEqual(c["xx"]["ui"], 61.0)
        self.assertAlmostEqual(c["xx"]["chat"], 61.0)
        self.assertNotIn("rare", c["xx"])  # under min_tokens: out of the balanced part
        self.assertAlmostEqual(c["yy"]["hello"], 1.0)  # no file qualifies: all of them count

    def test_share_keeps_part_of_the_plain_counts(self):
        c = nw.balanced_counts(self.files, {"xx"}, min_tokens=10, share=0.75)
        self.assertAlmostEqual(c["xx"]["ui"], 0.75 * 61 + 0.25 * 100)
        self.assertAlmostEqual(c["xx"]["chat"], 0.75 * 61 + 0.25 * 20)
        self.assertAlmostEqual(c["xx"]["rare"], 0.25 * 2)
        self.assertAlmostEqual(sum(c["xx"].values()), 122.0)  # the language's total is kept


class Groups(unittest.TestCase):
    def read(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        return nw.read_groups(f.name)

    def test_labels_and_optional_word_count(self):
        groups = self.read("# comment\nhr bs sr-Latn\nfi et words=250  # Finnic\n\n")
        self.assertEqual(groups, [(["hr", "bs", "sr-Latn"], None), (["fi", "et"], 250)])

    def test_bad_groups_are_errors(self):
        for text in ("fi et words=0\n", "fi et words=x\n", "fi\n", "fi et\net sv\n"):
            with self.subTest(text=text), self.assertRaises(SystemExit):
                self.read(text)

    def test_labels_a_model_lacks_leave_their_groups(self):
        with tempfile.NamedTemporaryFile("w", suffix=".spec", delete=False, encoding="utf-8") as f:
            f.write("[model]\nname = x\n[labels]\nit\tItalian\nco\tCorsican\nfi\tFinnish\n# c\n[neighbours]\nsc = 1\n")
        self.addCleanup(os.unlink, f.name)
        self.assertEqual(nw.spec_labels(f.name), {"it", "co", "fi"})
        groups = [(["it", "sc", "co"], 150), (["fi", "et"], None)]
        self.assertEqual(nw.keep_labels(groups, nw.spec_labels(f.name)), [(["it", "co"], 150)])


class GridOffset(unittest.TestCase):
    STEP = 3.0 / 7  # the converter's 4-bit step when some score is clipped at 3

    def levels(self, scores):
        return [math.floor(0.5 + x / self.STEP) for x in scores]

    def rounding_error(self, scores):
        return sum((x - self.STEP * q) ** 2 for x, q in zip(scores, self.levels(scores)))

    def test_golden_pair(self):
        # +-1 is 2.33 steps: rounded as they are, the difference reads 4
        # steps (1.71 for 2.0); shifted by half a step, 5 (2.14), the nearer.
        self.assertEqual(self.levels([1.0, -1.0]), [2, -2])
        first, second = self.levels(nw.nearest_grid_offset([1.0, -1.0], self.STEP, 3.0))
        self.assertEqual(first - second, 5)

    def test_differences_kept_and_error_never_larger(self):
        rng = random.Random(7)
        for _ in range(500):
            size = rng.randint(2, 6)
            scores = [max(-3.0, min(3.0, rng.uniform(-4, 4))) for _ in range(size)]
            shifted = nw.nearest_grid_offset(scores, self.STEP, 3.0)
            c = shifted[0] - scores[0]
            self.assertLessEqual(abs(c), self.STEP / 2 + 1e-12)
            for a, b in zip(scores, shifted):
                self.assertAlmostEqual(b - a, c, places=12)
                self.assertLessEqual(abs(b), 3.0 + 1e-12)
            self.assertLessEqual(self.rounding_error(shifted), self.rounding_error(scores) + 1e-12)

    def test_refused_without_four_bits(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "neighbour_words.py")
        with tempfile.TemporaryDirectory() as d:
            groups = os.path.join(d, "g.tsv")
            with open(groups, "w", encoding="utf-8") as f:
                f.write("fi et\n")
            run = subprocess.run([sys.executable, script, "--groups", groups, "--out", os.path.join(d, "w.tsv"),
                                  "--grid-offset", os.devnull], capture_output=True, text=True)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("--grid-offset needs --bits 4", run.stderr)

    def test_no_room_leaves_the_scores(self):
        # one member at +3, one at -3: any shift would pass the clip
        self.assertEqual(nw.nearest_grid_offset([3.0, -3.0], self.STEP, 3.0), [3.0, -3.0])


class WordKeys(unittest.TestCase):
    # The converter's keys (tests/tools/test_convert_neighbours.cpp checks
    # the same values against the C++ hash): code points, whatever their
    # UTF-8 length, with seed 3001.
    GOLDEN = {
        "ku\u0107a": 0x03d4bc7e, "\u0161to": 0xe9e40134, "the": 0x9902c725, "and": 0x5f1d23e9,
        "\u043f\u0440\u0438\u0432\u0435\u0442": 0xada96979,  # привет
        "\u65e5\u672c\u8a9e": 0x8e8c4d30,                      # 日本語
        "\U00010330\U00010331": 0x7c015825,                     # Gothic, beyond the BMP
        "cafe\u0301": 0xd1bcf12b, "stra\u00dfe": 0x4029f0f9, "\u01c6emal": 0x11e913d1,
        "keerwp": 0x7555818c, "czeoqgc": 0x75558157,
        "kzcwlgae": 0x00004a78, "ryjlqyp": 0x00004a78,  # a 32-bit collision
    }

    def test_keys_are_the_converters(self):
        for word, key in self.GOLDEN.items():
            with self.subTest(word=word):
                self.assertEqual(nw.word_key(word, 3001), key)
                self.assertEqual(nw.word_key(word, 3001, 24), key >> 8)

    def test_the_seed_changes_the_key(self):
        self.assertNotEqual(nw.word_key("the", 3001), nw.word_key("the", 3002))


class KeyBits(unittest.TestCase):
    RANKED = [("keerwp", [1.0, -1.0]), ("czeoqgc", [0.5, -0.5]), ("third", [0.25, -0.25])]

    def test_a_worse_word_with_a_better_words_24_bit_key_is_left_out(self):
        chosen, dropped = nw.distinct_keys(self.RANKED, 2, 3001, 24)
        self.assertEqual([w for w, _ in chosen], ["keerwp", "third"])
        self.assertEqual(dropped, 1)

    def test_32_bit_keys_keep_both(self):
        chosen, dropped = nw.distinct_keys(self.RANKED, 2, 3001, 32)
        self.assertEqual([w for w, _ in chosen], ["keerwp", "czeoqgc"])
        self.assertEqual(dropped, 0)

    def test_only_the_words_before_the_limit_count(self):
        chosen, dropped = nw.distinct_keys(self.RANKED, 1, 3001, 24)
        self.assertEqual(([w for w, _ in chosen], dropped), (["keerwp"], 0))

    def run_tool(self, *options):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "neighbour_words.py")
        with tempfile.TemporaryDirectory() as d:
            groups, train, out = (os.path.join(d, n) for n in ("g.tsv", "train.tsv", "w.tsv"))
            with open(groups, "w", encoding="utf-8") as f:
                f.write("xx yy\n")
            with open(train, "w", encoding="utf-8") as f:
                f.write("xx\t" + "keerwp " * 10 + "czeoqgc " * 8 + "third " * 6 + "shared " * 5 + "\n")
                f.write("yy\t" + "shared " * 5 + "other " * 3 + "\n")
            run = subprocess.run([sys.executable, script, "--groups", groups, "--out", out, "--words-per-group", "4",
                                  *options, train], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            with open(out, encoding="utf-8") as f:
                words = [line.split("\t")[0] for line in f if not line.startswith(("#", "group"))]
        return words, run

    def test_a_key_another_word_of_the_text_has_is_left_out(self):
        # kw244 and kw2851 share their top 24 bits under seed 2001
        self.assertEqual(nw.word_key("kw244", 2001, 24), nw.word_key("kw2851", 2001, 24))
        self.assertNotEqual(nw.word_key("kw244", 2001), nw.word_key("kw2851", 2001))
        counts = {"xx": collections.Counter({"kw244": 2, "kw2851": 9}), "yy": collections.Counter({"kw2851": 1})}
        shared = nw.shared_keys(["xx", "yy"], counts, 2001, 24)
        self.assertEqual(shared, {nw.word_key("kw244", 2001, 24)})
        self.assertEqual(nw.shared_keys(["xx", "yy"], counts, 2001, 32), frozenset())
        chosen, dropped = nw.distinct_keys([("kw2851", [1.0, -1.0]), ("third", [0.5, -0.5])], 2, 2001, 24, shared)
        self.assertEqual(([w for w, _ in chosen], dropped), (["third"], 1))
        # a word seen once in the group's text does not count
        counts["xx"]["kw244"] = 1
        self.assertEqual(nw.shared_keys(["xx", "yy"], counts, 2001, 24), frozenset())

    def test_the_tool_takes_the_next_word_and_says_so(self):
        # keerwp and czeoqgc share a 24-bit key and are both frequent words
        # of the text: at 24 bits neither is listed, the next ones are
        words, run = self.run_tool("--key-bits", "24", "--seed", "3001")
        self.assertEqual(sorted(words), ["other", "shared", "third"])
        self.assertIn("xx yy: 3 words (2 left out: a better word's key, or one another word of the text has)",
                      run.stderr)
        self.assertIn("24-bit keys: 2 words left out for a key shared with a better word or another word of the text",
                      run.stderr)
        self.assertTrue(run.stdout.endswith("key_bits = 24\n"), run.stdout)
        plain, run32 = self.run_tool("--seed", "3001")
        self.assertIn("czeoqgc", plain)
        self.assertEqual(len(plain), 4)
        self.assertNotIn("key_bits", run32.stdout)
        self.assertNotIn("left out", run32.stderr)

if __name__ == "__main__":
    unittest.main()

"""The package gives the C API's numbers exactly, and the CLI's as printed."""
import json
import subprocess
import unittest

import ffnlp

from support import BAD_UTF8, LANGID_CLI, MODEL_PATH, TEXTS, as_tuples, capi_reference


class SameNumbersAsCApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = ffnlp.Model(MODEL_PATH)
        cls.byte_texts = [t.encode("utf-8") for t in TEXTS] + BAD_UTF8

    def check(self, k):
        expected = capi_reference(self.byte_texts, k)
        for text, want in zip(self.byte_texts, expected):
            with self.subTest(text=text[:40], k=k):
                self.assertEqual(as_tuples(self.model.classify(text, k)), want)
        # The same texts as str (where they are valid UTF-8) give the same.
        for text, want in zip(TEXTS, expected):
            with self.subTest(text=text[:40], k=k, kind="str"):
                self.assertEqual(as_tuples(self.model.classify(text, k)), want)

    def test_top1(self):
        self.check(1)

    def test_top3(self):
        self.check(3)

    def test_top_k_beyond_the_stack_buffer(self):
        # k > 16 takes the C API's full-distribution path.
        self.check(40)

    def test_batch_equals_single(self):
        expected = capi_reference(self.byte_texts, 2)
        for threads in (1, 2, 3, None):
            with self.subTest(threads=threads):
                got = self.model.classify_batch(self.byte_texts, 2, threads=threads)
                self.assertEqual([as_tuples(r) for r in got], expected)

    def test_hints_give_the_c_api_numbers(self):
        # da or nb, id or ms: the hints flip both; other texts keep their language.
        texts = [b"Jeg har en hund", b"Selamat pagi"] + self.byte_texts
        for weight in (ffnlp.DEFAULT_PREFER_WEIGHT, 0.0, 3.5):
            expected = capi_reference(texts, 3, prefer=["nb", "ms"], prefer_weight=weight)
            with self.subTest(weight=weight):
                got = [as_tuples(self.model.classify(t, 3, prefer=["ms", "nb"], prefer_weight=weight)) for t in texts]
                self.assertEqual(got, expected)
                batch = self.model.classify_batch(texts, 3, threads=2, prefer=["nb", "ms"], prefer_weight=weight)
                self.assertEqual([as_tuples(r) for r in batch], expected)
        hinted = capi_reference(texts[:2], 1, prefer=["nb", "ms"], prefer_weight=ffnlp.DEFAULT_PREFER_WEIGHT)
        self.assertEqual([row[0][0] for row in hinted], ["nb", "ms"])
        self.assertEqual([as_tuples([self.model.detect(t, prefer=["nb", "ms"])]) for t in texts[:2]], hinted)
        self.assertEqual([r[0][0] for r in capi_reference(texts[:2], 1)], ["da", "id"])

    def test_builtin_model_is_the_shipped_file(self):
        builtin = ffnlp.default_model()
        self.assertEqual(builtin.file_size, self.model.file_size)
        for text in TEXTS:
            self.assertEqual(builtin.classify(text, 3), self.model.classify(text, 3))

    def test_module_functions_use_the_builtin_model(self):
        for text in TEXTS:
            with self.subTest(text=text[:40]):
                self.assertEqual(ffnlp.detect(text), self.model.detect(text))
                self.assertEqual(ffnlp.detect_top(text, 5), self.model.classify(text, 5))
        self.assertEqual(ffnlp.detect_batch(TEXTS), [self.model.detect(t) for t in TEXTS])


class SameAnswersAsTheCli(unittest.TestCase):
    """`langid --top 3 --json` and `langid --spans --json` (four decimals)."""

    def cli(self, *args):
        out = subprocess.run([LANGID_CLI, "--model", MODEL_PATH, *args], stdout=subprocess.PIPE, check=True)
        return json.loads(out.stdout.decode("utf-8"))

    def test_top3(self):
        model = ffnlp.Model(MODEL_PATH)
        for text in TEXTS:
            if not text.strip() or "\x00" in text or "\n" in text:
                continue  # the CLI takes a text as one argument line
            with self.subTest(text=text[:40]):
                cli = self.cli("--top", "3", "--json", text)["results"]
                ours = model.classify(text, 3)
                self.assertEqual([r["language"] for r in cli], [r.language for r in ours])
                self.assertEqual([r["name"] for r in cli], [r.name for r in ours])
                self.assertEqual([r["is_reliable"] for r in cli], [r.is_reliable for r in ours])
                self.assertEqual([r["probability"] for r in cli], [round(r.probability, 4) for r in ours])

    def test_hints_at_the_default_weight(self):
        # The CLI's default (ffnlp::kDefaultPreferWeight, compiled in) is the package's.
        model = ffnlp.Model(MODEL_PATH)
        for text in ("Jeg har en hund", "Selamat pagi", "Dobar dan, kako ste?"):
            with self.subTest(text=text):
                cli = self.cli("--top", "3", "--json", "--prefer", "nb,ms,bs", text)["results"]
                ours = model.classify(text, 3, prefer=["nb", "ms", "bs"])
                self.assertEqual([r["language"] for r in cli], [r.language for r in ours])
                self.assertEqual([r["probability"] for r in cli], [round(r.probability, 4) for r in ours])

    def test_spans(self):
        model = ffnlp.Model(MODEL_PATH)
        texts = [
            "Hello there, how are you? Hyvää huomenta, mitä kuuluu?",
            "This part is English. Tämä osa on kirjoitettu suomeksi.",
            "Das ist ein deutscher Satz. Ceci est une phrase française. Esto es una frase en español.",
            "東京は日本の首都です。 Moscow is the capital of Russia. Москва — столица России.",
            "12345 !!!",
            "word",
        ]
        for text in texts:
            with self.subTest(text=text[:40]):
                cli = self.cli("--spans", "--json", text)["spans"]
                for kind, value in (("str", text), ("bytes", text.encode("utf-8"))):
                    ours = model.spans(value)
                    self.assertEqual(len(cli), len(ours), kind)
                    for c, o in zip(cli, ours):
                        self.assertEqual(value[o.start:o.end], o.text)
                        self.assertEqual(o.text if kind == "bytes" else o.text.encode("utf-8"),
                                         c["text"].encode("utf-8"))
                        self.assertEqual(c["language"], o.language)
                        self.assertEqual(c["probability"], round(o.probability, 4))
                        self.assertEqual(c["is_reliable"], o.is_reliable)
                        if o.language != "und":
                            self.assertEqual(c["name"], o.name)
                if kind == "bytes":
                    self.assertEqual([(c["begin"], c["end"]) for c in cli], [(o.start, o.end) for o in ours])


if __name__ == "__main__":
    unittest.main()

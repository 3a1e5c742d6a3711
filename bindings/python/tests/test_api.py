"""The Python surface: types, model sources, options, errors."""
import importlib.resources
import json
import os
import pathlib
import subprocess
import tempfile
import unittest

import ffnlp

from support import MODEL_PATH, POSTAG_CLI, TAGGER_PATH, TEXTS


class Results(unittest.TestCase):
    def test_detect(self):
        r = ffnlp.detect("Der schnelle braune Fuchs springt über den faulen Hund.")
        self.assertIsInstance(r, ffnlp.Result)
        self.assertEqual((r.language, r.name, r.is_reliable), ("de", "German", True))
        self.assertGreater(r.probability, 0.7)
        language, name, probability, reliable = r  # a tuple too
        self.assertEqual(r._asdict()["language"], language)

    def test_detect_top_is_sorted_and_sized(self):
        top = ffnlp.detect_top("Dobar dan, kako ste?", 5)
        self.assertEqual(len(top), 5)
        self.assertEqual(sorted(top, key=lambda r: -r.probability), top)
        self.assertEqual(len({r.language for r in top}), 5)
        self.assertEqual(len(ffnlp.detect_top("Dobar dan", 10_000)), len(ffnlp.languages()))

    def test_no_letters_answers_und(self):
        for text in ("", "12345 !!!", "   ", b"", "😀"):
            with self.subTest(text=text):
                self.assertEqual(ffnlp.detect(text), ffnlp.Result("und", "Undetermined", 0.0, False))
                self.assertEqual(ffnlp.detect_top(text, 3), [ffnlp.Result("und", "Undetermined", 0.0, False)])

    def test_languages(self):
        langs = ffnlp.languages()
        self.assertEqual(len(langs), 463)
        self.assertIsInstance(langs[0], ffnlp.Language)
        codes = {lang.code: lang.name for lang in langs}
        self.assertEqual(codes["fr"], "French")
        self.assertEqual(codes["ja"], "Japanese")
        self.assertEqual(ffnlp.default_model().unknown_label, "und")

    def test_spans_of_mixed_text(self):
        text = "Here is a short note for you. Tämä osa on kirjoitettu suomeksi."
        spans = ffnlp.spans(text)
        self.assertEqual([s.language for s in spans], ["en", "fi"])
        # Where the boundary falls is the model's call; the Finnish sentence
        # ends the last span, the first starts the text.
        self.assertTrue(spans[0].text.startswith("Here is a short"))
        self.assertTrue(spans[-1].text.endswith("Tämä osa on kirjoitettu suomeksi."))
        for a, b in zip(spans, spans[1:]):
            self.assertLessEqual(a.end, b.start)
        self.assertEqual(text[spans[-1].start:spans[-1].end], spans[-1].text)
        raw = text.encode("utf-8")
        byte_spans = ffnlp.spans(raw)
        self.assertEqual(raw[byte_spans[-1].start:byte_spans[-1].end], byte_spans[-1].text)
        self.assertEqual(ffnlp.spans(""), [])
        self.assertEqual(ffnlp.spans("  \n "), [])

    def test_detect_batch(self):
        got = ffnlp.detect_batch(iter(["Bonjour tout le monde, comment allez-vous ?", "", "Guten Morgen, wie geht's?"]))
        self.assertEqual([r.language for r in got], ["fr", "und", "de"])
        self.assertEqual(ffnlp.default_model().classify_batch([]), [])

    def test_typed_package(self):
        files = importlib.resources.files("ffnlp")
        for name in ("py.typed", "_native.pyi", "langid.ffm"):
            self.assertTrue(files.joinpath(name).is_file(), name)
        self.assertTrue(ffnlp.detect.__doc__)
        self.assertTrue(ffnlp.Model.classify.__doc__)
        self.assertTrue(ffnlp.Model.classify_batch.__doc__)


class ModelSources(unittest.TestCase):
    def setUp(self):
        with open(MODEL_PATH, "rb") as f:
            self.data = f.read()

    def test_path_bytes_and_buffers_agree(self):
        sources = [MODEL_PATH, pathlib.Path(MODEL_PATH), self.data, bytearray(self.data), memoryview(self.data)]
        models = [ffnlp.Model(s) for s in sources]
        for text in TEXTS:
            answers = [m.classify(text, 3) for m in models]
            for a in answers[1:]:
                self.assertEqual(a, answers[0])

    def test_bytes_are_copied(self):
        buffer = bytearray(self.data)
        model = ffnlp.Model(buffer)
        before = model.classify(TEXTS[0], 3)
        buffer[:] = bytes(len(buffer))  # the caller may reuse its buffer
        del buffer
        self.assertEqual(model.classify(TEXTS[0], 3), before)

    def test_bad_models_raise_with_the_runtime_message(self):
        corrupted = bytearray(self.data)
        corrupted[len(corrupted) // 2] ^= 0x55
        cases = [
            (b"", "truncated"),
            (b"not a model at all, just some bytes" * 10, "bad magic"),
            (self.data[:1000], "truncated"),
            (bytes(corrupted), "bad checksum"),
        ]
        for data, status_name in cases:
            with self.subTest(status=status_name):
                with self.assertRaises(ffnlp.Error) as ctx:
                    ffnlp.Model(data)
                self.assertEqual(ctx.exception.status_name, status_name)
                self.assertGreater(ctx.exception.status, 0)
                self.assertTrue(str(ctx.exception))

    def test_missing_file(self):
        missing = os.path.join(tempfile.gettempdir(), "no-such-dir-ffnlp", "model.ffm")
        with self.assertRaises(ffnlp.Error) as ctx:
            ffnlp.Model(missing)
        self.assertEqual(ctx.exception.status_name, "I/O error")
        self.assertIn("model.ffm", str(ctx.exception))
        with self.assertRaises(ffnlp.Error):
            ffnlp.Model(tempfile.gettempdir())  # a directory

    def test_wrong_source_type(self):
        with self.assertRaises(TypeError):
            ffnlp.Model(42)

    def test_a_model_is_loaded_once(self):
        model = ffnlp.Model(self.data)
        with self.assertRaises(RuntimeError):
            model.__init__(MODEL_PATH)
        self.assertEqual(model.detect("Guten Morgen, wie geht es dir?").language, "de")


class BadInput(unittest.TestCase):
    model = None

    @classmethod
    def setUpClass(cls):
        cls.model = ffnlp.Model(MODEL_PATH)

    def test_lone_surrogate_in_str(self):
        with self.assertRaises(UnicodeEncodeError):
            self.model.classify("abc \ud800 def")
        with self.assertRaises(UnicodeEncodeError):
            self.model.classify_batch(["fine", "bad \udfff"])
        with self.assertRaises(UnicodeEncodeError):
            self.model.spans("bad \ud800")
        # The escape-decoded form of bytes can be encoded back by the caller.
        raw = b"caf\xe9 au lait"
        text = raw.decode("utf-8", "surrogateescape")
        self.assertEqual(self.model.classify(text.encode("utf-8", "surrogateescape")), self.model.classify(raw))

    def test_wrong_types(self):
        for bad in (None, 42, 3.5, ["a list"], object()):
            with self.subTest(bad=bad):
                with self.assertRaises(TypeError):
                    self.model.classify(bad)
                with self.assertRaises(TypeError):
                    self.model.spans(bad)
        with self.assertRaises(TypeError):
            self.model.classify_batch("a single string")
        with self.assertRaises(TypeError) as ctx:
            self.model.classify_batch(["ok", 7])
        self.assertIn("texts[1]", str(ctx.exception))
        with self.assertRaises(TypeError):
            self.model.classify_batch(42)

    def test_bad_k_and_threads(self):
        for k in (0, -1):
            with self.assertRaises(ValueError):
                self.model.classify("text", k)
            with self.assertRaises(ValueError):
                self.model.classify_batch(["text"], k)
        with self.assertRaises(ValueError):
            self.model.classify_batch(["text"], threads=0)
        with self.assertRaises(TypeError):
            self.model.classify_batch(["text"], threads="many")

    def test_huge_text(self):
        text = ("Der schnelle braune Fuchs springt über den faulen Hund. " * 400_000)  # ~23 MB
        r = self.model.detect(text)
        self.assertEqual(r.language, "de")
        self.assertEqual(self.model.classify(text.encode("utf-8"), 2), self.model.classify(text, 2))

    def test_spans_word_limit(self):
        words = ffnlp._native.SPANS_MAX_WORDS
        self.assertEqual(words, 20000)
        self.assertEqual(len(self.model.spans("Wort " * 2000)), 1)
        with self.assertRaises(ffnlp.Error) as ctx:
            self.model.spans("wort " * (words + 1))
        self.assertIn("split it", str(ctx.exception))
        self.assertEqual(ctx.exception.status_name, "invalid argument")

    def test_options(self):
        text = "Dobar dan, kako ste?"
        if ffnlp.CLASSIFY_OPTIONS:
            top = self.model.classify(text, 3, only=["hr", "sr-Latn"])
            self.assertTrue({r.language for r in top} <= {"hr", "sr-Latn"})
            self.assertEqual(len(self.model.classify(text, 3, prior="uniform")), 3)
        else:
            with self.assertRaises(NotImplementedError):
                self.model.classify(text, only=["hr", "sr-Latn"])
            with self.assertRaises(NotImplementedError):
                ffnlp.detect(text, prior="uniform")
            with self.assertRaises(NotImplementedError):
                self.model.classify_batch([text], prior="model")
        # Argument checks come first, whatever the runtime supports; only=
        # and prefer= take the same lists of codes.
        bad_codes = ((["xx-not-a-code"], ValueError), ([], ValueError), ("hr", TypeError), ([1, 2], TypeError))
        for name in ("only", "prefer"):
            for codes, error in bad_codes:
                with self.subTest(name=name, codes=codes), self.assertRaises(error):
                    self.model.classify(text, **{name: codes})
        with self.assertRaises(ValueError):
            self.model.classify(text, prior="flat")

    def test_hints(self):
        text = "Jeg har en hund"  # Danish or Norwegian Bokmål: da 0.67 without hints
        self.assertEqual(ffnlp.MAX_PREFER_WEIGHT, 20.0)
        self.assertTrue(0.0 < ffnlp.DEFAULT_PREFER_WEIGHT <= ffnlp.MAX_PREFER_WEIGHT)
        if ffnlp.CLASSIFY_OPTIONS:
            self.assertEqual(self.model.detect(text).language, "da")
            hinted = self.model.detect(text, prefer=["nb"])
            self.assertEqual(hinted.language, "nb")
            self.assertEqual(hinted, self.model.detect(text, prefer=["nb"], prefer_weight=ffnlp.DEFAULT_PREFER_WEIGHT))
            self.assertEqual(ffnlp.detect(text, prefer=["nb"]), hinted)
            self.assertEqual(ffnlp.detect_top(text, 2, prefer=["nb"]), self.model.detect_top(text, 2, prefer=["nb"]))
            self.assertEqual(self.model.detect_batch([text], prefer=["nb"]), [hinted])
            # Weight 0 tilts nothing; repeats are dropped; hints exclude nothing.
            self.assertEqual(self.model.classify(text, 3, prefer=["nb"], prefer_weight=0),
                             self.model.classify(text, 3))
            self.assertEqual(self.model.classify(text, 3, prefer=["nb", "nb"]), self.model.classify(text, 3, prefer=["nb"]))
            self.assertEqual(len(self.model.classify(text, 3, prefer=["nb"])), 3)
            # A long, clear text keeps its language.
            german = "Die Würde des Menschen ist unantastbar. Sie zu achten und zu schützen ist Verpflichtung."
            self.assertEqual(self.model.detect(german, prefer=["nb", "lb"]).language, "de")
            # With only=: a hint outside the allow-list changes nothing.
            self.assertEqual(self.model.classify(text, 2, only=["da", "nn"], prefer=["nb"]),
                             self.model.classify(text, 2, only=["da", "nn"]))
        else:
            with self.assertRaises(NotImplementedError):
                self.model.classify(text, prefer=["nb"])
        for weight in (-1, 20.5, float("nan"), float("inf")):
            with self.subTest(weight=weight), self.assertRaises(ValueError):
                self.model.classify(text, prefer=["nb"], prefer_weight=weight)
        with self.assertRaises(TypeError):
            self.model.classify(text, prefer=["nb"], prefer_weight="2")
        with self.assertRaises(ValueError):
            self.model.classify_batch([text], prefer=["nb"], prefer_weight=-0.5)

    def test_tag_refuses_a_classifier(self):
        self.assertFalse(self.model.is_tagger)
        with self.assertRaises(ffnlp.Error) as caught:
            self.model.tag("Das ist ein Satz.")
        self.assertIn("not a tagger", str(caught.exception))


class TaggerTest(unittest.TestCase):
    """Model.tag on the English tagger: the postag command's answers, tokens
    at the right offsets for str and bytes."""

    @classmethod
    def setUpClass(cls):
        cls.tagger = ffnlp.Model(TAGGER_PATH)

    def postag(self, text):
        out = subprocess.run([POSTAG_CLI, "--model", TAGGER_PATH, "--json"], input=(text + "\n").encode("utf-8"),
                             stdout=subprocess.PIPE, check=True).stdout
        return json.loads(out.decode("utf-8"))["tokens"]

    def test_same_tags_as_postag(self):
        self.assertTrue(self.tagger.is_tagger)
        self.assertEqual(self.tagger.task, "tagger")
        for text in ["The cat sat on the mat.", "Don't panic: 3.5% of U.S. voters aren't sure!",
                     "Café owners in Zürich — naïvely — said “no”.", "", "!!! ...", "x" * 3000]:
            with self.subTest(text=text[:40]):
                got = self.tagger.tag(text)
                want = self.postag(text)
                self.assertEqual(len(got), len(want))
                encoded = text.encode("utf-8")
                for g, w in zip(got, want):
                    self.assertIsInstance(g, ffnlp.TaggedToken)
                    self.assertEqual(g.label, w["tag"])
                    self.assertEqual(text[g.start:g.end], w["token"])
                    self.assertAlmostEqual(g.probability, w["probability"], places=4)
                by_bytes = self.tagger.tag(encoded)
                self.assertEqual([t.label for t in by_bytes], [t.label for t in got])
                self.assertEqual([encoded[t.start:t.end].decode("utf-8") for t in by_bytes],
                                 [text[t.start:t.end] for t in got])

    def test_a_sentence(self):
        tags = [t.label for t in self.tagger.tag("The cat sat on the mat.")]
        self.assertEqual(tags, ["DET", "NOUN", "VERB", "ADP", "DET", "NOUN", "."])


if __name__ == "__main__":
    unittest.main()

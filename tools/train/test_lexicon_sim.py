#!/usr/bin/env python3
"""Tests of lexicon_sim.py: which words make the lexicon, and the re-ranking
(run by `make test`)."""
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexicon_sim as ls  # noqa: E402
import lexicon_words as lw  # noqa: E402


class BuildLexicon(unittest.TestCase):
    ROWS = [
        ("es", "¡Hola a todos!"),
        ("es", "hola, ¿qué tal?"),
        ("ca", "Bon dia a tothom"),
        ("ast", "Hola, ¿cómo tas?"),           # "hola" is Asturian too: in no language's lexicon
        ("es", "Muchas gracias"),
        ("es", "Gracias por todo, de verdad, nos vemos pronto amigos"),  # a long line: counts, owns nothing new
        ("fr", "Merci beaucoup"),
        ("fr", "merci"),
        ("de", "Vielen Dank für die schnelle Antwort und die Hilfe gestern"),
    ]

    def test_words_of_one_language_in_short_lines(self):
        lex = lw.build_lexicon(self.ROWS, min_lines=1)
        self.assertEqual(lex["gracias"], ("es",))
        self.assertEqual(lex["merci"], ("fr",))
        self.assertEqual(lex["tothom"], ("ca",))
        self.assertNotIn("hola", lex)        # es and ast
        self.assertNotIn("a", lex)           # fewer than 3 letters
        self.assertNotIn("vielen", lex)      # only in a long line
        self.assertNotIn("pronto", lex)      # only in a long line

    def test_min_lines_counts_lines_not_occurrences(self):
        lex = lw.build_lexicon(self.ROWS + [("fr", "merci merci merci")], min_lines=3)
        self.assertEqual(lex, {"merci": ("fr",)})
        self.assertEqual(lw.build_lexicon(self.ROWS, min_lines=2), {"gracias": ("es",), "merci": ("fr",)})

    def test_a_word_of_a_few_languages_names_each_that_has_it_often_enough(self):
        rows = self.ROWS + [("ast", "hola, ho"), ("gl", "ola"), ("it", "Ciao, grazie")]
        lex = lw.build_lexicon(rows, min_lines=1, max_owners=2)
        self.assertEqual(lex["hola"], ("ast", "es"))
        self.assertEqual(lw.build_lexicon(rows, min_lines=2, max_owners=2).get("hola"), ("ast", "es"))
        self.assertNotIn("hola", lw.build_lexicon(rows, min_lines=3, max_owners=2))  # es has it in 2 lines only
        self.assertNotIn("hola", lw.build_lexicon(rows, min_lines=1, max_owners=1))

    def test_words_are_cut_as_the_runtime_cuts_them(self):
        lex = lw.build_lexicon([("tr", "İyi Geceler"), ("tr", "iyi geceler!")], min_lines=2)
        self.assertEqual(lex, {"iyi": ("tr",), "geceler": ("tr",)})


class Rerank(unittest.TestCase):
    LEX = {"hola": ("es",), "gracias": ("es",), "merci": ("fr",)}
    ANSWERS = [("lg", 0.67), ("nso", 0.08), ("es", 0.007)]

    def test_a_short_text_moves_to_the_lexicon_language(self):
        self.assertEqual(ls.rerank(self.ANSWERS, "Hola", self.LEX, 5.0, 4), "es")

    def test_the_weight_must_cover_the_gap(self):
        # log(0.67 / 0.007) = 4.56 nats
        self.assertEqual(ls.rerank(self.ANSWERS, "Hola", self.LEX, 4.5, 4), "lg")
        self.assertEqual(ls.rerank(self.ANSWERS, "Hola", self.LEX, 4.6, 4), "es")

    def test_a_word_of_two_languages_lifts_both(self):
        lex = {"hola": ("ast", "es")}
        answers = [("lg", 0.67), ("es", 0.007), ("ast", 0.005)]
        self.assertEqual(ls.rerank(answers, "Hola", lex, 5.0, 4), "es")

    def test_longer_texts_keep_the_model_answer(self):
        self.assertEqual(ls.rerank(self.ANSWERS, "hola hola hola hola hola", self.LEX, 5.0, 4), "lg")

    def test_each_occurrence_adds(self):
        self.assertEqual(ls.rerank(self.ANSWERS, "hola gracias", self.LEX, 2.5, 4), "es")
        self.assertEqual(ls.rerank(self.ANSWERS, "hola", self.LEX, 2.5, 4), "lg")

    def test_a_language_outside_the_answers_is_not_added(self):
        self.assertEqual(ls.rerank(self.ANSWERS, "merci", self.LEX, 9.0, 4), "lg")
        self.assertIsNone(ls.rerank([], "merci", self.LEX, 9.0, 4))


if __name__ == "__main__":
    unittest.main()

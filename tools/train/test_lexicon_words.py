#!/usr/bin/env python3
"""Tests of lexicon_words.py: the sources' hygiene, the labels kept, the
words file and spec section it writes (run by `make test`)."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lexicon_words as lw  # noqa: E402


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


class LexiconWords(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        t = self.tmp.name
        self.data, self.src, self.src2 = (os.path.join(t, d) for d in ('data', 'src', 'src2'))
        for d in (self.data, self.src, self.src2):
            os.makedirs(d)
        write(os.path.join(self.data, 'languages.tsv'), 'es\tSpanish\nfr\tFrench\nca\tCatalan\n')
        # a line of train.tsv under another label, and one of heldout.tsv: both dropped
        write(os.path.join(self.data, 'train.tsv'), 'ca\tBon dia tothom\n')
        write(os.path.join(self.data, 'heldout.tsv'), 'fr\tSalut copain\n')
        write(os.path.join(self.src, 'es.txt'), 'Gracias por venir ayer\nGracias, amigo\nBon dia tothom\n')
        write(os.path.join(self.src, 'fr.txt'), 'Salut copain\nSalut les amis\n')
        write(os.path.join(self.src2, 'fr.txt'), 'Salut tout le monde\nSalut Marc et Paul\nMerci, copain\n')
        write(os.path.join(self.src2, 'xx.txt'), 'gracias gracias\n')  # not a label of the corpus

    def tearDown(self):
        self.tmp.cleanup()

    def test_rows_merge_folders_under_the_hygiene_rules(self):
        rows = lw.source_rows(self.data, [self.src, self.src2])
        self.assertIn(('es', 'Gracias por venir ayer'), rows)
        self.assertIn(('fr', 'Merci, copain'), rows)
        self.assertNotIn(('es', 'Bon dia tothom'), rows)   # train.tsv has it as ca
        self.assertNotIn(('fr', 'Salut copain'), rows)     # held-out line
        self.assertFalse([r for r in rows if r[0] == 'xx'])
        lex = lw.build_lexicon(rows, min_lines=2)
        self.assertEqual(lex, {'gracias': ('es',), 'salut': ('fr',)})

    def test_the_tool_writes_the_words_file_and_the_spec_section(self):
        spec = os.path.join(self.tmp.name, 'model.spec')
        write(spec, '[labels]\nes\tSpanish\n\n[prior]\nfr\t1\n')
        out = os.path.join(self.tmp.name, 'm.lexicon.tsv')
        run = subprocess.run([sys.executable, os.path.join(HERE, 'lexicon_words.py'), '--data', self.data,
                              '--source', self.src, '--source', self.src2, '--labels-from', spec,
                              '--out', out, '--weight', '2.5', '--max-words', '3', '--seed', '7'],
                             capture_output=True, text=True, check=True)
        self.assertEqual(run.stdout, '[lexicon]\nwords = m.lexicon.tsv\nseed = 7\nweight = 2.5\nmax_words = 3\n')
        with open(out, encoding='utf-8') as f:
            lines = [ln for ln in f.read().splitlines() if not ln.startswith('#')]
        self.assertEqual(lines, ['gracias\tes'])   # fr is not a label of the spec

    def test_max_owners_reaches_the_words_file(self):
        # 'amigo' is in two Spanish and two French lines: one owner too many
        # by default, kept for both with --max-owners 2
        write(os.path.join(self.src2, 'fr.txt'), 'Salut tout le monde\nSalut amigo\nAmigo, merci\n')
        write(os.path.join(self.src2, 'es.txt'), 'Hola, amigo\n')
        self.assertNotIn('amigo', lw.build_lexicon(lw.source_rows(self.data, [self.src, self.src2]), 2))
        out = os.path.join(self.tmp.name, 'm.lexicon.tsv')
        for owners, expected in ((1, []), (2, ['amigo\tes', 'amigo\tfr'])):
            subprocess.run([sys.executable, os.path.join(HERE, 'lexicon_words.py'), '--data', self.data,
                            '--source', self.src, '--source', self.src2, '--out', out,
                            '--max-owners', str(owners)], capture_output=True, text=True, check=True)
            with open(out, encoding='utf-8') as f:
                words = [ln for ln in f.read().splitlines() if ln.startswith('amigo')]
            self.assertEqual(sorted(words), expected, owners)


if __name__ == '__main__':
    unittest.main()

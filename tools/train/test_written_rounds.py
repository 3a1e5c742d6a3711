#!/usr/bin/env python3
"""Tests of written_rounds.py: the family's lines first, the rounds' lines
after them under written.py's hygiene, none twice (run by `make test`)."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import written_rounds as wr  # noqa: E402


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


class WrittenRounds(unittest.TestCase):
    def test_merged_lines_keep_the_family_and_skip_repeats(self):
        family = ['es\tHola a todos', 'fr\tSalut les amis']
        rows = [('es', 'Hola a todos'), ('es', 'Nos vemos mañana'), ('fr', 'Nos vemos mañana')]
        self.assertEqual(wr.merged_lines(family, rows),
                         family + ['es\tNos vemos mañana', 'fr\tNos vemos mañana'])

    def test_the_tool_writes_the_family_then_the_clean_round_lines(self):
        with tempfile.TemporaryDirectory() as t:
            data, r4, r5 = (os.path.join(t, d) for d in ('data', 'r4', 'r5'))
            for d in (os.path.join(data, 'by_source'), r4, r5):
                os.makedirs(d)
            write(os.path.join(data, 'languages.tsv'), 'es\tSpanish\nca\tCatalan\n')
            write(os.path.join(data, 'train.tsv'), 'ca\tBon dia a tots\n')
            write(os.path.join(data, 'heldout.tsv'), 'es\tQué tal el viaje\n')
            write(os.path.join(data, 'by_source', 'written.train.tsv'), 'es\tHola a todos\n')
            write(os.path.join(r4, 'es.txt'), 'Hola a todos\nBon dia a tots\nQué tal el viaje\n')
            write(os.path.join(r5, 'es.txt'), 'Llego tarde, lo siento\n')
            write(os.path.join(r5, 'ca.txt'), 'Arribo tard, ho sento\n')
            out = os.path.join(t, 'counted.tsv')
            subprocess.run([sys.executable, os.path.join(HERE, 'written_rounds.py'), '--data', data,
                            '--out', out, r4, r5], capture_output=True, text=True, check=True)
            with open(out, encoding='utf-8') as f:
                lines = f.read().splitlines()
            # the train.tsv line of another label, the held-out line and the
            # family's own line are not added
            self.assertEqual(lines, ['es\tHola a todos', 'ca\tArribo tard, ho sento', 'es\tLlego tarde, lo siento'])
            missing = subprocess.run([sys.executable, os.path.join(HERE, 'written_rounds.py'), '--data', data,
                                      '--out', out, os.path.join(t, 'nowhere')], capture_output=True, text=True)
            self.assertNotEqual(missing.returncode, 0)
            self.assertIn('no such folder', missing.stderr)


if __name__ == '__main__':
    unittest.main()

"""make dask-test: examples/dask_langid.py on a generated partitioned dataset.

Every input line must get exactly one answer, in order, equal to what the
package answers for that line, and every worker must load the model once.
"""
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

import ffnlp

EXAMPLE = os.environ.get("FFNLP_DASK_EXAMPLE", "")
if not os.path.isfile(EXAMPLE):
    raise RuntimeError("FFNLP_DASK_EXAMPLE must point to examples/dask_langid.py (run make dask-test)")

SENTENCES = [
    "The committee will publish its report next week.",
    "Der Zug nach Berlin hat heute leider Verspätung.",
    "Nous avons réservé une table pour huit personnes.",
    "¿Dónde está la estación de autobuses más cercana?",
    "Il concerto inizia alle nove di sera.",
    "Ik woon al tien jaar in deze stad.",
    "Спасибо за быстрый ответ на моё письмо.",
    "明日の会議は午後三時に始まります。",
    "我们明天早上八点在火车站见面。",
    "오늘 저녁에 같이 영화 보러 갈래요?",
    "Η βιβλιοθήκη κλείνει στις έξι το απόγευμα.",
    "Kiitos kutsusta, tulemme mielellämme.",
    "Dziękuję bardzo za pomoc w przeprowadzce.",
    "Bugün hava çok güzel, parka gidelim mi?",
    "مرحبا، هل يمكنك مساعدتي في هذا السؤال؟",
    "आज बाज़ार में बहुत भीड़ थी।",
]
# Lines with no language, or awkward bytes: each still gets one answer.
ODD_LINES = [b"", b"12345 67890", b"   ", b"\xff\xfe not utf-8 \xc3", "😀 👍".encode("utf-8"),
             ("Lorem ipsum dolor sit amet " * 400).encode("utf-8")]


def make_dataset(folder, partitions, lines, seed=13):
    rng = random.Random(seed)
    expected = {}
    for p in range(partitions):
        rows = []
        for i in range(lines):
            if i % 97 == 0:
                rows.append(ODD_LINES[(i // 97) % len(ODD_LINES)])
            else:
                rows.append(" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3))).encode("utf-8"))
        path = os.path.join(folder, "part-%05d.txt" % p)
        # One partition with CRLF line ends, one without a final newline.
        end = b"\r\n" if p == 1 else b"\n"
        data = end.join(rows) + (b"" if p == 2 else end)
        with open(path, "wb") as f:
            f.write(data)
        expected[path] = rows
    return expected


class DaskLangid(unittest.TestCase):
    def test_every_line_gets_one_answer(self):
        with tempfile.TemporaryDirectory() as folder:
            expected = make_dataset(folder, partitions=6, lines=3000)
            run = subprocess.run([sys.executable, EXAMPLE, folder, "--workers", "2", "--threads", "1"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
            out = run.stdout.decode()
            self.assertEqual(run.returncode, 0, run.stderr.decode()[-3000:])
            print(out, end="")
            model = ffnlp.default_model()
            codes = {lang.code for lang in model.languages} | {model.unknown_label}
            for path, rows in expected.items():
                result = path + ".langid.tsv"
                self.assertTrue(os.path.isfile(result), result)
                with open(result, "rb") as f:
                    answers = f.read().split(b"\n")
                self.assertEqual(answers[-1], b"", "the result ends with a newline")
                answers = answers[:-1]
                self.assertEqual(len(answers), len(rows), "one answer per line: %s" % result)
                want = model.detect_batch(rows, threads=1)
                for row, answer, w in zip(rows, answers, want):
                    fields = answer.decode().split("\t")
                    self.assertEqual(len(fields), 3, answer)
                    self.assertIn(fields[0], codes)
                    self.assertEqual(fields[0], w.language, row[:60])
                    self.assertEqual(fields[1], "%.4f" % w.probability)
                    self.assertEqual(fields[2], "1" if w.is_reliable else "0")
                self.assertFalse(os.path.exists(result + ".tmp"))
            total = sum(len(rows) for rows in expected.values())
            self.assertRegex(out, r"6 partitions, %d lines in [0-9.]+ s: [0-9]+ lines/s" % total)
            loads = re.search(r"model loads per worker: (.*)", out).group(1).split(", ")
            self.assertEqual(len(loads), 2, out)
            self.assertTrue(all(item.endswith("=1") for item in loads), out)
            used = re.search(r"models used per worker process: (.*)", out).group(1).split(", ")
            self.assertTrue(all(item.endswith("=1") for item in used), out)

    def test_no_partitions_is_an_error(self):
        with tempfile.TemporaryDirectory() as folder:
            run = subprocess.run([sys.executable, EXAMPLE, folder], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 timeout=120)
            self.assertNotEqual(run.returncode, 0)
            self.assertIn(b"no partitions", run.stderr)


if __name__ == "__main__":
    unittest.main()

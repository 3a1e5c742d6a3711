"""One model, many threads: same answers, and the GIL is let go."""
import threading
import time
import unittest

import ffnlp

from support import MODEL_PATH, TEXTS


def corpus(n):
    """n texts built from the fixed ones (different lengths and languages)."""
    return [TEXTS[i % len(TEXTS)][: 5 + (i * 7) % 300] for i in range(n)]


class Threads(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = ffnlp.Model(MODEL_PATH)

    def test_python_threads_share_one_model(self):
        texts = corpus(600)
        expected = [self.model.classify(t, 3) for t in texts]
        expected_spans = [self.model.spans(t) for t in texts[:60]]
        failures = []

        def work(offset):
            try:
                for round_ in range(3):
                    for i in range(len(texts)):
                        j = (i + offset * 37 + round_) % len(texts)
                        if self.model.classify(texts[j], 3) != expected[j]:
                            failures.append(("classify", j))
                    for j in range(len(expected_spans)):
                        if self.model.spans(texts[j]) != expected_spans[j]:
                            failures.append(("spans", j))
            except Exception as e:  # reported below, not lost in the thread
                failures.append(("exception", repr(e)))

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])

    def test_concurrent_batches(self):
        texts = corpus(3000)
        expected = self.model.classify_batch(texts, 2, threads=1)
        results = [None] * 4

        def work(i):
            results[i] = self.model.classify_batch(texts, 2, threads=2)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            self.assertEqual(r, expected)

    def test_batch_releases_the_gil(self):
        # While one long batch runs, a Python thread keeps counting.
        texts = corpus(20000) * 10
        ticks = []
        done = threading.Event()

        def tick():
            while not done.is_set():
                ticks.append(time.perf_counter())
                time.sleep(0.001)

        ticker = threading.Thread(target=tick)
        ticker.start()
        try:
            start = time.perf_counter()
            self.model.classify_batch(texts, threads=1)
            end = time.perf_counter()
        finally:
            done.set()
            ticker.join()
        during = [t for t in ticks if start < t < end]
        self.assertGreater(end - start, 0.05, "the batch was too short to tell")
        self.assertGreater(len(during), 5, "no Python thread ran while the batch ran: the GIL was held")

    def test_threads_argument_gives_the_same_answers(self):
        texts = corpus(5000)
        one = self.model.classify_batch(texts, threads=1)
        for threads in (2, 7, 64, None):
            with self.subTest(threads=threads):
                self.assertEqual(self.model.classify_batch(texts, threads=threads), one)

    def test_default_model_is_loaded_once(self):
        models = []
        threads = [threading.Thread(target=lambda: models.append(ffnlp.default_model())) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len({id(m) for m in models}), 1)

    def test_cached_model_is_loaded_once_per_path(self):
        models = []
        threads = [threading.Thread(target=lambda: models.append(ffnlp.cached_model(MODEL_PATH))) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len({id(m) for m in models}), 1)
        self.assertIs(ffnlp.cached_model(MODEL_PATH), models[0])
        self.assertIs(ffnlp.cached_model(), ffnlp.default_model())
        self.assertIsNot(models[0], ffnlp.default_model())


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/python3
"""make interop-test: every PyTorch check in turn, with its time; exits 1
when any fails. Run by Debian's python3 (python3-torch, python3-numpy)."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# (a) bytes, (b) imports, (c) a text classifier, (d) a window tagger: each a
# script that prints its figures and exits 1 when the check fails.
CHECKS = ["check_quantize_bytes.py", "check_embedding_import.py", "check_text_classifier.py",
          "check_window_tagger.py"]


def main():
    import torch
    print("torch %s, numpy %s, %s" % (torch.__version__, __import__("numpy").__version__, sys.executable))
    failed = []
    start_all = time.time()
    for name in CHECKS:
        start = time.time()
        code = subprocess.call([sys.executable, os.path.join(HERE, name)], cwd=HERE)
        print("    [%s: %.1f s]" % (name, time.time() - start))
        sys.stdout.flush()
        if code != 0:
            failed.append(name)
    print("interop-test: %s (%.1f s)" % ("FAILED: " + ", ".join(failed) if failed else "all passed",
                                        time.time() - start_all))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""make interop-test: every PyTorch check in turn, with its time; exits 1
when any fails. Run by Debian's python3 (python3-torch, python3-numpy)."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CHECKS = ["check_quantize_bytes.py", "check_embedding_import.py", "check_text_classifier.py"]


def tagger_check():
    """(d) runs once the token-tagging C API is on this branch; until then
    it says so. When the API exists and the check does not, that fails."""
    with open(os.path.join(ROOT, "runtime", "include", "ffnlp", "ffnlp_c.h")) as f:
        has_tagger = "ffnlp_tag(" in f.read()
    script = os.path.join(HERE, "check_window_tagger.py")
    if os.path.exists(script):
        return "check_window_tagger.py"
    if has_tagger:
        print("(d) window tagger: the C API has ffnlp_tag but tests/interop/check_window_tagger.py is missing\n    FAIL")
        return False
    print("(d) window tagger: NOT RUN: this runtime has no token tagging yet (no ffnlp_tag in ffnlp_c.h; "
          "branch 'tagger' builds it)")
    return None


def main():
    import torch
    print("torch %s, numpy %s, %s" % (torch.__version__, __import__("numpy").__version__, sys.executable))
    failed = []
    start_all = time.time()
    d = tagger_check()
    checks = CHECKS + ([d] if isinstance(d, str) else [])
    if d is False:
        failed.append("(d) window tagger")
    for name in checks:
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

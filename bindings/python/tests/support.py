"""What the tests share: paths given by the Makefile, the C API reference,
and a set of texts that exercise the edges of the input."""
import os
import struct
import subprocess


def required_path(variable):
    """A file the Makefile points to; its absence fails the test run."""
    path = os.environ.get(variable)
    if not path or not os.path.exists(path):
        raise RuntimeError(  # missing fixtures fail, never skip
            "%s is not set or does not exist (%r); run the tests with `make test-python`" % (variable, path))
    return path


MODEL_PATH = required_path("FFNLP_MODEL")
CAPI_DUMP = required_path("FFNLP_CAPI_DUMP")
LANGID_CLI = required_path("FFNLP_LANGID")
TAGGER_PATH = required_path("FFNLP_TAGGER")  # models/pos-en.ffm
POSTAG_CLI = required_path("FFNLP_POSTAG")

# Texts whose answers must be identical through every API: ordinary
# sentences in several scripts, short and long, and the input edges.
TEXTS = [
    "Ce n'est pas une pipe, c'est une image de pipe.",
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "Быстрая коричневая лиса прыгает через ленивую собаку.",
    "私はガラスを食べられます。それは私を傷つけません。",
    "Dobar dan",
    "Hello",
    "a",
    "",
    "12345 !!!",
    "   \t\n ",
    "Hello there, how are you? Hyvää huomenta, mitä kuuluu?",
    "Ο γρήγορος καφέ αλεπού πηδά πάνω από το τεμπέλικο σκυλί.",
    "مرحبا بالعالم، كيف حالك اليوم؟",
    "नमस्ते, आप कैसे हैं?",
    "emoji only 😀😀😀 and some words",
    "line one\nline two\r\nline three",
    "NUL\x00inside the text",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 200,  # > 4096 bytes
]

# Byte strings that are not valid UTF-8: the runtime treats bad bytes as
# separators, and every API must agree on the result.
BAD_UTF8 = [
    b"\xff\xfe hello world",
    b"Bonjour \xc3 tout le monde",
    b"\xed\xa0\x80 surrogate encoded",
    b"\xc0\xaf overlong slash",
    b"\x80\x80\x80",
    b"caf\xe9 au lait",  # Latin-1
]


def float32(x):
    """x rounded to the nearest float32 (%.9g text gives back the exact float)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def capi_reference(texts, k, prefer=None, prefer_weight=None):
    """Classifies byte strings with the C API (bindings/common/capi_dump.c),
    with hints when ``prefer`` (codes) and ``prefer_weight`` are given;
    returns per text a list of (label, probability, reliable)."""
    records = b"".join(b"%d\n%s" % (len(t), t) for t in texts)
    hints = [",".join(prefer), repr(prefer_weight)] if prefer is not None else []
    out = subprocess.run([CAPI_DUMP, MODEL_PATH, str(k), *hints], input=records, stdout=subprocess.PIPE,
                         check=True).stdout
    rows = []
    for line in out.decode("utf-8").split("\n")[:-1]:
        fields = line.split("\t")
        count = int(fields[0])
        preds = []
        for i in range(count):
            label, _index, prob, reliable = fields[1 + 4 * i: 5 + 4 * i]
            preds.append(("" if label == "-" else label, float32(float(prob)), reliable == "1"))
        rows.append(preds)
    if len(rows) != len(texts):
        raise AssertionError("capi_dump answered %d of %d texts" % (len(rows), len(texts)))
    return rows


def as_tuples(results):
    return [(r.language, r.probability, r.is_reliable) for r in results]

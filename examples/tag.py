#!/usr/bin/env python3
"""tag.py: part-of-speech tags for each argument with libffnlp through ctypes.

    FFNLP_LIBRARY=build/libffnlp.so python3 examples/tag.py -m models/pos-en.ffm "Time flies like an arrow."

Prints one line per argument, word/TAG pairs separated by spaces: the same
line as `build/postag TEXT`. Standard library only; the library is found as
in detect.py. The struct mirrors ffnlp_tagged_token in ffnlp_c.h.
"""
import ctypes
import os
import sys

from detect import Error, load_library


class TaggedToken(ctypes.Structure):
    _fields_ = [
        ("begin", ctypes.c_uint64),
        ("end", ctypes.c_uint64),
        ("label", ctypes.c_char_p),
        ("label_index", ctypes.c_uint32),
        ("probability", ctypes.c_float),
    ]


def main(argv):
    path = os.environ.get("FFNLP_MODEL") or "models/pos-en.ffm"
    if len(argv) >= 2 and argv[0] == "-m":
        path, argv = argv[1], argv[2:]
    if not argv:
        sys.stderr.write("usage: tag.py [-m TAGGER.ffm] TEXT...\n")
        return 2
    lib = load_library()
    model_p = ctypes.c_void_p
    lib.ffnlp_model_is_tagger.restype = ctypes.c_int32
    lib.ffnlp_model_is_tagger.argtypes = [model_p]
    lib.ffnlp_tag.restype = ctypes.c_int32
    lib.ffnlp_tag.argtypes = [model_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
                              ctypes.POINTER(TaggedToken), ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
    model = model_p()
    err = Error()
    if lib.ffnlp_model_create_from_file(path.encode(), ctypes.byref(model), ctypes.byref(err)) != 0:
        sys.stderr.write("%s: %s (%s)\n" % (path, err.message.decode(), lib.ffnlp_status_name(err.status).decode()))
        return 1
    try:
        if not lib.ffnlp_model_is_tagger(model):
            sys.stderr.write("%s: not a tagger\n" % path)
            return 1
        scratch_size = lib.ffnlp_model_scratch_size(model)
        scratch = ctypes.create_string_buffer(scratch_size)
        count = ctypes.c_size_t()
        failed = 0
        for text in argv:
            data = text.encode("utf-8", "surrogateescape")
            # A text of n bytes has at most n tokens: this capacity always suffices.
            tokens = (TaggedToken * max(1, len(data)))()
            status = lib.ffnlp_tag(model, data, len(data), scratch, scratch_size, tokens, len(tokens),
                                   ctypes.byref(count))
            if status != 0:
                sys.stderr.write("tag: %s\n" % lib.ffnlp_status_name(status).decode())
                failed = 1
                continue
            words = [data[t.begin:t.end].decode("utf-8", "surrogateescape") + "/" + t.label.decode()
                     for t in tokens[:count.value]]
            print(" ".join(words))
        return failed
    finally:
        lib.ffnlp_model_free(model)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

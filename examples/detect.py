#!/usr/bin/env python3
"""detect.py: print the language of each argument with libffnlp through ctypes.

    FFNLP_LIBRARY=build/libffnlp.so python3 examples/detect.py -m models/langid.ffm "Bonjour" "Hallo"

Standard library only. The library is $FFNLP_LIBRARY, else build/libffnlp.so
beside this repository, else libffnlp.so.1 from the system search path. The
output matches examples/detect.c line for line. The structs mirror
ffnlp_c.h exactly (see docs/EMBEDDING.md, "C struct layouts").
"""
import ctypes
import os
import sys


class Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int32), ("message", ctypes.c_char * 256)]


class Prediction(ctypes.Structure):
    _fields_ = [
        ("label", ctypes.c_char_p),
        ("name", ctypes.c_char_p),
        ("label_index", ctypes.c_uint32),
        ("probability", ctypes.c_float),
        ("reliable", ctypes.c_int32),
        ("reserved", ctypes.c_uint32),
    ]


def load_library():
    candidates = []
    if os.environ.get("FFNLP_LIBRARY"):
        candidates.append(os.environ["FFNLP_LIBRARY"])
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(here, "..", "build", "libffnlp.so"))
    candidates.append("libffnlp.so.1")
    last = None
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError as e:
            last = e
    else:
        raise OSError("cannot load libffnlp: %s" % last)

    model_p = ctypes.c_void_p
    lib.ffnlp_status_name.restype = ctypes.c_char_p
    lib.ffnlp_status_name.argtypes = [ctypes.c_int32]
    lib.ffnlp_model_create_from_file.restype = ctypes.c_int32
    lib.ffnlp_model_create_from_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(model_p), ctypes.POINTER(Error)]
    lib.ffnlp_model_free.restype = None
    lib.ffnlp_model_free.argtypes = [model_p]
    lib.ffnlp_model_scratch_size.restype = ctypes.c_size_t
    lib.ffnlp_model_scratch_size.argtypes = [model_p]
    lib.ffnlp_classify.restype = ctypes.c_int32
    lib.ffnlp_classify.argtypes = [model_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
                                   ctypes.POINTER(Prediction), ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
    return lib


def main(argv):
    path = os.environ.get("FFNLP_MODEL") or "models/langid.ffm"
    if len(argv) >= 2 and argv[0] == "-m":
        path, argv = argv[1], argv[2:]
    if not argv:
        sys.stderr.write("usage: detect.py [-m MODEL.ffm] TEXT...\n")
        return 2
    lib = load_library()
    model = ctypes.c_void_p()
    err = Error()
    if lib.ffnlp_model_create_from_file(path.encode(), ctypes.byref(model), ctypes.byref(err)) != 0:
        sys.stderr.write("%s: %s (%s)\n" % (path, err.message.decode(), lib.ffnlp_status_name(err.status).decode()))
        return 1
    try:
        # One scratch buffer, reused for every call (a ctypes buffer is malloc'd, so float-aligned).
        scratch_size = lib.ffnlp_model_scratch_size(model)
        scratch = ctypes.create_string_buffer(scratch_size)
        top = (Prediction * 1)()
        count = ctypes.c_size_t()
        failed = 0
        for text in argv:
            data = text.encode("utf-8", "surrogateescape")
            status = lib.ffnlp_classify(model, data, len(data), scratch, scratch_size, top, 1, ctypes.byref(count))
            if status != 0:
                sys.stderr.write("classify: %s\n" % lib.ffnlp_status_name(status).decode())
                failed = 1
                continue
            if count.value == 0:
                print("-\t0.0000\tunreliable\t-")
            else:
                p = top[0]
                print("%s\t%.4f\t%s\t%s" % (p.label.decode(), p.probability, "reliable" if p.reliable else "unreliable",
                                          p.name.decode() or "-"))
        return failed
    finally:
        lib.ffnlp_model_free(model)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

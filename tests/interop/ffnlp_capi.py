"""The runtime's C API through ctypes, for the interop checks: loading a
model, its feature occurrences (ffnlp_text_features, ffnlp_token_features),
probabilities (ffnlp_scores_ex) and tagging (ffnlp_tag, ffnlp_tag_tokens).
The structs mirror runtime/include/ffnlp/ffnlp_c.h.

Also the build's tools (convert_model, inspect_model) as functions.
"""
import ctypes
import os
import re
import subprocess

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("FFNLP_BUILD", os.path.join(ROOT, "build"))


class Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int32), ("message", ctypes.c_char * 256)]


class Feature(ctypes.Structure):
    _fields_ = [("channel", ctypes.c_uint32), ("slot", ctypes.c_uint32), ("row", ctypes.c_uint32),
                ("weight", ctypes.c_float)]


class TaggedToken(ctypes.Structure):
    _fields_ = [("begin", ctypes.c_uint64), ("end", ctypes.c_uint64), ("label", ctypes.c_char_p),
                ("label_index", ctypes.c_uint32), ("probability", ctypes.c_float)]


class ClassifyOptions(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("prior", ctypes.c_uint32),
                ("only", ctypes.POINTER(ctypes.c_uint32)), ("only_count", ctypes.c_size_t)]


_lib = None


def library():
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL(os.path.join(BUILD, "libffnlp.so"))
    model_p = ctypes.c_void_p
    size_p = ctypes.POINTER(ctypes.c_size_t)
    lib.ffnlp_status_name.restype = ctypes.c_char_p
    lib.ffnlp_status_name.argtypes = [ctypes.c_int32]
    lib.ffnlp_model_create_from_file.restype = ctypes.c_int32
    lib.ffnlp_model_create_from_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(model_p), ctypes.POINTER(Error)]
    lib.ffnlp_model_free.restype = None
    lib.ffnlp_model_free.argtypes = [model_p]
    lib.ffnlp_model_scratch_size.restype = ctypes.c_size_t
    lib.ffnlp_model_scratch_size.argtypes = [model_p]
    lib.ffnlp_model_label_count.restype = ctypes.c_uint32
    lib.ffnlp_model_label_count.argtypes = [model_p]
    lib.ffnlp_model_task.restype = ctypes.c_char_p
    lib.ffnlp_model_task.argtypes = [model_p]
    lib.ffnlp_text_features.restype = ctypes.c_int32
    lib.ffnlp_text_features.argtypes = [model_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(Feature),
                                        ctypes.c_size_t, size_p]
    lib.ffnlp_scores_ex.restype = ctypes.c_int32
    lib.ffnlp_scores_ex.argtypes = [model_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ClassifyOptions),
                                    ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_float),
                                    ctypes.c_size_t]
    tokens_p = ctypes.POINTER(ctypes.c_char_p)
    lib.ffnlp_token_features.restype = ctypes.c_int32
    lib.ffnlp_token_features.argtypes = [model_p, tokens_p, size_p, ctypes.c_size_t, ctypes.c_size_t,
                                         ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(Feature), ctypes.c_size_t,
                                         size_p]
    lib.ffnlp_tag_tokens.restype = ctypes.c_int32
    lib.ffnlp_tag_tokens.argtypes = [model_p, tokens_p, size_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
                                     ctypes.POINTER(TaggedToken)]
    lib.ffnlp_tag.restype = ctypes.c_int32
    lib.ffnlp_tag.argtypes = [model_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
                              ctypes.POINTER(TaggedToken), ctypes.c_size_t, size_p]
    _lib = lib
    return lib


class Tokens:
    """A token list as ffnlp_token_features / ffnlp_tag_tokens take it:
    pointers and byte lengths, kept alive with the encoded bytes."""

    def __init__(self, tokens):
        self.data = [t.encode("utf-8") for t in tokens]
        self.n = len(self.data)
        self.pointers = (ctypes.c_char_p * max(self.n, 1))(*self.data)
        self.lengths = (ctypes.c_size_t * max(self.n, 1))(*[len(d) for d in self.data])


class Model:
    """One loaded .ffm file and a scratch buffer for it."""

    def __init__(self, path):
        self.lib = library()
        self.handle = ctypes.c_void_p()
        err = Error()
        if self.lib.ffnlp_model_create_from_file(path.encode(), ctypes.byref(self.handle), ctypes.byref(err)) != 0:
            raise RuntimeError("%s: %s" % (path, err.message.decode()))
        # ctypes buffers come from malloc: aligned for double, as the API asks.
        self.scratch_size = self.lib.ffnlp_model_scratch_size(self.handle)
        self.scratch = ctypes.create_string_buffer(self.scratch_size)
        self.features_buffer = (Feature * 4096)()

    def close(self):
        if self.handle:
            self.lib.ffnlp_model_free(self.handle)
            self.handle = ctypes.c_void_p()

    def task(self):
        return self.lib.ffnlp_model_task(self.handle).decode()

    def text_features(self, text):
        """[(channel, slot, row, weight)] exactly as classification reads them."""
        data = text.encode("utf-8")
        count = ctypes.c_size_t()
        status = self.lib.ffnlp_text_features(self.handle, data, len(data), self.features_buffer,
                                              len(self.features_buffer), ctypes.byref(count))
        if status != 0 and count.value > len(self.features_buffer):
            self.features_buffer = (Feature * (2 * count.value))()
            return self.text_features(text)
        if status != 0:
            raise RuntimeError("ffnlp_text_features: %s" % self.lib.ffnlp_status_name(status).decode())
        f = self.features_buffer
        return [(f[i].channel, f[i].slot, f[i].row, f[i].weight) for i in range(count.value)]

    def token_features(self, tokens, i, labels=None):
        """[(channel, slot, row, weight)] of token i of a Tokens list, as
        tagging reads them; labels: the earlier tokens' labels (prev_label)."""
        label_array = None
        if labels is not None and len(labels) > 0:
            label_array = (ctypes.c_uint32 * len(labels))(*labels)
        count = ctypes.c_size_t()
        status = self.lib.ffnlp_token_features(self.handle, tokens.pointers, tokens.lengths, tokens.n, i, label_array,
                                               self.features_buffer, len(self.features_buffer), ctypes.byref(count))
        if status != 0 and count.value > len(self.features_buffer):
            self.features_buffer = (Feature * (2 * count.value))()
            return self.token_features(tokens, i, labels)
        if status != 0:
            raise RuntimeError("ffnlp_token_features: %s" % self.lib.ffnlp_status_name(status).decode())
        f = self.features_buffer
        return [(f[k].channel, f[k].slot, f[k].row, f[k].weight) for k in range(count.value)]

    def tag_tokens(self, tokens):
        """ffnlp_tag_tokens on a Tokens list: [(label_index, probability)]."""
        out = (TaggedToken * max(tokens.n, 1))()
        status = self.lib.ffnlp_tag_tokens(self.handle, tokens.pointers, tokens.lengths, tokens.n, self.scratch,
                                           self.scratch_size, out)
        if status != 0:
            raise RuntimeError("ffnlp_tag_tokens: %s" % self.lib.ffnlp_status_name(status).decode())
        return [(out[k].label_index, out[k].probability) for k in range(tokens.n)]

    def tag(self, text):
        """ffnlp_tag on a text: [(token string, label_index, probability)]."""
        data = text.encode("utf-8")
        out = (TaggedToken * max(len(data), 1))()
        count = ctypes.c_size_t()
        status = self.lib.ffnlp_tag(self.handle, data, len(data), self.scratch, self.scratch_size, out, len(out),
                                    ctypes.byref(count))
        if status != 0:
            raise RuntimeError("ffnlp_tag: %s" % self.lib.ffnlp_status_name(status).decode())
        return [(data[out[k].begin:out[k].end].decode("utf-8"), out[k].label_index, out[k].probability)
                for k in range(count.value)]

    def probabilities(self, text, uniform_prior=True):
        data = text.encode("utf-8")
        n = self.lib.ffnlp_model_label_count(self.handle)
        probs = (ctypes.c_float * n)()
        options = ClassifyOptions(ctypes.sizeof(ClassifyOptions), 1 if uniform_prior else 0, None, 0)
        status = self.lib.ffnlp_scores_ex(self.handle, data, len(data), ctypes.byref(options), self.scratch,
                                          self.scratch_size, probs, n)
        if status != 0:
            raise RuntimeError("ffnlp_scores_ex: %s" % self.lib.ffnlp_status_name(status).decode())
        return np.frombuffer(probs, dtype=np.float32).copy()


def convert_model(args):
    """Runs build/convert_model; returns (stdout, stderr); raises on failure."""
    p = subprocess.run([os.path.join(BUILD, "convert_model")] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("convert_model %s failed:\n%s%s" % (" ".join(args), p.stdout, p.stderr))
    return p.stdout, p.stderr


def dump_tensor(path, name):
    """The runtime's view of a tensor (inspect_model --dump --rows 0):
    dtype, bytes (quantized tables), scales, zero points and values, with
    floats printed in %.9g, which reads back to the same float32."""
    p = subprocess.run([os.path.join(BUILD, "inspect_model"), path, "--dump", name, "--rows", "0"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("inspect_model failed: %s" % p.stderr)
    lines = p.stdout.splitlines()
    head = re.match(r"\S+: (\S+) \((\d+), (\d+)\)", lines[0])
    dtype, rows, cols = head.group(1), int(head.group(2)), int(head.group(3))
    q, scales, zero_points, values = [], [], [], []

    def numbers(line):
        return [float(x) for x in line[line.index("[") + 1:line.rindex("]")].split(",")]

    for line in lines[1:]:
        s = line.strip()
        if s.startswith("q "):
            q.append([int(x) for x in numbers(s)])
        elif s.startswith("scale "):
            scales.append(float(s.split()[1]))
        elif line.startswith("  zero point "):  # per row (q8_row_fzp); q8_row's is in the header
            zero_points.append(float(s.split()[2]))
        elif s.startswith("value ") or (s.startswith("row ") and "[" in s):
            values.append(numbers(s))
    out = {"dtype": dtype, "rows": rows, "cols": cols,
           "values": np.array(values, dtype=np.float32).reshape(rows, cols)}
    if q:
        out["q"] = np.array(q, dtype=np.uint8).reshape(rows, cols)
        out["scales"] = np.array(scales, dtype=np.float32)
    if zero_points:
        out["zero_points"] = np.array(zero_points, dtype=np.float32)
    return out

// ffnlp._native: the CPython extension under the ffnlp package. A model
// handle (ffnlp_bind.h over the C API) and the calls that cross into C: one
// text, many texts on native threads without the GIL, spans. The Python
// side (ffnlp/__init__.py) adds the built-in model and the module functions.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "ffnlp_bind.h"

namespace {

// Set once by _set_types() from ffnlp/_types.py; tuple subclasses.
PyTypeObject* g_result_type = nullptr;    // Result(language, name, probability, is_reliable)
PyTypeObject* g_span_type = nullptr;      // Span(start, end, language, name, probability, is_reliable, text)
PyTypeObject* g_language_type = nullptr;  // Language(code, name)
PyObject* g_error = nullptr;              // ffnlp.Error

constexpr size_t kStackScratch = 16384;  // bytes of scratch kept on the stack when the model needs no more
constexpr size_t kStackTop = 16;         // predictions kept on the stack

// Raises ffnlp.Error(message) with .status (int) and .status_name.
void raise_error(ffnlp_status status, const char* message) {
  PyObject* exc = PyObject_CallFunction(g_error, "s", message[0] ? message : ffnlp_status_name(status));
  if (exc == nullptr) return;
  PyObject* code = PyLong_FromLong(status);
  PyObject* name = PyUnicode_FromString(ffnlp_status_name(status));
  if (code != nullptr && name != nullptr) {
    PyObject_SetAttrString(exc, "status", code);
    PyObject_SetAttrString(exc, "status_name", name);
    PyErr_SetObject(g_error, exc);
  }
  Py_XDECREF(code);
  Py_XDECREF(name);
  Py_DECREF(exc);
}

bool types_ready() {
  if (g_result_type != nullptr) return true;
  PyErr_SetString(PyExc_RuntimeError, "ffnlp._native is used through the ffnlp package (import ffnlp)");
  return false;
}

// A tuple subclass instance filled with `n` new references (stolen).
PyObject* new_tuple_of(PyTypeObject* type, PyObject** items, Py_ssize_t n) {
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (items[i] == nullptr) {
      for (Py_ssize_t j = 0; j < n; ++j) Py_XDECREF(items[j]);
      return nullptr;
    }
  }
  PyObject* t = type->tp_alloc(type, n);
  if (t == nullptr) {
    for (Py_ssize_t j = 0; j < n; ++j) Py_DECREF(items[j]);
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < n; ++i) PyTuple_SET_ITEM(t, i, items[i]);
  return t;
}

// ---- text arguments ---------------------------------------------------------

// A str (encoded to UTF-8 by CPython, cached in the str object) or a
// bytes-like object (UTF-8 bytes, passed as they are).
struct Text {
  const char* data = nullptr;
  size_t size = 0;
  bool is_str = false;
  bool has_view = false;
  Py_buffer view;
  Text() { std::memset(&view, 0, sizeof view); }
  Text(const Text&) = delete;
  Text& operator=(const Text&) = delete;
  Text(Text&& o) noexcept : data(o.data), size(o.size), is_str(o.is_str), has_view(o.has_view), view(o.view) {
    o.has_view = false;
  }
  ~Text() {
    if (has_view) PyBuffer_Release(&view);
  }
};

bool get_text(PyObject* obj, Text* t) {
  if (PyUnicode_Check(obj)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(obj, &n);  // lone surrogates: UnicodeEncodeError
    if (s == nullptr) return false;
    t->data = s;
    t->size = static_cast<size_t>(n);
    t->is_str = true;
    return true;
  }
  if (PyBytes_Check(obj)) {
    t->data = PyBytes_AS_STRING(obj);
    t->size = static_cast<size_t>(PyBytes_GET_SIZE(obj));
    return true;
  }
  if (PyObject_CheckBuffer(obj)) {
    if (PyObject_GetBuffer(obj, &t->view, PyBUF_SIMPLE) != 0) return false;
    t->has_view = true;
    t->data = static_cast<const char*>(t->view.buf);
    t->size = static_cast<size_t>(t->view.len);
    return true;
  }
  PyErr_Format(PyExc_TypeError, "text must be str or bytes, not %.100s", Py_TYPE(obj)->tp_name);
  return false;
}

// ---- the Model type -------------------------------------------------------------

struct ModelObject {
  PyObject_HEAD
  ffnlpb_model* handle;
  const ffnlp_model* c;
  size_t scratch_size;
  uint32_t label_count;
  PyObject* labels;     // tuple of str, per label index
  PyObject* names;      // tuple of str
  PyObject* unknown;    // str: the unknown label ("" if none)
  PyObject* unknown_name;
  PyObject* empty;      // ""
};

void clear_model(ModelObject* self) {
  ffnlpb_model_free(self->handle);
  self->handle = nullptr;
  self->c = nullptr;
  Py_CLEAR(self->labels);
  Py_CLEAR(self->names);
  Py_CLEAR(self->unknown);
  Py_CLEAR(self->unknown_name);
  Py_CLEAR(self->empty);
}

void Model_dealloc(ModelObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  clear_model(self);
  type->tp_free(reinterpret_cast<PyObject*>(self));
  Py_DECREF(type);  // a heap type: each instance holds a reference
}

bool loaded(ModelObject* self) {
  if (self->handle != nullptr) return true;
  PyErr_SetString(PyExc_RuntimeError, "the model is not loaded (Model.__init__ failed or was not called)");
  return false;
}

// _native.Model(path=None, data=None): exactly one of them.
int Model_init(ModelObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"path", "data", nullptr};
  PyObject* path = Py_None;
  PyObject* data = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OO", const_cast<char**>(kwlist), &path, &data)) return -1;
  if ((path == Py_None) == (data == Py_None)) {
    PyErr_SetString(PyExc_TypeError, "give exactly one of path= and data=");
    return -1;
  }
  if (self->handle != nullptr) {
    // Other threads may be classifying with it right now (without the GIL).
    PyErr_SetString(PyExc_RuntimeError, "a Model is loaded once; create a new Model instead");
    return -1;
  }
  ffnlp_error err;
  ffnlp_status s;
  if (path != Py_None) {
    PyObject* encoded = nullptr;
    if (!PyUnicode_FSConverter(path, &encoded)) return -1;
    const char* p = PyBytes_AS_STRING(encoded);
    Py_BEGIN_ALLOW_THREADS
    s = ffnlpb_model_from_file(p, &self->handle, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(encoded);
  } else {
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) != 0) return -1;
    Py_BEGIN_ALLOW_THREADS
    s = ffnlpb_model_from_bytes(view.buf, static_cast<size_t>(view.len), &self->handle, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
  }
  if (s != FFNLP_OK) {
    self->handle = nullptr;
    raise_error(s, err.message);
    return -1;
  }
  self->c = ffnlpb_model_c(self->handle);
  self->scratch_size = ffnlp_model_scratch_size(self->c);
  self->label_count = ffnlp_model_label_count(self->c);
  self->labels = PyTuple_New(self->label_count);
  self->names = PyTuple_New(self->label_count);
  self->unknown = PyUnicode_FromString(ffnlp_model_unknown_label(self->c));
  self->unknown_name = PyUnicode_FromString(FFNLPB_UNKNOWN_NAME);
  self->empty = PyUnicode_FromString("");
  if (self->labels == nullptr || self->names == nullptr || self->unknown == nullptr || self->unknown_name == nullptr ||
      self->empty == nullptr) {
    clear_model(self);
    return -1;
  }
  for (uint32_t i = 0; i < self->label_count; ++i) {
    PyObject* label = PyUnicode_FromString(ffnlp_model_label(self->c, i));
    PyObject* name = PyUnicode_FromString(ffnlp_model_label_name(self->c, i));
    if (label == nullptr || name == nullptr) {
      Py_XDECREF(label);
      Py_XDECREF(name);
      clear_model(self);
      return -1;
    }
    PyTuple_SET_ITEM(self->labels, i, label);
    PyTuple_SET_ITEM(self->names, i, name);
  }
  return 0;
}

// The cached str for a prediction's label / name.
PyObject* label_of(ModelObject* self, const ffnlp_prediction& p) {
  PyObject* s;
  if (p.label_index < self->label_count) s = PyTuple_GET_ITEM(self->labels, p.label_index);
  else s = p.label[0] != '\0' ? self->unknown : self->empty;
  Py_INCREF(s);
  return s;
}

PyObject* name_of(ModelObject* self, const ffnlp_prediction& p) {
  PyObject* s;
  if (p.label_index < self->label_count) s = PyTuple_GET_ITEM(self->names, p.label_index);
  else s = p.label[0] != '\0' ? self->unknown_name : self->empty;
  Py_INCREF(s);
  return s;
}

PyObject* make_result(ModelObject* self, const ffnlp_prediction& p) {
  PyObject* items[4] = {label_of(self, p), name_of(self, p), PyFloat_FromDouble(p.probability),
                        PyBool_FromLong(p.reliable)};
  return new_tuple_of(g_result_type, items, 4);
}

PyObject* make_result_list(ModelObject* self, const ffnlp_prediction* top, size_t count) {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(count));
  if (list == nullptr) return nullptr;
  for (size_t i = 0; i < count; ++i) {
    PyObject* r = make_result(self, top[i]);
    if (r == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), r);
  }
  return list;
}

// ---- options: only= and prefer= (language codes), prior=, prefer_weight= ---------------

struct Options {
  bool set = false;
  ffnlpb_options o;
  std::vector<uint32_t> only;
  std::vector<uint32_t> prefer;
  Options() {
    std::memset(&o, 0, sizeof o);
    o.prefer_weight = ffnlp_default_prefer_weight();  // the library's default
  }
  const ffnlpb_options* get() const { return set ? &o : nullptr; }
};

// A collection of language codes (`name`= is "only" or "prefer") -> their
// label indices, sorted, repeats dropped. False with an exception set.
bool parse_codes(ModelObject* self, const char* name, PyObject* codes, std::vector<uint32_t>* out) {
  if (PyUnicode_Check(codes) || PyBytes_Check(codes)) {
    PyErr_Format(PyExc_TypeError, "%s must be a collection of language codes such as ['en', 'fr'], not a string", name);
    return false;
  }
  char message[96];
  std::snprintf(message, sizeof message, "%s must be a collection of language codes such as ['en', 'fr']", name);
  PyObject* seq = PySequence_Fast(codes, message);
  if (seq == nullptr) return false;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  if (n == 0) {
    Py_DECREF(seq);
    PyErr_Format(PyExc_ValueError, "%s= is empty: give at least one language code", name);
    return false;
  }
  try {
    out->reserve(static_cast<size_t>(n));
  } catch (...) {
    Py_DECREF(seq);
    PyErr_NoMemory();
    return false;
  }
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* code = PySequence_Fast_GET_ITEM(seq, i);
    const char* s = PyUnicode_Check(code) ? PyUnicode_AsUTF8(code) : nullptr;
    if (s == nullptr) {
      if (!PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s= holds language codes (str), not %.100s", name, Py_TYPE(code)->tp_name);
      }
      Py_DECREF(seq);
      return false;
    }
    const int32_t index = ffnlp_model_find_label(self->c, s);
    if (index < 0) {
      PyErr_Format(PyExc_ValueError, "%s=: unknown language code %R (Model.languages lists the codes)", name, code);
      Py_DECREF(seq);
      return false;
    }
    out->push_back(static_cast<uint32_t>(index));
  }
  Py_DECREF(seq);
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return true;
}

bool parse_options(ModelObject* self, PyObject* only, PyObject* prior, PyObject* prefer, PyObject* prefer_weight,
                   Options* out) {
  if (prior != Py_None) {
    if (!PyUnicode_Check(prior)) {
      PyErr_Format(PyExc_TypeError, "prior must be 'model', 'uniform' or None, not %.100s", Py_TYPE(prior)->tp_name);
      return false;
    }
    if (PyUnicode_CompareWithASCIIString(prior, "model") == 0) out->o.prior = FFNLPB_PRIOR_MODEL;
    else if (PyUnicode_CompareWithASCIIString(prior, "uniform") == 0) out->o.prior = FFNLPB_PRIOR_UNIFORM;
    else {
      PyErr_Format(PyExc_ValueError, "prior must be 'model', 'uniform' or None, not %R", prior);
      return false;
    }
    out->set = true;
  }
  if (only != Py_None) {
    if (!parse_codes(self, "only", only, &out->only)) return false;
    out->o.only = out->only.data();
    out->o.only_count = out->only.size();
    out->set = true;
  }
  if (prefer != Py_None) {
    if (!parse_codes(self, "prefer", prefer, &out->prefer)) return false;
    out->o.prefer = out->prefer.data();
    out->o.prefer_count = out->prefer.size();
    out->set = true;
  }
  if (prefer_weight != Py_None) {
    if (!PyFloat_Check(prefer_weight) && !PyLong_Check(prefer_weight)) {
      PyErr_Format(PyExc_TypeError, "prefer_weight must be a number, not %.100s", Py_TYPE(prefer_weight)->tp_name);
      return false;
    }
    const double w = PyFloat_AsDouble(prefer_weight);
    if (w == -1.0 && PyErr_Occurred()) return false;
    // NaN fails both comparisons.
    if (!(w >= 0.0 && w <= FFNLP_MAX_PREFER_WEIGHT)) {
      PyErr_Format(PyExc_ValueError, "prefer_weight must be from 0 to %g, not %R", FFNLP_MAX_PREFER_WEIGHT,
                   prefer_weight);
      return false;
    }
    out->o.prefer_weight = static_cast<float>(w);
    out->set = true;
  }
  if (out->set && !ffnlpb_has_classify_options()) {
    PyErr_SetString(PyExc_NotImplementedError,
                    "only=, prior= and prefer= need ffnlp_classify_ex(), which the runtime this package was built "
                    "with does not have yet (see ffnlp.CLASSIFY_OPTIONS)");
    return false;
  }
  return true;
}

bool parse_k(ModelObject* self, Py_ssize_t k, size_t* out) {
  if (k < 1) {
    PyErr_Format(PyExc_ValueError, "k must be at least 1, not %zd", k);
    return false;
  }
  // More than the label count cannot be answered; do not allocate for it.
  const size_t most = self->label_count > 0 ? self->label_count : 1;
  *out = static_cast<size_t>(k) < most ? static_cast<size_t>(k) : most;
  return true;
}

// ---- classify ---------------------------------------------------------------------

// Classifies one text without the GIL; returns a list of Results.
PyObject* classify_one(ModelObject* self, PyObject* text_obj, size_t k, const Options& options) {
  Text text;
  if (!get_text(text_obj, &text)) return nullptr;
  alignas(64) unsigned char stack_scratch[kStackScratch];
  ffnlp_prediction stack_top[kStackTop];
  void* scratch = self->scratch_size <= kStackScratch ? stack_scratch : std::malloc(self->scratch_size);
  ffnlp_prediction* top = k <= kStackTop ? stack_top : static_cast<ffnlp_prediction*>(std::calloc(k, sizeof *top));
  if (scratch == nullptr || top == nullptr) {
    if (scratch != stack_scratch) std::free(scratch);
    if (top != stack_top) std::free(top);
    return PyErr_NoMemory();
  }
  size_t count = 0;
  ffnlp_error err;
  ffnlp_status s;
  Py_BEGIN_ALLOW_THREADS
  s = ffnlpb_classify(self->handle, text.data, text.size, options.get(), scratch, self->scratch_size, top, k, &count,
                      &err);
  Py_END_ALLOW_THREADS
  PyObject* result = nullptr;
  if (s != FFNLP_OK) raise_error(s, err.message);
  else result = make_result_list(self, top, count);
  if (scratch != stack_scratch) std::free(scratch);
  if (top != stack_top) std::free(top);
  return result;
}

PyObject* Model_classify(ModelObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"text", "k", "only", "prior", "prefer", "prefer_weight", nullptr};
  PyObject* text = nullptr;
  Py_ssize_t k = 1;
  PyObject* only = Py_None;
  PyObject* prior = Py_None;
  PyObject* prefer = Py_None;
  PyObject* prefer_weight = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n$OOOO", const_cast<char**>(kwlist), &text, &k, &only, &prior,
                                   &prefer, &prefer_weight)) {
    return nullptr;
  }
  if (!types_ready() || !loaded(self)) return nullptr;
  size_t kk = 0;
  Options options;
  if (!parse_k(self, k, &kk) || !parse_options(self, only, prior, prefer, prefer_weight, &options)) return nullptr;
  return classify_one(self, text, kk, options);
}

PyObject* Model_detect(ModelObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"text", "only", "prior", "prefer", "prefer_weight", nullptr};
  PyObject* text = nullptr;
  PyObject* only = Py_None;
  PyObject* prior = Py_None;
  PyObject* prefer = Py_None;
  PyObject* prefer_weight = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOO", const_cast<char**>(kwlist), &text, &only, &prior, &prefer,
                                   &prefer_weight)) {
    return nullptr;
  }
  if (!types_ready() || !loaded(self)) return nullptr;
  Options options;
  if (!parse_options(self, only, prior, prefer, prefer_weight, &options)) return nullptr;
  PyObject* list = classify_one(self, text, 1, options);
  if (list == nullptr) return nullptr;
  PyObject* result;
  if (PyList_GET_SIZE(list) > 0) {
    result = PyList_GET_ITEM(list, 0);
    Py_INCREF(result);
  } else {
    // A model without an unknown label, on a text without letters.
    ffnlp_prediction none;
    std::memset(&none, 0, sizeof none);
    none.label = "";
    none.name = "";
    none.label_index = FFNLP_NO_LABEL;
    result = make_result(self, none);
  }
  Py_DECREF(list);
  return result;
}

// ---- classify_batch: native threads, GIL released ------------------------------------

struct Batch {
  const ffnlpb_model* handle = nullptr;
  const ffnlpb_options* options = nullptr;
  const char* const* texts = nullptr;
  const size_t* lengths = nullptr;
  size_t n = 0, k = 0, chunk = 0, scratch_size = 0;
  ffnlp_prediction* results = nullptr;
  size_t* counts = nullptr;
  std::atomic<size_t> next{0};
  std::mutex mutex;
  ffnlp_status status = FFNLP_OK;
  ffnlp_error error;
};

void run_batch(Batch* b) {
  void* scratch = std::malloc(b->scratch_size > 0 ? b->scratch_size : 1);
  for (;;) {
    const size_t start = b->next.fetch_add(b->chunk);
    if (start >= b->n) break;
    const size_t m = std::min(b->chunk, b->n - start);
    ffnlp_error err;
    ffnlp_status s;
    if (scratch == nullptr) {
      s = FFNLP_OUT_OF_MEMORY;
      std::snprintf(err.message, sizeof err.message, "cannot allocate scratch memory for a batch thread");
    } else {
      s = ffnlpb_classify_batch(b->handle, b->texts + start, b->lengths + start, m, b->options, scratch,
                                b->scratch_size, b->results + start * b->k, b->k, b->counts + start, &err);
    }
    if (s != FFNLP_OK) {
      std::lock_guard<std::mutex> lock(b->mutex);
      if (b->status == FFNLP_OK) {
        b->status = s;
        b->error = err;
      }
      if (scratch == nullptr) break;
    }
  }
  std::free(scratch);
}

PyObject* Model_classify_batch(ModelObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"texts", "k", "threads", "only", "prior", "prefer", "prefer_weight", nullptr};
  PyObject* texts_obj = nullptr;
  Py_ssize_t k = 1;
  PyObject* threads_obj = Py_None;
  PyObject* only = Py_None;
  PyObject* prior = Py_None;
  PyObject* prefer = Py_None;
  PyObject* prefer_weight = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n$OOOOO", const_cast<char**>(kwlist), &texts_obj, &k,
                                   &threads_obj, &only, &prior, &prefer, &prefer_weight)) {
    return nullptr;
  }
  if (!types_ready() || !loaded(self)) return nullptr;
  size_t kk = 0;
  Options options;
  if (!parse_k(self, k, &kk) || !parse_options(self, only, prior, prefer, prefer_weight, &options)) return nullptr;
  size_t threads = 0;
  if (threads_obj != Py_None) {
    const Py_ssize_t t = PyLong_AsSsize_t(threads_obj);
    if (t == -1 && PyErr_Occurred()) return nullptr;
    if (t < 1) {
      PyErr_Format(PyExc_ValueError, "threads must be at least 1 (or None for one per CPU), not %zd", t);
      return nullptr;
    }
    threads = static_cast<size_t>(t);
  } else {
    const unsigned hw = std::thread::hardware_concurrency();
    threads = hw > 0 ? hw : 1;
  }
  if (PyUnicode_Check(texts_obj) || PyBytes_Check(texts_obj)) {
    PyErr_SetString(PyExc_TypeError, "texts must be a collection of texts, not a single str or bytes");
    return nullptr;
  }
  PyObject* seq = PySequence_Fast(texts_obj, "texts must be an iterable of str or bytes");
  if (seq == nullptr) return nullptr;
  const size_t n = static_cast<size_t>(PySequence_Fast_GET_SIZE(seq));
  PyObject* result = nullptr;
  try {
    std::vector<Text> holders;   // buffer views of bytes-like texts stay open until the end
    std::vector<const char*> pointers(n);
    std::vector<size_t> lengths(n);
    holders.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      holders.emplace_back();
      Text& t = holders.back();
      PyObject* item = PySequence_Fast_GET_ITEM(seq, static_cast<Py_ssize_t>(i));
      if (!get_text(item, &t)) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
          PyErr_Clear();
          PyErr_Format(PyExc_TypeError, "texts[%zu] must be str or bytes, not %.100s", i, Py_TYPE(item)->tp_name);
        }
        Py_DECREF(seq);
        return nullptr;
      }
      pointers[i] = t.data != nullptr ? t.data : "";
      lengths[i] = t.size;
    }
    std::vector<ffnlp_prediction> results(n * kk);
    std::vector<size_t> counts(n, 0);
    Batch b;
    b.handle = self->handle;
    b.options = options.get();
    b.texts = pointers.data();
    b.lengths = lengths.data();
    b.n = n;
    b.k = kk;
    b.scratch_size = self->scratch_size;
    b.results = results.data();
    b.counts = counts.data();
    // Chunks small enough to balance the threads, large enough to keep the
    // shared counter out of the way.
    b.chunk = std::max<size_t>(1, std::min<size_t>(512, n / (threads * 8) + 1));
    const size_t wanted = std::min(threads, (n + b.chunk - 1) / b.chunk);
    Py_BEGIN_ALLOW_THREADS
    std::vector<std::thread> pool;
    for (size_t t = 1; t < wanted; ++t) {
      try {
        pool.emplace_back(run_batch, &b);
      } catch (...) {
        break;  // fewer threads; the calling thread still works through everything
      }
    }
    run_batch(&b);
    for (std::thread& t : pool) t.join();
    Py_END_ALLOW_THREADS
    if (b.status != FFNLP_OK) {
      raise_error(b.status, b.error.message);
    } else {
      result = PyList_New(static_cast<Py_ssize_t>(n));
      for (size_t i = 0; result != nullptr && i < n; ++i) {
        PyObject* one = make_result_list(self, results.data() + i * kk, counts[i]);
        if (one == nullptr) Py_CLEAR(result);
        else PyList_SET_ITEM(result, static_cast<Py_ssize_t>(i), one);
      }
    }
  } catch (const std::bad_alloc&) {
    Py_XDECREF(result);
    result = nullptr;
    PyErr_NoMemory();
  }
  Py_DECREF(seq);
  return result;
}

// ---- spans ----------------------------------------------------------------------------

PyObject* Model_spans(ModelObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"text", nullptr};
  PyObject* text_obj = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", const_cast<char**>(kwlist), &text_obj)) return nullptr;
  if (!types_ready() || !loaded(self)) return nullptr;
  Text text;
  if (!get_text(text_obj, &text)) return nullptr;
  ffnlpb_span* spans = nullptr;
  size_t count = 0;
  ffnlp_error err;
  ffnlp_status s;
  Py_BEGIN_ALLOW_THREADS
  s = ffnlpb_spans(self->handle, text.data, text.size, &spans, &count, &err);
  Py_END_ALLOW_THREADS
  if (s != FFNLP_OK) {
    raise_error(s, err.message);
    return nullptr;
  }
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(count));
  // Offsets: bytes for bytes input; for str, code points (str indices).
  size_t byte_pos = 0, char_pos = 0;
  auto to_chars = [&](size_t byte_offset) {
    for (; byte_pos < byte_offset; ++byte_pos) {
      if ((static_cast<unsigned char>(text.data[byte_pos]) & 0xC0) != 0x80) ++char_pos;
    }
    return char_pos;
  };
  for (size_t i = 0; list != nullptr && i < count; ++i) {
    const ffnlpb_span& sp = spans[i];
    size_t start = sp.begin, end = sp.end;
    PyObject* piece;
    if (text.is_str) {
      start = to_chars(sp.begin);
      end = to_chars(sp.end);
      piece = PyUnicode_Substring(text_obj, static_cast<Py_ssize_t>(start), static_cast<Py_ssize_t>(end));
    } else {
      piece = PyBytes_FromStringAndSize(text.data + sp.begin, static_cast<Py_ssize_t>(sp.end - sp.begin));
    }
    PyObject* items[7] = {PyLong_FromSize_t(start), PyLong_FromSize_t(end), label_of(self, sp.prediction),
                          name_of(self, sp.prediction), PyFloat_FromDouble(sp.prediction.probability),
                          PyBool_FromLong(sp.prediction.reliable), piece};
    PyObject* span = new_tuple_of(g_span_type, items, 7);
    if (span == nullptr) Py_CLEAR(list);
    else PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), span);
  }
  ffnlpb_spans_free(spans);
  return list;
}

// ---- tagging (tagger models) ---------------------------------------------------------

// _tag(text) -> list of (start, end, label, probability): every token of the
// text by the model's tokenizer, with its tag (greedy, left to right).
// Offsets are str indices for a str, byte offsets for bytes.
PyObject* Model_tag(ModelObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"text", nullptr};
  PyObject* text_obj = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", const_cast<char**>(kwlist), &text_obj)) return nullptr;
  if (!loaded(self)) return nullptr;
  if (!ffnlp_model_is_tagger(self->c)) {
    raise_error(FFNLP_NOT_CLASSIFIER, "the model is not a tagger (task 'tagger'); use classify()");
    return nullptr;
  }
  Text text;
  if (!get_text(text_obj, &text)) return nullptr;
  PyObject* list = nullptr;
  try {
    size_t count = 0;
    ffnlp_status s = ffnlp_tokenize(self->c, text.data, text.size, nullptr, 0, &count);
    if (s != FFNLP_OK && s != FFNLP_BUFFER_TOO_SMALL) {
      raise_error(s, "");
      return nullptr;
    }
    std::vector<ffnlp_tagged_token> out(count == 0 ? 1 : count);
    std::vector<double> scratch((self->scratch_size + sizeof(double) - 1) / sizeof(double));  // double-aligned
    const size_t scratch_bytes = scratch.size() * sizeof(double);
    Py_BEGIN_ALLOW_THREADS
    s = ffnlp_tag(self->c, text.data, text.size, scratch.data(), scratch_bytes, out.data(), out.size(), &count);
    Py_END_ALLOW_THREADS
    if (s != FFNLP_OK) {
      raise_error(s, "");
      return nullptr;
    }
    list = PyList_New(static_cast<Py_ssize_t>(count));
    size_t byte_pos = 0, char_pos = 0;
    auto to_chars = [&](size_t byte_offset) {
      for (; byte_pos < byte_offset; ++byte_pos) {
        if ((static_cast<unsigned char>(text.data[byte_pos]) & 0xC0) != 0x80) ++char_pos;
      }
      return char_pos;
    };
    for (size_t i = 0; list != nullptr && i < count; ++i) {
      const ffnlp_tagged_token& t = out[i];
      size_t start = static_cast<size_t>(t.begin), end = static_cast<size_t>(t.end);
      if (text.is_str) {
        start = to_chars(start);
        end = to_chars(end);
      }
      PyObject* label = t.label_index < self->label_count ? PyTuple_GET_ITEM(self->labels, t.label_index) : self->empty;
      Py_INCREF(label);
      PyObject* item = Py_BuildValue("(nnNd)", static_cast<Py_ssize_t>(start), static_cast<Py_ssize_t>(end), label,
                                     static_cast<double>(t.probability));
      if (item == nullptr) Py_CLEAR(list);
      else PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), item);
    }
  } catch (const std::bad_alloc&) {
    Py_XDECREF(list);
    return PyErr_NoMemory();
  }
  return list;
}

PyObject* Model_get_is_tagger(ModelObject* self, void*) {
  return loaded(self) ? PyBool_FromLong(ffnlp_model_is_tagger(self->c)) : nullptr;
}

// ---- properties -------------------------------------------------------------------------

PyObject* Model_get_languages(ModelObject* self, void*) {
  if (!types_ready() || !loaded(self)) return nullptr;
  PyObject* out = PyTuple_New(self->label_count);
  for (uint32_t i = 0; out != nullptr && i < self->label_count; ++i) {
    PyObject* items[2] = {PyTuple_GET_ITEM(self->labels, i), PyTuple_GET_ITEM(self->names, i)};
    Py_INCREF(items[0]);
    Py_INCREF(items[1]);
    PyObject* lang = new_tuple_of(g_language_type, items, 2);
    if (lang == nullptr) Py_CLEAR(out);
    else PyTuple_SET_ITEM(out, i, lang);
  }
  return out;
}

PyObject* Model_get_name(ModelObject* self, void*) {
  return loaded(self) ? PyUnicode_FromString(ffnlp_model_name(self->c)) : nullptr;
}
PyObject* Model_get_task(ModelObject* self, void*) {
  return loaded(self) ? PyUnicode_FromString(ffnlp_model_task(self->c)) : nullptr;
}
PyObject* Model_get_unknown_label(ModelObject* self, void*) {
  if (!loaded(self)) return nullptr;
  Py_INCREF(self->unknown);
  return self->unknown;
}
PyObject* Model_get_file_size(ModelObject* self, void*) {
  return loaded(self) ? PyLong_FromSize_t(ffnlp_model_file_size(self->c)) : nullptr;
}
PyObject* Model_get_is_classifier(ModelObject* self, void*) {
  return loaded(self) ? PyBool_FromLong(ffnlp_model_is_classifier(self->c)) : nullptr;
}

PyMethodDef kModelMethods[] = {
    {"classify", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Model_classify)),
     METH_VARARGS | METH_KEYWORDS,
     "classify(text, k=1, *, only=None, prior=None, prefer=None, prefer_weight=None) -> list[Result]\n\n"
     "The k most probable languages of `text` (str, or UTF-8 bytes), best first.\n"
     "A text without letters answers the unknown label ('und') with probability 0.\n"
     "only: answer only among these codes; prior: 'model' or 'uniform'; prefer:\n"
     "hints, codes whose logits gain prefer_weight (None: DEFAULT_PREFER_WEIGHT,\n"
     "the library's; 0 to MAX_PREFER_WEIGHT), favoured without excluding others.\n"
     "The GIL is released while the text is classified."},
    {"detect", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Model_detect)),
     METH_VARARGS | METH_KEYWORDS,
     "detect(text, *, only=None, prior=None, prefer=None, prefer_weight=None) -> Result\n\n"
     "The most probable language of `text` (options as classify())."},
    {"classify_batch", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Model_classify_batch)),
     METH_VARARGS | METH_KEYWORDS,
     "classify_batch(texts, k=1, *, threads=None, only=None, prior=None, prefer=None, prefer_weight=None)\n"
     "  -> list[list[Result]]\n\n"
     "classify() for every text of an iterable, on `threads` native threads\n"
     "(None: one per CPU) with the GIL released. Results are in input order."},
    {"spans", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Model_spans)),
     METH_VARARGS | METH_KEYWORDS,
     "spans(text) -> list[Span]\n\n"
     "Splits mixed-language text into spans of one language each (the\n"
     "algorithm of `langid --spans`). Offsets are str indices for a str, byte\n"
     "offsets for bytes; span.text is the piece of the input."},
    {"_tag", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Model_tag)), METH_VARARGS | METH_KEYWORDS,
     "_tag(text) -> list[tuple[int, int, str, float]]\n\n"
     "(start, end, label, probability) of every token of `text` (tagger models;\n"
     "ffnlp.Model.tag wraps it). Offsets are str indices for a str, byte offsets\n"
     "for bytes. The GIL is released while the text is tagged."},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef kModelGetSet[] = {
    {"languages", reinterpret_cast<getter>(Model_get_languages), nullptr,
     "The model's languages, in label order: a tuple of Language(code, name).", nullptr},
    {"name", reinterpret_cast<getter>(Model_get_name), nullptr, "The model's name (general.name).", nullptr},
    {"task", reinterpret_cast<getter>(Model_get_task), nullptr, "The model's task (general.task).", nullptr},
    {"unknown_label", reinterpret_cast<getter>(Model_get_unknown_label), nullptr,
     "The label answered for text without letters ('und'), or ''.", nullptr},
    {"file_size", reinterpret_cast<getter>(Model_get_file_size), nullptr, "Size of the model in bytes.", nullptr},
    {"is_classifier", reinterpret_cast<getter>(Model_get_is_classifier), nullptr,
     "False for a model that holds tensors only.", nullptr},
    {"is_tagger", reinterpret_cast<getter>(Model_get_is_tagger), nullptr,
     "True for a tagger (one label per token: Model.tag).", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyType_Slot kModelSlots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(Model_dealloc)},
    {Py_tp_init, reinterpret_cast<void*>(Model_init)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_methods, kModelMethods},
    {Py_tp_getset, kModelGetSet},
    {Py_tp_doc, const_cast<char*>("Native model handle; use ffnlp.Model.")},
    {0, nullptr}};

PyType_Spec kModelSpec = {"ffnlp._native.Model", static_cast<int>(sizeof(ModelObject)), 0,
                          Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, kModelSlots};

// ---- module ------------------------------------------------------------------------------

bool check_tuple_type(PyObject* obj, Py_ssize_t fields, const char* what) {
  if (!PyType_Check(obj) || !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(obj), &PyTuple_Type) ||
      reinterpret_cast<PyTypeObject*>(obj)->tp_basicsize != PyTuple_Type.tp_basicsize ||
      reinterpret_cast<PyTypeObject*>(obj)->tp_dictoffset != 0) {
    PyErr_Format(PyExc_TypeError, "%s must be a NamedTuple class", what);
    return false;
  }
  PyObject* f = PyObject_GetAttrString(obj, "_fields");
  const bool ok = f != nullptr && PyTuple_Check(f) && PyTuple_GET_SIZE(f) == fields;
  Py_XDECREF(f);
  if (!ok) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s must have %zd fields", what, fields);
  }
  return ok;
}

PyObject* set_types(PyObject*, PyObject* args) {
  PyObject *result, *span, *language, *error;
  if (!PyArg_ParseTuple(args, "OOOO", &result, &span, &language, &error)) return nullptr;
  if (!check_tuple_type(result, 4, "Result") || !check_tuple_type(span, 7, "Span") ||
      !check_tuple_type(language, 2, "Language")) {
    return nullptr;
  }
  if (!PyExceptionClass_Check(error)) {
    PyErr_SetString(PyExc_TypeError, "error must be an exception class");
    return nullptr;
  }
  Py_INCREF(result);
  Py_INCREF(span);
  Py_INCREF(language);
  Py_INCREF(error);
  Py_XSETREF(g_result_type, reinterpret_cast<PyTypeObject*>(result));
  Py_XSETREF(g_span_type, reinterpret_cast<PyTypeObject*>(span));
  Py_XSETREF(g_language_type, reinterpret_cast<PyTypeObject*>(language));
  Py_XSETREF(g_error, error);
  Py_RETURN_NONE;
}

PyObject* runtime_version(PyObject*, PyObject*) { return PyUnicode_FromString(ffnlp_version()); }

PyMethodDef kModuleMethods[] = {
    {"_set_types", set_types, METH_VARARGS, "Internal: the Result, Span, Language and Error classes."},
    {"runtime_version", runtime_version, METH_NOARGS, "Version of the ffnlp runtime compiled in."},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef kModule = {PyModuleDef_HEAD_INIT, "ffnlp._native",
                       "Native core of the ffnlp package; use it through `import ffnlp`.", -1, kModuleMethods,
                       nullptr, nullptr, nullptr, nullptr};

}  // namespace

PyMODINIT_FUNC PyInit__native(void) {
  PyObject* model_type = PyType_FromSpec(&kModelSpec);
  if (model_type == nullptr) return nullptr;
  PyObject* m = PyModule_Create(&kModule);
  if (m == nullptr) {
    Py_DECREF(model_type);
    return nullptr;
  }
  if (PyModule_AddObject(m, "Model", model_type) < 0 ||
      PyModule_AddObject(m, "CLASSIFY_OPTIONS", PyBool_FromLong(ffnlpb_has_classify_options())) < 0 ||
      PyModule_AddIntConstant(m, "SPANS_MAX_WORDS", FFNLPB_SPANS_MAX_WORDS) < 0 ||
      PyModule_AddObject(m, "DEFAULT_PREFER_WEIGHT", PyFloat_FromDouble(ffnlp_default_prefer_weight())) < 0 ||
      PyModule_AddObject(m, "MAX_PREFER_WEIGHT", PyFloat_FromDouble(FFNLP_MAX_PREFER_WEIGHT)) < 0) {
    Py_DECREF(m);
    return nullptr;
  }
  return m;
}

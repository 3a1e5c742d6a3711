#include "tools/convert_model/converter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "ffnlp/ffnlp.h"
#include "tools/common/feature_metadata.h"
#include "tools/common/file_io.h"
#include "tools/common/model_writer.h"
#include "tools/common/npz.h"
#include "tools/common/size_limit.h"
#include "tools/convert_model/import_quantized.h"
#include "tools/convert_model/lexicon.h"
#include "tools/convert_model/model_spec.h"
#include "tools/convert_model/neighbour_words.h"
#include "tools/convert_model/quantize_matrix.h"

namespace ffnlp {
namespace tools {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

}  // namespace

std::map<std::string, NpyArray> read_array_files(const std::vector<std::string>& inputs, uint64_t max_bytes) {
  std::map<std::string, NpyArray> arrays;
  const std::string limit = " (--max-bytes " + std::to_string(max_bytes) + ")";
  uint64_t used = 0;  // bytes of the arrays read so far
  for (const std::string& path : inputs) {
    std::vector<uint8_t> bytes;
    try {
      bytes = read_file_bytes(path, max_bytes);
    } catch (const SizeLimitError& e) {
      throw SizeLimitError(std::string(e.what()) + " (--max-bytes)");
    }
    std::map<std::string, NpyArray> found;
    if (ends_with(path, ".npz")) {
      try {
        found = read_npz(bytes, path, max_bytes - used);
      } catch (const SizeLimitError& e) {
        throw SizeLimitError(std::string(e.what()) +
                             (used == 0 ? " (--max-bytes)" : ", what is left of" + limit + " after the inputs before it"));
      }
    } else {
      found[stem(path)] = parse_npy(bytes, path);
    }
    for (const auto& kv : found) {
      if (kv.second.raw.size() > max_bytes - used) {
        throw SizeLimitError(path + ": array '" + kv.first + "' (" + std::to_string(kv.second.raw.size()) +
                             " bytes) takes the arrays read past the limit of " + std::to_string(max_bytes) +
                             " bytes (--max-bytes)");
      }
      used += kv.second.raw.size();
    }
    for (auto& kv : found) {
      if (arrays.count(kv.first)) throw std::runtime_error(path + ": array '" + kv.first + "' was already given by another input");
      arrays[kv.first] = std::move(kv.second);
    }
  }
  return arrays;
}

namespace {

struct Shape2 {
  uint64_t rows, cols;
  uint32_t rank;
};

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Shape2 shape_of(const NpyArray& a, const std::string& name) {
  if (a.shape.size() != 1 && a.shape.size() != 2) {
    throw std::runtime_error("array '" + name + "' has " + std::to_string(a.shape.size()) +
                             " dimensions; only 1-D and 2-D arrays are supported");
  }
  // An empty dimension makes an array of no values whatever the others say:
  // refused here, before any size is taken from the shape (a (1000000000, 0)
  // array once allocated gigabytes of row scales).
  for (uint64_t d : a.shape) {
    if (d == 0) throw std::runtime_error("array '" + name + "' has shape " + shape_text(a.shape) + ", which holds no values");
  }
  if (a.shape.size() == 1) return {a.shape[0], 1, 1};
  return {a.shape[0], a.shape[1], 2};
}

void check_finite(const std::string& name, const std::vector<float>& v, uint64_t cols) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      throw std::runtime_error(name + ": row " + std::to_string(i / cols) + ", column " + std::to_string(i % cols) + " is " +
                               (std::isnan(v[i]) ? "NaN" : "infinite") + "; fix the weights before converting");
    }
  }
}

class Converter {
 public:
  Converter(const ConvertOptions& o, std::map<std::string, NpyArray> arrays) : o_(o), arrays_(std::move(arrays)) {}

  const NpyArray& array(const std::string& name, const std::string& role) {
    auto it = arrays_.find(name);
    if (it == arrays_.end()) {
      std::string known;
      for (const auto& kv : arrays_) known += (known.empty() ? "" : ", ") + kv.first;
      throw std::runtime_error(role + " names array '" + name + "', which is not in the inputs (have: " + known + ")");
    }
    used_[name] = true;
    return it->second;
  }

  // A table imported as already quantized (import_quantized.h): NAME
  // (uint8, or int8 with NAME_scales) + NAME_scales [+ NAME_zero_points].
  bool add_imported(const std::string& name, const LayerSpecEntry* layer = nullptr, bool after_relu = false) {
    ImportedTable imported;
    if (!import_quantized(name, arrays_, &imported)) return false;
    used_[name] = true;
    for (const std::string& companion : imported.consumed) used_[companion] = true;
    for (std::string& w : imported.warnings) warnings_.push_back(std::move(w));
    if (!o_.quiet) std::printf("  %-20s %s\n", name.c_str(), imported.summary.c_str());
    if (layer != nullptr) return add_weights_tensor(std::move(imported.tensor), *layer, after_relu), true;
    writer_.add_tensor(std::move(imported.tensor));
    return true;
  }

  // A layer's 8-bit weights in the layout its spec asks for (model_spec.h):
  // "auto" stores them transposed, q8_col, where the layer reads a ReLU's
  // output (mostly zeros: the runtime's q8_col kernel works per non-zero
  // input) and has at most 256 inputs (its SIMD paths' limit). Transposing
  // moves bytes only: the file answers exactly as the q8_row one would.
  void add_weights_tensor(TensorToWrite t, const LayerSpecEntry& layer, bool after_relu) {
    const bool rows8 = t.dtype == DType::kQ8Row;
    if (layer.layout == "cols" && !rows8) {
      throw std::runtime_error("'" + t.name + "': layout = cols needs 8-bit weights with one zero point (quantize = 1, or an imported uint8 array)");
    }
    const bool by_col = rows8 && (layer.layout == "cols" || (layer.layout == "auto" && after_relu && t.cols <= 256));
    if (by_col) {
      TensorToWrite c = t;
      c.dtype = DType::kQ8Col;
      c.rows = t.cols;
      c.cols = t.rows;
      for (uint64_t o = 0; o < t.rows; ++o)
        for (uint64_t i = 0; i < t.cols; ++i) c.q[i * t.rows + o] = t.q[o * t.cols + i];
      if (!o_.quiet) {
        std::printf("  %-20s stored transposed as q8_col (%llu, %llu): one scale per column (output)\n", t.name.c_str(),
                    static_cast<unsigned long long>(c.rows), static_cast<unsigned long long>(c.cols));
      }
      t = std::move(c);
    }
    writer_.add_tensor(std::move(t));
  }

  // bits: 8 (q8_row), 4 (q4_row, or q4_row_bf16 with bf16_scales) or 3
  // (q3_row_bf16; the spec reader made sure of bf16_scales) when quantized.
  void add_embedding(const std::string& name, bool quantize, unsigned bits = 8, bool bf16_scales = false) {
    // A table several channels read is stored once, as the first asked.
    const std::string storage = std::to_string(quantize) + "/" + std::to_string(bits) + "/" + std::to_string(bf16_scales);
    const auto first = embedding_storage_.find(name);
    if (first != embedding_storage_.end() && first->second != storage) {
      throw std::runtime_error("'" + name + "' is read by several channels that store it differently (quantize, bits, scales)");
    }
    embedding_storage_[name] = storage;
    if (added_.count(name)) return;
    added_[name] = true;
    const NpyArray& a = array(name, "embedding");
    if (add_imported(name)) {
      if (bits != 8) {
        throw std::runtime_error("'" + name + "': bits = " + std::to_string(bits) +
                                 " needs a float array (this one is already quantized)");
      }
      return;
    }
    const Shape2 s = shape_of(a, name);
    std::vector<float> values = to_float32(a, name);
    if (!quantize || o_.float_embeddings || s.rank == 1) {
      add_float(name, a);
      return;
    }
    QuantizationReport report;
    TensorToWrite t = bits == 4   ? quantize_matrix_q4(name, s.rows, s.cols, values, o_.rounding, &report, bf16_scales)
                      : bits == 3 ? quantize_matrix_q3(name, s.rows, s.cols, values, o_.rounding, &report)
                                  : quantize_matrix(name, s.rows, s.cols, values, o_.zero_point, o_.rounding, &report);
    t.rank = s.rank;
    const char* dtype = t.dtype == DType::kQ3RowBf16   ? "q3_row_bf16"
                        : t.dtype == DType::kQ4RowBf16 ? "q4_row_bf16"
                        : t.dtype == DType::kQ4Row     ? "q4_row"
                                                       : "q8_row";
    report_row(name, s, report, dtype, t.zero_point);
    writer_.add_tensor(std::move(t));
  }

  void add_float(const std::string& name, const NpyArray& a) {
    const Shape2 s = shape_of(a, name);
    TensorToWrite t;
    t.name = name;
    t.dtype = DType::kF32;
    t.rank = s.rank;
    t.rows = s.rows;
    t.cols = s.cols;
    t.values = to_float32(a, name);
    check_finite(name, t.values, s.cols);
    used_[name] = true;
    if (!o_.quiet) {
      std::printf("  %-20s (%llu, %llu) float32, %llu bytes\n", name.c_str(), static_cast<unsigned long long>(s.rows),
                  static_cast<unsigned long long>(s.cols), static_cast<unsigned long long>(s.rows * s.cols * 4));
    }
    writer_.add_tensor(std::move(t));
  }

  // (out, in) weights: float32, or with quantize q8_row with the same
  // per-row formula as embeddings (one scale per output row). An imported
  // uint8 array (NAME + NAME_scales) is taken as it is.
  void add_layer_weights(const std::string& name, const LayerSpecEntry& layer, bool after_relu) {
    const bool transpose = layer.transpose, quantize = layer.quantize;
    if (added_.count(name)) return;
    added_[name] = true;
    const NpyArray& a = array(name, "layer");
    if (add_imported(name, &layer, after_relu)) return;
    if (layer.layout == "cols" && !quantize) {
      throw std::runtime_error("'" + name + "': layout = cols needs 8-bit weights (quantize = 1, or an imported uint8 array)");
    }
    if (!transpose && !quantize) return add_float(name, a);
    const Shape2 s = shape_of(a, name);
    if (s.rank != 2) throw std::runtime_error("'" + name + "': " + (transpose ? "transpose" : "quantize") + " needs a 2-D array");
    const std::vector<float> v = to_float32(a, name);
    TensorToWrite t;
    t.name = name;
    t.rows = transpose ? s.cols : s.rows;
    t.cols = transpose ? s.rows : s.cols;
    t.values.resize(v.size());
    if (transpose) {
      for (uint64_t r = 0; r < s.rows; ++r)
        for (uint64_t c = 0; c < s.cols; ++c) t.values[c * s.rows + r] = v[r * s.cols + c];
    } else {
      t.values = v;
    }
    check_finite(name, t.values, t.cols);
    used_[name] = true;
    if (quantize) {
      QuantizationReport report;
      TensorToWrite q = quantize_matrix(name, t.rows, t.cols, t.values, o_.zero_point, o_.rounding, &report);
      report_row(name, Shape2{t.rows, t.cols, 2}, report, "q8_row", o_.zero_point);
      add_weights_tensor(std::move(q), layer, after_relu);
      return;
    }
    writer_.add_tensor(std::move(t));
  }

  void report_row(const std::string& name, const Shape2& s, const QuantizationReport& r, const char* dtype,
                  uint32_t zero_point) {
    total_float_ += r.float_bytes;
    total_quantized_ += r.quantized_bytes;
    if (o_.quiet) return;
    std::printf("  %-20s (%llu, %llu) %s, zero point %u: %llu -> %llu bytes (%.2fx); |E-E'| max %.4g mean %.4g; relative max %.4g mean %.4g; %llu zero rows\n",
                name.c_str(), static_cast<unsigned long long>(s.rows), static_cast<unsigned long long>(s.cols), dtype, zero_point,
                static_cast<unsigned long long>(r.float_bytes), static_cast<unsigned long long>(r.quantized_bytes),
                static_cast<double>(r.float_bytes) / static_cast<double>(r.quantized_bytes), r.max_abs_error, r.mean_abs_error,
                r.max_rel_error, r.mean_rel_error, static_cast<unsigned long long>(r.zero_rows));
    for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  }

  void convert_plain() {
    writer_.set_string("general.task", "embedding");
    for (const auto& kv : arrays_) {
      if (used_.count(kv.first)) continue;
      const Shape2 s = shape_of(kv.second, kv.first);
      if (s.rank == 2 || kv.second.dtype == "|u1") add_embedding(kv.first, true);
      else if (!used_.count(kv.first)) add_float(kv.first, kv.second);
    }
  }

  // The spec's [text] section (and tokenizer, for token models).
  static TextMetadata text_metadata(const ModelSpec& spec) {
    TextMetadata text;
    text.lowercase = spec.lowercase;
    text.drop_digits = spec.drop_digits;
    text.cleanup = spec.cleanup;
    text.max_bytes = spec.max_bytes;
    text.tokenizer = spec.tokenizer;
    return text;
  }

  void convert_with_spec(const ModelSpec& spec) {
    padding_ = spec.tokenizer.empty() ? 0 : 2;
    writer_.set_string("general.task", spec.task);
    if (!spec.name.empty()) writer_.set_string("general.name", spec.name);
    if (!spec.description.empty()) writer_.set_string("general.description", spec.description);
    if (!spec.license.empty()) writer_.set_string("general.license", spec.license);
    if (!spec.source.empty()) writer_.set_string("general.source", spec.source);
    std::vector<ChannelMetadata> channels;
    for (size_t i = 0; i < spec.channels.size(); ++i) {
      channels.push_back(channel_metadata(spec.channels[i], i));
      add_embedding(spec.channels[i].embedding, spec.channels[i].quantize, spec.channels[i].bits,
                    spec.channels[i].bf16_scales);
    }
    try {
      write_features(writer_, text_metadata(spec), channels);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(o_.spec_name + ": " + e.what());
    }
    if (!spec.layers.empty()) writer_.set_u32("layer.count", static_cast<uint32_t>(spec.layers.size()));
    for (size_t i = 0; i < spec.layers.size(); ++i) {
      const LayerSpecEntry& l = spec.layers[i];
      const std::string k = "layer." + std::to_string(i) + ".";
      writer_.set_string(k + "weights", l.weights);
      writer_.set_string(k + "bias", l.bias);
      writer_.set_string(k + "activation", l.activation);
      add_layer_weights(l.weights, l, i > 0 && spec.layers[i - 1].activation == "relu");
      add_float(l.bias, array(l.bias, "layer bias"));
    }
    if (!spec.labels.empty()) {
      std::vector<std::string> codes, names;
      bool any_name = false;
      for (const auto& l : spec.labels) {
        codes.push_back(l.first);
        names.push_back(l.second);
        any_name = any_name || !l.second.empty();
      }
      writer_.set_strings("labels", codes);
      if (any_name) writer_.set_strings("label_names", names);
    }
    add_prior(spec);
    add_neighbours(spec);
    add_lexicon(spec);
    if (spec.has_reliable_probability) writer_.set_f32("classifier.reliable_probability", spec.reliable_probability);
    if (spec.reliable_letters) writer_.set_u32("classifier.reliable_letters", spec.reliable_letters);
    if (spec.has_reliable_short_probability) {
      writer_.set_u32("classifier.reliable_short_letters", spec.reliable_short_letters);
      writer_.set_f32("classifier.reliable_short_probability", spec.reliable_short_probability);
    }
    if (!spec.unknown_label.empty()) writer_.set_string("classifier.unknown_label", spec.unknown_label);
    for (const auto& kv : spec.extra) writer_.set_string(kv.first, kv.second);
    for (const auto& kv : arrays_) {
      if (!used_.count(kv.first)) warnings_.push_back("array '" + kv.first + "' is not used by the spec and was left out");
    }
  }

  // A channel's metadata: the spec's parameters, rows and columns from its
  // array, and for a word channel with a vocabulary file the sorted
  // vocabulary (the array's first rows reordered to match).
  ChannelMetadata channel_metadata(const ChannelSpecEntry& c, size_t index) {
    const std::string where = o_.spec_name + ": channel " + std::to_string(index) + " (" + c.kind + ")";
    ChannelMetadata m = c;
    if (c.embedding.empty()) throw std::runtime_error(where + ": missing 'embedding'");
    const NpyArray& a = array(c.embedding, "channel " + std::to_string(index));
    const Shape2 s = shape_of(a, c.embedding);
    // (A 1-D array gets through here; the loader refuses it with its own message.)
    if ((c.buckets != 0 && c.buckets != s.rows) || (c.dims != 0 && c.dims != s.cols)) {
      throw std::runtime_error(where + ": the spec says " + std::to_string(c.buckets) + " x " + std::to_string(c.dims) +
                               " but '" + c.embedding + "' is " + std::to_string(s.rows) + " x " + std::to_string(s.cols));
    }
    m.buckets = static_cast<uint32_t>(s.rows);
    m.dims = static_cast<uint32_t>(s.cols);
    if (!c.vocab_file.empty()) {
      m.vocab = read_vocabulary(c.vocab_file, where);
      if (m.vocab.size() + c.oov_buckets + padding_ != s.rows) {
        throw std::runtime_error(where + ": " + std::to_string(m.vocab.size()) + " words + oov_buckets " +
                                 std::to_string(c.oov_buckets) + (padding_ ? " + 2 padding rows" : "") + " != " +
                                 std::to_string(s.rows) + " rows of '" + c.embedding + "'");
      }
      sort_vocabulary(&m.vocab, c.embedding, where);
    }
    return m;
  }

  // A file the spec names: relative to the spec file's folder unless absolute.
  std::string relative_to_spec(const std::string& path) const {
    const size_t slash = o_.spec_name.find_last_of('/');
    if (!path.empty() && path[0] != '/' && slash != std::string::npos) return o_.spec_name.substr(0, slash + 1) + path;
    return path;
  }

  // Words one per line, in row order (row i = line i), relative to the spec.
  std::vector<std::string> read_vocabulary(const std::string& path, const std::string& where) const {
    const std::string full = relative_to_spec(path);
    const std::vector<uint8_t> bytes = read_file_bytes(full);
    std::vector<std::string> words;
    std::string line;
    for (size_t i = 0; i <= bytes.size(); ++i) {
      if (i == bytes.size() || bytes[i] == '\n') {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) words.push_back(line);
        else if (i != bytes.size()) throw std::runtime_error(where + ": " + full + ": empty line " + std::to_string(words.size() + 1));
        line.clear();
      } else {
        line += static_cast<char>(bytes[i]);
      }
    }
    if (words.empty()) throw std::runtime_error(where + ": " + full + ": no words");
    return words;
  }

  // The file stores the vocabulary sorted by bytes (row = index): sort it and
  // move the array's rows along.
  void sort_vocabulary(std::vector<std::string>* vocab, const std::string& table, const std::string& where) {
    std::vector<size_t> order(vocab->size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return (*vocab)[a] < (*vocab)[b]; });
    std::vector<std::string> sorted;
    for (size_t i : order) sorted.push_back((*vocab)[i]);
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i] == sorted[i - 1]) throw std::runtime_error(where + ": the vocabulary has '" + sorted[i] + "' twice");
    }
    bool identity = true;
    for (size_t i = 0; i < order.size(); ++i) identity = identity && order[i] == i;
    *vocab = sorted;
    if (identity) return;
    NpyArray& a = arrays_.at(table);
    if (a.dtype == "|u1" || a.dtype == "|i1") {
      throw std::runtime_error(where + ": a quantized table needs its vocabulary file sorted by bytes already");
    }
    const Shape2 s = shape_of(a, table);
    const std::vector<float> v = to_float32(a, table);
    std::vector<float> permuted(v);
    for (size_t i = 0; i < order.size(); ++i) {
      std::copy(v.begin() + static_cast<std::ptrdiff_t>(order[i] * s.cols),
                v.begin() + static_cast<std::ptrdiff_t>((order[i] + 1) * s.cols),
                permuted.begin() + static_cast<std::ptrdiff_t>(i * s.cols));
    }
    a = make_npy_f32({s.rows, s.cols}, permuted.data());
  }

  // classifier.log_prior: from [prior] weights (log of the normalised
  // weights) or from an array of log weights.
  void add_prior(const ModelSpec& spec) {
    if (spec.prior.empty() && !spec.has_prior_default && spec.prior_array.empty()) return;
    const std::string where = o_.spec_name + ": prior: ";
    if (!spec.prior_array.empty() && (!spec.prior.empty() || spec.has_prior_default)) {
      throw std::runtime_error(where + "give [prior] weights or 'prior = ARRAY' in [classifier], not both");
    }
    if (spec.labels.empty()) throw std::runtime_error(where + "the model has no [labels]");
    if (!spec.prior_array.empty()) {
      const NpyArray& a = array(spec.prior_array, "[classifier] prior");
      const std::vector<float> v = to_float32(a, spec.prior_array);
      if (v.size() != spec.labels.size() || a.shape.size() > 2 || (a.shape.size() == 2 && a.shape[1] != 1)) {
        throw std::runtime_error(where + "'" + spec.prior_array + "' must hold one log weight per label (" +
                                 std::to_string(spec.labels.size()) + ")");
      }
      check_finite(spec.prior_array, v, 1);
      TensorToWrite t;
      t.name = spec.prior_array;
      t.rank = 1;
      t.rows = v.size();
      t.cols = 1;
      t.values = v;
      writer_.add_tensor(std::move(t));
      writer_.set_string("classifier.log_prior", spec.prior_array);
      return;
    }
    std::vector<double> weights(spec.labels.size(), spec.has_prior_default ? spec.prior_default : 0.0);
    std::vector<bool> given(spec.labels.size(), false);
    for (const auto& e : spec.prior) {
      size_t i = 0;
      while (i < spec.labels.size() && spec.labels[i].first != e.first) ++i;
      if (i == spec.labels.size()) throw std::runtime_error(where + "'" + e.first + "' is not one of the [labels]");
      weights[i] = e.second;
      given[i] = true;
    }
    double total = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (!given[i] && !spec.has_prior_default) {
        throw std::runtime_error(where + "label '" + spec.labels[i].first + "' has no weight (list it, or add a '* WEIGHT' line)");
      }
      total += weights[i];
    }
    TensorToWrite t;
    t.name = "log_prior";
    t.rank = 1;
    t.rows = weights.size();
    t.cols = 1;
    for (double w : weights) t.values.push_back(static_cast<float>(std::log(w / total)));
    writer_.add_tensor(std::move(t));
    writer_.set_string("classifier.log_prior", "log_prior");
  }

  // The words file of a section ([neighbours], [lexicon]; relative to the
  // spec) as text, and the model's label codes its lines name.
  std::string words_file_text(const ModelSpec& spec, const std::string& section, const std::string& path,
                              std::vector<std::string>* codes) const {
    const std::string where = o_.spec_name + ": [" + section + "]: ";
    if (spec.labels.empty()) throw std::runtime_error(where + "the model has no [labels]");
    std::vector<uint8_t> bytes;
    try {
      bytes = read_file_bytes(path, kDefaultMaxInputBytes);
    } catch (const std::exception& e) {
      throw std::runtime_error(where + "words file: " + e.what());
    }
    for (const auto& l : spec.labels) codes->push_back(l.first);
    return std::string(bytes.begin(), bytes.end());
  }

  // [neighbours]: the words file (neighbour_words.h) becomes the
  // neighbours.* keys and the neighbour_scores tensor.
  void add_neighbours(const ModelSpec& spec) {
    if (!spec.neighbours.present) return;
    const std::string where = o_.spec_name + ": [neighbours]: ";
    const std::string path = relative_to_spec(spec.neighbours.words_file);
    std::vector<std::string> codes;
    const std::string text = words_file_text(spec, "neighbours", path, &codes);
    WordCharacters characters;
    characters.lowercase = spec.lowercase;
    characters.drop_digits = spec.drop_digits;
    NeighbourTables tables = build_neighbour_tables(text, path, spec.neighbours, codes, characters);
    if (arrays_.count(kNeighbourScoresTensor)) {
      throw std::runtime_error(where + "an input array is named '" + kNeighbourScoresTensor + "', the tensor the scores go to");
    }
    if (!o_.quiet) {
      std::printf("  neighbour words: %zu groups, %zu words, %sseed %u, weight %g\n", tables.groups.size(),
                  tables.words.size(), tables.key_bits == 24 ? "24-bit keys, " : "", tables.seed,
                  static_cast<double>(tables.weight));
    }
    QuantizationReport report;
    measure_dequantized(tables.scores, tables.values, &report);
    report_row(kNeighbourScoresTensor, Shape2{1, tables.scores.cols, 2}, report,
               tables.scores.dtype == DType::kQ4Row ? "q4_row" : "q8_row", tables.scores.zero_point);
    write_neighbour_tables(std::move(tables), &writer_);
  }

  // [lexicon]: the words file (lexicon.h) becomes the lexicon.* keys.
  void add_lexicon(const ModelSpec& spec) {
    if (!spec.lexicon.present) return;
    const std::string path = relative_to_spec(spec.lexicon.words_file);
    std::vector<std::string> codes;
    const std::string text = words_file_text(spec, "lexicon", path, &codes);
    const LexiconTables tables = build_lexicon_tables(text, path, spec.lexicon, codes, text_metadata(spec));
    warnings_.insert(warnings_.end(), tables.warnings.begin(), tables.warnings.end());
    if (!o_.quiet) {
      std::printf("  lexicon: %zu words, %zu labels, seed %u, weight %g, texts of 1-%u words\n", tables.entries.size(),
                  tables.labels, tables.seed, static_cast<double>(tables.weight), tables.max_words);
    }
    write_lexicon_tables(tables, &writer_);
  }

  // No arrays, a spec: a features-only file (task "features"): text options
  // and channels (buckets and dims from the spec), for outside trainers.
  void convert_features_only(const ModelSpec& spec) {
    if (spec.channels.empty()) {
      throw std::runtime_error(o_.spec_name + ": no arrays were given and the spec has no [channel]: nothing to convert");
    }
    if (spec.neighbours.present) {
      throw std::runtime_error(o_.spec_name + ": [neighbours] needs a classifier's arrays; a features-only file has none");
    }
    if (spec.lexicon.present) {
      throw std::runtime_error(o_.spec_name + ": [lexicon] needs a classifier's arrays; a features-only file has none");
    }
    writer_.set_string("general.task", "features");
    if (!spec.name.empty()) writer_.set_string("general.name", spec.name);
    if (!spec.description.empty()) writer_.set_string("general.description", spec.description);
    if (!spec.license.empty()) writer_.set_string("general.license", spec.license);
    if (!spec.source.empty()) writer_.set_string("general.source", spec.source);
    std::vector<ChannelMetadata> channels;
    const uint32_t padding = spec.tokenizer.empty() ? 0 : 2;  // token models: two padding rows per channel
    for (size_t i = 0; i < spec.channels.size(); ++i) {
      const ChannelSpecEntry& c = spec.channels[i];
      const std::string where = o_.spec_name + ": channel " + std::to_string(i) + " (" + c.kind + ")";
      ChannelMetadata m = c;
      m.embedding.clear();  // no tables in a features-only file
      if (c.dims == 0) throw std::runtime_error(where + ": a features-only file needs 'dims'");
      if (!c.vocab_file.empty()) {
        m.vocab = read_vocabulary(c.vocab_file, where);
        std::sort(m.vocab.begin(), m.vocab.end());
        for (size_t k = 1; k < m.vocab.size(); ++k) {
          if (m.vocab[k] == m.vocab[k - 1]) throw std::runtime_error(where + ": the vocabulary has '" + m.vocab[k] + "' twice");
        }
        if (m.buckets == 0) m.buckets = static_cast<uint32_t>(m.vocab.size()) + c.oov_buckets + padding;
      }
      const FeatureKindInfo& info = kind_info(c.kind, where);
      if (m.buckets == 0 && info.fixed_buckets != 0) m.buckets = info.fixed_buckets + padding;
      if (m.buckets == 0) throw std::runtime_error(where + ": a features-only file needs 'buckets'");
      channels.push_back(m);
    }
    try {
      write_features(writer_, text_metadata(spec), channels);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(o_.spec_name + ": " + e.what());
    }
    if (!spec.labels.empty()) {
      std::vector<std::string> codes;
      for (const auto& l : spec.labels) codes.push_back(l.first);
      writer_.set_strings("labels", codes);
    }
    if (!spec.layers.empty()) std::fprintf(stderr, "warning: no arrays given: a features-only file; the [layer] sections are left out\n");
    for (const auto& kv : spec.extra) writer_.set_string(kv.first, kv.second);
  }

  std::vector<uint8_t> build() const { return writer_.build(); }
  const std::vector<std::string>& warnings() const { return warnings_; }
  uint64_t total_float() const { return total_float_; }
  uint64_t total_quantized() const { return total_quantized_; }

 private:
  const ConvertOptions& o_;
  std::map<std::string, NpyArray> arrays_;
  std::map<std::string, bool> used_, added_;
  std::map<std::string, std::string> embedding_storage_;  // table -> how its first channel stores it
  ModelWriter writer_;
  uint64_t total_float_ = 0, total_quantized_ = 0;
  std::vector<std::string> warnings_;  // what the caller must hear even with quiet
  uint32_t padding_ = 0;  // token models: 2 padding rows per channel table
};

}  // namespace

std::vector<uint8_t> convert(const std::map<std::string, NpyArray>& arrays, const ConvertOptions& o,
                             std::vector<std::string>* warnings) {
  if (arrays.empty() && o.spec_text.empty()) throw std::runtime_error("the inputs hold no arrays; nothing to convert");
  Converter converter(o, arrays);
  std::vector<uint8_t> bytes;
  try {
    if (o.spec_text.empty()) converter.convert_plain();
    else if (arrays.empty()) converter.convert_features_only(parse_model_spec(o.spec_text, o.spec_name));
    else converter.convert_with_spec(parse_model_spec(o.spec_text, o.spec_name));
    bytes = converter.build();
    for (const std::string& w : converter.warnings()) {
      if (warnings != nullptr) warnings->push_back(w);
      else std::fprintf(stderr, "warning: %s\n", w.c_str());
    }
  } catch (const std::invalid_argument& e) {
    // ModelWriter's checks (names, keys): keep the documented exception type.
    throw std::runtime_error(e.what());
  }
  // Never hand out a file the runtime would refuse: load it first.
  Model model;
  Error error;
  if (Model::load(bytes.data(), bytes.size(), &model, &error) != Status::kOk) {
    throw std::runtime_error(std::string("the converted model does not validate: ") + error.message);
  }
  if (!o.quiet && converter.total_float() > 0) {
    std::printf("quantized tensors: %llu bytes as float32 -> %llu bytes quantized\n",
                static_cast<unsigned long long>(converter.total_float()),
                static_cast<unsigned long long>(converter.total_quantized()));
  }
  return bytes;
}

}  // namespace tools
}  // namespace ffnlp

// inspect_model: show what a .ffm file holds, or one tensor's values.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "tools/common/strict_number.h"

namespace ffnlp {
namespace {

const char kUsage[] =
    "usage: inspect_model FILE [--dump TENSOR] [--rows N] [--all]\n"
    "  (no option)     header, tensors, metadata and sizes\n"
    "  --dump TENSOR   the tensor's stored values; for q8_row, q4_row(_bf16) and\n"
    "                  q3_row_bf16: the quantized values, the row scale and the\n"
    "                  dequantized values, row by row\n"
    "                  (q8_col: the column scales first)\n"
    "  --rows N        rows to dump (default 16; 0 = all)\n"
    "  --all           list every element of string and u32 arrays (labels,\n"
    "                  neighbour words, lexicon entries)\n";

const char* dtype_name(DType d) {
  switch (d) {
    case DType::kQ8Row: return "q8_row";
    case DType::kQ8RowFzp: return "q8_row_fzp";
    case DType::kQ8Col: return "q8_col";
    case DType::kQ4Row: return "q4_row";
    case DType::kQ4RowBf16: return "q4_row_bf16";
    case DType::kQ3RowBf16: return "q3_row_bf16";
    case DType::kF32: break;
  }
  return "f32";
}

bool quantized(DType d) { return d != DType::kF32; }

// The bytes a tensor's data and scales (and zero points) take in the file.
uint64_t tensor_bytes(const TensorView& t) {
  switch (t.dtype) {
    case DType::kQ8Row: return t.rows * t.cols + t.rows * 4;
    case DType::kQ8RowFzp: return t.rows * t.cols + t.rows * 8;
    case DType::kQ8Col: return t.rows * t.cols + t.cols * 4;
    case DType::kQ4Row: return t.rows * q4_row_bytes(t.cols) + t.rows * 4;
    case DType::kQ4RowBf16: return t.rows * q4_row_bytes(t.cols) + t.rows * 2;  // bfloat16 scales
    case DType::kQ3RowBf16: return t.rows * q3_row_bytes(t.cols) + t.rows * 2;
    case DType::kF32: break;
  }
  return t.rows * t.cols * 4;
}

// Stored value c of row r (a q4_row(_bf16) nibble, a q3_row_bf16 3-bit
// value, else a byte).
unsigned stored_q(const TensorView& t, uint64_t r, uint64_t c) {
  return stored_value(t.dtype, t.data + r * tensor_row_bytes(t.dtype, t.cols), c);
}

void print_metadata(const Model& model, bool all) {
  std::printf("metadata (%u entries):\n", model.metadata_count());
  int width = 34;  // the key column: as wide as the longest key (up to 64), so the types line up
  for (uint32_t i = 0; i < model.metadata_count(); ++i) {
    MetadataItem e;
    if (model.metadata_item(i, &e)) width = std::max(width, static_cast<int>(std::min<size_t>(e.key_length, 64)));
  }
  for (uint32_t i = 0; i < model.metadata_count(); ++i) {
    MetadataItem e;
    if (!model.metadata_item(i, &e)) break;
    const std::string k(e.key, e.key_length);
    std::printf("  %-*s ", width, k.c_str());
    switch (e.type) {
      case MetaType::kU32: std::printf("u32    %u\n", e.u32()); break;
      case MetaType::kF32: std::printf("f32    %g\n", static_cast<double>(e.f32())); break;
      case MetaType::kString: std::printf("string \"%s\"\n", e.string()); break;
      case MetaType::kStringArray: {
        std::printf("string[%u]", e.count);
        const uint32_t shown = all ? e.count : (e.count < 12 ? e.count : 12);
        for (uint32_t j = 0; j < shown; ++j) std::printf(" %s%s", e.string(j), j + 1 < shown ? "," : "");
        if (shown < e.count) std::printf(" ... (--all lists them)");
        std::printf("\n");
        break;
      }
      case MetaType::kU32Array: {
        std::printf("u32[%u]", e.count);
        const uint32_t shown = all ? e.count : (e.count < 16 ? e.count : 16);
        for (uint32_t j = 0; j < shown; ++j) std::printf(" %u", e.u32(j));
        if (shown < e.count) std::printf(" ... (--all lists them)");
        std::printf("\n");
        break;
      }
    }
  }
}

bool find_metadata(const Model& model, const char* key, MetaType type, MetadataItem* item) {
  for (uint32_t i = 0; i < model.metadata_count(); ++i) {
    if (model.metadata_item(i, item) && item->type == type && item->key_length == std::strlen(key) &&
        std::memcmp(item->key, key, item->key_length) == 0) {
      return true;
    }
  }
  return false;
}

// One line for the neighbour words (docs/FORMAT.md, neighbours.*): each
// group's label codes and word count; the arrays themselves are long.
void print_neighbours(const Model& model) {
  MetadataItem groups, labels, counts, words;
  if (!find_metadata(model, "neighbours.groups", MetaType::kU32Array, &groups)) return;
  std::printf("neighbours ");
  uint64_t members = 0;
  for (uint32_t g = 0; g < groups.count; ++g) members += groups.u32(g);
  if (!find_metadata(model, "neighbours.labels", MetaType::kU32Array, &labels) ||
      !find_metadata(model, "neighbours.word_counts", MetaType::kU32Array, &counts) ||
      !find_metadata(model, "neighbours.words", MetaType::kU32Array, &words) || labels.count != members ||
      counts.count != groups.count) {
    std::printf(" (neighbours.* keys missing or of inconsistent sizes)\n");
    return;
  }
  uint32_t seed = 0, key_bits = 32;
  float weight = 0;
  model.metadata_u32("neighbours.seed", &seed);
  model.metadata_f32("neighbours.weight", &weight);
  model.metadata_u32("neighbours.key_bits", &key_bits);
  // The words from the counts: with 24-bit keys the array holds 3 bytes a word.
  uint64_t word_total = 0;
  for (uint32_t g = 0; g < counts.count; ++g) word_total += counts.u32(g);
  std::printf(" %u groups, %llu words, %sseed %u, weight %g:", groups.count, static_cast<unsigned long long>(word_total),
              key_bits == 24 ? "24-bit keys, " : "", seed, static_cast<double>(weight));
  uint32_t at = 0;
  for (uint32_t g = 0; g < groups.count; ++g) {
    std::printf("%s", g ? ";" : "");
    for (uint32_t m = 0; m < groups.u32(g); ++m, ++at) {
      const uint32_t label = labels.u32(at);
      if (label < model.label_count()) std::printf(" %s", model.label(label));
      else std::printf(" #%u", label);
    }
    std::printf(" (%u words)", counts.u32(g));
  }
  std::printf("\n");
}

// One line for the lexicon (docs/FORMAT.md, lexicon.*): its entries (a
// word under two labels counts twice), their labels (an entry's low bits)
// and the rule's settings.
void print_lexicon(const Model& model) {
  MetadataItem entries;
  if (!find_metadata(model, "lexicon.entries", MetaType::kU32Array, &entries)) return;
  uint32_t seed = 0, max_words = 0;
  float weight = 0;
  model.metadata_u32("lexicon.seed", &seed);
  model.metadata_f32("lexicon.weight", &weight);
  model.metadata_u32("lexicon.max_words", &max_words);
  const uint32_t mask = format::lexicon_label_mask(model.label_count());
  std::vector<bool> labelled(model.label_count(), false);
  for (uint32_t i = 0; i < entries.count; ++i) {
    const uint32_t label = entries.u32(i) & mask;
    if (label < labelled.size()) labelled[label] = true;
  }
  std::printf("lexicon     %u words, %zu labels, seed %u, weight %g, texts of 1-%u words\n", entries.count,
              static_cast<size_t>(std::count(labelled.begin(), labelled.end(), true)), seed, static_cast<double>(weight),
              max_words);
}

int dump(const Model& model, const char* name, uint64_t max_rows) {
  const TensorView* t = model.find_tensor(name);
  if (t == nullptr) {
    std::fprintf(stderr, "inspect_model: no tensor named '%s'\n", name);
    return 1;
  }
  std::printf("%s: %s (%llu, %llu)\n", t->name, dtype_name(t->dtype), static_cast<unsigned long long>(t->rows),
              static_cast<unsigned long long>(t->cols));
  if (t->dtype == DType::kQ8Row || t->dtype == DType::kQ4Row || t->dtype == DType::kQ4RowBf16 ||
      t->dtype == DType::kQ3RowBf16) {
    std::printf("zero point %u; dequantized = (q - %u) * scale\n", t->zero_point, t->zero_point);
  }
  if (t->dtype == DType::kQ8RowFzp) std::printf("float zero point per row; dequantized = (q - zero point) * scale\n");
  if (t->dtype == DType::kQ8Col) {
    // Transposed dense weights: a row is one input's weights for every output.
    std::printf("zero point %u; dequantized = (q - %u) * scale of the column\n  scales [", t->zero_point, t->zero_point);
    for (uint64_t c = 0; c < t->cols; ++c) std::printf("%s%.9g", c ? ", " : "", static_cast<double>(t->col_scale(c)));
    std::printf("]\n");
  }
  const uint64_t rows = (max_rows == 0 || max_rows > t->rows) ? t->rows : max_rows;
  for (uint64_t r = 0; r < rows; ++r) {
    if (quantized(t->dtype)) {
      std::printf("row %llu\n  q     [", static_cast<unsigned long long>(r));
      for (uint64_t c = 0; c < t->cols; ++c) std::printf("%s%u", c ? ", " : "", stored_q(*t, r, c));
      std::printf("]\n");
      if (t->dtype != DType::kQ8Col) std::printf("  scale %.9g\n", static_cast<double>(t->row_scale(r)));
      if (t->dtype == DType::kQ8RowFzp) std::printf("  zero point %.9g\n", static_cast<double>(t->row_zero_point(r)));
      std::printf("  value [");
      for (uint64_t c = 0; c < t->cols; ++c) std::printf("%s%.9g", c ? ", " : "", static_cast<double>(t->at(r, c)));
      std::printf("]\n");
    } else {
      std::printf("row %llu [", static_cast<unsigned long long>(r));
      for (uint64_t c = 0; c < t->cols; ++c) std::printf("%s%.9g", c ? ", " : "", static_cast<double>(t->at(r, c)));
      std::printf("]\n");
    }
  }
  if (rows < t->rows) std::printf("... %llu more rows (--rows 0 shows all)\n", static_cast<unsigned long long>(t->rows - rows));
  return 0;
}

int run(int argc, char** argv) {
  const char* path = nullptr;
  const char* dump_name = nullptr;
  uint64_t max_rows = 16;
  bool all = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dump") == 0 && i + 1 < argc) dump_name = argv[++i];
    else if (std::strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
      if (!tools::parse_decimal(argv[++i], &max_rows)) {
        std::fprintf(stderr, "inspect_model: --rows must be a decimal number (0 = all rows), got '%s'\n", argv[i]);
        return 2;
      }
    }
    else if (std::strcmp(argv[i], "--all") == 0) all = true;
    else if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
      std::printf("%s", kUsage);
      return 0;
    } else if (argv[i][0] != '-' && path == nullptr) path = argv[i];
    else {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    }
  }
  if (path == nullptr) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  MappedFile file;
  Model model;
  Error error;
  if (load_file(path, &file, &model, &error) != Status::kOk) {
    std::fprintf(stderr, "inspect_model: %s: %s: %s\n", path, status_name(error.status), error.message);
    return 1;
  }
  if (dump_name != nullptr) return dump(model, dump_name, max_rows);

  const uint8_t* p = static_cast<const uint8_t*>(file.data());
  std::printf("file        %s\n", path);
  std::printf("size        %zu bytes\n", file.size());
  std::printf("format      version %u, little-endian, checksum 0x%08x (verified)\n", model.format_version(),
              model.checksum());
  std::printf("task        %s%s%s\n", model.task()[0] ? model.task() : "(none)", model.model_name()[0] ? ", name " : "",
              model.model_name());
  std::printf("tensors     %u\n", model.tensor_count());
  uint64_t total = 0;
  for (uint32_t i = 0; i < model.tensor_count(); ++i) {
    const TensorView& t = model.tensor(i);
    const uint64_t bytes = tensor_bytes(t);
    total += bytes;
    std::printf("  %-20s %-7s (%llu, %llu)%*s %9llu bytes at %llu", t.name, dtype_name(t.dtype),
                static_cast<unsigned long long>(t.rows), static_cast<unsigned long long>(t.cols), 2, "",
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(t.data - p));
    if (t.dtype == DType::kQ8Row) std::printf(" (zero point %u)", t.zero_point);
    if (t.dtype == DType::kQ4Row) std::printf(" (zero point %u; 4-bit, two per byte)", t.zero_point);
    if (t.dtype == DType::kQ4RowBf16) std::printf(" (zero point %u; 4-bit, two per byte, bf16 scales)", t.zero_point);
    if (t.dtype == DType::kQ3RowBf16) std::printf(" (zero point %u; 3-bit, 16 in 6 bytes, bf16 scales)", t.zero_point);
    if (t.dtype == DType::kQ8RowFzp) std::printf(" (float zero point per row)");
    if (t.dtype == DType::kQ8Col) std::printf(" (zero point %u; transposed: (in, out), a scale per column)", t.zero_point);
    std::printf("\n");
  }
  std::printf("tensor bytes %llu of %zu\n", static_cast<unsigned long long>(total), file.size());
  if (model.has_features()) {
    std::printf("channels   ");
    for (uint32_t i = 0; i < model.channel_count(); ++i) {
      const ChannelInfo& c = model.channel(i);
      if (c.kind == FeatureKind::kCharNgram) std::printf(" %u-gram", c.order);
      else std::printf(" %s", c.kind_name);
      if (c.length != 0) std::printf("(%u)", c.length);
      std::printf("[%u x %u]", c.buckets, c.dims);
      // A table an earlier channel reads too (another seed over the same rows).
      for (uint32_t j = 0; j < i; ++j) {
        if (c.embedding.data != nullptr && model.channel(j).embedding.data == c.embedding.data) {
          std::printf("(seed %u, table of channel %u)", c.seed, j);
          break;
        }
      }
    }
    std::printf("\ninput       %u values (features version %u)%s\n", model.input_width(), model.features_version(),
                model.text_cleanup_level() == 2 ? ", text clean-up on (laughter too)"
                : model.text_cleanup() ? ", text clean-up on" : "");
  }
  if (model.is_classifier()) {
    std::printf("network     input %u", model.input_width());
    for (uint32_t i = 0; i < model.layer_count(); ++i) {
      const LayerInfo& l = model.layer(i);
      std::printf(" -> %u (%s, %s)", l.out,
                  l.activation == Activation::kRelu ? "relu" : l.activation == Activation::kSoftmax ? "softmax" : "none",
                  dtype_name(l.weights.dtype));
    }
    std::printf("\nlabels      %u%s\nscratch     %zu bytes per concurrent call\n", model.label_count(),
                model.has_prior() ? " (with a prior: classifier.log_prior)" : "", model.scratch_bytes());
    print_neighbours(model);
    print_lexicon(model);
  }
  print_metadata(model, all);
  return 0;
}

}  // namespace
}  // namespace ffnlp

int main(int argc, char** argv) { return ffnlp::run(argc, argv); }

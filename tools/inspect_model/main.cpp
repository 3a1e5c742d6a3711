// inspect_model: show what a .ffm file holds, or one tensor's values.
#include <cstdio>
#include <cstring>
#include <string>

#include "file/byte_order.h"
#include "ffnlp/ffnlp.h"
#include "file/format.h"
#include "file/metadata.h"

namespace ffnlp {
namespace {

const char kUsage[] =
    "usage: inspect_model FILE [--dump TENSOR] [--rows N] [--all]\n"
    "  (no option)     header, tensors, metadata and sizes\n"
    "  --dump TENSOR   the tensor's stored values; for q8_row: quantized bytes,\n"
    "                  the row scale and the dequantized values, row by row\n"
    "  --rows N        rows to dump (default 16; 0 = all)\n"
    "  --all           list every string of string arrays (labels)\n";

const char* dtype_name(DType d) { return d == DType::kQ8Row ? "q8_row" : "f32"; }

void print_metadata(const Model& model, const uint8_t* section, uint64_t size, uint32_t count, bool all) {
  uint64_t pos = 0;
  (void)model;
  std::printf("metadata (%u entries, %llu bytes):\n", count, static_cast<unsigned long long>(size));
  for (uint32_t i = 0; i < count; ++i) {
    // Walk entry by entry; the loader validated the section already.
    const uint32_t key_length = read_u32(section + pos);
    const char* key = reinterpret_cast<const char*>(section + pos + 4);
    std::string k(key, key_length);
    MetaEntry e;
    find_metadata(section, size, count, k.c_str(), &e);
    std::printf("  %-34s ", k.c_str());
    switch (e.type) {
      case format::MetaType::kU32: std::printf("u32    %u\n", meta_u32(e)); break;
      case format::MetaType::kF32: std::printf("f32    %g\n", static_cast<double>(meta_f32(e))); break;
      case format::MetaType::kString: std::printf("string \"%s\"\n", meta_string(e)); break;
      case format::MetaType::kStringArray: {
        const StringArrayView v = meta_string_array(e);
        std::printf("string[%u]", v.count);
        const uint32_t shown = all ? v.count : (v.count < 12 ? v.count : 12);
        for (uint32_t j = 0; j < shown; ++j) std::printf(" %s%s", v.at(j), j + 1 < shown ? "," : "");
        if (shown < v.count) std::printf(" ... (--all lists them)");
        std::printf("\n");
        break;
      }
      case format::MetaType::kU32Array: {
        const uint32_t n = read_u32(e.value);
        std::printf("u32[%u]", n);
        for (uint32_t j = 0; j < n && j < 16; ++j) std::printf(" %u", read_u32(e.value + 4 + 4 * j));
        std::printf("\n");
        break;
      }
    }
    const uint64_t value_end = static_cast<uint64_t>(e.value - section) + e.value_size;
    pos = (value_end + 3) & ~uint64_t{3};
  }
}

int dump(const Model& model, const char* name, uint64_t max_rows) {
  const TensorView* t = model.find_tensor(name);
  if (t == nullptr) {
    std::fprintf(stderr, "inspect_model: no tensor named '%s'\n", name);
    return 1;
  }
  std::printf("%s: %s (%llu, %llu)%s\n", t->name, dtype_name(t->dtype), static_cast<unsigned long long>(t->rows),
              static_cast<unsigned long long>(t->cols), t->dtype == DType::kQ8Row ? "" : "");
  if (t->dtype == DType::kQ8Row) std::printf("zero point %u; dequantized = (q - %u) * scale\n", t->zero_point, t->zero_point);
  const uint64_t rows = (max_rows == 0 || max_rows > t->rows) ? t->rows : max_rows;
  for (uint64_t r = 0; r < rows; ++r) {
    if (t->dtype == DType::kQ8Row) {
      std::printf("row %llu\n  q     [", static_cast<unsigned long long>(r));
      for (uint64_t c = 0; c < t->cols; ++c) std::printf("%s%u", c ? ", " : "", t->data[r * t->cols + c]);
      std::printf("]\n  scale %.9g\n  value [", static_cast<double>(t->row_scale(r)));
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
    else if (std::strcmp(argv[i], "--rows") == 0 && i + 1 < argc) max_rows = std::strtoull(argv[++i], nullptr, 10);
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
  std::printf("format      version %u, little-endian, checksum 0x%08x (verified)\n", read_u32(p + format::kOffVersion),
              read_u32(p + format::kOffChecksum));
  std::printf("task        %s%s%s\n", model.task()[0] ? model.task() : "(none)", model.model_name()[0] ? ", name " : "",
              model.model_name());
  std::printf("tensors     %u\n", model.tensor_count());
  uint64_t total = 0;
  for (uint32_t i = 0; i < model.tensor_count(); ++i) {
    const TensorView& t = model.tensor(i);
    const uint64_t bytes = t.rows * t.cols * (t.dtype == DType::kQ8Row ? 1 : 4) + (t.dtype == DType::kQ8Row ? t.rows * 4 : 0);
    total += bytes;
    std::printf("  %-20s %-7s (%llu, %llu)%*s %9llu bytes at %llu", t.name, dtype_name(t.dtype),
                static_cast<unsigned long long>(t.rows), static_cast<unsigned long long>(t.cols), 2, "",
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(t.data - p));
    if (t.dtype == DType::kQ8Row) std::printf(" (zero point %u)", t.zero_point);
    std::printf("\n");
  }
  std::printf("tensor bytes %llu of %zu\n", static_cast<unsigned long long>(total), file.size());
  if (model.is_classifier()) {
    std::printf("network     input %u", model.input_width());
    for (uint32_t i = 0; i < model.layer_count(); ++i) {
      const LayerInfo& l = model.layer(i);
      std::printf(" -> %u (%s)", l.out, l.activation == Activation::kRelu ? "relu" : l.activation == Activation::kSoftmax ? "softmax" : "none");
    }
    std::printf("\nchannels   ");
    for (uint32_t i = 0; i < model.channel_count(); ++i) {
      const ChannelInfo& c = model.channel(i);
      if (c.kind == ChannelKindId::kScript) std::printf(" script[%u x %u]", c.buckets, c.dims);
      else std::printf(" %u-gram[%u x %u]", c.order, c.buckets, c.dims);
    }
    std::printf("\nlabels      %u\nscratch     %zu bytes per concurrent call\n", model.label_count(), model.scratch_bytes());
  }
  const uint64_t meta_offset = read_u64(p + format::kOffMetadataOffset);
  print_metadata(model, p + meta_offset, read_u64(p + format::kOffMetadataSize), read_u32(p + format::kOffMetadataCount), all);
  return 0;
}

}  // namespace
}  // namespace ffnlp

int main(int argc, char** argv) { return ffnlp::run(argc, argv); }

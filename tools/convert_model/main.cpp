// convert_model: float weights (.npy/.npz) + a model spec -> one .ffm file
// with row-quantized embeddings. Usage: see kUsage.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/file_io.h"
#include "tools/common/strict_number.h"
#include "tools/convert_model/converter.h"

namespace ffnlp {
namespace tools {
namespace {

const char kUsage[] =
    "usage: convert_model INPUT.npz|INPUT.npy... -o OUTPUT.ffm [options]\n"
    "       convert_model --spec FEATURES.spec -o OUTPUT.ffm\n"
    "\n"
    "Without --spec, every 2-D array becomes a row-quantized embedding table\n"
    "and every 1-D array a float32 vector (task 'embedding'). With --spec and no\n"
    "arrays, a features-only file (task 'features': text options and channels with\n"
    "their buckets and dims) for trainers that use the runtime's feature code.\n"
    "\n"
    "options:\n"
    "  --spec FILE           model specification (docs/SPEC.md): channels, layers, labels\n"
    "  -o, --output FILE     output model file (written atomically)\n"
    "  --force               overwrite an existing output file\n"
    "  --rounding MODE       half-up (default; floor(x + 0.5), the paper's formula) or\n"
    "                        half-even (torch.quantize_per_channel's bytes, bit for bit)\n"
    "  --zero-point N        zero point b, 0..255 (default 128): b - 1 quantized steps for\n"
    "                        negative values and 255 - b for positive ones; a table with\n"
    "                        values of a sign b leaves no room for is refused\n"
    "  --float-embeddings    keep embeddings as float32 (for size/speed comparisons)\n"
    "  --quiet               no report\n"
    "  --max-bytes SIZE      refuse an input file larger than SIZE bytes, and inputs whose\n"
    "                        arrays (after decompression) exceed SIZE bytes together;\n"
    "                        K, M, G, T are powers of 1024 (default 1G)\n"
    "\n"
    "Already-quantized tables (torch's int_repr()) are imported without requantizing:\n"
    "a uint8 array NAME, or an int8 one (qint8), with NAME_scales and NAME_zero_points\n"
    "(q_per_channel_scales() and q_per_channel_zero_points()) becomes a q8_row tensor\n"
    "(one integer zero point) or a q8_row_fzp tensor (a zero point per row, float zero\n"
    "points of per_channel_affine_float_qparams) as it is. Without NAME_zero_points a\n"
    "uint8 table is taken to have zero point 128, with a warning (refused if it holds\n"
    "byte 0), and an int8 table is refused. float64 scales that are not float32\n"
    "numbers are rounded with a warning.\n"
    "See docs/QUANTIZATION.md and docs/PYTORCH.md.\n";

// A spec file is a page of text; anything this large is not one.
constexpr uint64_t kMaxSpecBytes = 1 << 20;

struct Options {
  std::vector<std::string> inputs;
  std::string spec_path, output;
  bool force = false;
  uint64_t max_bytes = kDefaultMaxInputBytes;
  ConvertOptions convert;
};

Options parse_args(int argc, char** argv) {
  Options o;
  o.convert.quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&](const char* flag) -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "-o" || a == "--output") o.output = next("-o");
    else if (a == "--spec") o.spec_path = next("--spec");
    else if (a == "--force") o.force = true;
    else if (a == "--float-embeddings") o.convert.float_embeddings = true;
    else if (a == "--quiet") o.convert.quiet = true;
    else if (a == "--rounding") {
      const std::string m = next("--rounding");
      if (m == "half-up") o.convert.rounding = Rounding::kHalfUp;
      else if (m == "half-even") o.convert.rounding = Rounding::kHalfEven;
      else throw std::runtime_error("--rounding must be half-up or half-even");
    } else if (a == "--zero-point") {
      const std::string v = next("--zero-point");
      uint64_t z = 0;
      if (!parse_decimal(v, &z) || z > 255) throw std::runtime_error("--zero-point must be 0..255, got '" + v + "'");
      o.convert.zero_point = static_cast<uint32_t>(z);
    } else if (a == "--max-bytes") {
      const std::string v = next("--max-bytes");
      if (!parse_byte_size(v, &o.max_bytes) || o.max_bytes == 0) {
        throw std::runtime_error("--max-bytes must be a positive number of bytes (e.g. 1073741824 or 1G), got '" + v + "'");
      }
    } else if (!a.empty() && a[0] == '-') throw std::runtime_error("unknown option " + a);
    else o.inputs.push_back(a);
  }
  if (o.inputs.empty() && o.spec_path.empty()) throw std::runtime_error("no input arrays given");
  if (o.output.empty()) throw std::runtime_error("no output file given (-o FILE)");
  return o;
}

int run(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  const std::map<std::string, NpyArray> arrays = read_array_files(o.inputs, o.max_bytes);
  if (!o.spec_path.empty()) {
    const std::vector<uint8_t> spec = read_file_bytes(o.spec_path, kMaxSpecBytes);
    o.convert.spec_text.assign(spec.begin(), spec.end());
    o.convert.spec_name = o.spec_path;
  }
  if (!o.convert.quiet) std::printf("converting %zu input(s) -> %s\n", o.inputs.size(), o.output.c_str());
  const std::vector<uint8_t> bytes = convert(arrays, o.convert);
  write_file_atomically(o.output, bytes, o.force);
  if (!o.convert.quiet) std::printf("wrote %s: %zu bytes\n", o.output.c_str(), bytes.size());
  return 0;
}

}  // namespace
}  // namespace tools
}  // namespace ffnlp

int main(int argc, char** argv) {
  try {
    return ffnlp::tools::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convert_model: error: %s\n", e.what());
    return 1;
  }
}

// libFuzzer target: the NPY/NPZ readers and the converter.
//
// The first byte selects what the rest of the input is:
//   0: one .npy file  -> parse_npy, to_float32 / to_uint8, write_npy round trip
//   1: one .npz file  -> read_npz, then convert() without a spec
//   2: one .npz file  -> read_npz, then convert() with the tiny classifier spec
//                        (arrays emb1, emb2, emb_script, hidden_w, hidden_b,
//                        out_w, out_b; see tests/fuzz/src/make_seeds.cpp)
//   3: spec text, a NUL byte, then an .npz file -> convert() with that spec
// Documented failures are std::runtime_error (the converter's contract); any
// other exception escaping, a crash, a leak or UB is a finding. Every model
// the converter returns must load with the runtime. The converter warns on
// stderr (unused arrays, collapsed rows): `make fuzz` runs this target with
// -close_fd_mask=2, so invariant failures are printed on stdout.
#include "fuzz_check.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"
#include "tools/convert_model/converter.h"

namespace {

const char kTinySpec[] =
    "[model]\n"
    "task = classifier\n"
    "name = fuzz\n"
    "[channel]\n"
    "kind = char_ngram\norder = 1\nseed = 7\nembedding = emb1\n"
    "[channel]\n"
    "kind = char_ngram\norder = 2\nseed = 11\nembedding = emb2\n"
    "[channel]\n"
    "kind = script\nembedding = emb_script\n"
    "[layer]\nweights = hidden_w\nbias = hidden_b\nactivation = relu\n"
    "[layer]\nweights = out_w\nbias = out_b\nactivation = softmax\n"
    "[labels]\naa Alpha\nbb Beta\ncc Gamma\n";


void npy_only(const uint8_t* data, size_t size) {
  ffnlp::tools::NpyArray a = ffnlp::tools::parse_npy(data, size, "fuzz.npy");
  const size_t item = ffnlp::tools::npy_dtype_size(a.dtype);
  check(item != 0);
  check(a.raw.size() == a.num_elements() * item);
  check(!a.fortran_order);
  // Writing and re-reading gives the same array.
  const std::vector<uint8_t> again = ffnlp::tools::write_npy(a);
  const ffnlp::tools::NpyArray b = ffnlp::tools::parse_npy(again, "again.npy");
  check(b.shape == a.shape && b.dtype == a.dtype && b.raw == a.raw);
  try {
    const std::vector<float> f = ffnlp::tools::to_float32(a, "fuzz.npy");
    check(f.size() == a.num_elements());
  } catch (const std::runtime_error&) {
  }
  try {
    (void)ffnlp::tools::to_uint8(a, "fuzz.npy");
  } catch (const std::runtime_error&) {
  }
}

void convert_npz(const uint8_t* data, size_t size, const std::string& spec) {
  const std::map<std::string, ffnlp::tools::NpyArray> arrays = ffnlp::tools::read_npz(data, size, "fuzz.npz");
  ffnlp::tools::ConvertOptions options;
  options.spec_text = spec;
  options.spec_name = "fuzz.spec";
  options.quiet = true;
  const std::vector<uint8_t> bytes = ffnlp::tools::convert(arrays, options);
  ffnlp::Model model;
  check(ffnlp::Model::load(bytes.data(), bytes.size(), &model, nullptr) == ffnlp::Status::kOk);
  if (model.is_classifier()) {
    ffnlp::Workspace workspace(model);
    ffnlp::Prediction top[2];
    size_t count = 0;
    check(model.classify("fuzzing text", 12, workspace, top, 2, &count) == ffnlp::Status::kOk);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 4;
  ++data;
  --size;
  try {
    switch (mode) {
      case 0: npy_only(data, size); break;
      case 1: convert_npz(data, size, ""); break;
      case 2: convert_npz(data, size, kTinySpec); break;
      default: {
        size_t nul = 0;
        while (nul < size && data[nul] != 0) ++nul;
        if (nul == size) return 0;
        const std::string spec(reinterpret_cast<const char*>(data), nul);
        convert_npz(data + nul + 1, size - nul - 1, spec);
      }
    }
  } catch (const std::runtime_error&) {
    // The documented way to fail.
  }
  return 0;
}

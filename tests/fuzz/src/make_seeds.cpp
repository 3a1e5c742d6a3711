// Writes the committed seed corpora under tests/fuzz/corpus/<target>/
// (run from the repository root: `make fuzz-seeds`). Deterministic: the same
// bytes every run, so regenerating shows no diff unless something changed.
#include <sys/stat.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "test_models.h"
#include "tests/tools/golden_vectors.h"
#include "features/text_features.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"
#include "tools/common/zip.h"
#include "tools/convert_model/converter.h"

using namespace ffnlp;
using namespace ffnlp::tools;
using Bytes = std::vector<uint8_t>;

namespace {

void write(const std::string& dir, const std::string& name, const Bytes& bytes) {
  mkdir("tests/fuzz/corpus", 0755);
  mkdir(dir.c_str(), 0755);
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
}
Bytes str(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes prefixed(uint8_t mode, const Bytes& b) {
  Bytes out{mode};
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// A hand-built .npy (dict text as given, padded like NumPy).
Bytes npy(const std::string& dict, const Bytes& data) {
  std::string header = dict;
  const size_t total = (10 + dict.size() + 1 + 63) / 64 * 64;
  header += std::string(total - 10 - dict.size() - 1, ' ') + "\n";
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size()), static_cast<uint8_t>(header.size() >> 8)};
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

NpyArray f32(const std::vector<uint64_t>& shape, const std::vector<float>& v) { return make_npy_f32(shape, v.data()); }

std::map<std::string, NpyArray> tiny_arrays() {
  const testing::TinyNetwork n = testing::make_tiny_network(3, 4);  // 4 script rows: clamped, smaller file
  using T = testing::TinyNetwork;
  std::map<std::string, NpyArray> a;
  a["emb1"] = f32({T::kBuckets1, T::kDims1}, n.emb1);
  a["emb2"] = f32({T::kBuckets2, T::kDims2}, n.emb2);
  a["emb_script"] = f32({n.script_rows, T::kScriptDims}, n.emb_script);
  a["hidden_w"] = f32({T::kHidden, T::kDims1 + T::kDims2 + T::kScriptDims}, n.hidden_w);
  a["hidden_b"] = f32({T::kHidden}, n.hidden_b);
  a["out_w"] = f32({T::kLabels, T::kHidden}, n.out_w);
  a["out_b"] = f32({T::kLabels}, n.out_b);
  return a;
}

const char kSpec[] =
    "[model]\ntask = classifier\nname = seed\n"
    "[text]\nmax_bytes = 64\n"
    "[channel]\nkind = char_ngram\norder = 1\nseed = 7\nembedding = emb1\n"
    "[channel]\nkind = char_ngram\norder = 2\nseed = 11\nembedding = emb2\nquantize = 0\n"
    "[channel]\nkind = script\nembedding = emb_script\n"
    "[layer]\nweights = hidden_w\nbias = hidden_b\nactivation = relu\n"
    "[layer]\nweights = out_w\nbias = out_b\nactivation = softmax\n"
    "[classifier]\nreliable_probability = 0.5\nreliable_letters = 3\nunknown_label = und\n"
    "[labels]\naa Alpha\nbb Beta\ncc\n"
    "[metadata]\nx.note = seed\n";

void model_seeds() {
  const std::string dir = "tests/fuzz/corpus/fuzz_model_load";
  const testing::TinyNetwork small = testing::make_tiny_network(1, 4);
  write(dir, "tiny_q8.ffm", testing::build_tiny_model(small));
  write(dir, "tiny_f32.ffm", testing::build_tiny_model(small, true));
  // All scripts (the runtime's own layout), and an embedding-only file.
  write(dir, "tiny_all_scripts.ffm", testing::build_tiny_model(testing::make_tiny_network(2, kScriptCount)));
  ConvertOptions plain;
  std::map<std::string, NpyArray> emb;
  emb["table"] = f32({3, 4}, {1, -2, 3, 0, 0, 0, 0, 0, 0.5f, 0.25f, -1, 2});
  emb["vector"] = f32({2}, {1, 2});
  write(dir, "embedding_only.ffm", convert(emb, plain));
  ConvertOptions with_spec;
  with_spec.spec_text = kSpec;
  write(dir, "from_spec.ffm", convert(tiny_arrays(), with_spec));
  write(dir, "empty", {});
  const Bytes whole = testing::build_tiny_model(small);
  write(dir, "header_only", Bytes(whole.begin(), whole.begin() + 64));
}

void npy_seeds() {
  const std::string dir = "tests/fuzz/corpus/fuzz_npy_convert";
  const std::vector<float> six = {0.5f, -1, 2, 0, 3.25f, -4};
  write(dir, "npy_f4_2x3", prefixed(0, write_npy_f32({2, 3}, six.data())));
  write(dir, "npy_u1", prefixed(0, npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", {1, 2, 128, 255})));
  write(dir, "npy_f2", prefixed(0, npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", {0, 0x3C, 0, 0xBC, 0xFF, 0x7B})));
  Bytes f8(16, 0);
  f8[7] = 0x3F;
  f8[6] = 0xF0;  // 1.0
  write(dir, "npy_f8", prefixed(0, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8)));
  write(dir, "npy_i4", prefixed(0, npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", {1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})));
  write(dir, "npy_i8", prefixed(0, npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", Bytes(8, 1))));
  write(dir, "npy_be_f4", prefixed(0, npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", {0x3F, 0x80, 0, 0})));
  write(dir, "npy_fortran", prefixed(0, npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1), }", Bytes(8, 0))));
  write(dir, "npy_scalar", prefixed(0, npy("{'shape': (), 'fortran_order': False, 'descr': '<f4'}", Bytes(4, 0))));
  write(dir, "npy_bool", prefixed(0, npy("{\"descr\": \"|b1\", \"fortran_order\": False, \"shape\": (2,)}", {0, 1})));
  write(dir, "npy_bad_header", prefixed(0, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,)", Bytes(16, 0))));
  // Version 2.0 header.
  Bytes v2 = write_npy_f32({2}, six.data());
  Bytes v2h = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0};
  const uint16_t hl = static_cast<uint16_t>(v2[8] | (v2[9] << 8));
  v2h.push_back(static_cast<uint8_t>(hl));
  v2h.push_back(static_cast<uint8_t>(hl >> 8));
  v2h.push_back(0);
  v2h.push_back(0);
  v2h.insert(v2h.end(), v2.begin() + 10, v2.end());
  write(dir, "npy_v2", prefixed(0, v2h));

  std::map<std::string, NpyArray> two;
  two["table"] = f32({3, 2}, six);
  two["bias"] = f32({2}, {1, -1});
  write(dir, "npz_plain", prefixed(1, write_npz(two)));
  // Already-quantized import: NAME (uint8) + NAME_scales + NAME_zero_points.
  std::map<std::string, NpyArray> imported;
  NpyArray q;
  q.shape = {2, 3};
  q.dtype = "|u1";
  q.raw = {1, 128, 255, 128, 128, 200};
  imported["emb"] = q;
  imported["emb_scales"] = f32({2}, {0.01f, 0.5f});
  NpyArray zp;
  zp.shape = {2};
  zp.dtype = "<i8";
  zp.raw = Bytes(16, 0);
  zp.raw[0] = zp.raw[8] = 128;
  imported["emb_zero_points"] = zp;
  write(dir, "npz_imported_q8", prefixed(1, write_npz(imported)));
  write(dir, "npz_deflated", prefixed(1, Bytes(kNpzCompressed, kNpzCompressed + kNpzCompressedSize)));
  write(dir, "npz_tiny_net", prefixed(2, write_npz(tiny_arrays())));
  Bytes with_spec = str(kSpec);
  with_spec.push_back(0);
  const Bytes z = write_npz(tiny_arrays());
  with_spec.insert(with_spec.end(), z.begin(), z.end());
  write(dir, "spec_and_npz", prefixed(3, with_spec));
}

void text_seeds() {
  const std::string dir = "tests/fuzz/corpus/fuzz_classify_text";
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"latin_en", "The quick brown fox jumps over the lazy dog."},
      {"latin_de", "Der schnelle braune Fuchs springt über den faulen Hund. Grüße!"},
      {"latin_fr", "Le renard brun rapide saute par-dessus le chien paresseux."},
      {"cyrillic", "Быстрая коричневая лиса прыгает через ленивую собаку."},
      {"greek", "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο."},
      {"arabic", "الثعلب البني السريع يقفز فوق الكلب الكسول"},
      {"hebrew", "השועל החום המהיר קופץ מעל הכלב העצלן"},
      {"devanagari", "तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर कूदती है"},
      {"cjk", "敏捷的棕色狐狸跳过了懒狗。日本語のテキストです。"},
      {"hangul", "빠른 갈색 여우가 게으른 개를 뛰어넘는다"},
      {"thai", "สุนัขจิ้งจอกสีน้ำตาลกระโดดข้ามสุนัขขี้เกียจ"},
      {"georgian", "მშვიდობა ყველას"},
      {"mixed", "mixed Latin и кириллица 123 ελληνικά 中文"},
      {"digits", "0123456789 ٠١٢٣ १२३"},
      {"punct", "!?.,;:()[]{}<>/\\|@#$%^&*-_=+~`'\""},
      {"whitespace", " \t\n\r\v\f\xC2\xA0\xE2\x80\x83"},
      {"one_char", "a"},
      {"emoji", "\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88"},
      {"combining", "e\xCC\x81 a\xCC\x80\xCC\x80\xCC\x80 \xE0\xA4\x95\xE0\xA5\x8D\xE0\xA4\xB7"},
      {"invalid_utf8", "ab\xFF\xFE cd \x80\x80 \xC3 ef \xF8\x88\x80\x80\x80 gh"},
      {"overlong", "\xC0\xAF \xE0\x80\xAF \xF0\x80\x80\xAF \xC1\xBF x"},
      {"surrogates", "\xED\xA0\x80\xED\xBF\xBF \xED\xA0\xBD\xED\xB8\x80 y"},
      {"truncated_seq", "abc \xE4\xB8"},
      {"beyond_unicode", "\xF4\x90\x80\x80 \xF5\x80\x80\x80 z"},
      {"nonchar", "\xEF\xBF\xBE\xEF\xBF\xBF \xF3\xA0\x84\x80 \xEE\x80\x80"},
      {"long_run", std::string(4000, 'a')},
      {"long_run_cjk", [] { std::string s; for (int i = 0; i < 1000; ++i) s += "字"; return s; }()},
      {"long_word", [] { std::string s; for (int i = 0; i < 500; ++i) s += "abcdefghij"; return s; }()},
  };
  for (const auto& t : texts) write(dir, t.first, str(t.second));
  write(dir, "nuls", str(std::string("abc\0def\0\0ghi\0", 13)));
  write(dir, "all_bytes", [] { Bytes b; for (int i = 0; i < 256; ++i) b.push_back(static_cast<uint8_t>(i)); return b; }());
}

}  // namespace

int main() {
  model_seeds();
  npy_seeds();
  text_seeds();
  std::printf("seed corpora written under tests/fuzz/corpus/\n");
  return 0;
}

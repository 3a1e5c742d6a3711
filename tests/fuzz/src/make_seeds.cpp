// Writes the committed seed corpora under tests/fuzz/corpus/<target>/
// (run from the repository root: `make fuzz-seeds`). Deterministic: the same
// bytes every run, so regenerating shows no diff unless something changed.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "test_models.h"
#include "tests/tools/deflate_writer.h"
#include "tests/tools/golden_inputs.h"
#include "tests/tools/golden_vectors.h"
#include "tests/tools/zip_builders.h"
#include "ffnlp/features.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"
#include "tools/common/zip.h"
#include "tools/common/file_io.h"
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

// Token models (tests/test_models.h): a tagger with a vocabulary word
// channel, suffix, shape, char_ngram, script and prev_label channels
// (windows, concat/mean/sum pooling, padding rows, tokenizer metadata), its
// features-only file, and a tagger without prev_label.
void token_model_seeds(const std::string& dir) {
  const testing::TokenNetwork n = testing::make_token_network(1);
  write(dir, "tagger.ffm", testing::build_token_model(n));
  write(dir, "tagger_features_only.ffm", testing::build_token_model(n, true));
  testing::TokenNetwork plain = testing::make_token_network(2);
  plain.input_width -= plain.channels.back().dims * static_cast<uint32_t>(plain.channels.back().window.size());
  plain.channels.pop_back();
  plain.tables.pop_back();
  plain.hidden_w.resize(testing::TokenNetwork::kHidden * plain.input_width);
  write(dir, "tagger_no_prev_label.ffm", testing::build_token_model(plain));
}

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
  // Format version 2 metadata: every feature kind (vocabulary, pooling,
  // lengths), text clean-up and a prior; 8-bit dense layers and a q8_row_fzp
  // (dtype 3) table; a features-only file without tensors.
  write(dir, "kinds_v2.ffm", testing::build_kinds_model(testing::make_kinds_network(1)));
  {
    const testing::KindsNetwork n = testing::make_kinds_network(2);
    ModelWriter w;
    testing::add_kinds_tensors(w, n);
    testing::set_kinds_metadata(w, n);
    w.set_u32("text.cleanup", 1);
    w.add_tensor(testing::f32_tensor("log_prior", 3, 1, {-0.5f, -1.5f, -1.0f}, 1));
    w.set_string("classifier.log_prior", "log_prior");
    write(dir, "kinds_cleanup_prior.ffm", w.build());
  }
  {  // The tiny classifier with both reliability tiers.
    ModelWriter w;
    testing::add_tiny_tensors(w, small, false);
    testing::set_tiny_metadata(w);
    w.set_f32("classifier.reliable_probability", 0.6f);
    w.set_u32("classifier.reliable_letters", 3);
    w.set_u32("classifier.reliable_short_letters", 12);
    w.set_f32("classifier.reliable_short_probability", 0.95f);
    write(dir, "tiny_short_reliability.ffm", w.build());
  }
  {  // A lexicon (lexicon.*) on the tiny classifier (no word channel: the
     // head reads the text) and on the kinds network (its word channel
     // counts the words; the same seed, 5), with words of the fuzz texts.
    auto lexicon = [](ModelWriter& w, uint32_t seed) {
      std::vector<uint32_t> entries;
      uint32_t label = 0;
      for (const std::string word : {"the", "quick", "hund", "katze", "x", "y"}) {
        const std::vector<uint32_t> cps(word.begin(), word.end());
        const uint32_t key = bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), seed),
                                       0xFFFFFFFFu);
        entries.push_back((key & ~3u) | (label++ % 3));
      }
      std::sort(entries.begin(), entries.end());
      w.set_u32s("lexicon.entries", entries);
      w.set_u32("lexicon.seed", seed);
      w.set_f32("lexicon.weight", 3.0f);
      w.set_u32("lexicon.max_words", 4);
    };
    ModelWriter tiny;
    testing::add_tiny_tensors(tiny, small, false);
    testing::set_tiny_metadata(tiny);
    lexicon(tiny, 2001);
    write(dir, "tiny_lexicon.ffm", tiny.build());
    const testing::KindsNetwork n = testing::make_kinds_network(3);
    ModelWriter kinds;
    testing::add_kinds_tensors(kinds, n);
    testing::set_kinds_metadata(kinds, n);
    lexicon(kinds, 5);
    write(dir, "kinds_lexicon.ffm", kinds.build());
  }
  {  // Neighbour words with 24-bit keys (neighbours.key_bits = 24) on the
     // tiny classifier: one group {aa, bb} of words of the fuzz texts, their
     // keys >> 8 packed 3 bytes each (15 bytes and a byte of padding).
    std::vector<uint32_t> keys;
    for (const std::string word : {"the", "quick", "hund", "katze", "x"}) {
      const std::vector<uint32_t> cps(word.begin(), word.end());
      keys.push_back(bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), 3001),
                               0xFFFFFFFFu) >> 8);
    }
    std::sort(keys.begin(), keys.end());
    std::vector<uint32_t> packed((3 * keys.size() + 3) / 4, 0);
    for (size_t i = 0; i < 3 * keys.size(); ++i) packed[i / 4] |= ((keys[i / 3] >> (8 * (i % 3))) & 0xFFu) << (8 * (i % 4));
    ModelWriter w;
    testing::add_tiny_tensors(w, small, false);
    testing::set_tiny_metadata(w);
    w.add_tensor(testing::q8_tensor("neighbour_scores", 1, 10, {2, -2, -1, 1, 0.5f, 0, -0.5f, 1.5f, 1, -1}));
    w.set_u32("neighbours.seed", 3001);
    w.set_f32("neighbours.weight", 1.5f);
    w.set_u32s("neighbours.groups", {2});
    w.set_u32s("neighbours.labels", {0, 1});
    w.set_u32s("neighbours.word_counts", {5});
    w.set_u32s("neighbours.words", packed);
    w.set_u32("neighbours.key_bits", 24);
    w.set_string("neighbours.scores", "neighbour_scores");
    write(dir, "tiny_neighbours_24.ffm", w.build());
  }
  {
    const testing::TinyNetwork n = testing::make_tiny_network(4, 4);
    using T = testing::TinyNetwork;
    ModelWriter w;
    TensorToWrite fzp = testing::q8_tensor("emb1", T::kBuckets1, T::kDims1, n.emb1);
    fzp.dtype = DType::kQ8RowFzp;
    fzp.zero_point = 0;
    for (uint32_t r = 0; r < T::kBuckets1; ++r) fzp.zero_points.push_back(127.5f + static_cast<float>(r % 3));
    w.add_tensor(fzp);
    w.add_tensor(testing::q8_tensor("emb2", T::kBuckets2, T::kDims2, n.emb2));
    w.add_tensor(testing::q8_tensor("emb_script", n.script_rows, T::kScriptDims, n.emb_script));
    w.add_tensor(testing::q8_tensor("hidden_w", T::kHidden, T::kDims1 + T::kDims2 + T::kScriptDims, n.hidden_w));
    w.add_tensor(testing::f32_tensor("hidden_b", T::kHidden, 1, n.hidden_b, 1));
    TensorToWrite out = testing::q8_tensor("out_w", T::kLabels, T::kHidden, n.out_w);
    out.dtype = DType::kQ8RowFzp;
    out.zero_point = 0;
    out.zero_points.assign(T::kLabels, 128.25f);
    w.add_tensor(out);
    w.add_tensor(testing::f32_tensor("out_b", T::kLabels, 1, n.out_b, 1));
    testing::set_tiny_metadata(w);
    write(dir, "q8_dense_fzp.ffm", w.build());
  }
  // q4_row (dtype 5), q4_row_bf16 (dtype 6) and q3_row_bf16 (dtype 7)
  // embedding tables: 4 and 3 dims (4-bit: even and odd; 3-bit: 4 and 7
  // pad bits a row).
  for (const DType dtype : {DType::kQ4Row, DType::kQ4RowBf16, DType::kQ3RowBf16}) {
    const uint32_t id = static_cast<uint32_t>(dtype);  // 5, 6, 7: also the network's seed
    const testing::TinyNetwork n = testing::make_tiny_network(id, 4);
    using T = testing::TinyNetwork;
    ModelWriter w;
    w.add_tensor(testing::packed_tensor("emb1", T::kBuckets1, T::kDims1, n.emb1, dtype));
    w.add_tensor(testing::packed_tensor("emb2", T::kBuckets2, T::kDims2, n.emb2, dtype));
    w.add_tensor(testing::q8_tensor("emb_script", n.script_rows, T::kScriptDims, n.emb_script));
    w.add_tensor(testing::f32_tensor("hidden_w", T::kHidden, T::kDims1 + T::kDims2 + T::kScriptDims, n.hidden_w));
    w.add_tensor(testing::f32_tensor("hidden_b", T::kHidden, 1, n.hidden_b, 1));
    w.add_tensor(testing::f32_tensor("out_w", T::kLabels, T::kHidden, n.out_w));
    w.add_tensor(testing::f32_tensor("out_b", T::kLabels, 1, n.out_b, 1));
    testing::set_tiny_metadata(w);
    const char* const names[] = {"q4_row_embeddings.ffm", "q4_row_bf16_embeddings.ffm", "q3_row_bf16_embeddings.ffm"};
    write(dir, names[id - 5], w.build());
  }
  ConvertOptions features;
  features.spec_text =
      "[model]\nname = features\n[text]\ncleanup = 1\n"
      "[channel]\nkind = word\nseed = 7\nbuckets = 100\ndims = 4\n"
      "[channel]\nkind = suffix\nlength = 3\nseed = 5\nbuckets = 50\ndims = 2\npooling = sum\n"
      "[channel]\nkind = shape\ndims = 2\n";
  write(dir, "features_only.ffm", convert({}, features));
  token_model_seeds(dir);
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

// The .npy seeds of fuzz_npy_convert without its mode byte.
void plain_npy_seeds() {
  const std::string from = "tests/fuzz/corpus/fuzz_npy_convert";
  const std::string dir = "tests/fuzz/corpus/fuzz_npy";
  for (const char* name : {"npy_f4_2x3", "npy_u1", "npy_f2", "npy_f8", "npy_i4", "npy_i8", "npy_be_f4", "npy_fortran",
                           "npy_scalar", "npy_bool", "npy_bad_header", "npy_v2"}) {
    const Bytes b = read_file_bytes(from + "/" + name);
    write(dir, name, Bytes(b.begin() + 1, b.end()));
  }
  write(dir, "npy_empty_dim", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 0), }", {}));
}

void zip_seeds() {
  const std::string dir = "tests/fuzz/corpus/fuzz_zip";
  write(dir, "zip_mixed", Bytes(kZipMixed, kZipMixed + kZipMixedSize));
  write(dir, "zip_lzma", Bytes(kZipLzma, kZipLzma + kZipLzmaSize));
  write(dir, "npz_deflated", Bytes(kNpzCompressed, kNpzCompressed + kNpzCompressedSize));
  write(dir, "npz_zip64_local", Bytes(kNpzZip64Local, kNpzZip64Local + kNpzZip64LocalSize));
  write(dir, "npz_tiny_net", write_npz(tiny_arrays()));
  std::map<std::string, NpyArray> two;
  two["table"] = f32({3, 2}, {0.5f, -1, 2, 0, 3.25f, -4});
  two["bias"] = f32({2}, {1, -1});
  write(dir, "npz_plain", write_npz(two));
  // ZIP64: end-of-central-directory record and locator, extra fields.
  write(dir, "zip64_stored", testing::build_zip64({{"table.npy", write_npy(two["table"])}, {"bias.npy", write_npy(two["bias"])}}));
  const Bytes zeros(5000, 0);
  write(dir, "zip64_deflated",
        testing::zip_deflated("z.npy", testing::deflate_zeros(zeros.size()), zeros.size(), crc32(zeros.data(), zeros.size())));
}

void inflate_seeds() {
  const std::string dir = "tests/fuzz/corpus/fuzz_inflate";
  auto with_size = [](size_t n, const unsigned char* d, size_t size) {
    Bytes b = {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n >> 16)};
    b.insert(b.end(), d, d + size);
    return b;
  };
  write(dir, "stored", with_size(golden::d1().size(), kDeflateStoredD1, kDeflateStoredD1Size));
  write(dir, "fixed", with_size(golden::d1().size(), kDeflateFixedD1, kDeflateFixedD1Size));
  write(dir, "dynamic", with_size(golden::d3().size(), kDeflateDynamicD3, kDeflateDynamicD3Size));
  write(dir, "huffman_only", with_size(golden::d1().size(), kDeflateHuffmanOnlyD1, kDeflateHuffmanOnlyD1Size));
  write(dir, "multi_block", with_size(golden::d3().size(), kDeflateMultiD3, kDeflateMultiD3Size));
  write(dir, "far_distance", with_size(golden::d4().size(), kDeflateFarD4, kDeflateFarD4Size));
  write(dir, "empty", with_size(0, kDeflateEmpty, kDeflateEmptySize));
  const Bytes zeros = testing::deflate_zeros(100000);
  write(dir, "zeros_bomb", with_size(100000, zeros.data(), zeros.size()));
}

void spec_seeds() {
  const std::string dir = "tests/fuzz/corpus/fuzz_spec";
  write(dir, "tiny", str(kSpec));
  const Bytes shipped = read_file_bytes("models/langid.spec");
  // The header, channels, layers and classifier of the shipped spec, and a
  // few of its labels (all of them would make a slow seed).
  std::string head(shipped.begin(), shipped.end());
  head = head.substr(0, head.find("[labels]")) + "[labels]\naf\tAfrikaans\nsr-Cyrl\tSerbian (Cyrillic)\n";
  write(dir, "langid_head", str(head));
  write(dir, "strict_numbers", str("[channel]\nkind = char_ngram\norder = 010\nseed = 0x10\nembedding = emb1\n"));
  write(dir, "reserved_metadata", str("[metadata]\nclassifier.unknown_label = en\ngeneral.trained_on = x\n"));
  write(dir, "duplicates", str("[model]\nname = a\nname = b\n[labels]\naa\naa\n"));
  write(dir, "probability", str("[classifier]\nreliable_probability = 1.5\nreliable_letters = 3\n"));
  write(dir, "short_reliability", str("[classifier]\nreliable_probability = 0.8\nreliable_short_letters = 12\n"
                                      "reliable_short_probability = 0.7\n"));
  write(dir, "embedding_task", str("[model]\ntask = embedding\n[channel]\nkind = script\nembedding = emb_script\n"));
  // The tiny network with other kinds on the same tables, and a prior.
  std::string kinds = kSpec;
  auto replace = [&kinds](const std::string& from, const std::string& to) { kinds.replace(kinds.find(from), from.size(), to); };
  replace("kind = char_ngram\norder = 1\n", "kind = prefix\nlength = 2\npooling = sum\n");
  replace("kind = char_ngram\norder = 2\n", "kind = suffix\nlength = 3\n");
  write(dir, "kinds", str(kinds));
  write(dir, "prior", str(std::string(kSpec) + "[prior]\naa 30\nbb 0.5\n* 1\n"));
  write(dir, "lexicon", str(std::string(kSpec) + "[lexicon]\nwords = lexicon.tsv\nseed = 2001\nweight = 3\nmax_words = 4\n"));
  write(dir, "neighbours_key_bits",
        str(std::string(kSpec) + "[neighbours]\nseed = 3001\nweight = 0.5\nwords = n.tsv\nbits = 4\nkey_bits = 24\n"));
  write(dir, "features_task", str("[model]\ntask = features\n[channel]\nkind = shape\ndims = 4\n[channel]\nkind = word\n"
                                  "buckets = 100\ndims = 8\n"));
}

// The first byte chooses the options (tests/fuzz/src/fuzz_langid_lines.cpp):
// 1 --json, 2 --spans, 4 --top 3, 8 --prior uniform, 16 --max-line 40,
// 32 --threads 2.
void langid_line_seeds() {
  const std::string dir = "tests/fuzz/corpus/fuzz_langid_lines";
  const std::string mixed = "This part is English. Tämä osa on kirjoitettu suomeksi.\n"
                            "Быстрая лиса и English words 123\n\n   \nx\n";
  const std::string eval = "de\tDie Würde des Menschen ist unantastbar.\nfr\tTous les êtres humains naissent libres.\n"
                           "malformed line\n\tno code\nxx\t\n";
  const std::string invalid = std::string("ab\xFF\xFE cd \x80 Grüße \xC3\nnul") + '\0' + "inside a line\n";
  const std::string crlf = "English text with CRLF\r\nSuomea myös\r\nlast line without newline\r";
  const std::string long_lines = "A line of ordinary English text that is longer than forty bytes.\n"
                                 "Exactly forty bytes of text, then CR...\r\nshort\n";
  const struct {
    const char* name;
    unsigned mode;
    const std::string& text;
  } seeds[] = {
      {"mixed_plain", 0, mixed},        {"mixed_json", 1, mixed},          {"mixed_spans", 2, mixed},
      {"mixed_spans_json", 3, mixed},   {"mixed_top_json", 5, mixed},      {"mixed_prior_top", 12, mixed},
      {"mixed_threads", 35, mixed},     {"eval_tsv", 0, eval},             {"invalid_utf8_spans_json", 3, invalid},
      {"invalid_utf8_spans", 2, invalid}, {"crlf_json", 17, crlf},         {"long_spans", 18, long_lines},
      {"long_spans_json", 19, long_lines}, {"long_top", 20, long_lines},
  };
  for (const auto& seed : seeds) write(dir, seed.name, str(std::string(1, static_cast<char>(seed.mode)) + seed.text));
}

}  // namespace

int main() {
  model_seeds();
  npy_seeds();
  text_seeds();
  plain_npy_seeds();
  zip_seeds();
  inflate_seeds();
  spec_seeds();
  langid_line_seeds();
  std::printf("seed corpora written under tests/fuzz/corpus/\n");
  return 0;
}

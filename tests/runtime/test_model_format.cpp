// Loading: a valid file loads; each single mutation is refused with its own
// status (table-driven, as llama.cpp's gguf tests do).
#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "ffnlp/features.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

std::vector<uint8_t> valid_file() { return build_tiny_model(make_tiny_network(1, kScriptCount)); }

Status load_status(const std::vector<uint8_t>& bytes, std::string* message = nullptr) {
  Model model;
  Error error;
  const Status s = Model::load(bytes.data(), bytes.size(), &model, &error);
  if (message) *message = error.message;
  if (s != Status::kOk) {
    CHECK(error.status == s);
    CHECK(std::strlen(error.message) > 0);
    CHECK_FALSE(model.is_loaded());
  }
  return s;
}

struct Mutation {
  const char* name;
  std::function<void(std::vector<uint8_t>&)> apply;
  bool reseal;
  Status expected;
  const char* message_part;
};

}  // namespace

TEST_CASE("the valid test model loads and has the declared structure") {
  const std::vector<uint8_t> bytes = valid_file();
  Model model;
  Error error;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk);
  CHECK(model.tensor_count() == 7);
  CHECK(model.channel_count() == 3);
  CHECK(model.layer_count() == 2);
  CHECK(model.label_count() == 3);
  CHECK(std::string(model.label(1)) == "bb");
  CHECK(std::string(model.label_name(2)) == "Gamma");
  CHECK(model.find_label("cc") == 2);
  CHECK(model.find_label("zz") == -1);
  CHECK(model.input_width() == 9);
  CHECK(std::string(model.task()) == "classifier");
  CHECK(std::string(model.unknown_label()) == "und");
  const TensorView* emb = model.find_tensor("emb1");
  REQUIRE(emb != nullptr);
  CHECK(emb->dtype == DType::kQ8Row);
  CHECK((emb->data - bytes.data()) % 64 == 0);
  // Zero copy: views point into the caller's buffer.
  CHECK(emb->data >= bytes.data());
  CHECK(emb->data < bytes.data() + bytes.size());
  uint32_t v = 0;
  CHECK(model.metadata_u32("channel.count", &v));
  CHECK(v == 3);
  const char* s = nullptr;
  CHECK(model.metadata_string("general.name", &s));
  CHECK(std::string(s) == "tiny");
  CHECK_FALSE(model.metadata_string("channel.count", &s));  // wrong type
}

TEST_CASE("every single mutation is refused with its own status") {
  const size_t e0 = tensor_entry(valid_file(), 0);
  const size_t e3 = tensor_entry(valid_file(), 3);  // hidden_w, f32
  const std::vector<Mutation> mutations = {
      {"bad magic", [](auto& b) { b[0] = 'X'; }, true, Status::kBadMagic, "magic"},
      {"byte-swapped", [](auto& b) { put_u32(b, 4, 0x0D0C0B0Au); }, true, Status::kByteSwapped, "big-endian"},
      {"bad byte-order mark", [](auto& b) { put_u32(b, 4, 0x12345678u); }, true, Status::kBadHeader, "byte-order"},
      {"version 0", [](auto& b) { put_u32(b, 8, 0); }, true, Status::kUnsupportedVersion, "version 0"},
      {"future version", [](auto& b) { put_u32(b, 8, 3); }, true, Status::kUnsupportedVersion, "newer"},
      {"header size", [](auto& b) { put_u32(b, 12, 72); }, true, Status::kBadHeader, "header size"},
      {"flags", [](auto& b) { put_u32(b, 56, 1); }, true, Status::kBadHeader, "flags"},
      {"file size larger", [](auto& b) { put_u64(b, 16, b.size() + 1); }, true, Status::kTruncated, "truncated"},
      {"trailing garbage", [](auto& b) { put_u64(b, 16, b.size() - 1); }, true, Status::kBadHeader, "unexpected bytes"},
      {"checksum", [](auto& b) { b[b.size() - 1] ^= 0x01; }, false, Status::kBadChecksum, "checksum"},
      {"zero tensors in a version 1 file", [](auto& b) { put_u32(b, 8, 1); put_u32(b, 32, 0); }, true, Status::kBadHeader, "tensor count"},
      {"zero tensors in a classifier", [](auto& b) { put_u32(b, 32, 0); }, true, Status::kNotFound, "not in the file"},
      {"huge tensor count", [](auto& b) { put_u32(b, 32, 0xFFFFFFFFu); }, true, Status::kBadHeader, "tensor count"},
      {"table offset past end", [](auto& b) { put_u64(b, 24, b.size()); }, true, Status::kBadOffset, "tensor table"},
      {"table offset overflow", [](auto& b) { put_u64(b, 24, ~uint64_t{7}); }, true, Status::kBadOffset, "tensor table"},
      {"misaligned table", [](auto& b) { put_u64(b, 24, 68); }, true, Status::kBadOffset, "multiple of 8"},
      {"metadata past end", [](auto& b) { put_u64(b, 48, b.size()); }, true, Status::kBadOffset, "metadata"},
      {"metadata size overflow", [](auto& b) { put_u64(b, 48, ~uint64_t{0}); }, true, Status::kBadOffset, "metadata"},
      {"too many metadata entries", [](auto& b) { put_u32(b, 36, 5000); }, true, Status::kBadHeader, "metadata count"},
      {"unknown dtype", [e0](auto& b) { put_u32(b, e0 + 64, 9); }, true, Status::kBadTensor, "dtype"},
      {"rank 3", [e0](auto& b) { put_u32(b, e0 + 68, 3); }, true, Status::kBadTensor, "rank"},
      {"zero point 256", [e0](auto& b) { put_u32(b, e0 + 72, 256); }, true, Status::kBadTensor, "zero point"},
      {"reserved field", [e0](auto& b) { put_u32(b, e0 + 76, 1); }, true, Status::kBadTensor, "reserved"},
      {"empty name", [e0](auto& b) { b[e0] = 0; }, true, Status::kBadTensor, "name"},
      {"unterminated name", [e0](auto& b) { std::memset(&b[e0], 'a', 64); }, true, Status::kBadTensor, "name"},
      {"duplicate name", [e0](auto& b) { size_t e1 = e0 + 128; std::memcpy(&b[e1], &b[e0], 64); }, true, Status::kBadTensor, "twice"},
      {"zero rows", [e0](auto& b) { put_u64(b, e0 + 80, 0); }, true, Status::kBadTensor, "shape"},
      {"shape overflow", [e0](auto& b) { put_u64(b, e0 + 80, uint64_t{1} << 40); put_u64(b, e0 + 88, uint64_t{1} << 40); }, true, Status::kOverflow, "overflow"},
      {"size disagrees with shape", [e0](auto& b) { put_u64(b, e0 + 104, 51); }, true, Status::kBadTensor, "data size"},
      {"misaligned data", [e0](auto& b) { put_u64(b, e0 + 96, b[e0 + 96] + 4); }, true, Status::kBadOffset, "multiple of 64"},
      {"data past end", [e0](auto& b) { put_u64(b, e0 + 96, (b.size() + 63) / 64 * 64); }, true, Status::kBadOffset, "outside"},
      {"data offset overflow", [e0](auto& b) { put_u64(b, e0 + 96, ~uint64_t{63}); }, true, Status::kBadOffset, "outside"},
      {"data inside header", [e0](auto& b) { put_u64(b, e0 + 96, 0); }, true, Status::kBadOffset, "outside"},
      {"overlapping tensors", [e0](auto& b) { size_t e1 = e0 + 128; std::memcpy(&b[e1 + 96], &b[e0 + 96], 8); }, true, Status::kBadOffset, "overlaps"},
      {"scales size", [e0](auto& b) { put_u64(b, e0 + 120, 4); }, true, Status::kBadTensor, "scales"},
      {"f32 tensor with scales", [e3](auto& b) { put_u64(b, e3 + 120, 4); }, true, Status::kBadTensor, "no scales"},
  };
  for (const Mutation& m : mutations) {
    CAPTURE(m.name);
    std::vector<uint8_t> bytes = valid_file();
    m.apply(bytes);
    if (m.reseal) reseal(bytes);
    std::string message;
    CHECK(load_status(bytes, &message) == m.expected);
    CHECK_MESSAGE(message.find(m.message_part) != std::string::npos, message);
  }
}

TEST_CASE("NaN and infinity in weights or scales are refused, naming the place") {
  std::vector<uint8_t> bytes = valid_file();
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  const size_t hidden = static_cast<size_t>(model.find_tensor("hidden_w")->data - bytes.data());
  const size_t scales = static_cast<size_t>(model.find_tensor("emb2")->scales - bytes.data());
  std::string message;
  std::vector<uint8_t> nan = bytes;
  put_u32(nan, hidden + 4 * 10, 0x7FC00000u);  // element 10 = row 1, column 1 of a (5, 9) matrix
  reseal(nan);
  CHECK(load_status(nan, &message) == Status::kNonFinite);
  CHECK(message.find("hidden_w") != std::string::npos);
  CHECK(message.find("row 1, column 1") != std::string::npos);
  std::vector<uint8_t> inf = bytes;
  put_u32(inf, scales + 4 * 3, 0x7F800000u);
  reseal(inf);
  CHECK(load_status(inf, &message) == Status::kNonFinite);
  CHECK(message.find("row 3") != std::string::npos);
  std::vector<uint8_t> negative = bytes;
  put_u32(negative, scales, 0xBF800000u);  // -1.0
  reseal(negative);
  CHECK(load_status(negative, &message) == Status::kBadTensor);
}

TEST_CASE("truncation at every byte boundary is refused without reading out of bounds") {
  const std::vector<uint8_t> bytes = valid_file();
  for (size_t n = 0; n < bytes.size(); ++n) {
    // A fresh exact-size copy so ASan sees any read past the end.
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    Model model;
    Error error;
    const Status s = Model::load(prefix.empty() ? bytes.data() : prefix.data(), n, &model, &error);
    CHECK(s != Status::kOk);
    CHECK((s == Status::kTruncated || (n < 4 && s == Status::kBadMagic)));
  }
}

TEST_CASE("a flipped bit anywhere is caught by the checksum") {
  const std::vector<uint8_t> bytes = valid_file();
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> flipped = bytes;
    flipped[i] ^= static_cast<uint8_t>(1u << (i % 8));
    const Status s = load_status(flipped);
    CAPTURE(i);
    CHECK(s != Status::kOk);
  }
}

TEST_CASE("network consistency: shapes, labels and metadata") {
  // Label count disagreeing with the output layer.
  TinyNetwork n = make_tiny_network(2, kScriptCount);
  std::vector<uint8_t> good = build_tiny_model(n);
  Model model;
  REQUIRE(Model::load(good.data(), good.size(), &model, nullptr) == Status::kOk);
  struct Case {
    const char* key;
    std::function<void(tools::ModelWriter&)> change;
    Status expected;
    const char* message_part;
  };
  const std::vector<Case> cases = {
      {"labels", [](tools::ModelWriter& m) { m.set_strings("labels", {"aa", "bb"}); }, Status::kBadShape, "2 labels"},
      {"labels", [](tools::ModelWriter& m) { m.set_strings("labels", {"aa", "bb", "aa"}); }, Status::kBadMetadata, "twice"},
      {"label_names", [](tools::ModelWriter& m) { m.set_strings("label_names", {"x"}); }, Status::kBadShape, "label_names"},
      {"layer.0.weights", [](tools::ModelWriter& m) { m.set_string("layer.0.weights", "out_w"); }, Status::kBadShape, "layer 0"},
      {"layer.1.bias", [](tools::ModelWriter& m) { m.set_string("layer.1.bias", "hidden_b"); }, Status::kBadShape, "bias"},
      {"layer.0.activation", [](tools::ModelWriter& m) { m.set_string("layer.0.activation", "softmax"); }, Status::kBadMetadata, "activation"},
      {"layer.1.activation", [](tools::ModelWriter& m) { m.set_string("layer.1.activation", "relu"); }, Status::kBadMetadata, "activation"},
      {"channel.0.embedding", [](tools::ModelWriter& m) { m.set_string("channel.0.embedding", "nope"); }, Status::kNotFound, "nope"},
      {"channel.0.order", [](tools::ModelWriter& m) { m.set_u32("channel.0.order", 0); }, Status::kBadMetadata, "order"},
      {"channel.0.kind", [](tools::ModelWriter& m) { m.set_string("channel.0.kind", "sentence"); }, Status::kBadMetadata, "unknown kind"},
      {"channel.0.kind", [](tools::ModelWriter& m) { m.set_string("channel.0.kind", "word"); }, Status::kBadMetadata, "does not apply"},
      {"channel.count", [](tools::ModelWriter& m) { m.set_u32("channel.count", 2); }, Status::kBadShape, "layer 0"},
      {"channel.count", [](tools::ModelWriter& m) { m.set_string("channel.count", "3"); }, Status::kBadMetadata, "wrong type"},
      {"layer.count", [](tools::ModelWriter& m) { m.set_u32("layer.count", 9); }, Status::kBadMetadata, "layer.count"},
      {"features.version", [](tools::ModelWriter& m) { m.set_u32("features.version", 3); }, Status::kUnsupportedFeatures, "features.version 3"},
      {"features.version", [](tools::ModelWriter& m) { m.set_u32("features.version", 0); }, Status::kUnsupportedFeatures, "features.version 0"},
      {"features.version", [](tools::ModelWriter& m) { m.set_string("features.version", "1"); }, Status::kBadMetadata, "wrong type"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key);
    // Rebuild with one metadata value changed.
    tools::ModelWriter m;
    add_tiny_tensors(m, n, false);
    set_tiny_metadata(m);
    c.change(m);
    const std::vector<uint8_t> bytes = m.build();
    std::string message;
    CHECK(load_status(bytes, &message) == c.expected);
    CHECK_MESSAGE(message.find(c.message_part) != std::string::npos, message);
  }
}

TEST_CASE("feature metadata (format version 2): every channel key is validated") {
  const KindsNetwork n = make_kinds_network(5);
  struct Case {
    const char* what;
    std::function<void(tools::ModelWriter&)> change;
    Status expected;
    const char* message_part;
  };
  auto vocab = [](std::vector<std::string> words) {
    return [words](tools::ModelWriter& m) { m.set_strings("channel.2.vocab", words); };
  };
  const std::vector<Case> cases = {
      {"buckets disagree with the table", [](tools::ModelWriter& m) { m.set_u32("channel.1.buckets", 49); }, Status::kBadShape, "channel.1.buckets is 49"},
      {"dims disagree with the table", [](tools::ModelWriter& m) { m.set_u32("channel.1.dims", 4); }, Status::kBadShape, "channel.1.dims is 4"},
      {"buckets of the wrong type", [](tools::ModelWriter& m) { m.set_string("channel.1.buckets", "50"); }, Status::kBadMetadata, "wrong type"},
      {"prefix length 0", [](tools::ModelWriter& m) { m.set_u32("channel.3.length", 0); }, Status::kBadMetadata, "length 0"},
      {"suffix length 9", [](tools::ModelWriter& m) { m.set_u32("channel.4.length", 9); }, Status::kBadMetadata, "length 9"},
      {"a word channel with a length key", [](tools::ModelWriter& m) { m.set_string("channel.3.kind", "word"); }, Status::kBadMetadata, "'channel.3.length' does not apply"},
      {"prefix without length", [](tools::ModelWriter& m) { m.remove("channel.3.length"); }, Status::kBadMetadata, "'channel.3.length' is missing"},
      {"word without seed", [](tools::ModelWriter& m) { m.remove("channel.1.seed"); }, Status::kBadMetadata, "'channel.1.seed' is missing"},
      {"char_ngram without order", [](tools::ModelWriter& m) { m.remove("channel.0.order"); }, Status::kBadMetadata, "'channel.0.order' is missing"},
      {"channel without kind", [](tools::ModelWriter& m) { m.remove("channel.7.kind"); }, Status::kBadMetadata, "'channel.7.kind' is missing"},
      {"classifier channel without table", [](tools::ModelWriter& m) { m.remove("channel.7.embedding"); }, Status::kBadMetadata, "'channel.7.embedding' is missing"},
      {"length on a word channel", [](tools::ModelWriter& m) { m.set_u32("channel.1.length", 2); }, Status::kBadMetadata, "does not apply"},
      {"order on a shape channel", [](tools::ModelWriter& m) { m.set_u32("channel.5.order", 2); }, Status::kBadMetadata, "does not apply"},
      {"seed on an ids channel", [](tools::ModelWriter& m) { m.set_u32("channel.6.seed", 2); }, Status::kBadMetadata, "does not apply"},
      {"vocab on a prefix channel", [](tools::ModelWriter& m) { m.set_strings("channel.3.vocab", {"a"}); }, Status::kBadMetadata, "does not apply"},
      {"unsorted vocabulary", vocab({"die", "der", "hund"}), Status::kBadMetadata, "not after"},
      {"repeated word", vocab({"der", "der", "hund"}), Status::kBadMetadata, "not after"},
      {"uppercase word", vocab({"Der", "die", "hund"}), Status::kBadMetadata, "normalised"},
      {"word with a space", vocab({"der", "die", "hu nd"}), Status::kBadMetadata, "normalised"},
      {"vocabulary size and rows", vocab({"der", "die"}), Status::kBadShape, "vocabulary 2 + oov_buckets 6"},
      {"empty vocabulary", vocab({}), Status::kBadMetadata, "empty vocabulary"},
      {"vocabulary of the wrong type", [](tools::ModelWriter& m) { m.set_string("channel.2.vocab", "der"); }, Status::kBadMetadata, "wrong type"},
      {"oov_buckets without vocabulary", [](tools::ModelWriter& m) { m.set_u32("channel.1.oov_buckets", 3); }, Status::kBadMetadata, "needs a vocabulary"},
      {"oov_buckets too many", [](tools::ModelWriter& m) { m.set_u32("channel.2.oov_buckets", 7); }, Status::kBadShape, "oov_buckets 7"},
      {"shape table of 99 rows", [](tools::ModelWriter& m) { m.set_u32("channel.5.buckets", 99); }, Status::kBadShape, "99"},
      {"unknown pooling", [](tools::ModelWriter& m) { m.set_string("channel.1.pooling", "max"); }, Status::kBadMetadata, "unknown pooling 'max'"},
      {"concat pooling", [](tools::ModelWriter& m) { m.set_string("channel.1.pooling", "concat"); }, Status::kBadMetadata, "token models"},
      {"pooling of the wrong type", [](tools::ModelWriter& m) { m.set_u32("channel.1.pooling", 1); }, Status::kBadMetadata, "wrong type"},
      {"no embedding in a classifier", [](tools::ModelWriter& m) { m.set_string("channel.0.embedding", "nothing"); }, Status::kNotFound, "nothing"},
      {"text.cleanup 3", [](tools::ModelWriter& m) { m.set_u32("text.cleanup", 3); }, Status::kBadMetadata, "text.cleanup is 3"},
      {"text.cleanup of the wrong type", [](tools::ModelWriter& m) { m.set_string("text.cleanup", "1"); }, Status::kBadMetadata, "wrong type"},
      {"features task with layers", [](tools::ModelWriter& m) { m.set_string("general.task", "features"); }, Status::kBadMetadata, "no layers"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    tools::ModelWriter m;
    add_kinds_tensors(m, n);
    set_kinds_metadata(m, n);
    c.change(m);
    const std::vector<uint8_t> bytes = m.build();
    std::string message;
    CHECK(load_status(bytes, &message) == c.expected);
    CHECK_MESSAGE(message.find(c.message_part) != std::string::npos, message);
  }
}

TEST_CASE("metadata encoding errors") {
  std::vector<uint8_t> bytes = valid_file();
  const size_t meta = static_cast<size_t>(get_u64(bytes.data() + format::kOffMetadataOffset));
  SUBCASE("bad key character") {
    bytes[meta + 4] = 'A';
    reseal(bytes);
    CHECK(load_status(bytes) == Status::kBadMetadata);
  }
  SUBCASE("unknown value type") {
    const uint32_t key_length = get_u32(bytes.data() + meta);
    put_u32(bytes, meta + 4 + ((key_length + 3) & ~3u), 99);
    reseal(bytes);
    CHECK(load_status(bytes) == Status::kBadMetadata);
  }
  SUBCASE("zero key length") {
    put_u32(bytes, meta, 0);
    reseal(bytes);
    CHECK(load_status(bytes) == Status::kBadMetadata);
  }
  SUBCASE("huge key length") {
    put_u32(bytes, meta, 0xFFFFFFF0u);
    reseal(bytes);
    CHECK(load_status(bytes) == Status::kBadMetadata);
  }
}

TEST_CASE("load arguments and the checksum option") {
  std::vector<uint8_t> bytes = valid_file();
  Model model;
  Error error;
  CHECK(Model::load(nullptr, 10, &model, &error) == Status::kInvalidArgument);
  CHECK(Model::load(bytes.data(), bytes.size(), nullptr, &error) == Status::kInvalidArgument);
  bytes[bytes.size() - 1] ^= 1;  // a data byte of the last tensor (a bias): still finite
  LoadOptions skip;
  skip.verify_checksum = false;
  CHECK(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kBadChecksum);
  CHECK(Model::load(bytes.data(), bytes.size(), &model, &error, skip) == Status::kOk);
}

TEST_CASE("status names are distinct and non-empty") {
  for (int i = 0; i <= static_cast<int>(Status::kUnsupportedFeatures); ++i) {
    const char* name = status_name(static_cast<Status>(i));
    CHECK(std::strlen(name) > 0);
    for (int j = 0; j < i; ++j) CHECK(std::string(name) != status_name(static_cast<Status>(j)));
  }
}

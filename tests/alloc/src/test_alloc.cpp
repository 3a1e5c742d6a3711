// test_alloc: proves that classification allocates nothing after load.
//
// A separate binary (not part of run_tests) because it replaces the global
// allocation functions: every operator new/delete form and malloc, calloc,
// realloc, free, aligned_alloc, posix_memalign (forwarded to glibc's
// __libc_* functions). While counting is switched on, any call is counted.
// Run by `make test` (test-alloc).
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "test_models.h"
#include "ffnlp/features.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
inline void count() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);

void* malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  count();
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
void* aligned_alloc(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, size_t alignment, size_t n) {
  count();
  void* p = __libc_memalign(alignment, n);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
}
#define FFNLP_ALLOC_COUNTS_MALLOC 1
#else
#define FFNLP_ALLOC_COUNTS_MALLOC 0
#endif

void* operator new(size_t n) {
  count();
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  return p;
}
void* operator new[](size_t n) { return ::operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  count();
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return ::operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

int g_failures = 0;
void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++g_failures;
  }
}

long counted(void (*fn)(void*), void* arg) {
  g_allocations.store(0);
  g_counting.store(true);
  fn(arg);
  g_counting.store(false);
  return g_allocations.load();
}

struct Fixture {
  const ffnlp::Model* model;
  ffnlp::Workspace* workspace;
  ffnlp_model* cmodel;
  ffnlp_workspace* cworkspace;
  void* scratch;
  size_t scratch_size;
  const std::vector<std::string>* texts;
  size_t calls;
};

void classify_everything(void* arg) {
  Fixture& f = *static_cast<Fixture*>(arg);
  for (const std::string& t : *f.texts) {
    ffnlp::Prediction top[3];
    size_t n = 0;
    float probs[3];
    ffnlp::TextStats stats;
    f.calls += f.model->classify(t.data(), t.size(), *f.workspace, top, 3, &n, &stats) == ffnlp::Status::kOk;
    f.calls += f.model->classify(t.data(), t.size(), f.scratch, f.scratch_size, top, 1, &n) == ffnlp::Status::kOk;
    f.calls += f.model->scores(t.data(), t.size(), f.workspace->data(), f.workspace->size(), probs, 3, &stats) ==
               ffnlp::Status::kOk;
    ffnlp_prediction ctop[20];
    f.calls += ffnlp_classify(f.cmodel, t.data(), t.size(), f.scratch, f.scratch_size, ctop, 3, &n) == FFNLP_OK;
    f.calls += ffnlp_classify(f.cmodel, t.c_str(), FFNLP_NUL_TERMINATED, f.scratch, f.scratch_size, ctop, 20, &n) ==
               FFNLP_OK;  // k larger than the labels
    f.calls += ffnlp_workspace_classify(f.cworkspace, t.data(), t.size(), ctop, 2, &n) == FFNLP_OK;
    f.calls += ffnlp_scores(f.cmodel, t.data(), t.size(), f.scratch, f.scratch_size, probs, 3) == FFNLP_OK;
    // Options (prior, allow-list, hints), logits.
    const uint32_t only[] = {2, 0};
    const uint32_t prefer[] = {0, 1};
    ffnlp::ClassifyOptions options;
    options.prior = ffnlp::Prior::kUniform;
    options.only = only;
    options.only_count = 2;
    options.prefer = prefer;
    options.prefer_count = 2;
    f.calls += f.model->classify(t.data(), t.size(), *f.workspace, top, 3, &n, options) == ffnlp::Status::kOk;
    f.calls += f.model->logits(t.data(), t.size(), f.scratch, f.scratch_size, probs, 3) == ffnlp::Status::kOk;
    ffnlp_classify_options copts;
    std::memset(&copts, 0, sizeof copts);
    copts.struct_size = sizeof copts;
    copts.prior = FFNLP_PRIOR_MODEL;
    copts.only = only;
    copts.only_count = 2;
    copts.prefer = prefer + 1;
    copts.prefer_count = 1;
    copts.prefer_weight = FFNLP_DEFAULT_PREFER_WEIGHT;
    f.calls += ffnlp_classify_ex(f.cmodel, t.data(), t.size(), &copts, f.scratch, f.scratch_size, ctop, 20, &n) == FFNLP_OK;
    f.calls += ffnlp_logits(f.cmodel, t.data(), t.size(), &copts, f.scratch, f.scratch_size, probs, 3) == FFNLP_OK;
    f.calls += ffnlp_workspace_scores_ex(f.cworkspace, t.data(), t.size(), nullptr, probs, 3) == FFNLP_OK;
    // The feature API: a buffer too small is a status, not an allocation.
    ffnlp::FeatureRef refs[64];
    ffnlp_feature crefs[64];
    size_t count = 0;
    const ffnlp::Status fs = f.model->text_features(t.data(), t.size(), refs, 64, &count);
    f.calls += fs == ffnlp::Status::kOk || fs == ffnlp::Status::kBufferTooSmall;
    const ffnlp_status cs = ffnlp_text_features(f.cmodel, t.data(), t.size(), crefs, 64, &count);
    f.calls += cs == FFNLP_OK || cs == FFNLP_BUFFER_TOO_SMALL;
  }
  const char* batch[] = {"one text", "zwei Texte", "три текста", ""};
  ffnlp_prediction results[4 * 2];
  size_t counts[4];
  f.calls += ffnlp_workspace_classify_batch(f.cworkspace, batch, nullptr, 4, results, 2, counts) == FFNLP_OK;
  f.calls += ffnlp_classify_batch(f.cmodel, batch, nullptr, 4, f.scratch, f.scratch_size, results, 2, counts) ==
             FFNLP_OK;
}

// Taggers: tokenize(), tag(), tag_tokens(), token_features() and their C
// forms, over the same texts (the longest is one 560 KB sequence).
struct TagFixture {
  const ffnlp::Model* model;
  ffnlp::Workspace* workspace;
  ffnlp_model* cmodel;
  ffnlp_workspace* cworkspace;
  const std::vector<std::string>* texts;
  std::vector<ffnlp::TaggedToken>* out;
  std::vector<ffnlp_tagged_token>* cout;
  std::vector<ffnlp::Token>* spans;
  size_t calls, tokens;
};

void tag_everything(void* arg) {
  TagFixture& f = *static_cast<TagFixture*>(arg);
  const char* list[] = {"The", "old", "man", "", "\xff", "boats", "."};
  const size_t lengths[] = {3, 3, 3, 0, 1, 5, 1};
  const uint32_t labels[] = {2, 0, 0, 1, 1, 0};
  for (const std::string& t : *f.texts) {
    size_t n = 0;
    f.calls += f.model->tokenize(t.data(), t.size(), f.spans->data(), f.spans->size(), &n) == ffnlp::Status::kOk;
    f.calls += f.model->tag(t.data(), t.size(), *f.workspace, f.out->data(), f.out->size(), &n) == ffnlp::Status::kOk;
    f.tokens += n;
    f.calls += ffnlp_workspace_tag(f.cworkspace, t.data(), t.size(), f.cout->data(), f.cout->size(), &n) == FFNLP_OK;
    f.calls += f.model->tag(t.data(), t.size(), *f.workspace, f.out->data(), 1, &n) != ffnlp::Status::kOk || n <= 1;
  }
  f.calls += f.model->tag_tokens(list, lengths, 7, *f.workspace, f.out->data()) == ffnlp::Status::kOk;
  f.calls += ffnlp_workspace_tag_tokens(f.cworkspace, list, nullptr, 3, f.cout->data()) == FFNLP_OK;
  ffnlp::FeatureRef refs[8];
  ffnlp_feature crefs[256];
  size_t count = 0;
  f.calls += f.model->token_features(list, lengths, 7, 6, labels, refs, 8, &count) == ffnlp::Status::kBufferTooSmall;
  f.calls += ffnlp_token_features(f.cmodel, list, lengths, 7, 6, labels, crefs, 256, &count) == FFNLP_OK;
}

// Called through volatile pointers so the compiler cannot elide the pairs.
void* (*volatile g_malloc)(size_t) = std::malloc;
void* (*volatile g_new)(size_t) = ::operator new;
void allocate_once(void*) {
  std::free(g_malloc(16));
  ::operator delete(g_new(16));
}

}  // namespace

int main() {
  // Sanity: the counter sees both malloc and operator new.
  const long sanity = counted(allocate_once, nullptr);
  // operator new calls malloc, which counts again when malloc is replaced.
  expect(sanity == (FFNLP_ALLOC_COUNTS_MALLOC ? 3 : 1), "the counting hooks see malloc and operator new");

  const std::vector<uint8_t> bytes =
      ffnlp::testing::build_tiny_model(ffnlp::testing::make_tiny_network(5, ffnlp::kScriptCount));
  ffnlp::Model model;
  ffnlp::Error error;
  expect(ffnlp::Model::load(bytes.data(), bytes.size(), &model, &error) == ffnlp::Status::kOk, "load");
  ffnlp::Workspace workspace(model);
  ffnlp_model* cmodel = nullptr;
  expect(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cmodel, nullptr) == FFNLP_OK, "C create");
  ffnlp_workspace* cworkspace = nullptr;
  expect(ffnlp_workspace_create(cmodel, &cworkspace, nullptr) == FFNLP_OK, "C workspace");
  std::vector<unsigned char> scratch(ffnlp_model_scratch_size(cmodel));

  std::vector<std::string> texts = {"The quick brown fox jumps over the lazy dog.",
                                    "Der schnelle braune Fuchs springt über den faulen Hund.",
                                    "Быстрая коричневая лиса прыгает через ленивую собаку.",
                                    "敏捷的棕色狐狸跳过了懒狗。",
                                    "",
                                    "12345 !!!",
                                    "\xff\xfe invalid UTF-8 \xc3"};
  std::string long_text;
  for (int i = 0; i < 500; ++i) long_text += "lorem ipsum dolor sit amet ";
  texts.push_back(long_text);  // 13.5 KB: the counting path
  std::string very_long;
  for (int i = 0; i < 20000; ++i) very_long += "Grüße aus Köln, привет мир. ";
  texts.push_back(very_long);

  Fixture f{&model, &workspace, cmodel, cworkspace, scratch.data(), scratch.size(), &texts, 0};
  const long during = counted(classify_everything, &f);
  const size_t expected_calls = texts.size() * 14 + 2;
  expect(f.calls == expected_calls, "every classification call succeeded");
  expect(during == 0, "classify()/scores() and the C API allocate nothing after load");

  // Loading in place allocates nothing either (the C handle is one malloc).
  struct Load {
    const std::vector<uint8_t>* bytes;
    ffnlp::Model* model;
  } load{&bytes, &model};
  const long loading = counted(
      [](void* arg) {
        Load& l = *static_cast<Load*>(arg);
        ffnlp::Error e;
        ffnlp::Model::load(l.bytes->data(), l.bytes->size(), l.model, &e);
      },
      &load);
  expect(loading == 0, "Model::load allocates nothing");
  const long c_loading = counted(
      [](void* arg) {
        Load& l = *static_cast<Load*>(arg);
        ffnlp_model* m = nullptr;
        ffnlp_model_create_from_buffer(l.bytes->data(), l.bytes->size(), &m, nullptr);
        ffnlp_model_free(m);
      },
      &load);
  expect(c_loading == (FFNLP_ALLOC_COUNTS_MALLOC ? 1 : 0), "ffnlp_model_create_from_buffer allocates one handle");

  // A tagger: the same texts tagged, allocation-free.
  const std::vector<uint8_t> tagger_bytes = ffnlp::testing::build_token_model(ffnlp::testing::make_token_network(5));
  ffnlp::Model tagger;
  expect(ffnlp::Model::load(tagger_bytes.data(), tagger_bytes.size(), &tagger, &error) == ffnlp::Status::kOk,
         "load the tagger");
  ffnlp::Workspace tagger_workspace(tagger);
  ffnlp_model* ctagger = nullptr;
  expect(ffnlp_model_create_from_buffer(tagger_bytes.data(), tagger_bytes.size(), &ctagger, nullptr) == FFNLP_OK,
         "C create (tagger)");
  ffnlp_workspace* ctagger_workspace = nullptr;
  expect(ffnlp_workspace_create(ctagger, &ctagger_workspace, nullptr) == FFNLP_OK, "C workspace (tagger)");
  std::vector<ffnlp::TaggedToken> out(very_long.size());
  std::vector<ffnlp_tagged_token> cout(very_long.size());
  std::vector<ffnlp::Token> spans(very_long.size());
  TagFixture tf{&tagger, &tagger_workspace, ctagger, ctagger_workspace, &texts, &out, &cout, &spans, 0, 0};
  const long tagging = counted(tag_everything, &tf);
  expect(tf.calls == texts.size() * 4 + 4, "every tagging call succeeded");
  expect(tagging == 0, "tokenize()/tag()/tag_tokens()/token_features() and the C API allocate nothing");

  ffnlp_workspace_free(ctagger_workspace);
  ffnlp_model_free(ctagger);
  ffnlp_workspace_free(cworkspace);
  ffnlp_model_free(cmodel);
  std::printf("test_alloc: %zu classification calls, %ld allocations during them; load: %ld, C create: %ld%s\n",
              f.calls, during, loading, c_loading, FFNLP_ALLOC_COUNTS_MALLOC ? "" : " (operator new only)");
  std::printf("test_alloc: %zu tagging calls (%zu tokens tagged), %ld allocations during them\n", tf.calls, tf.tokens,
              tagging);
  if (g_failures != 0) return 1;
  std::printf("test_alloc: OK\n");
  return 0;
}

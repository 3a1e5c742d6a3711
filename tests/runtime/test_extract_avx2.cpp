// The AVX2 extraction (features/extract_avx2.h) against extract_features():
// every channel's rows, in order, and the letter count, on texts built to
// reach every case (short and long words, words across the 512-position
// chunks, digits, invalid UTF-8, mixed scripts, clean-up spans), for plans
// with 1..8-gram channels sharing and not sharing seeds, a script and one
// or two hashed word channels (a table read with a second seed).
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "features/extract.h"
#include "features/extract_avx2.h"

using namespace ffnlp;

namespace {

using ChannelRows = std::vector<std::vector<uint32_t>>;

void add_batch(void* context, uint32_t channel, const uint32_t* rows, uint32_t n) {
  ChannelRows& r = *static_cast<ChannelRows*>(context);
  r[channel].insert(r[channel].end(), rows, rows + n);
}

// add_group: the batches of one call are distinct channels, at most
// kMaxGroupBatches of them.
void add_group(void* context, const detail::RowBatch* batches, uint32_t count) {
  CHECK(count <= detail::kMaxGroupBatches);
  for (uint32_t a = 0; a < count; ++a) {
    for (uint32_t b = 0; b < a; ++b) CHECK(batches[a].channel != batches[b].channel);
    add_batch(context, batches[a].channel, batches[a].rows, batches[a].n);
  }
}

// Into `t` (cleared; its capacity is reused: the suite also runs under
// ASan, whose quarantine keeps freed memory resident).
void random_text(std::mt19937& rng, size_t words, std::string& t) {
  static const char* const pieces[] = {"a", "b", "é", "Ж", "ж", "中", "ש", "Σ", "ς", "İ", "1", "7", "x", "Q",
                                       "\xC3", "\xFF", "\xE2\x82", "ก", "ʼ", "\xCC\x81", "ß", "国", "國", "人", "们"};
  static const char* const gaps[] = {" ", "  ", ", ", ".", "\n", " http://x.org/a ", " 5km ", " <b>", "&amp;",
                                     " a@b.cd ", "-", "\t", " hahaha ", " lol! "};
  t.clear();
  for (size_t w = 0; w < words; ++w) {
    const uint32_t length = rng() % 16 == 0 ? 1 + rng() % 700 : 1 + rng() % 9;  // some words cross chunks
    for (uint32_t k = 0; k < length; ++k) t += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
    t += gaps[rng() % (sizeof(gaps) / sizeof(gaps[0]))];
  }
}

}  // namespace

TEST_CASE("AVX2 extraction: the same rows per channel, in order, as extract_features") {
  std::vector<std::vector<ChannelSpec>> plans;
  std::vector<ChannelSpec> langid;  // the shipped shape: 1-4-grams, own seeds, script
  for (uint32_t n = 1; n <= 4; ++n) langid.push_back(ChannelSpec(FeatureKind::kCharNgram, n, 1000 + 1000 * n, 1000 + n));
  langid.push_back(ChannelSpec(FeatureKind::kScript, 0, kScriptCount, 0));
  plans.push_back(langid);
  std::vector<ChannelSpec> with_word = langid;  // the next shape: + a hashed word channel
  ChannelSpec word(FeatureKind::kWord, 0, 3000, 77);
  with_word.push_back(word);
  plans.push_back(with_word);
  std::vector<ChannelSpec> with_han = with_word;  // + han_variant: its rows go in a batch of their own
  with_han.push_back(ChannelSpec(FeatureKind::kHanVariant, 0, 3, 0));
  plans.push_back(with_han);
  std::vector<ChannelSpec> shared;  // orders 1..8 sharing one seed, few buckets, script with fewer rows
  for (uint32_t n = 8; n >= 1; --n) shared.push_back(ChannelSpec(FeatureKind::kCharNgram, n, 7 + n, 5));
  shared.push_back(ChannelSpec(FeatureKind::kScript, 0, 3, 0));
  plans.push_back(shared);
  std::vector<ChannelSpec> second_hash = with_han;  // 2-4-grams and words again, with other seeds
  for (uint32_t n = 2; n <= 4; ++n) second_hash.push_back(ChannelSpec(FeatureKind::kCharNgram, n, 1000 + 1000 * n, 5000 + n));
  second_hash.push_back(ChannelSpec(FeatureKind::kWord, 0, 3000, 5077));
  plans.push_back(second_hash);

  std::mt19937 rng(99);
  std::string text;
  ChannelRows want(kMaxChannels), got(kMaxChannels);
  for (size_t p = 0; p < plans.size(); ++p) {
    for (int variant = 0; variant < 4; ++variant) {
      TextOptions options;
      // Clean-up off, on (level 1) or with laughter (level 2), by plan.
      options.cleanup = static_cast<uint8_t>((variant & 1) != 0 ? 1 + p % 2 : 0);
      options.drop_digits = (variant & 2) == 0;
      options.lowercase = variant != 3;
      if (variant == 2) options.max_bytes = 300;
      internal::FeaturePlan plan;
      Error error;
      REQUIRE(build_feature_plan(plans[p].data(), static_cast<uint32_t>(plans[p].size()), options, &plan, &error) ==
              Status::kOk);
      if (!detail::avx2_extraction_fits(plan)) {
        MESSAGE("no AVX2 on this CPU: the AVX2 extraction is not used here");
        return;
      }
      for (int trial = 0; trial < 40; ++trial) {
        random_text(rng, trial < 10 ? trial : 20 + rng() % 200, text);  // trial 0: empty
        const uint8_t* bytes = reinterpret_cast<const uint8_t*>(text.data());
        for (uint32_t c = 0; c < kMaxChannels; ++c) {
          want[c].clear();
          got[c].clear();
        }
        const uint32_t want_letters =
            extract_features(bytes, text.size(), plan, [&want](uint32_t c, uint32_t row) { want[c].push_back(row); });
        for (bool wide : {true, false}) {  // 16 positions at a time (where the CPU has AVX-512F), then 8
          for (uint32_t c = 0; c < kMaxChannels; ++c) got[c].clear();
          // Batches one at a time, or in groups (as the pooling takes them).
          detail::RowBatchSink sink{&add_batch, &got, trial % 2 == 0 ? &add_group : nullptr};
          const uint32_t got_letters = detail::extract_rows_avx2(bytes, text.size(), plan, sink, wide);
          INFO("plan " << p << " variant " << variant << " trial " << trial << " bytes " << text.size() << " wide "
                       << wide);
          CHECK(got_letters == want_letters);
          for (uint32_t c = 0; c < kMaxChannels; ++c) {
            INFO("channel " << c);
            REQUIRE(got[c] == want[c]);
          }
        }
      }
    }
  }
}

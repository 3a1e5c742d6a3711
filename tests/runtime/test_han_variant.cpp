// The compiled-in Simplified/Traditional table (features/han_variant.h):
// golden characters, so a wrong or regenerated-by-another-policy table fails.
#include <doctest/doctest.h>

#include <cstdint>

#include "features/han_variant.h"

using namespace ffnlp;

namespace {

// Decodes one UTF-8 character of 2-4 bytes (the test strings are well formed).
uint32_t cp_of(const char* s) {
  const unsigned char* u = reinterpret_cast<const unsigned char*>(s);
  if (u[0] < 0xE0) return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
  if (u[0] < 0xF0) return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
  return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
}

}  // namespace

TEST_CASE("han variant: everyday Simplified / Traditional pairs") {
  const char* const pairs[][2] = {
      {"国", "國"}, {"们", "們"}, {"这", "這"}, {"说", "說"}, {"门", "門"}, {"马", "馬"},
      {"学", "學"}, {"发", "發"}, {"时", "時"}, {"会", "會"}, {"来", "來"}, {"个", "個"},
      {"为", "為"}, {"语", "語"}, {"东", "東"}, {"车", "車"}, {"书", "書"}, {"长", "長"},
  };
  for (const auto& p : pairs) {
    CAPTURE(p[0]);
    CHECK(han_variant_of(cp_of(p[0])) == HanVariant::kSimplified);
    CHECK(han_variant_of(cp_of(p[1])) == HanVariant::kTraditional);
  }
}

TEST_CASE("han variant: shared characters and the policy's edge cases") {
  // No variants at all.
  for (const char* c : {"人", "大", "中", "我", "你", "的", "是", "不", "一", "日", "本"}) {
    CAPTURE(c);
    CHECK(han_variant_of(cp_of(c)) == HanVariant::kShared);
  }
  // Simplified forms that are also Traditional forms in use (Unihan lists
  // them among their own Traditional variants and Big Five has them): 后 (後),
  // 体 (體), 干 (幹 乾), 面 (麵), 里 (裡), 台 (臺). Their Traditional partners
  // are Traditional-only; 乾 stays shared (GB 2312 has it: 乾坤).
  for (const char* c : {"后", "体", "干", "面", "里", "台", "乾"}) {
    CAPTURE(c);
    CHECK(han_variant_of(cp_of(c)) == HanVariant::kShared);
  }
  for (const char* c : {"後", "體", "幹", "麵", "裡", "臺"}) {
    CAPTURE(c);
    CHECK(han_variant_of(cp_of(c)) == HanVariant::kTraditional);
  }
  // Japanese shinjitai that are not Chinese simplifications: no entry.
  for (const char* c : {"円", "込", "駅"}) {
    CAPTURE(c);
    CHECK(han_variant_of(cp_of(c)) == HanVariant::kShared);
  }
  // Supplementary planes (Extension B): U+2003E is Simplified for U+2005E.
  CHECK(han_variant_of(0x2003E) == HanVariant::kSimplified);
  CHECK(han_variant_of(0x2005E) == HanVariant::kTraditional);
}

TEST_CASE("han variant: non-Han code points and the table's edges are shared") {
  for (uint32_t cp : {0u, 0x41u, 0xE9u, 0x3042u /* あ */, 0xAC00u /* 가 */, 0xFFFFu, 0x10FFFFu, 0xFFFFFFFFu}) {
    CAPTURE(cp);
    CHECK(han_variant_of(cp) == HanVariant::kShared);
  }
  // Every code point counted: the table's counts, nothing outside its spans.
  uint32_t simplified = 0, traditional = 0;
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const HanVariant v = han_variant_of(cp);
    if (v == HanVariant::kShared) continue;
    const bool in_span = (cp >= detail::kHanVariantBmpFirst && cp <= detail::kHanVariantBmpLast) ||
                         (cp >= detail::kHanVariantSupplementaryFirst && cp <= detail::kHanVariantSupplementaryLast);
    CHECK(in_span);
    (v == HanVariant::kSimplified ? simplified : traditional) += 1;
  }
  CHECK(simplified == detail::kSimplifiedCount);
  CHECK(traditional == detail::kTraditionalCount);
  // The spans' ends are entries, not padding.
  CHECK(han_variant_of(detail::kHanVariantBmpFirst) != HanVariant::kShared);
  CHECK(han_variant_of(detail::kHanVariantBmpLast) != HanVariant::kShared);
  CHECK(han_variant_of(detail::kHanVariantSupplementaryFirst) != HanVariant::kShared);
  CHECK(han_variant_of(detail::kHanVariantSupplementaryLast) != HanVariant::kShared);
  // The sizes of the Unihan 15.0 table (a regenerated table changes them).
  CHECK(detail::kSimplifiedCount == 6150);
  CHECK(detail::kTraditionalCount == 6265);
}

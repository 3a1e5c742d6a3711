// Loader tests by mutation: a change to a good model file and what loading
// it must answer (status and a part of the message).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "test_models.h"

namespace ffnlp {
namespace testing {

struct LoadCase {
  const char* name;
  std::function<void(std::vector<uint8_t>&)> apply;
  Status expected;
  const char* part;  // of the message
};

// Each case applied to a copy of good (resealed): the load fails with its
// status and a message containing its part.
inline void check_load_cases(const std::vector<uint8_t>& good, const std::vector<LoadCase>& cases) {
  for (const LoadCase& c : cases) {
    CAPTURE(c.name);
    std::vector<uint8_t> bytes = good;
    c.apply(bytes);
    reseal(bytes);
    Model m;
    Error e;
    CHECK(Model::load(bytes.data(), bytes.size(), &m, &e) == c.expected);
    CHECK_MESSAGE(std::strstr(e.message, c.part) != nullptr, e.message);
  }
}

// A change made while a model is written (metadata the writer sets, not
// bytes): base writes the good model, apply changes it; loading fails with
// the status and a message containing part, and leaves nothing loaded.
struct WriterCase {
  const char* name;
  std::function<void(tools::ModelWriter&)> apply;
  Status expected;
  const char* part;  // of the message
};

inline void check_writer_cases(const std::function<void(tools::ModelWriter&)>& base,
                               const std::vector<WriterCase>& cases) {
  for (const WriterCase& c : cases) {
    CAPTURE(c.name);
    tools::ModelWriter w;
    base(w);
    c.apply(w);
    const std::vector<uint8_t> bytes = w.build();
    Model m;
    Error e;
    CHECK(Model::load(bytes.data(), bytes.size(), &m, &e) == c.expected);
    CHECK_MESSAGE(std::strstr(e.message, c.part) != nullptr, e.message);
    CHECK_FALSE(m.is_loaded());
  }
}

}  // namespace testing
}  // namespace ffnlp

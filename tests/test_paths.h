// Where the tests find their fixtures and the tools they run, whatever the
// working directory: the Makefile compiles every test object with
//   FFNLP_SOURCE_DIR  the repository root (absolute)
//   FFNLP_TOOL_DIR    the build directory of this test binary (absolute), so
//                     build/asan/run_tests runs build/asan/convert_model
// A fixture or tool that is missing fails the test that needs it; nothing
// here skips.
#pragma once

#include <string>

#if !defined(FFNLP_SOURCE_DIR) || !defined(FFNLP_TOOL_DIR)
#error "compile tests with -DFFNLP_SOURCE_DIR=\"...\" -DFFNLP_TOOL_DIR=\"...\" (the Makefile does)"
#endif

namespace ffnlp {
namespace testing {

// A file of the repository, e.g. source_path("models/langid.ffm").
inline std::string source_path(const std::string& relative) { return std::string(FFNLP_SOURCE_DIR) + "/" + relative; }

// A program built beside this test binary, e.g. tool_path("convert_model").
inline std::string tool_path(const std::string& name) { return std::string(FFNLP_TOOL_DIR) + "/" + name; }

}  // namespace testing
}  // namespace ffnlp

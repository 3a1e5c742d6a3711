#include "tools/common/output_status.h"

#include <errno.h>

#include <cstring>

namespace ffnlp {
namespace tools {

bool write_all(std::FILE* out, const std::string& bytes, int* error_number) {
  if (bytes.empty()) return true;
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size()) return true;
  *error_number = errno != 0 ? errno : EIO;
  return false;
}

void report_write_error(std::FILE* err, const char* program, const char* what, int error_number) {
  std::fprintf(err, "%s: cannot write %s: %s\n", program, what,
               error_number != 0 ? std::strerror(error_number) : "write error");
}

bool finish_output(std::FILE* out, std::FILE* err, const char* program, const char* what) {
  errno = 0;
  const bool flushed = std::fflush(out) == 0;
  const int error_number = flushed ? 0 : errno;
  if (flushed && !std::ferror(out)) return true;
  report_write_error(err, program, what, error_number);
  return false;
}

}  // namespace tools
}  // namespace ffnlp

// The error the tool readers throw when an input is larger than the limit
// the caller gave (a file size, or the sizes a zip declares): a
// std::runtime_error like every other input error, with its own type so a
// caller can name the option that sets the limit.
#pragma once

#include <stdexcept>

namespace ffnlp {
namespace tools {

class SizeLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tools
}  // namespace ffnlp

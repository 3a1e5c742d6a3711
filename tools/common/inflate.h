// DEFLATE (RFC 1951) decoder for tool code (NPZ reading).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ffnlp {
namespace tools {

// Decodes a raw DEFLATE stream (no zlib/gzip wrapper).
//
// `expected_size` is the exact number of output bytes the caller expects
// (e.g. the uncompressed size from a zip header). Decoding stops with an
// error as soon as the output would exceed it, so a malicious stream cannot
// exhaust memory; if the stream ends with fewer bytes, that is an error too.
// `what` is used as a prefix in error messages.
//
// Throws std::runtime_error on malformed or truncated input.
std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size,
                                 size_t expected_size,
                                 const std::string& what);

}  // namespace tools
}  // namespace ffnlp

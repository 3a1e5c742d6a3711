#include "kernels.h"

#include <cmath>

#include "byte_order.h"

namespace ffnlp {

void accumulate_q8_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  for (uint32_t j = 0; j < dims; ++j) acc[j] += static_cast<float>(static_cast<int32_t>(q[j]) - zero_point) * scale;
}

void accumulate_f32_row(const uint8_t* row, float* acc, uint32_t dims) {
  for (uint32_t j = 0; j < dims; ++j) acc[j] += read_f32(row + 4 * j);
}

void dense(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
           uint32_t out_count) {
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = weights + static_cast<size_t>(o) * in_count * 4;
    float sum = 0.0f;
    for (uint32_t i = 0; i < in_count; ++i) sum += read_f32(w + 4 * i) * in[i];
    out[o] = read_f32(bias + 4 * static_cast<size_t>(o)) + sum;
  }
}

void relu(float* values, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) values[i] = values[i] > 0.0f ? values[i] : 0.0f;
}

void softmax(float* values, uint32_t count) {
  if (count == 0) return;
  float max_value = values[0];
  for (uint32_t i = 1; i < count; ++i) max_value = values[i] > max_value ? values[i] : max_value;
  float sum = 0.0f;
  for (uint32_t i = 0; i < count; ++i) {
    values[i] = std::exp(values[i] - max_value);
    sum += values[i];
  }
  const float inv = 1.0f / sum;  // sum >= 1: the maximum contributes exp(0)
  for (uint32_t i = 0; i < count; ++i) values[i] *= inv;
}

}  // namespace ffnlp

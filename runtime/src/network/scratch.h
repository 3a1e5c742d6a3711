// The layout of one call's scratch memory. ONE size for every path and API
// (Model::scratch_bytes(), ffnlp_model_scratch_size(), Workspace): C, C++ and
// the CLI take the same code paths and give the same bits. Each region
// starts at a multiple of 64 bytes.
//   input        f32 x input width      pooled input vector
//   layer_a/_b   f32 x widest layer     layer outputs (ping-pong); logits
//   quantized    i16 x widest layer in  a layer's input quantized for the
//                                       integer 8-bit kernel (dense_q8_int.h)
//   occurrences  u32 x channels         feature occurrences per channel
//   acc          f64 x input width      long texts: sums of count x row
//   counts       u32 x all buckets      long texts: occurrences per row; short
//                                       texts (AVX2 path): neighbour words'
//                                       hashes ([0] the count; heads/neighbour_words.h)
//   values       f32 x labels           allow-list: the candidates' logits
//   labels       u32 x labels           allow-list: the candidates' label indices
//   heap         u32 x labels           top-k selection
//   mask         u8  x labels           allow-list membership, hinted labels
//                                       (bits; repeats are refused through them)
//   units        f32 x ring x unit      taggers: the token units of the window ring
//   unit_counts  u32 x ring x channels  taggers: rows summed into each unit, per channel
//   history      u32 x 16               taggers: the last labels (prev_label)
#ifndef FFNLP_NETWORK_SCRATCH_H_
#define FFNLP_NETWORK_SCRATCH_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

struct ScratchLayout {
  size_t input = 0, layer_a = 0, layer_b = 0, quantized = 0, occurrences = 0, acc = 0, counts = 0, values = 0, labels = 0,
         heap = 0, mask = 0, units = 0, unit_counts = 0, history = 0, total = 0;
};

// ring: token units a tagger keeps (0 for classifiers), unit_width: floats
// of one unit.
inline ScratchLayout scratch_layout(uint32_t input_width, uint32_t max_width, uint32_t channels, uint64_t buckets,
                                    uint32_t label_count, uint32_t ring = 0, uint32_t unit_width = 0,
                                    uint32_t history = 0) {
  ScratchLayout s;
  size_t at = 0;
  auto take = [&at](size_t bytes) {
    const size_t begin = at;
    at += (bytes + 63) / 64 * 64;
    return begin;
  };
  s.input = take(sizeof(float) * input_width);
  s.layer_a = take(sizeof(float) * max_width);
  s.layer_b = take(sizeof(float) * max_width);
  // A layer's input is the input vector or an earlier layer's output.
  s.quantized = take(sizeof(int16_t) * (input_width > max_width ? input_width : max_width));
  s.occurrences = take(sizeof(uint32_t) * channels);
  s.acc = take(sizeof(double) * input_width);
  s.counts = take(sizeof(uint32_t) * static_cast<size_t>(buckets));
  s.values = take(sizeof(float) * label_count);
  s.labels = take(sizeof(uint32_t) * label_count);
  s.heap = take(sizeof(uint32_t) * label_count);
  s.mask = take(label_count);
  s.units = take(sizeof(float) * static_cast<size_t>(ring) * unit_width);
  s.unit_counts = take(sizeof(uint32_t) * static_cast<size_t>(ring) * channels);
  s.history = take(sizeof(uint32_t) * history);
  s.total = at;
  return s;
}

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_SCRATCH_H_

// A converted model (.ffm) whose answers the trainer learns from besides the
// labels: knowledge distillation (`train --teacher`). A larger model that
// does not fit the size budget passes on what it learnt through its full
// distribution over the labels, which says which other languages a text
// could also be, not only which one it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/train/dataset.h"

namespace ffnlp {
namespace train {

class Teacher {
 public:
  // Loads the model and maps its labels onto the student's by code; a
  // student label the teacher lacks gets probability 0. Throws
  // std::runtime_error when the file is not a classifier or shares no label.
  Teacher(const std::string& path, const LabelSet& labels, float temperature);

  // Per-thread buffers.
  struct State {
    std::unique_ptr<ffnlp::Workspace> workspace;  // the runtime's, not the trainer's
    std::vector<float> logits;  // the teacher's labels
    std::vector<float> probs;   // the student's labels
  };
  State make_state() const;

  // softmax(logits / temperature) of the teacher on the text, with a
  // uniform prior (the student learns without one too; the prior is added
  // at export), over the student's labels into state->probs. False when
  // the teacher has no evidence (no letters) or fails.
  bool distribution(const char* text, size_t size, State* state) const;

  uint32_t shared_labels() const { return shared_; }

 private:
  MappedFile file_;
  Model model_;
  std::vector<int32_t> to_student_;  // per teacher label: the student's index, or -1
  uint32_t student_labels_ = 0, shared_ = 0;
  float temperature_ = 1.0f;
};

}  // namespace train
}  // namespace ffnlp

#include "tools/train/teacher.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ffnlp {
namespace train {

Teacher::Teacher(const std::string& path, const LabelSet& labels, float temperature)
    : student_labels_(static_cast<uint32_t>(labels.codes.size())), temperature_(temperature) {
  Error error;
  if (load_file(path.c_str(), &file_, &model_, &error) != Status::kOk)
    throw std::runtime_error(path + ": " + error.message);
  if (!model_.is_classifier()) throw std::runtime_error(path + ": not a classifier");
  if (!(temperature > 0)) throw std::runtime_error("--teacher-temperature must be > 0");
  to_student_.assign(model_.label_count(), -1);
  for (uint32_t t = 0; t < model_.label_count(); ++t) {
    const auto it = labels.index.find(model_.label(t));
    if (it == labels.index.end()) continue;
    to_student_[t] = static_cast<int32_t>(it->second);
    ++shared_;
  }
  if (shared_ == 0) throw std::runtime_error(path + ": no label in common with the training data");
}

Teacher::State Teacher::make_state() const {
  State state;
  state.workspace.reset(new ffnlp::Workspace(model_));
  state.logits.resize(model_.label_count());
  state.probs.resize(student_labels_);
  return state;
}

bool Teacher::distribution(const char* text, size_t size, State* state) const {
  ClassifyOptions options;
  options.prior = Prior::kUniform;
  Input input;
  input.text = text;
  input.size = size;
  TextStats stats;
  ffnlp::Workspace& ws = *state->workspace;
  if (model_.logits(input, ws.data(), ws.size(), state->logits.data(), state->logits.size(), &options, &stats) !=
      Status::kOk)
    return false;
  if (stats.letters == 0) return false;
  // Softmax over the labels the student has (the others' mass is dropped).
  float top = -INFINITY;
  for (size_t t = 0; t < to_student_.size(); ++t)
    if (to_student_[t] >= 0) top = std::max(top, state->logits[t]);
  if (!std::isfinite(top)) return false;
  std::fill(state->probs.begin(), state->probs.end(), 0.0f);
  double sum = 0.0;
  for (size_t t = 0; t < to_student_.size(); ++t) {
    if (to_student_[t] < 0) continue;
    const double e = std::exp(static_cast<double>(state->logits[t] - top) / temperature_);
    state->probs[static_cast<size_t>(to_student_[t])] = static_cast<float>(e);
    sum += e;
  }
  for (float& p : state->probs) p = static_cast<float>(p / sum);
  return true;
}

}  // namespace train
}  // namespace ffnlp

// `train evaluate`: a converted model's accuracy, log loss, Brier score,
// calibration and reliability on labelled files, under a grid of prior
// strengths and temperatures (see evaluate.cpp).
#pragma once

namespace ffnlp {
namespace train {

// argv[0] is "evaluate"; returns the exit status. Throws on bad arguments.
int evaluate_main(int argc, char** argv);

}  // namespace train
}  // namespace ffnlp

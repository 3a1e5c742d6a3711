// postag: the on-device English part-of-speech tagger (build/postag --help).
#include "tools/postag/cli.h"

int main(int argc, char** argv) { return ffnlp::postag::run_postag(argc, argv); }

// langid: the on-device language identifier demo (build/langid --help).
#include "tools/langid/cli.h"

int main(int argc, char** argv) { return ffnlp::langid::run_langid(argc, argv); }

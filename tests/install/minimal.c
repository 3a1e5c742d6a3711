/* The smallest useful C program for the footprint figures (make footprint):
 * map a model, classify one text, print the label. */
#include <stdio.h>
#include "ffnlp/ffnlp_c.h"

int main(int argc, char** argv) {
  ffnlp_model* model = NULL;
  ffnlp_workspace* ws = NULL;
  ffnlp_prediction top[1];
  size_t n = 0;
  if (argc < 3 || ffnlp_model_create_from_file(argv[1], &model, NULL) != FFNLP_OK) return 1;
  if (ffnlp_workspace_create(model, &ws, NULL) != FFNLP_OK) return 1;
  if (ffnlp_workspace_classify(ws, argv[2], FFNLP_NUL_TERMINATED, top, 1, &n) == FFNLP_OK && n == 1) puts(top[0].label);
  ffnlp_workspace_free(ws);
  ffnlp_model_free(model);
  return 0;
}

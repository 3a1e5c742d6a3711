/* detect: print the language of each argument with the ffnlp C API.
 *
 *   cc detect.c $(pkg-config --cflags --libs ffnlp) -o detect
 *   ./detect -m models/langid.ffm "Der schnelle braune Fuchs" "Le renard"
 *
 * One line per text: label, probability (4 decimals), "reliable" or
 * "unreliable", language name ("-" when the model has none). The model path
 * defaults to $FFNLP_MODEL, then models/langid.ffm. Plain C99.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffnlp/ffnlp_c.h"

int main(int argc, char** argv) {
  const char* path = getenv("FFNLP_MODEL");
  int first = 1;
  ffnlp_model* model = NULL;
  ffnlp_workspace* workspace = NULL;
  ffnlp_error err;
  int i;
  int failed = 0;

  if (path == NULL || path[0] == '\0') path = "models/langid.ffm";
  if (argc >= 3 && strcmp(argv[1], "-m") == 0) {
    path = argv[2];
    first = 3;
  }
  if (first >= argc) {
    fprintf(stderr, "usage: %s [-m MODEL.ffm] TEXT...\n", argv[0]);
    return 2;
  }
  if (ffnlp_model_create_from_file(path, &model, &err) != FFNLP_OK) {
    fprintf(stderr, "%s: %s (%s)\n", path, err.message, ffnlp_status_name(err.status));
    return 1;
  }
  if (ffnlp_workspace_create(model, &workspace, &err) != FFNLP_OK) {
    fprintf(stderr, "%s: %s (%s)\n", path, err.message, ffnlp_status_name(err.status));
    ffnlp_model_free(model);
    return 1;
  }
  for (i = first; i < argc; ++i) {
    ffnlp_prediction top[1];
    size_t n = 0;
    const ffnlp_status status = ffnlp_workspace_classify(workspace, argv[i], strlen(argv[i]), top, 1, &n);
    if (status != FFNLP_OK) {
      fprintf(stderr, "classify: %s\n", ffnlp_status_name(status));
      failed = 1;
      continue;
    }
    if (n == 0) {
      printf("-\t0.0000\tunreliable\t-\n");
    } else {
      printf("%s\t%.4f\t%s\t%s\n", top[0].label, (double)top[0].probability,
             top[0].reliable ? "reliable" : "unreliable", top[0].name[0] != '\0' ? top[0].name : "-");
    }
  }
  ffnlp_workspace_free(workspace);
  ffnlp_model_free(model);
  return failed;
}

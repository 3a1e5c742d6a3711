/* capi_dump: the reference the packages' tests compare with. Classifies
 * texts with the C API alone (libffnlp) and prints every number exactly.
 *
 *   capi_dump MODEL.ffm K [PREFER WEIGHT] < records
 *
 * PREFER (comma-separated label codes) and WEIGHT: hints, through
 * ffnlp_classify_ex (ffnlp_classify_options.prefer, prefer_weight).
 * Input: records "<byte length>\n<bytes>" one after the other (a text may
 * hold any byte, newlines and NULs included). Output, one line per record:
 * the count, then per prediction TAB label TAB label_index TAB probability
 * (%.9g, which round-trips a float) TAB reliable (0/1). Labels are printed
 * as they are; "-" stands for an empty label.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffnlp/ffnlp_c.h"

static int read_record(char** text, size_t* size) {
  unsigned long long n = 0;
  int c;
  int digits = 0;
  while ((c = getchar()) != EOF && c != '\n') {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (unsigned long long)(c - '0');
    ++digits;
  }
  if (digits == 0) return c == EOF ? 0 : -1;
  *text = (char*)malloc(n ? (size_t)n : 1);
  if (*text == NULL) return -1;
  if (n != 0 && fread(*text, 1, (size_t)n, stdin) != (size_t)n) return -1;
  *size = (size_t)n;
  return 1;
}

/* "CODE,CODE,..." -> label indices into out[0 .. *count); 0 on an unknown code. */
static int parse_codes(const ffnlp_model* model, const char* codes, uint32_t* out, size_t capacity, size_t* count) {
  char code[64];
  const char* at = codes;
  *count = 0;
  for (;;) {
    const char* comma = strchr(at, ',');
    const size_t n = comma != NULL ? (size_t)(comma - at) : strlen(at);
    int32_t index;
    if (n >= sizeof code || *count == capacity) return 0;
    memcpy(code, at, n);
    code[n] = '\0';
    index = ffnlp_model_find_label(model, code);
    if (index < 0) return 0;
    out[(*count)++] = (uint32_t)index;
    if (comma == NULL) return 1;
    at = comma + 1;
  }
}

int main(int argc, char** argv) {
  ffnlp_model* model = NULL;
  ffnlp_error err;
  ffnlp_prediction* top;
  void* scratch;
  size_t scratch_size, k;
  char* text = NULL;
  size_t size = 0;
  int r;
  uint32_t prefer[64];
  ffnlp_classify_options options;
  const ffnlp_classify_options* with = NULL;
  if ((argc != 3 && argc != 5) || atoi(argv[2]) <= 0) {
    fprintf(stderr, "usage: capi_dump MODEL.ffm K [PREFER WEIGHT] < records\n");
    return 2;
  }
  if (ffnlp_model_create_from_file(argv[1], &model, &err) != FFNLP_OK) {
    fprintf(stderr, "capi_dump: %s\n", err.message);
    return 1;
  }
  if (argc == 5) {
    memset(&options, 0, sizeof options);
    options.struct_size = (uint32_t)sizeof options;
    options.prior = FFNLP_PRIOR_MODEL;
    options.prefer = prefer;
    options.prefer_weight = (float)atof(argv[4]);
    if (!parse_codes(model, argv[3], prefer, sizeof prefer / sizeof prefer[0], &options.prefer_count)) {
      fprintf(stderr, "capi_dump: bad PREFER codes '%s'\n", argv[3]);
      return 2;
    }
    with = &options;
  }
  k = (size_t)atoi(argv[2]);
  top = (ffnlp_prediction*)calloc(k, sizeof *top);
  scratch_size = ffnlp_model_scratch_size(model);
  scratch = malloc(scratch_size);
  if (top == NULL || scratch == NULL) return 1;
  while ((r = read_record(&text, &size)) == 1) {
    size_t count = 0, i;
    const ffnlp_status s = with != NULL ? ffnlp_classify_ex(model, text, size, with, scratch, scratch_size, top, k, &count)
                                        : ffnlp_classify(model, text, size, scratch, scratch_size, top, k, &count);
    if (s != FFNLP_OK) {
      fprintf(stderr, "capi_dump: %s\n", ffnlp_status_name(s));
      return 1;
    }
    printf("%zu", count);
    for (i = 0; i < count; ++i) {
      printf("\t%s\t%u\t%.9g\t%d", top[i].label[0] ? top[i].label : "-", (unsigned)top[i].label_index,
             (double)top[i].probability, (int)top[i].reliable);
    }
    printf("\n");
    free(text);
    text = NULL;
  }
  if (r < 0) {
    fprintf(stderr, "capi_dump: malformed input record\n");
    return 1;
  }
  free(top);
  free(scratch);
  ffnlp_model_free(model);
  return fflush(stdout) == 0 ? 0 : 1;
}

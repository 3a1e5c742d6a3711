#include "tools/bench/api_compare.h"

#include <algorithm>
#include <ctime>
#include <sys/resource.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sched.h>
#include <unistd.h>

#include "ffnlp/ffnlp_c.h"

namespace bench {
namespace {

// CPU time, not wall time: on a shared machine other jobs change wall
// times run by run; the CPU time each path itself used changes much less.
double thread_cpu() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
double children_cpu() {
  rusage u;
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Summary {
  double median = 0, min = 0, max = 0;
};
Summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  Summary s;
  if (v.empty()) return s;
  s.min = v.front();
  s.max = v.back();
  s.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  return s;
}

// CPU seconds of one CLI run over `input` (output to `output`), or -1.
double cli_seconds(const ApiCompareOptions& o, const std::string& input, const std::string& output) {
  const std::string command = "exec '" + o.langid_path + "' --threads 1 --model '" + o.model_path + "' < '" + input +
                              "' > '" + output + "'";
  const double t0 = children_cpu();
  if (std::system(command.c_str()) != 0) return -1;
  return children_cpu() - t0;
}

// Pins the calling thread to the CPU it runs on (its previous CPU set in
// `saved`); returns that CPU, or -1 when it could not be pinned.
int pin_to_current_cpu(cpu_set_t* saved) {
  const int cpu = sched_getcpu();
  if (cpu < 0 || sched_getaffinity(0, sizeof *saved, saved) != 0) return -1;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

}  // namespace

void api_compare_row(const ApiCompareOptions& o, const std::vector<uint8_t>& model_bytes, const ffnlp::Model& model,
                     const std::string& name, const std::vector<std::string>& raw_texts) {
  // Line mode reads one text per line: newlines inside a text become spaces, for all three.
  std::vector<std::string> texts(raw_texts);
  for (std::string& t : texts) std::replace(t.begin(), t.end(), '\n', ' ');
  ffnlp::Workspace ws(model);
  ffnlp_model* cmodel = nullptr;
  ffnlp_workspace* cws = nullptr;
  ffnlp_error cerr;
  if (ffnlp_model_create_from_buffer(model_bytes.data(), model_bytes.size(), &cmodel, &cerr) != FFNLP_OK ||
      ffnlp_workspace_create(cmodel, &cws, &cerr) != FFNLP_OK) {
    printf("  %-8s C API: cannot load the model: %s\n", name.c_str(), cerr.message);
    ffnlp_model_free(cmodel);
    return;
  }
  // Agreement, text by text.
  std::vector<ffnlp::Prediction> cpp(texts.size());
  size_t c_same = 0, answered = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    size_t n = 0, cn = 0;
    model.classify(texts[i].data(), texts[i].size(), ws, &cpp[i], 1, &n);
    if (n == 0) cpp[i] = ffnlp::Prediction();
    ffnlp_prediction cp;
    std::memset(&cp, 0, sizeof cp);
    ffnlp_workspace_classify(cws, texts[i].data(), texts[i].size(), &cp, 1, &cn);
    answered += n != 0;
    if (n == cn && (n == 0 || (cp.label_index == cpp[i].label_index &&
                               std::memcmp(&cp.probability, &cpp[i].probability, sizeof(float)) == 0))) {
      ++c_same;
    }
  }
  // Speed: C++ and C in process, interleaved run by run.
  volatile uint64_t sink = 0;
  auto cpp_pass = [&]() {
    for (const std::string& t : texts) {
      ffnlp::Prediction top[1];
      size_t n = 0;
      model.classify(t.data(), t.size(), ws, top, 1, &n);
      sink = sink + top[0].label_index;
    }
  };
  auto c_pass = [&]() {
    for (const std::string& t : texts) {
      ffnlp_prediction top[1];
      size_t n = 0;
      ffnlp_workspace_classify(cws, t.data(), t.size(), top, 1, &n);
      sink = sink + top[0].label_index;
    }
  };
  cpp_pass();
  c_pass();
  double t0 = thread_cpu();
  cpp_pass();
  const long reps = std::max(1L, static_cast<long>(std::ceil(o.min_time / std::max(thread_cpu() - t0, 1e-9))));
  // The CLI: the texts repeated into a file until a run takes about min_time;
  // its start-up (an empty input) is subtracted.
  const bool cli = !o.langid_path.empty() && access(o.langid_path.c_str(), X_OK) == 0;
  char dir_template[] = "/tmp/ffnlp-bench-api-XXXXXX";
  const char* dir = cli ? mkdtemp(dir_template) : nullptr;
  const std::string input = dir ? std::string(dir) + "/texts.txt" : "", empty = dir ? std::string(dir) + "/empty.txt" : "";
  const std::string output = dir ? std::string(dir) + "/out.txt" : "";
  if (dir != nullptr) {
    std::ofstream f(input, std::ios::binary);
    for (long r = 0; r < 2 * ((reps + 1) / 2); ++r) {
      for (const std::string& t : texts) f << t << '\n';
    }
    std::ofstream(empty, std::ios::binary).flush();
  }
  // One round: C++ and C each in two halves around the CLI run, in the
  // order C++ C CLI C C++, so that a speed drift of the machine that is
  // linear over the round weighs on all three alike; the ratios are taken
  // per round. Everything runs on one CPU (the child inherits the
  // affinity): the two vCPUs of a shared VM can differ in speed by 1.3-1.5x
  // for the same code, which made a CLI run that landed on the other CPU
  // look that much slower.
  cpu_set_t saved_cpus;
  const int cpu = pin_to_current_cpu(&saved_cpus);
  std::vector<double> cpp_rate, c_rate, cli_rate, c_ratio, cli_ratio;
  const long half = (reps + 1) / 2;
  const double texts_per_run = 2.0 * static_cast<double>(half) * static_cast<double>(texts.size());
  for (int r = 0; r < o.runs; ++r) {
    double cpp_s = 0, c_s = 0;
    t0 = thread_cpu();
    for (long k = 0; k < half; ++k) cpp_pass();
    cpp_s += thread_cpu() - t0;
    t0 = thread_cpu();
    for (long k = 0; k < half; ++k) c_pass();
    c_s += thread_cpu() - t0;
    double cli_s = -1;
    if (dir != nullptr) {
      const double start = cli_seconds(o, empty, output);
      const double whole = cli_seconds(o, input, output);
      if (start >= 0 && whole > start) cli_s = whole - start;
    }
    t0 = thread_cpu();
    for (long k = 0; k < half; ++k) c_pass();
    c_s += thread_cpu() - t0;
    t0 = thread_cpu();
    for (long k = 0; k < half; ++k) cpp_pass();
    cpp_s += thread_cpu() - t0;
    cpp_rate.push_back(texts_per_run / cpp_s);
    c_rate.push_back(texts_per_run / c_s);
    c_ratio.push_back(cpp_s / c_s);
    if (cli_s > 0) {
      cli_rate.push_back(texts_per_run / cli_s);
      cli_ratio.push_back(cpp_s / cli_s);
    }
  }
  if (cpu >= 0) sched_setaffinity(0, sizeof saved_cpus, &saved_cpus);
  // The CLI's answers (the last run's output): label and printed probability.
  size_t cli_same = 0, cli_lines = 0;
  if (dir != nullptr) {
    std::ifstream f(output);
    std::string line;
    for (size_t i = 0; i < texts.size() && std::getline(f, line); ++i) {
      ++cli_lines;
      char want[128];
      if (cpp[i].label != nullptr && cpp[i].label[0] != '\0') {
        snprintf(want, sizeof want, "%s\t%.4f", cpp[i].label, static_cast<double>(cpp[i].probability));
      } else {
        want[0] = '\0';
      }
      cli_same += line == want;
    }
  }
  const Summary cr = summarize(cpp_rate), ccr = summarize(c_rate), cl = summarize(cli_rate);
  const Summary c_r = summarize(c_ratio), cli_r = summarize(cli_ratio);
  printf("  %-8s %5zu texts: C++ %.4g texts/s [%.4g-%.4g]; C %.4g [%.4g-%.4g], C/C++ %.3f [%.3f-%.3f]", name.c_str(),
         texts.size(), cr.median, cr.min, cr.max, ccr.median, ccr.min, ccr.max, c_r.median, c_r.min, c_r.max);
  if (!cli_rate.empty()) {
    printf("; CLI %.4g [%.4g-%.4g], CLI/C++ %.3f [%.3f-%.3f]", cl.median, cl.min, cl.max, cli_r.median, cli_r.min,
           cli_r.max);
  }
  printf("\n           agreement: C = C++ (label and probability bits) %zu / %zu texts (%zu answered)", c_same,
         texts.size(), answered);
  if (dir != nullptr) printf("; CLI = C++ (label and %%.4f) %zu / %zu lines", cli_same, cli_lines);
  if (cpu >= 0) printf("; all on CPU %d", cpu);
  printf("\n");
  if (dir != nullptr) {
    std::remove(input.c_str());
    std::remove(empty.c_str());
    std::remove(output.c_str());
    rmdir(dir);
  }
  ffnlp_workspace_free(cws);
  ffnlp_model_free(cmodel);
}

}  // namespace bench

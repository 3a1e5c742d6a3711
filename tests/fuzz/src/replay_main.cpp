// A main() for the fuzz targets without libFuzzer: feeds every file named on
// the command line (directories: every file in them, in name order) to
// LLVMFuzzerTestOneInput once. `make fuzz-check` links each target with this
// and the AddressSanitizer + UBSan build of the libraries, so `make test`
// replays the committed corpora and regressions with g++ alone.
// Exit status: 0 when every input ran; 1 when an argument cannot be read or
// names no input at all (a missing corpus is a failure, not a pass). A failed
// invariant or a sanitizer report aborts the process.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

bool read_all(const std::string& path, std::vector<uint8_t>* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  out->clear();
  uint8_t buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out->insert(out->end(), buffer, buffer + n);
  const bool ok = std::ferror(f) == 0;
  std::fclose(f);
  return ok;
}

bool collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  if (S_ISREG(st.st_mode)) {
    files->push_back(path);
    return true;
  }
  if (!S_ISDIR(st.st_mode)) return false;
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return false;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(path + "/" + e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    if (stat(n.c_str(), &st) == 0 && S_ISREG(st.st_mode)) files->push_back(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!collect(argv[i], &files)) {
      std::fprintf(stderr, "%s: cannot read '%s'\n", argv[0], argv[i]);
      return 1;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "%s: no inputs\n", argv[0]);
    return 1;
  }
  std::vector<uint8_t> bytes;
  for (const std::string& f : files) {
    if (!read_all(f, &bytes)) {
      std::fprintf(stderr, "%s: cannot read '%s'\n", argv[0], f.c_str());
      return 1;
    }
    // An exactly sized heap copy, as libFuzzer gives (ASan sees overreads);
    // like libFuzzer, a valid pointer even for an empty input.
    uint8_t* copy = new uint8_t[bytes.size() + (bytes.empty() ? 1 : 0)];
    std::copy(bytes.begin(), bytes.end(), copy);
    LLVMFuzzerTestOneInput(copy, bytes.size());
    delete[] copy;
  }
  std::printf("%s: %zu inputs replayed\n", argv[0], files.size());
  return 0;
}

// Temporary directories for tests that write files: made under /tmp,
// listed, removed with all they hold (also directories a test made
// unreadable).
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ffnlp {
namespace testing {

// A new empty directory /tmp/<name>_XXXXXX.
inline std::string make_temp_dir(const std::string& name) {
  std::string tmpl = "/tmp/" + name + "_XXXXXX";
  char* d = mkdtemp(&tmpl[0]);
  REQUIRE(d != nullptr);
  return tmpl;
}

// The names in `dir` (without "." and ".."), sorted; none if it cannot be read.
inline std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Removes `path`: a file, or a directory with everything in it.
inline void remove_tree(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    chmod(path.c_str(), 0755);
    for (const std::string& n : list_dir(path)) remove_tree(path + "/" + n);
    rmdir(path.c_str());
  } else {
    unlink(path.c_str());
  }
}

// A temporary directory that is removed with its contents at the end of
// the scope.
struct TempDir {
  std::string path;
  explicit TempDir(const std::string& name = "ffnlp_test") : path(make_temp_dir(name)) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { remove_tree(path); }
  // Writes `text` to the file `name` in the directory.
  void write(const std::string& name, const std::string& text) const {
    std::FILE* f = std::fopen((path + "/" + name).c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
    REQUIRE(std::fclose(f) == 0);
  }
};

}  // namespace testing
}  // namespace ffnlp

#include "tools/common/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace ffnlp {
namespace tools {
namespace {

[[noreturn]] void fail_errno(const std::string& path, const std::string& msg, int err) {
  throw std::runtime_error(path + ": " + msg + ": " + std::strerror(err));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

std::string dir_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

mode_t current_umask() {
  mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) fail_errno(path, "cannot open", errno);
  Fd fd(raw);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) fail_errno(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) throw std::runtime_error(path + ": is a directory");
  std::vector<uint8_t> out;
  if (S_ISREG(st.st_mode) && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(path, "read failed", errno);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes,
                           bool force) {
  if (path.empty()) throw std::runtime_error("write_file_atomically: empty path");
  if (path.back() == '/') throw std::runtime_error(path + ": is a directory");
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw std::runtime_error(path + ": is a directory");
    if (!force)
      throw std::runtime_error(path + ": already exists; use --force to overwrite");
  } else if (errno != ENOENT) {
    fail_errno(path, "cannot access", errno);
  }

  const std::string dir = dir_of(path);
  std::string tmpl = dir + "/." + base_of(path) + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int raw = ::mkstemp(name.data());
  if (raw < 0) fail_errno(path, "cannot create a temporary file in '" + dir + "'", errno);
  const std::string tmp(name.data());
  Fd fd(raw);
  auto cleanup_fail = [&](const std::string& msg, int err) {
    int fdv = fd.release();
    if (fdv >= 0) ::close(fdv);
    ::unlink(tmp.c_str());
    fail_errno(path, msg, err);
  };

  if (::fchmod(fd.get(), 0666 & ~current_umask()) != 0) cleanup_fail("cannot set mode", errno);
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      cleanup_fail("write failed", errno);
    }
    if (n == 0) cleanup_fail("write failed", EIO);
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) cleanup_fail("fsync failed", errno);
  if (::close(fd.release()) != 0) cleanup_fail("close failed", errno);

  if (!force) {
    // link() fails with EEXIST if the target appeared meanwhile, so an
    // existing file is never clobbered without --force.
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      ::unlink(tmp.c_str());
    } else if (errno == EEXIST) {
      ::unlink(tmp.c_str());
      throw std::runtime_error(path + ": already exists; use --force to overwrite");
    } else if (::rename(tmp.c_str(), path.c_str()) != 0) {  // no hard links here
      cleanup_fail("cannot rename temporary file into place", errno);
    }
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    cleanup_fail("cannot rename temporary file into place", errno);
  }

  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // best effort: make the rename durable
    ::close(dfd);
  }
}

}  // namespace tools
}  // namespace ffnlp

#include "tools/common/file_io.h"

#include "tools/common/size_limit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
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


const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO, not a regular file";
  if (S_ISCHR(mode)) return "is a character device, not a regular file";
  if (S_ISBLK(mode)) return "is a block device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  if (S_ISLNK(mode)) return "is a symbolic link";
  return "is not a regular file";
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes) {
  // O_NONBLOCK: a FIFO without a writer must not block open(); anything but
  // a regular file is refused after fstat().
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  } while (raw < 0 && errno == EINTR);
  struct stat st;
  if (raw < 0) {
    const int err = errno;
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) throw std::runtime_error(path + ": " + file_type_name(st.st_mode));
    fail_errno(path, "cannot open", err);
  }
  Fd fd(raw);
  if (::fstat(fd.get(), &st) != 0) fail_errno(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) throw std::runtime_error(path + ": " + file_type_name(st.st_mode));
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) {
    throw SizeLimitError(path + ": file is " + std::to_string(size) + " bytes, more than the limit of " +
                         std::to_string(max_bytes) + " bytes");
  }
  if (size > SIZE_MAX) throw std::runtime_error(path + ": file is too large for this platform");
  std::vector<uint8_t> out(static_cast<size_t>(size));
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(path, "read failed", errno);
    }
    if (n == 0) throw std::runtime_error(path + ": file shrank while it was read");
    got += static_cast<size_t>(n);
  }
  return out;
}

namespace {

// lstat() of an output path that exists: what may be replaced.
void check_replaceable(const std::string& path, bool force) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail_errno(path, "cannot access", errno);
  }
  if (S_ISDIR(st.st_mode)) throw std::runtime_error(path + ": is a directory");
  if (!S_ISREG(st.st_mode)) {
    // Never replace a FIFO, device node, socket or symbolic link (as root,
    // `-o /dev/null --force` would otherwise replace /dev/null).
    throw std::runtime_error(path + ": " + file_type_name(st.st_mode) + "; only a regular file is ever replaced" +
                             (S_ISLNK(st.st_mode) ? " (give the path of the file it points to)" : ""));
  }
  if (!force) throw std::runtime_error(path + ": already exists; use --force to overwrite");
}

}  // namespace

void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes,
                           bool force) {
  if (path.empty()) throw std::runtime_error("write_file_atomically: empty path");
  if (path.back() == '/') throw std::runtime_error(path + ": is a directory");
  check_replaceable(path, force);

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
  } else {
    // Check again right before the rename: the path may have become a FIFO
    // or a link while the data was written.
    try {
      check_replaceable(path, true);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) cleanup_fail("cannot rename temporary file into place", errno);
  }

  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // best effort: make the rename durable
    ::close(dfd);
  }
}

}  // namespace tools
}  // namespace ffnlp

// The file-loading helper, kept apart from the core: Model::load only ever
// sees a pointer and a size.
//
// Contract (docs/SECURITY.md, "Model files that change on disk"): by default
// the file is read into memory this object owns, so a model in use never sees
// later changes to its file (truncation, an in-place rewrite). Mapping is an
// opt-in (LoadOptions::map_file) for callers who replace model files only
// with rename(): a mapped file that is truncated raises SIGBUS on access, and
// one rewritten in place changes the model under the running process.
//
// Only regular files are accepted. The file is opened with O_NONBLOCK so that
// a FIFO with no writer (or a device) is refused at once instead of blocking
// open() or read() forever.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "api/error.h"
#include "ffnlp/ffnlp.h"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define FFNLP_HAVE_POSIX_FILES 1
#endif

namespace ffnlp {

MappedFile::~MappedFile() { close(); }

void MappedFile::close() {
#ifdef FFNLP_HAVE_POSIX_FILES
  if (mapped_ && data_ != nullptr) munmap(const_cast<void*>(data_), size_);
#endif
  if (!mapped_) std::free(const_cast<void*>(data_));
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

#ifdef FFNLP_HAVE_POSIX_FILES
namespace {

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Reads exactly `size` bytes; false with errno set (0: the file got shorter).
bool read_exactly(int fd, unsigned char* out, size_t size, size_t* got) {
  *got = 0;
  while (*got < size) {
    const size_t chunk = size - *got < (size_t{1} << 30) ? size - *got : (size_t{1} << 30);
    const ssize_t n = ::read(fd, out + *got, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = 0;
      return false;
    }
    *got += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace
#endif

Status MappedFile::open(const char* path, Error* error, bool map) {
  close();
  if (path == nullptr) return fail(error, Status::kInvalidArgument, "file path is null");
#ifdef FFNLP_HAVE_POSIX_FILES
  int fd;
  do {
    fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  struct stat st;
  if (fd < 0) {
    const int e = errno;
    // A socket cannot be opened at all (ENXIO): name what it is.
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
      return fail(error, Status::kIoError, "'%s' is %s; a model must be a regular file", path,
                  file_type_name(st.st_mode));
    }
    return fail(error, Status::kIoError, "cannot open '%s': %s", path, std::strerror(e));
  }
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return fail(error, Status::kIoError, "cannot stat '%s': %s", path, std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(error, Status::kIoError, "'%s' is %s; a model must be a regular file", path,
                file_type_name(st.st_mode));
  }
  if (st.st_size <= 0) {
    ::close(fd);
    return fail(error, Status::kTruncated, "'%s' is empty", path);
  }
  if (static_cast<unsigned long long>(st.st_size) > static_cast<unsigned long long>(SIZE_MAX / 2)) {
    ::close(fd);
    return fail(error, Status::kOverflow, "'%s' is too large for this process (%lld bytes)", path,
                static_cast<long long>(st.st_size));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  // Regular files ignore O_NONBLOCK; clear it anyway so reads behave as usual.
  const int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);

  if (map) {
    void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int e = errno;
    ::close(fd);
    if (p == MAP_FAILED) return fail(error, Status::kIoError, "cannot map '%s': %s", path, std::strerror(e));
    data_ = p;
    size_ = size;
    mapped_ = true;
    return Status::kOk;
  }

  // Owned copy, 64-byte aligned like the file's sections.
  void* buffer = nullptr;
  if (posix_memalign(&buffer, 64, size) != 0 || buffer == nullptr) {
    ::close(fd);
    return fail(error, Status::kOutOfMemory, "cannot allocate %zu bytes for '%s'", size, path);
  }
  size_t got = 0;
  if (!read_exactly(fd, static_cast<unsigned char*>(buffer), size, &got)) {
    const int e = errno;
    ::close(fd);
    std::free(buffer);
    if (e == 0) {
      return fail(error, Status::kIoError, "'%s' changed while it was read (%zu of %zu bytes)", path, got, size);
    }
    return fail(error, Status::kIoError, "cannot read '%s': %s", path, std::strerror(e));
  }
  ::close(fd);
  data_ = buffer;
  size_ = size;
  mapped_ = false;
  return Status::kOk;
#else
  // Without POSIX: read the whole file into an owned buffer (no mapping).
  (void)map;
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return fail(error, Status::kIoError, "cannot open '%s': %s", path, std::strerror(errno));
  if (std::fseek(f, 0, SEEK_END) != 0) {
    std::fclose(f);
    return fail(error, Status::kIoError, "cannot seek in '%s'", path);
  }
  const long length = std::ftell(f);
  std::rewind(f);
  if (length <= 0) {
    std::fclose(f);
    return fail(error, Status::kTruncated, "'%s' is empty or unreadable", path);
  }
  void* buffer = std::malloc(static_cast<size_t>(length));
  if (buffer == nullptr) {
    std::fclose(f);
    return fail(error, Status::kOutOfMemory, "cannot allocate %ld bytes for '%s'", length, path);
  }
  const size_t got = std::fread(buffer, 1, static_cast<size_t>(length), f);
  std::fclose(f);
  if (got != static_cast<size_t>(length)) {
    std::free(buffer);
    return fail(error, Status::kIoError, "short read of '%s'", path);
  }
  data_ = buffer;
  size_ = got;
  mapped_ = false;
  return Status::kOk;
#endif
}

Status load_file(const char* path, MappedFile* file, Model* model, Error* error, const LoadOptions& options) {
  if (file == nullptr || model == nullptr) return fail(error, Status::kInvalidArgument, "file or model is null");
  const Status status = file->open(path, error, options.map_file);
  if (status != Status::kOk) return status;
  return Model::load(file->data(), file->size(), model, error, options);
}

}  // namespace ffnlp

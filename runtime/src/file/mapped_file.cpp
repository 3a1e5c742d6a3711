// The file-loading helper, kept apart from the core: Model::load only ever
// sees a pointer and a size.
#include <cerrno>
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
#define FFNLP_HAVE_MMAP 1
#endif

namespace ffnlp {

MappedFile::~MappedFile() { close(); }

void MappedFile::close() {
#ifdef FFNLP_HAVE_MMAP
  if (mapped_ && data_ != nullptr) munmap(const_cast<void*>(data_), size_);
#endif
  if (!mapped_) std::free(const_cast<void*>(data_));
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

Status MappedFile::open(const char* path, Error* error) {
  close();
  if (path == nullptr) return fail(error, Status::kInvalidArgument, "file path is null");
#ifdef FFNLP_HAVE_MMAP
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(error, Status::kIoError, "cannot open '%s': %s", path, std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(error, Status::kIoError, "'%s' is not a regular file", path);
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return fail(error, Status::kTruncated, "'%s' is empty", path);
  }
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p != MAP_FAILED) {
    data_ = p;
    size_ = size;
    mapped_ = true;
    return Status::kOk;
  }
#endif
  // Fallback: read the whole file into an owned buffer.
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
}

Status load_file(const char* path, MappedFile* file, Model* model, Error* error, const LoadOptions& options) {
  if (file == nullptr || model == nullptr) return fail(error, Status::kInvalidArgument, "file or model is null");
  const Status status = file->open(path, error);
  if (status != Status::kOk) return status;
  return Model::load(file->data(), file->size(), model, error, options);
}

}  // namespace ffnlp

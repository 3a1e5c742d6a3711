// Running code or a program in a child process with a deadline, for tests of
// things that could crash (SIGBUS, SIGSEGV) or hang (a FIFO opened for
// reading): the failure becomes a failed check instead of taking the test
// runner down or blocking it forever.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
// The sanitizer runtime's own call (sanitizer/allocator_interface.h, which
// GCC does not install): empties ASan's quarantine and returns free memory
// to the system.
extern "C" void __sanitizer_purge_allocator();
#endif

namespace ffnlp {
namespace testing {

struct ChildResult {
  bool timed_out = false;
  int exit_code = -1;  // valid when the child exited
  int signal = 0;      // the signal that ended it, or 0
  // Peak resident memory of the child as the kernel reports it. Linux counts
  // the parent's resident size at fork() in it too (exec keeps the larger
  // peak), so compare it with a trivial run of the same program from the same
  // parent rather than with an absolute figure.
  long max_rss_kb = 0;
  double seconds = 0;  // wall time until it ended (or was killed)
  std::string out, err;
  bool exited_with(int code) const { return !timed_out && signal == 0 && exit_code == code; }
  std::string describe() const {
    if (timed_out) return "timed out (killed)";
    if (signal != 0) return "killed by signal " + std::to_string(signal);
    return "exit code " + std::to_string(exit_code) + (err.empty() ? "" : ", stderr: " + err);
  }
};

namespace detail {

inline std::string slurp_fd(int fd) {
  std::string s;
  lseek(fd, 0, SEEK_SET);
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) s.append(buffer, static_cast<size_t>(n));
  return s;
}

inline int temp_fd() {
  char path[] = "/tmp/ffnlp_child_XXXXXX";
  const int fd = mkstemp(path);
  if (fd >= 0) unlink(path);
  return fd;
}

// Waits up to `seconds`; kills the child (SIGKILL) when the deadline passes.
inline ChildResult wait_for(pid_t pid, double seconds, int out_fd, int err_fd) {
  ChildResult r;
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int status = 0;
  rusage usage = {};
  auto elapsed = [&] {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec - start.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec - start.tv_nsec);
  };
  for (;;) {
    const pid_t w = wait4(pid, &status, WNOHANG, &usage);
    if (w == pid) break;
    if (w < 0 || elapsed() > seconds) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
      r.timed_out = true;
      break;
    }
    usleep(2000);
  }
  r.seconds = elapsed();
  r.max_rss_kb = usage.ru_maxrss;
  if (!r.timed_out) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  }
  if (out_fd >= 0) {
    r.out = slurp_fd(out_fd);
    close(out_fd);
  }
  if (err_fd >= 0) {
    r.err = slurp_fd(err_fd);
    close(err_fd);
  }
  return r;
}

}  // namespace detail

// Runs body() in a forked child; its return value is the exit code. Do not
// use doctest assertions inside body (they would be counted in the child).
template <class Body>
ChildResult run_in_child(Body body, double timeout_seconds) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return ChildResult();
  if (pid == 0) {
    alarm(static_cast<unsigned>(timeout_seconds) + 2);  // belt and braces
    _exit(body());
  }
  return detail::wait_for(pid, timeout_seconds, -1, -1);
}

// Runs a program with `args` (stdin /dev/null), capturing stdout and stderr.
// fsize_limit > 0 caps the size of files it writes (RLIMIT_FSIZE, SIGXFSZ
// ignored: write() fails with EFBIG, like a full disk).
inline ChildResult run_program(const std::string& program, const std::vector<std::string>& args, double timeout_seconds,
                               rlim_t fsize_limit = 0) {
  const int out_fd = detail::temp_fd(), err_fd = detail::temp_fd();
  std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  // A forked child's peak RSS (max_rss_kb) includes the pages it shares with
  // this process until exec; under ASan those include up to 256 MB of freed
  // memory held in quarantine, so measure the program, not the test runner.
  __sanitizer_purge_allocator();
#endif
  const pid_t pid = fork();
  if (pid < 0) return ChildResult();
  if (pid == 0) {
    const int in_fd = open("/dev/null", O_RDONLY);
    if (in_fd >= 0) dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (fsize_limit != 0) {
      signal(SIGXFSZ, SIG_IGN);
      rlimit lim;
      getrlimit(RLIMIT_FSIZE, &lim);
      lim.rlim_cur = fsize_limit;
      setrlimit(RLIMIT_FSIZE, &lim);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return detail::wait_for(pid, timeout_seconds, out_fd, err_fd);
}

}  // namespace testing
}  // namespace ffnlp

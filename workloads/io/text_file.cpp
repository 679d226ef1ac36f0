#include "workloads/io/text_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "arch/input_error.h"
#include "workloads/io/file_names.h"

namespace accsim {

namespace {

[[noreturn]] void write_failure(const std::string& path, const std::string& temp, const std::string& what, int err) {
  ::unlink(temp.c_str());
  throw InputError(path + ": cannot write: " + what + ": " + std::strerror(err));
}

// Distinguishes the temporary files of concurrent writers in one process.
std::atomic<unsigned long long> g_temp_counter{0};

}  // namespace

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string temp =
      name_beside(path, ".partial" + std::to_string(::getpid()) + "." + std::to_string(g_temp_counter.fetch_add(1)));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(path + ": cannot write: cannot create " + temp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      write_failure(path, temp, "writing " + temp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  // fsync so that the rename cannot become visible before the data.
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    write_failure(path, temp, "syncing " + temp, err);
  }
  if (::close(fd) != 0) write_failure(path, temp, "closing " + temp, errno);
  if (std::rename(temp.c_str(), path.c_str()) != 0) write_failure(path, temp, "renaming " + temp, errno);
}

}  // namespace accsim

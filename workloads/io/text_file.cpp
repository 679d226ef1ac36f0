#include "workloads/io/text_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "arch/input_error.h"
#include "workloads/io/stale_temporaries.h"

namespace accsim {

namespace {

[[noreturn]] void write_failure(const std::string& path, const std::string& temp, const std::string& what, int err) {
  ::unlink(temp.c_str());
  throw InputError(path + ": cannot write: " + what + ": " + std::strerror(err));
}

}  // namespace

void write_bytes_atomically(const std::string& path, const void* data, std::size_t size) {
  remove_stale_temporaries(path);
  const std::string temp = temporary_name(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(path + ": cannot write: cannot create " + temp + ": " + std::strerror(errno));
  const char* bytes = static_cast<const char*>(data);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, bytes + done, size - done);
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

void write_text_atomically(const std::string& path, const std::string& text) {
  write_bytes_atomically(path, text.data(), text.size());
}

}  // namespace accsim

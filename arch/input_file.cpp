#include "arch/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "arch/input_error.h"

namespace accsim {

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& why, const std::string& what) {
  throw InputError(path + ": " + why + "; expected " + what);
}

void require_regular(const std::string& path, const struct stat& st, const std::string& what) {
  if (!S_ISREG(st.st_mode)) refuse(path, "is " + file_kind(st.st_mode), what);
}

// Closes the descriptor on every path out of read_regular_file.
struct Descriptor {
  int fd;
  ~Descriptor() { ::close(fd); }
};

}  // namespace

std::string file_kind(unsigned mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

void require_regular_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) refuse(path, std::string("cannot open: ") + std::strerror(errno), what);
  require_regular(path, st, what);
}

std::string read_regular_file(const std::string& path, const std::string& what, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) refuse(path, std::string("cannot open: ") + std::strerror(errno), what);
  const Descriptor closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) refuse(path, std::string("cannot open: ") + std::strerror(errno), what);
  require_regular(path, st, what);
  if (static_cast<unsigned long long>(st.st_size) > max_bytes)
    refuse(path, "holds " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                     std::to_string(max_bytes),
           what);
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) refuse(path, std::string("cannot read: ") + std::strerror(errno), what);
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes)  // it grew while we read
      refuse(path, "holds more than the limit of " + std::to_string(max_bytes) + " bytes", what);
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace accsim

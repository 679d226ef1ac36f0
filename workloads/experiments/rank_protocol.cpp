#include "workloads/experiments/rank_protocol.h"

#include <cstdint>
#include <stdexcept>

#include "arch/input_error.h"
#include "workloads/experiments/mpi_session.h"
#include "workloads/experiments/result_codec.h"

namespace accsim {

namespace {

// The last non-empty line of `text`, without the "accsim: " that the CLI prints first.
std::string last_line(const std::string& text) {
  std::string line;
  std::size_t end = text.find_last_not_of("\n");
  if (end != std::string::npos) {
    const std::size_t begin = text.rfind('\n', end);
    line = text.substr(begin == std::string::npos ? 0 : begin + 1, end + 1 - (begin == std::string::npos ? 0 : begin + 1));
  }
  const std::string prefix = "accsim: ";
  if (line.compare(0, prefix.size(), prefix) == 0) line.erase(0, prefix.size());
  return line.empty() ? "failed without a message" : line;
}

int await_exit_code() {
  MpiMessage m;
  for (PollBackoff backoff; !mpi_receive(0, exit_tag, m); backoff.wait()) {
  }
  ByteReader r(m.data);
  return r.get<std::int32_t>();
}

}  // namespace

void retire_rank() {
  if (mpi_size() > 1 && mpi_rank() > 0) throw RankRetired{await_exit_code()};
}

void rethrow_rank_error() {
  MpiMessage m;
  if (!mpi_receive(-1, error_tag, m)) return;
  ByteReader r(m.data);
  const int code = r.get<std::int32_t>();
  const std::string text = "rank " + std::to_string(m.source) + ": " + r.get_string();
  if (code == 2) throw InputError(text);
  throw std::runtime_error(text);
}

int finish_ranks(int code, const std::string& err_text, bool retired) {
  if (mpi_size() > 1) {
    if (mpi_rank() == 0) {
      ByteWriter w;
      w.put<std::int32_t>(code);
      for (int rank = 1; rank < mpi_size(); ++rank) mpi_send(rank, exit_tag, w.bytes());
    } else if (!retired) {
      if (code != 0) {
        ByteWriter w;
        w.put<std::int32_t>(code);
        w.put_string(last_line(err_text));
        mpi_send(0, error_tag, w.bytes());
      }
      code = await_exit_code();
    }
  }
  stop_mpi();
  return code;
}

}  // namespace accsim

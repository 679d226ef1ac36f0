#pragma once
// How the ranks of an MPI run of accsim talk and end (distributed_runner.h runs the
// experiments). Rank 0 reads the config like every rank, hands out experiments, stores,
// checkpoints and writes the output; the other ranks compute and send results back.
//
// Every rank ends with rank 0's exit code: rank 0 sends it to the others when it ends
// (finish_ranks), and a rank that fails on its own first reports its one-line error to
// rank 0, which fails with it (exit 2 for an InputError), so one line is printed and
// nothing is written.
#include <string>

namespace accsim {

enum RankTag : int {
  hello_tag = 1,   // rank > 0 -> 0: it is ready to compute, with its thread count
  exit_tag = 2,    // 0 -> rank: the exit code to end with
  error_tag = 3,   // rank > 0 -> 0: the error that ended it (exit code, one line)
  work_tag = 4,    // 0 -> rank: a group of experiment indices and the slot to reply to
  shared_tag = 5,  // 0 -> rank: a shared run's results, which every rank returns with
  result_tag = 16  // + slot, rank -> 0: a group's encoded results, or the error it raised
};

// Thrown on a rank > 0 when rank 0 ends the run: not an std::exception, so that it passes
// the command's error handlers up to main, which exits with `code` quietly.
struct RankRetired {
  int code = 0;
};

// A rank > 0 whose runs were shared (run_distributed_shared): waits for rank 0's exit
// code and throws RankRetired with it, so that only rank 0 writes the output. Does
// nothing on rank 0 or in one process.
void retire_rank();

// Rank 0: throws the error another rank reported, if one arrived (an InputError for
// exit code 2, else std::runtime_error), naming the rank.
void rethrow_rank_error();

// Ends this process's part of the run and returns its exit code; called once by main
// with the command's own `code` and what it printed on stderr (`err_text`):
// - rank 0 sends `code` to every other rank and returns it;
// - another rank, unless `retired` (it already has rank 0's code), reports a non-zero
//   code with the last line of `err_text` to rank 0, then waits for rank 0's code.
// Stops MPI. Without MPI returns `code`.
int finish_ranks(int code, const std::string& err_text, bool retired);

}  // namespace accsim

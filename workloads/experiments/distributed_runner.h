#pragma once
// run_experiments over the ranks of an MPI run (`mpirun -np N accsim pvf ...`, docs/scale_out.md).
//
// Rank 0 runs the experiment runner with its own threads plus four proxy threads per
// thread of every other rank (one group computing, three queued): a proxy takes a group of indices from the same queue as
// the local threads (so work is handed out on request and a slow experiment idles no
// one), sends it to its rank, and stores the encoded results that come back under the
// runner's lock. Progress, checkpoints and stop signals stay on rank 0 as in one process.
// An experiment's result depends only on the seed and its index, so the results are
// bit-identical for any rank and thread count, and a checkpoint resumes with any.
//
// On the other ranks the call computes the groups rank 0 sends with `run` (its store
// step then writes into that rank's own copy of the results, which `codec` encodes) and
// never returns: it throws RankRetired (rank_protocol.h) with rank 0's exit code, so
// that only rank 0 goes on to write the output.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "workloads/experiments/experiment_runner.h"
#include "workloads/experiments/result_codec.h"

namespace accsim {

// The commands that spread their experiments over MPI ranks.
bool command_runs_distributed(const std::string& command);

// As run_experiments (experiment_runner.h); in one process, exactly run_experiments.
long long run_distributed(const std::vector<std::size_t>& pending, std::vector<char>& done,
                          const std::function<std::function<void()>(const std::vector<std::size_t>&)>& run,
                          const std::function<std::function<void()>()>& checkpoint, const ResultCodec& codec,
                          const ExperimentRunnerOptions& options);

// As run_distributed, but every rank returns, with the results and done flags of every
// finished experiment (rank 0 sends them to the others at the end): for runs that plan
// their next experiments from the results of the last ones (adaptive PVF rounds). Any
// number of shared runs may follow one another; a rank > 0 ends with retire_rank()
// (rank_protocol.h) instead of writing output. Returns, on every rank, how many
// experiments rank 0's runner ran.
long long run_distributed_shared(const std::vector<std::size_t>& pending, std::vector<char>& done,
                                 const std::function<std::function<void()>(const std::vector<std::size_t>&)>& run,
                                 const std::function<std::function<void()>()>& checkpoint, const ResultCodec& codec,
                                 const ExperimentRunnerOptions& options);

}  // namespace accsim

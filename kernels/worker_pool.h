#pragma once
// Threads kept for splitting one job of the fast kernels: a job's parts run on the
// calling thread and on pool threads that live as long as the process, so a split
// costs a wake-up instead of a thread start, and each pool thread keeps its
// thread_local working memory between jobs. One job at a time: a caller that finds the
// pool busy, or a part that splits again, runs every part itself (the parts are
// independent: the same results).
#include <functional>

namespace accsim {

// Runs part(0) .. part(parts - 1) and returns when all have finished; part 0 runs on
// the calling thread. The pool grows to the largest part count asked for.
void run_parts(int parts, const std::function<void(int)>& part);

// A task lane (task_lane.h) takes over run_parts while it runs tasks beside its caller:
// `share` runs every part (on the calling thread, or some on the lane's thread) and
// returns true, or returns false for the pool to run them. nullptr: no lane.
using PartSharer = bool (*)(int parts, const std::function<void(int)>& part);
void set_part_sharer(PartSharer share);

}  // namespace accsim

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

// Set while a task lane (task_lane.h) runs tasks beside its caller: run_parts then runs
// every part on the calling thread (both cores are busy already).
void set_lane_busy(bool busy);

}  // namespace accsim

#include "workloads/train_campaign/train_run_codec.h"

namespace accsim {

ResultCodec train_run_codec(std::vector<TrainRunRecord>& runs) {
  using R = TrainRunRecord;
  return member_codec(runs, &R::loss, &R::correct_faulty, &R::correct_fault_free, &R::crash_step, &R::crash_pass);
}

}  // namespace accsim

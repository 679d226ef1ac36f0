#include "workloads/train_campaign/train_run_codec.h"

namespace accsim {

void encode_train_run(const TrainRunRecord& run, ByteWriter& w) {
  w.put_vector(run.loss);
  w.put_vector(run.correct_faulty);
  w.put_vector(run.correct_fault_free);
  w.put(run.crash_step);
  w.put(run.crash_pass);
}

TrainRunRecord decode_train_run(ByteReader& r) {
  TrainRunRecord run;
  run.loss = r.get_vector<float>();
  run.correct_faulty = r.get_vector<long long>();
  run.correct_fault_free = r.get_vector<long long>();
  run.crash_step = r.get<long long>();
  run.crash_pass = r.get<int>();
  return run;
}

ResultCodec train_run_codec(std::vector<TrainRunRecord>& runs) {
  return {[&runs](std::size_t i, ByteWriter& w) { encode_train_run(runs.at(i), w); },
          [&runs](std::size_t i, ByteReader& r) { runs.at(i) = decode_train_run(r); }};
}

}  // namespace accsim

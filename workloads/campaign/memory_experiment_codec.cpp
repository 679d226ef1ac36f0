#include "workloads/campaign/memory_experiment_codec.h"

namespace accsim {

namespace {

void encode(const MemoryExperiment& e, ByteWriter& w) {
  w.put(e.outcome);
  for (long long v : {e.reads_corrected, e.reads_detected, e.reads_silent, e.corrupted_elements, e.correct_to_wrong,
                      e.nonfinite_images})
    w.put(v);
}

void decode(MemoryExperiment& e, ByteReader& r) {
  e.outcome = r.get<MemoryOutcome>();
  for (long long* v : {&e.reads_corrected, &e.reads_detected, &e.reads_silent, &e.corrupted_elements,
                       &e.correct_to_wrong, &e.nonfinite_images})
    *v = r.get<long long>();
}

}  // namespace

ResultCodec memory_experiment_codec(std::vector<MemoryExperiment>& experiments) {
  return {[&experiments](std::size_t i, ByteWriter& w) { encode(experiments.at(i), w); },
          [&experiments](std::size_t i, ByteReader& r) { decode(experiments.at(i), r); }};
}

}  // namespace accsim

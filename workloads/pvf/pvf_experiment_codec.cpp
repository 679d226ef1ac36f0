#include "workloads/pvf/pvf_experiment_codec.h"

namespace accsim {

void encode_pvf_experiment(const PvfExperiment& e, ByteWriter& w) {
  w.put(e.model);
  w.put(e.target);
  w.put(e.image);
  w.put(e.bit_flips);
  w.put(e.bit);
  w.put(e.tensor);
  w.put(e.element);
  w.put(e.old_value);
  w.put(e.new_value);
  w.put_vector(e.outcomes);
  w.put(e.stratum);  // an adaptive run's plan: every rank tallies the strata (docs/scale_out.md)
  w.put(e.sample);
}

PvfExperiment decode_pvf_experiment(ByteReader& r) {
  PvfExperiment e;
  e.model = r.get<int>();
  e.target = r.get<int>();
  e.image = r.get<int>();
  e.bit_flips = r.get<std::uint64_t>();
  e.bit = r.get<int>();
  e.tensor = r.get<std::uint32_t>();
  e.element = r.get<std::uint64_t>();
  e.old_value = r.get<float>();
  e.new_value = r.get<float>();
  e.outcomes = r.get_vector<PvfOutcome>();
  e.stratum = r.get<int>();
  e.sample = r.get<long long>();
  return e;
}

ResultCodec pvf_experiment_codec(std::vector<PvfExperiment>& experiments) {
  return {[&experiments](std::size_t i, ByteWriter& w) { encode_pvf_experiment(experiments.at(i), w); },
          [&experiments](std::size_t i, ByteReader& r) { experiments.at(i) = decode_pvf_experiment(r); }};
}

}  // namespace accsim

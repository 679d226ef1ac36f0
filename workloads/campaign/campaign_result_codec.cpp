#include "workloads/campaign/campaign_result_codec.h"

namespace accsim {

void encode_experiment_result(const ExperimentResult& e, ByteWriter& w) {
  w.put(e.fault);
  w.put(e.node);
  w.put(e.outcome);
  w.put(e.correct_to_wrong);
  w.put(e.nonfinite_images);
  w.put_vector(e.trace);
  w.put(e.image);
  w.put(e.golden_top1);
  w.put(e.faulty_top1);
  w.put(e.margin);
  w.put(e.nonfinite_node);
  w.put_vector(e.variants);
}

ExperimentResult decode_experiment_result(ByteReader& r) {
  ExperimentResult e;
  e.fault = r.get<HardwareFault>();
  e.node = r.get<int>();
  e.outcome = r.get<Outcome>();
  e.correct_to_wrong = r.get<long long>();
  e.nonfinite_images = r.get<long long>();
  e.trace = r.get_vector<long long>();
  e.image = r.get<long long>();
  e.golden_top1 = r.get<int>();
  e.faulty_top1 = r.get<int>();
  e.margin = r.get<float>();
  e.nonfinite_node = r.get<int>();
  e.variants = r.get_vector<VariantResult>();
  return e;
}

ResultCodec campaign_result_codec(std::vector<ExperimentResult>& experiments) {
  return {[&experiments](std::size_t i, ByteWriter& w) { encode_experiment_result(experiments.at(i), w); },
          [&experiments](std::size_t i, ByteReader& r) { experiments.at(i) = decode_experiment_result(r); }};
}

}  // namespace accsim

#include "workloads/replay/replay_record.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "workloads/models/batch_effect.h"
#include "workloads/replay/image_ranking.h"

namespace accsim {

namespace {

constexpr int kTop = 5;

bool holds_nonfinite(const Tensor& t) {
  return std::any_of(t.data(), t.data() + t.size(), [](float v) { return !std::isfinite(v); });
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

void ImageRecords::add(const Tensor& golden, const Tensor& faulty) {
  classes_ = golden.dim(1);
  top_ = std::min(kTop, classes_);
  for (int i = 0; i < golden.dim(0); ++i) {
    const float* g = golden.data() + static_cast<std::size_t>(i) * classes_;
    const float* f = faulty.data() + static_cast<std::size_t>(i) * classes_;
    const int predicted = argmax_row(g, classes_);  // the fault-free prediction
    for (int c : top_classes(g, classes_, kTop)) golden_top_.push_back(c);
    for (int c : top_classes(f, classes_, kTop)) faulty_top_.push_back(c);
    golden_margin_.push_back(logit_margin(g, classes_, predicted));
    margin_.push_back(logit_margin(f, classes_, predicted));
    nonfinite_.push_back(std::isnan(margin_.back()));
    golden_logits_.insert(golden_logits_.end(), g, g + classes_);
    faulty_logits_.insert(faulty_logits_.end(), f, f + classes_);
  }
}

void ImageRecords::write(ResultsFile& h5, const std::vector<int>& labels) const {
  const auto n = static_cast<hsize_t>(margin_.size());
  h5.write_int64s("/images/labels", std::vector<std::int64_t>(labels.begin(), labels.end()));
  h5.write_int64s("/images/golden_top5", golden_top_, {n, static_cast<hsize_t>(top_)});
  h5.write_int64s("/images/faulty_top5", faulty_top_, {n, static_cast<hsize_t>(top_)});
  h5.write_doubles("/images/golden_margin", golden_margin_);
  h5.write_doubles("/images/margin", margin_);
  h5.write_int64s("/images/nonfinite", nonfinite_);
  h5.write_floats("/images/golden_logits", golden_logits_, {n, static_cast<hsize_t>(classes_)});
  h5.write_floats("/images/faulty_logits", faulty_logits_, {n, static_cast<hsize_t>(classes_)});
}

void write_node_outputs(ResultsFile& h5, const std::string& at, const Graph& graph, const GraphRun& golden,
                        const GraphRun& faulty) {
  for (std::size_t k = 0; k < graph.nodes.size(); ++k) {
    const std::string& value = graph.nodes[k].outputs.at(0);
    h5.write_tensor(at + "/golden/" + std::to_string(k), golden.values.at(value));
    h5.write_tensor(at + "/faulty/" + std::to_string(k), faulty.values.at(value));
  }
}

int first_nonfinite_node(const Graph& graph, const GraphRun& golden, const GraphRun& faulty) {
  for (std::size_t k = 0; k < graph.nodes.size(); ++k)
    for (const std::string& name : graph.nodes[k].outputs) {
      const Tensor& f = faulty.values.at(name);
      if (holds_nonfinite(f) && !same_bits(f, golden.values.at(name))) return static_cast<int>(k);
    }
  return -1;
}

}  // namespace accsim

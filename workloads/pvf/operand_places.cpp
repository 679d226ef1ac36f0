#include "workloads/pvf/operand_places.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "workloads/models/graph_runner.h"
#include "workloads/run/engines.h"

namespace accsim {

namespace {

// The jobs' stationary operands with `parameter` numbered e + 1 times `sign`; none when the
// run throws (numbers where data was can fail a check a real run passes).
std::optional<std::vector<Tensor>> numbered_operands(Graph& graph, const std::string& parameter, float sign,
                                                     const Tensor& input, const ArrayConfig& array) {
  Tensor& p = graph.initializers.at(parameter);
  const std::vector<float> kept(p.data(), p.data() + p.size());  // written back in place: a ParameterSet points into p
  for (std::size_t e = 0; e < p.size(); ++e) p.data()[e] = sign * static_cast<float>(e + 1);
  std::optional<std::vector<Tensor>> out;
  try {
    const PeFaults healthy;
    GraphRun run = run_graph(graph, input, *make_engine("fast", array, healthy), true);
    out.emplace();
    for (LayerRun& job : run.jobs) out->push_back(std::move(job.weights));
  } catch (const std::exception&) {
  }
  std::copy(kept.begin(), kept.end(), p.data());
  return out;
}

bool same_bits(float a, float b) { return float_bits(a) == float_bits(b); }

// Operand element `at` of job `job`: unchanged by the numbering (no place), the parameter
// element its numbers name (one place), or neither (false).
bool classify(float a, float b, float recorded, const Tensor& parameter, std::uint32_t job, std::uint32_t at,
              std::vector<std::pair<std::size_t, OperandPlace>>& found) {
  if (same_bits(a, recorded) && same_bits(b, recorded)) return true;
  if (!(a >= 1.0f && a <= static_cast<float>(parameter.size()) && std::floor(a) == a && b == -a)) return false;
  const auto e = static_cast<std::size_t>(a) - 1;
  if (!same_bits(parameter.data()[e], recorded)) return false;
  found.push_back({e, OperandPlace{job, at}});
  return true;
}

OperandPlaces by_element(std::size_t elements, const std::vector<std::pair<std::size_t, OperandPlace>>& found) {
  std::vector<std::uint32_t> first(elements + 1, 0);
  for (const auto& f : found) ++first[f.first + 1];
  for (std::size_t e = 0; e < elements; ++e) first[e + 1] += first[e];
  std::vector<OperandPlace> places(found.size());
  std::vector<std::uint32_t> next(first.begin(), first.end() - 1);
  for (const auto& f : found) places[next[f.first]++] = f.second;
  return OperandPlaces(std::move(first), std::move(places));
}

}  // namespace

std::optional<OperandPlaces> find_operand_places(Graph& graph, const std::string& parameter, const Tensor& input,
                                                 const ArrayConfig& array, const std::vector<Tensor>& stationary) {
  const Tensor& values = graph.initializers.at(parameter);
  if (values.size() >= (std::size_t{1} << 24)) return std::nullopt;
  const auto a = numbered_operands(graph, parameter, 1.0f, input, array);
  const auto b = numbered_operands(graph, parameter, -1.0f, input, array);
  if (!a || !b || a->size() != stationary.size() || b->size() != stationary.size()) return std::nullopt;
  std::vector<std::pair<std::size_t, OperandPlace>> found;
  for (std::size_t j = 0; j < stationary.size(); ++j) {
    const Tensor& s = stationary[j];
    if (s.size() == 0) continue;
    if ((*a)[j].shape() != s.shape() || (*b)[j].shape() != s.shape()) return std::nullopt;
    for (std::size_t at = 0; at < s.size(); ++at)
      if (!classify((*a)[j].data()[at], (*b)[j].data()[at], s.data()[at], values, static_cast<std::uint32_t>(j),
                    static_cast<std::uint32_t>(at), found))
        return std::nullopt;
  }
  return by_element(values.size(), found);
}

}  // namespace accsim

#include "workloads/pvf/pvf_checkpoint.h"

#include <cstring>

#include "arch/input_error.h"
#include "workloads/experiments/checkpoint_header.h"
#include "workloads/io/results_file.h"

namespace accsim {

namespace {

std::int64_t float_word(float v) {
  std::uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

float word_float(std::int64_t w) {
  const auto u = static_cast<std::uint32_t>(w);
  float v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

}  // namespace

void write_pvf_checkpoint(const std::string& path, const PvfResults& r) {
  std::vector<std::int64_t> index, image, flips, bit, tensor, element, old_value, new_value, outcomes;
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    const PvfExperiment& e = r.experiments[i];
    index.push_back(static_cast<std::int64_t>(i));
    image.push_back(e.image);
    flips.push_back(static_cast<std::int64_t>(e.bit_flips));
    bit.push_back(e.bit);
    tensor.push_back(e.tensor);
    element.push_back(static_cast<std::int64_t>(e.element));
    old_value.push_back(float_word(e.old_value));
    new_value.push_back(float_word(e.new_value));
    for (PvfOutcome o : e.outcomes) outcomes.push_back(static_cast<std::int64_t>(o));
  }
  ResultsFile h5(path);
  write_checkpoint_header(h5, kPvfCheckpointFormat, kPvfCheckpointVersion, r.key);
  h5.write_strings("/variants", r.variants);
  h5.write_int64s("/index", index);
  h5.write_int64s("/image", image);
  h5.write_int64s("/bit_flips", flips);
  h5.write_int64s("/bit", bit);
  h5.write_int64s("/tensor", tensor);
  h5.write_int64s("/element", element);
  h5.write_int64s("/old_bits", old_value);
  h5.write_int64s("/new_bits", new_value);
  h5.write_int64s("/outcomes", outcomes, {index.size(), r.variants.size()});
  h5.commit();
}

long long read_pvf_checkpoint(const std::string& path, PvfResults& r, bool partial_plan) {
  check_checkpoint_header(path, kPvfCheckpointFormat, kPvfCheckpointVersion, r.key, "PVF campaign",
                          "the array, network, pvf keys, parameter faults, mitigations, seed, model parameters or test "
                          "images");
  const std::string what = "PVF campaign checkpoint '" + path + "'";
  const auto index = read_int64s(path, "/index"), image = read_int64s(path, "/image"),
             flips = read_int64s(path, "/bit_flips"), bit = read_int64s(path, "/bit"),
             tensor = read_int64s(path, "/tensor"), element = read_int64s(path, "/element"),
             old_bits = read_int64s(path, "/old_bits"), new_bits = read_int64s(path, "/new_bits");
  std::vector<hsize_t> dims;
  const auto outcomes = read_int64_array(path, "/outcomes", dims);
  const std::size_t n = index.size(), variants = r.variants.size();
  for (const auto* column : {&image, &flips, &bit, &tensor, &element, &old_bits, &new_bits})
    if (column->size() != n)
      throw InputError(what + " is inconsistent (datasets of different lengths); delete it to start afresh");
  if (read_strings(path, "/variants") != r.variants || dims.size() != 2 || dims[0] != n || dims[1] != variants)
    throw InputError(what + " is inconsistent (its mitigations differ); delete it to start afresh");
  long long loaded = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::int64_t i = index[j];
    if (partial_plan && i >= static_cast<std::int64_t>(r.experiments.size())) continue;
    if (i < 0 || i >= static_cast<std::int64_t>(r.experiments.size()) ||
        image[j] != r.experiments[static_cast<std::size_t>(i)].image)
      throw InputError(what + " holds an experiment that does not match this campaign's draws; delete it to start afresh");
    PvfExperiment& e = r.experiments[static_cast<std::size_t>(i)];
    e.bit_flips = static_cast<std::uint64_t>(flips[j]);
    e.bit = static_cast<int>(bit[j]);
    e.tensor = static_cast<std::uint32_t>(tensor[j]);
    e.element = static_cast<std::uint64_t>(element[j]);
    e.old_value = word_float(old_bits[j]);
    e.new_value = word_float(new_bits[j]);
    e.outcomes.clear();
    for (std::size_t v = 0; v < variants; ++v) {
      const std::int64_t o = outcomes[j * variants + v];
      if (o < -1 || o > 2) throw InputError(what + " holds an outcome out of range; delete it to start afresh");
      e.outcomes.push_back(static_cast<PvfOutcome>(o));
    }
    mark_restored(r.done, static_cast<std::size_t>(i), loaded);
  }
  return loaded;
}

}  // namespace accsim

#include "workloads/io/error_model_file.h"

#include <set>
#include <tuple>

#include "arch/input_error.h"
#include "arch/pe_faults.h"
#include "workloads/io/fault_columns.h"
#include "workloads/models/inference.h"

namespace accsim {

namespace {

std::vector<hsize_t> dims(const std::vector<int>& shape) { return {shape.begin(), shape.end()}; }

std::vector<std::int64_t> int64s(const std::vector<int>& v) { return {v.begin(), v.end()}; }

// The transients placed on the sums they corrupt: one row per flip.
void write_transient_flips(ResultsFile& h5, const std::string& base, const std::vector<PlacedFlip>& flips) {
  std::vector<std::string> site;
  std::vector<std::int64_t> out_ch, step, position, row;
  std::vector<std::uint32_t> mask;
  for (const auto& f : flips) {
    site.push_back(to_string(f.site));
    out_ch.push_back(f.out_channel);
    step.push_back(f.step);
    position.push_back(f.position);
    row.push_back(f.row);
    mask.push_back(f.mask);
  }
  h5.write_strings(base + "/site", site);
  h5.write_int64s(base + "/out_channel", out_ch);
  h5.write_int64s(base + "/step", step);
  h5.write_int64s(base + "/position", position);
  h5.write_int64s(base + "/row", row);
  h5.write_uint32s(base + "/mask", mask, {mask.size()});
}

const StuckMask& register_mask(const PeFaults& compiled, const HardwareFault& f) {
  switch (f.site) {
    case FaultSite::weight: return compiled.weight(f.row, f.col);
    case FaultSite::input: return compiled.input(f.row, f.col);
    case FaultSite::product: return compiled.product(f.row, f.col);
    case FaultSite::psum: return compiled.psum(f.col);
    case FaultSite::accumulator: break;
  }
  return compiled.accumulator(f.row, f.col);
}

// The permanent faults compiled per register or wire (several stuck-ats on one word
// merge; stuck-at-1 wins on a bit): what the datapath applies as (word & and) | or.
void write_stuck_masks(ResultsFile& h5, const ArrayConfig& array, const std::vector<HardwareFault>& faults) {
  const PeFaults compiled(array, faults);
  std::set<std::tuple<int, int, int>> seen;
  std::vector<std::string> site;
  std::vector<std::int64_t> row, col;
  std::vector<std::uint32_t> and_mask, or_mask;
  for (const auto& f : faults) {
    if (!f.permanent() || !seen.insert({static_cast<int>(f.site), f.row, f.col}).second) continue;
    const StuckMask& m = register_mask(compiled, f);
    site.push_back(to_string(f.site));
    row.push_back(f.row);
    col.push_back(f.col);
    and_mask.push_back(m.keep);
    or_mask.push_back(m.force);
  }
  h5.write_strings("/stuck/site", site);
  h5.write_int64s("/stuck/row", row);
  h5.write_int64s("/stuck/col", col);
  h5.write_uint32s("/stuck/and_mask", and_mask, {and_mask.size()});
  h5.write_uint32s("/stuck/or_mask", or_mask, {or_mask.size()});
}

void write_pass(ResultsFile& h5, const std::string& base, const PassErrorModel& m, long long start_cycle) {
  h5.set_attribute(base, "summary", m.summary);
  h5.set_attribute(base, "stationary", std::string(m.pass == Pass::backward_weight ? "output_grad" : "weights"));
  h5.set_attribute(base, "output",
                   std::string(m.pass == Pass::forward         ? "output"
                               : m.pass == Pass::backward_data ? "input_grad"
                                                               : "weight_grad"));
  h5.set_attribute(base, "start_cycle", static_cast<std::int64_t>(start_cycle));
  h5.write_uint8s(base + "/stationary_mask", m.stationary_mask, dims(m.stationary_shape));
  h5.write_uint32s(base + "/stationary_and", m.stationary_and, dims(m.stationary_shape));
  h5.write_uint32s(base + "/stationary_or", m.stationary_or, dims(m.stationary_shape));
  h5.write_uint8s(base + "/output_mask", m.output_mask, dims(m.output_shape));

  std::vector<std::string> site;
  std::vector<std::int64_t> out_ch, in_ch;
  std::vector<std::uint32_t> and_mask, or_mask;
  for (const auto& p : m.pairs) {
    site.push_back(to_string(p.site));
    out_ch.push_back(p.out_channel);
    in_ch.push_back(p.in_channel);
    and_mask.push_back(p.and_mask);
    or_mask.push_back(p.or_mask);
  }
  h5.write_strings(base + "/pairs/site", site);
  h5.write_int64s(base + "/pairs/out_channel", out_ch);
  h5.write_int64s(base + "/pairs/in_channel", in_ch);
  h5.write_uint32s(base + "/pairs/and_mask", and_mask, {and_mask.size()});
  h5.write_uint32s(base + "/pairs/or_mask", or_mask, {or_mask.size()});

  std::vector<std::int64_t> idle_ch, idle_steps;
  std::vector<std::uint32_t> idle_value;
  for (const auto& r : m.idle_products) {
    idle_ch.push_back(r.out_channel);
    idle_steps.push_back(r.steps);
    idle_value.push_back(r.value_bits);
  }
  h5.write_int64s(base + "/idle_products/out_channel", idle_ch);
  h5.write_int64s(base + "/idle_products/steps", idle_steps);
  h5.write_uint32s(base + "/idle_products/value_bits", idle_value, {idle_value.size()});

  std::vector<std::string> effects, unplaced;
  for (const auto& e : m.effects) effects.push_back(describe(e.fault) + ": " + e.summary);
  for (const auto& f : m.unplaced) unplaced.push_back(describe(f));
  h5.write_strings(base + "/effects", effects);
  h5.write_strings(base + "/unplaced", unplaced);
  h5.write_int64s(base + "/columns/row_channels", int64s(m.row_channels), dims(m.row_channels_shape));
  h5.write_int64s(base + "/columns/col_channels", int64s(m.col_channels), dims(m.col_channels_shape));
  write_transient_flips(h5, base + "/transients", m.transient_flips);
}

std::vector<std::uint32_t> xor_bits(const Tensor& a, const Tensor& b) {
  std::vector<std::uint32_t> x(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) x[i] = float_bits(a[i]) ^ float_bits(b[i]);
  return x;
}

}  // namespace

void write_fault_tables(ResultsFile& h5, const ArrayConfig& array, const std::vector<HardwareFault>& faults) {
  h5.set_attribute("/", "format", std::string(kErrorModelFormat));
  h5.set_attribute("/", "version", kErrorModelVersion);
  std::vector<std::string> text;
  std::vector<const HardwareFault*> listed;
  for (const auto& f : faults) {
    text.push_back(describe(f));
    listed.push_back(&f);
  }
  h5.write_strings("/faults/description", text);
  write_fault_columns(h5, "/faults", listed);
  write_stuck_masks(h5, array, faults);
}

void write_job_error_model(ResultsFile& h5, const std::string& base, const LayerRun& job, const Tensor& weights,
                           const ArrayConfig& array, const std::vector<HardwareFault>& faults, Engine& faulty,
                           std::vector<PassErrorModel>& models) {
  const ConvShape& s = job.job.shape;
  h5.set_attribute(base, "kind", std::string(job.job.kind == JobKind::forward_fc ? "fc" : "conv"));
  h5.set_attribute(base, "stride", static_cast<std::int64_t>(s.stride));
  h5.set_attribute(base, "pad", static_cast<std::int64_t>(s.pad));
  h5.set_attribute(base, "swizzle_seed", static_cast<std::int64_t>(job.job.swizzle_seed & INT64_MAX));
  for (Pass pass : {Pass::forward, Pass::backward_data, Pass::backward_weight}) {
    const long long start = pass == Pass::forward ? job.start_cycle : -1;
    models.push_back(map_pass_faults(job.job, pass, array, faults, start));
    write_pass(h5, base + "/" + to_string(pass), models.back(), start);
  }
  const JobResult bad = faulty.run(job.job, job.input, weights, job.start_cycle);
  h5.write_tensor(base + "/sample/input", job.input);
  h5.write_tensor(base + "/sample/weights", weights);
  h5.write_tensor(base + "/sample/golden_output", job.output);
  h5.write_tensor(base + "/sample/faulty_output", bad.output);
  h5.write_uint32s(base + "/sample/output_xor", xor_bits(job.output, bad.output), dims(job.output.shape()));
}

void check_error_model_file(const std::string& file) {
  std::string format;
  try {
    format = read_string_attribute(file, "/", "format");
  } catch (const InputError&) {
    throw InputError(file + ": not an accsim error-model file (no /format attribute)");
  }
  if (format != kErrorModelFormat)
    throw InputError(file + ": /format is \"" + format + "\", expected \"" + kErrorModelFormat + "\"");
  const std::int64_t version = read_int64_attribute(file, "/", "version");
  if (version != kErrorModelVersion)
    throw InputError(file + ": error-model version " + std::to_string(version) + ", this accsim reads version " +
                     std::to_string(kErrorModelVersion) + " (docs/error_model.md)");
}

}  // namespace accsim

#include "workloads/train_campaign/train_run_records.h"

#include <limits>

#include "arch/input_error.h"

namespace accsim {

namespace {

std::size_t loss_length(const TrainWindow& w) { return static_cast<std::size_t>(w.steps - w.first_step); }

// A [runs, width] integer matrix; `pick` the row of run i (-1 filled when not done).
template <typename Pick>
std::vector<std::int64_t> matrix(const std::vector<TrainRunRecord>& runs, const std::vector<char>& done,
                                 std::size_t width, Pick pick) {
  std::vector<std::int64_t> m(runs.size() * width, -1);
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (done[i])
      for (std::size_t j = 0; j < width; ++j) m[i * width + j] = pick(runs[i])[j];
  return m;
}

// An integer dataset of dimensions `expected`.
std::vector<std::int64_t> read_matrix(const std::string& file, const std::string& dataset,
                                      const std::vector<hsize_t>& expected) {
  std::vector<hsize_t> dims;
  std::vector<std::int64_t> m = read_int64_array(file, dataset, dims);
  if (dims != expected)
    throw InputError(file + ": " + dataset + " does not have the campaign's shape");
  return m;
}

}  // namespace

void write_run_records(ResultsFile& h5, const std::string& group, const std::vector<TrainRunRecord>& runs,
                       const std::vector<char>& done, const TrainWindow& w) {
  const std::size_t n = runs.size(), t = loss_length(w), p = w.curve_steps.size();
  std::vector<float> loss(n * t, std::numeric_limits<float>::quiet_NaN());
  std::vector<std::int64_t> crash_step(n, -1), crash_pass(n, -1);
  std::vector<std::uint8_t> flags(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (!done[i]) continue;
    std::copy(runs[i].loss.begin(), runs[i].loss.end(), loss.begin() + static_cast<std::ptrdiff_t>(i * t));
    crash_step[i] = runs[i].crash_step, crash_pass[i] = runs[i].crash_pass, flags[i] = 1;
  }
  h5.write_floats(group + "/loss", loss, {n, t});
  h5.write_int64s(group + "/correct_faulty", matrix(runs, done, p, [](const TrainRunRecord& r) { return r.correct_faulty; }), {n, p});
  h5.write_int64s(group + "/correct_fault_free",
                  matrix(runs, done, p, [](const TrainRunRecord& r) { return r.correct_fault_free; }), {n, p});
  h5.write_int64s(group + "/crash_step", crash_step);
  h5.write_int64s(group + "/crash_pass", crash_pass);
  h5.write_uint8s(group + "/done", flags, {n});
}

std::vector<TrainRunRecord> read_run_records(const std::string& file, const std::string& group, std::size_t n,
                                             const TrainWindow& w, std::vector<char>& done) {
  const std::size_t t = loss_length(w), p = w.curve_steps.size();
  const Tensor loss = read_tensor(file, group + "/loss");
  if (loss.shape() != std::vector<int>{static_cast<int>(n), static_cast<int>(t)})
    throw InputError(file + ": " + group + "/loss does not have the campaign's shape");
  const auto faulty = read_matrix(file, group + "/correct_faulty", {n, p});
  const auto healthy = read_matrix(file, group + "/correct_fault_free", {n, p});
  const auto crash_step = read_matrix(file, group + "/crash_step", {n});
  const auto crash_pass = read_matrix(file, group + "/crash_pass", {n});
  const auto flags = read_matrix(file, group + "/done", {n});
  std::vector<TrainRunRecord> runs(n);
  done.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    TrainRunRecord& r = runs[i];
    r.loss.assign(loss.data() + i * t, loss.data() + (i + 1) * t);
    r.correct_faulty.assign(faulty.begin() + static_cast<std::ptrdiff_t>(i * p), faulty.begin() + static_cast<std::ptrdiff_t>((i + 1) * p));
    r.correct_fault_free.assign(healthy.begin() + static_cast<std::ptrdiff_t>(i * p), healthy.begin() + static_cast<std::ptrdiff_t>((i + 1) * p));
    r.crash_step = crash_step[i], r.crash_pass = static_cast<int>(crash_pass[i]);
    done[i] = flags[i] != 0;
  }
  return runs;
}

}  // namespace accsim

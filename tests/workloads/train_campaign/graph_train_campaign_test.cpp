// `accsim train-campaign` on a graph model (workload.model) as a library, on a tiny
// residual ONNX model: its jobs carry their passes, thread counts and resuming change no
// bit, crashes keep their step and pass, and LeNet-5 as a graph steps as the chain trainer.
#include "workloads/train_campaign/graph_training_subject.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "same_runs.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tools/train_campaign_resume.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/inference.h"
#include "workloads/models/model_file.h"
#include "workloads/run/engines.h"
#include "workloads/train_campaign/pass_recorder.h"
#include "workloads/train_campaign/tiny_fmnist_model.h"
#include "workloads/train_campaign/train_campaign_output.h"
#include "workloads/train_campaign/train_campaign_setup.h"
#include "kernels/optimizer_table.h"
#include "workloads/training/chain_trainer.h"
#include "workloads/training/training_batches.h"

namespace accsim {
namespace {

using testing::expect_same_runs;

nlohmann::json small_array() {
  return testing::ideal_config("small").at("array");
}

class GraphTrainCampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    testing::save_tiny_fmnist_model((dir_.path() / "tiny.onnx").string());
    json_ = {{"workload", {{"model", "tiny.onnx"}}},
             {"training", {{"batch_size", 8}, {"train_limit", 20}, {"validation_size", 40}, {"eval_batch", 40},
                           {"learning_rate", 0.05}}},
             {"seed", 5},
             {"train_campaign",
              {{"experiments", 6}, {"steps", 4}, {"fault_steps", {1, 3}}, {"bits", {20, 31}}, {"curve_every", 2},
               {"margin", 0.05}, {"checkpoint_seconds", 0.1}}}};
  }
  RunConfig config() const {
    nlohmann::json j = json_;
    if (!j.contains("array")) j["array"] = small_array();
    return parse_run_config_json(j, (dir_.path() / "tc.json").string());
  }
  TrainCampaignResults run(int threads, const TrainCampaignRunOptions& o = {}) {
    json_["train_campaign"]["threads"] = threads;
    const RunConfig rc = config();
    const TrainCampaignSpec spec = train_campaign_spec(rc);
    return run_train_campaign(*training_subject(rc, spec.config), spec, o);
  }
  std::string write(const TrainCampaignResults& r, const std::string& name) {
    const std::string out = (dir_.path() / name).string();
    std::ostringstream notes;
    const RunConfig rc = config();
    write_train_campaign_outputs(out, rc, train_campaign_spec(rc), r, false, notes);
    return out;
  }
  testing::TempDir dir_;
  nlohmann::json json_;
};

// A step's jobs as the recorder sees them: the graph's three array nodes forward, each
// one's backward-weight, and backward-data for all but the first (the images need none).
TEST_F(GraphTrainCampaignTest, AStepsJobsCarryTheirPasses) {
  const RunConfig rc = config();
  const std::unique_ptr<TrainingSubject> s = training_subject(rc, train_campaign_spec(rc).config);
  EXPECT_EQ(s->name(), "tiny");  // the file name without .onnx
  const PeFaults healthy;  // the engine keeps a reference: it must outlive the engine
  const auto engine = make_engine("fast", rc.array, healthy, 1);
  PassRecorder recorder(*engine);
  s->train_step(0, recorder);
  std::vector<Pass> passes;
  for (const JobSpan& j : recorder.jobs()) passes.push_back(j.pass);
  const Pass f = Pass::forward, d = Pass::backward_data, w = Pass::backward_weight;
  EXPECT_EQ(passes, (std::vector<Pass>{f, f, f, w, d, w, d, w}));  // fc, conv2, conv1 backward
  for (Pass p : {f, d, w}) EXPECT_GT(pass_cycles(recorder.jobs(), p), 0);
  EXPECT_EQ(recorder.jobs().front().start, 0);  // a step's cycles count from its start
}

TEST_F(GraphTrainCampaignTest, OneAndTwoThreadsGiveIdenticalResults) {
  const TrainCampaignResults one = run(1), two = run(2);
  ASSERT_TRUE(one.complete());
  ASSERT_TRUE(two.complete());
  EXPECT_EQ(one.reference.loss.size(), 3u);  // steps 1..3 after the shared prefix
  EXPECT_TRUE(std::isfinite(one.reference.loss.back()));
  EXPECT_NE(one.reference.loss[0], one.reference.loss[1]);  // it trains
  expect_same_runs(one, two);
}

// Stopped as if killed after two experiments, rerun: the datasets equal an uninterrupted run's.
TEST_F(GraphTrainCampaignTest, AnInterruptedRunResumesToBitIdenticalResults) {
  const std::string whole = write(run(2), "whole.h5");
  TrainCampaignRunOptions o;
  o.checkpoint = checkpoint_path((dir_.path() / "parts.h5").string());
  o.max_experiments = 2;
  EXPECT_EQ(run(2, o).done_count, 2);
  o.max_experiments = -1;
  const TrainCampaignResults rest = run(1, o);
  ASSERT_TRUE(rest.complete());
  EXPECT_EQ(rest.resumed, 2);
  const std::string parts = write(rest, "parts.h5");
  cli_test::expect_same_train_campaign_files(whole, parts);
  EXPECT_EQ(read_string_attribute(whole, "/", "network"), "tiny");
}

// The top exponent bit of a partial sum stuck at 1 blows the training up from the step it
// appears: the run stops at the first non-finite loss and names the pass of the first job
// whose output went non-finite, as on a chain.
TEST_F(GraphTrainCampaignTest, ANonFiniteLossIsACrashWithItsStepAndPass) {
  json_["train_campaign"]["experiments"] = 3;
  json_["train_campaign"]["sites"] = {"psum"};
  json_["train_campaign"]["kinds"] = {"stuck_at_1"};
  json_["train_campaign"]["bits"] = {30, 30};
  const TrainCampaignResults r = run(2);
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    const TrainRunRecord& run = r.runs[i];
    SCOPED_TRACE(describe(r.faults[i]));
    ASSERT_GE(run.crash_step, 1);  // the fault appears at step 1, the prefix is fault-free
    EXPECT_GE(run.crash_pass, static_cast<int>(Pass::forward));
    const auto at = static_cast<std::size_t>(run.crash_step - 1);
    for (std::size_t s = 0; s < at; ++s) EXPECT_TRUE(std::isfinite(run.loss[s])) << s;
    for (std::size_t s = at + 1; s < run.loss.size(); ++s) EXPECT_TRUE(std::isnan(run.loss[s])) << s;  // not run
    EXPECT_EQ(run.correct_faulty.back(), -1);
  }
  EXPECT_EQ(r.runs[0].crash_pass, static_cast<int>(Pass::forward)) << describe(r.faults[0]);
}

// LeNet-5 through the graph subject (network_graph.h) trains bit for bit as the chain
// trainer (the test reference tests/workloads/training/chain_trainer.h) on the same
// batches, parameters, optimiser and faulty engine: losses and the validation count match.
TEST_F(GraphTrainCampaignTest, LeNet5AsAGraphStepsAsTheChainTrainer) {
  json_["workload"] = {{"network", "lenet5"}};
  json_["array"] = small_array();
  json_["array"]["swizzle"] = "rotate";  // the jobs' swizzle seeds must match too
  json_["training"].erase("learning_rate");
  json_["training"]["optimizer"] = {{"name", "adamw"}, {"lr", 0.002}, {"weight_decay", 0.01}};
  const RunConfig rc = config();
  const TrainingConfig& t = rc.training;
  const std::unique_ptr<TrainingSubject> graph = training_subject(rc, train_campaign_spec(rc).config);
  HardwareFault f;  // visible and finite: the runs part if any job differs
  f.site = FaultSite::psum, f.col = 3, f.bit = 12, f.kind = FaultKind::stuck_at_1;
  const PeFaults psum(rc.array, {f});
  const auto engine = make_engine("fast", rc.array, psum, 1);
  const Network& net = rc.workload.network;
  NetworkParameters params = init_parameters(net, rc.seed);
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(t.optimizer, Trainer::parameter_specs(net, params));
  const std::shared_ptr<const TrainingData> data = load_training_data(rc.workload.dataset_dir, t);
  for (long long step = 0; step < 3; ++step) {
    const SubjectStep a = graph->train_step(step, *engine);
    const StepBatch batch = step_batch_data(*data, t.batch_size, rc.seed, step);
    Trainer trainer(net, params, *engine);
    long long cycle = 0;
    const StepResult b = trainer.train_step(batch.images, batch.labels, *optimizer, cycle);
    EXPECT_EQ(std::memcmp(&a.loss, &b.loss.loss, sizeof(double)), 0) << "step " << step << ": " << a.loss << " vs "
                                                                     << b.loss.loss;
  }
  long long correct = 0;
  for (int first = 0; first < data->validation.images.dim(0); first += t.eval_batch) {
    const int count = std::min(t.eval_batch, data->validation.images.dim(0) - first);
    const Tensor images = gather(data->validation.images, identity_order(data->validation.images.dim(0)),
                                 static_cast<std::size_t>(first), static_cast<std::size_t>(count));
    const std::vector<int> labels(data->validation.labels.begin() + first, data->validation.labels.begin() + first + count);
    correct += softmax_cross_entropy(run_network(net, params, images, *engine).logits, labels).correct;
  }
  EXPECT_EQ(graph->validation_correct(*engine), correct);
}

}  // namespace
}  // namespace accsim

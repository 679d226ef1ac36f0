#include "workloads/run_config.h"

#include "faultmodels/hardware_fault_parser.h"
#include "workloads/network.h"

namespace accsim {

RunConfig parse_run_config(const std::string& file) {
  const nlohmann::json json = ConfigReader::load_file(file);
  ConfigReader top(json, file, "");
  RunConfig rc;
  rc.file = file;
  rc.json_text = json.dump(2);
  rc.array = parse_array_config(top.get_object("array"));
  {
    ConfigReader w = top.get_object("workload");
    rc.workload.network = parse_network(w, "network");
    rc.workload.image_index = static_cast<int>(w.get_int("image_index", 0, 9999, 0));
    rc.workload.dataset_dir = w.get_string("dataset_dir", rc.workload.dataset_dir);
    w.finish();
  }
  rc.seed = static_cast<std::uint64_t>(top.get_int("seed", 0, INT64_MAX, 1));
  rc.faults = parse_hardware_faults(top, "faults", rc.array);
  if (top.has("campaign")) rc.campaign = parse_campaign_config(top.get_object("campaign"), rc.array, file);
  top.finish();
  return rc;
}

}  // namespace accsim

#pragma once
// Parameter faults in one include: named parameter tensors (parameter_set.h), targets
// (parameter_target.h), the fault models (parameter_fault_model.h), injection with undo
// records (parameter_injection.h) and the "parameter_faults" config block
// (parameter_fault_config.h). docs/parameter_faults.md is the guide.
#include "faultmodels/parameter_fault_config.h"
#include "faultmodels/parameter_fault_model.h"
#include "faultmodels/parameter_injection.h"
#include "faultmodels/parameter_set.h"
#include "faultmodels/parameter_target.h"

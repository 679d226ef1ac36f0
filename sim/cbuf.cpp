#include "sim/cbuf.h"

namespace accsim {

void Cbuf::begin(const SimJob& job) {
  enabled_ = job.array.memory.enabled;
  allocation_ = enabled_ ? allocate_cbuf(job.job.shape, job.array) : CbufAllocation{};
  write_bytes_ = weight_read_bytes_ = data_read_bytes_ = 0;
}

}  // namespace accsim

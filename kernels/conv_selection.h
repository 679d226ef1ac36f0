#pragma once
// Which output planes, chunks and columns a call of the array-faithful kernels computes
// (a ConvRegion, or the whole job). Internal to array_conv.
#include <vector>

#include "arch/array_config.h"
#include "arch/conv_job.h"
#include "kernels/array_conv.h"

namespace accsim {

struct Selection {
  std::vector<char> col_all;       // [col]: every position
  std::vector<char> image_cols;    // [col]: positions of selected images
  std::vector<char> images;        // [n]
  std::vector<char> chunk_images;  // [chunk]: the chunk holds a position of a selected image
  std::vector<char> col_any;       // [col]: some chunk computes this column
  bool any_images = true;          // some image is selected
  bool column(long long chunk, int col) const {
    return col_all[col] || (chunk_images[static_cast<std::size_t>(chunk)] && image_cols[col]);
  }
  bool plane(long long n, int col) const { return col_all[col] || (images[static_cast<std::size_t>(n)] && image_cols[col]); }
  // Images with a position in a chunk that computes something.
  std::vector<char> images_read(const ConvShape& s) const;
};

// `region` null: everything. Throws std::invalid_argument for mis-sized region vectors.
Selection select_region(const ConvShape& s, const ArrayConfig& a, const ConvRegion* region);

}  // namespace accsim

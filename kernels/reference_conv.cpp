#include "kernels/reference_conv.h"

namespace accsim {

Tensor reference_conv2d(const ConvShape& sh, const Tensor& x, const Tensor& w) {
  const int P = sh.p(), Q = sh.q();
  Tensor y({sh.n, sh.k, P, Q});
  std::size_t o = 0;
  for (int n = 0; n < sh.n; ++n)
    for (int k = 0; k < sh.k; ++k)
      for (int p = 0; p < P; ++p)
        for (int q = 0; q < Q; ++q) {
          double sum = 0.0;
          for (int c = 0; c < sh.c; ++c)
            for (int r = 0; r < sh.r; ++r)
              for (int s = 0; s < sh.s; ++s) {
                const int ih = p * sh.stride + r - sh.pad, iw = q * sh.stride + s - sh.pad;
                if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;
                sum += static_cast<double>(x[((static_cast<std::size_t>(n) * sh.c + c) * sh.h + ih) * sh.w + iw]) *
                       static_cast<double>(w[((static_cast<std::size_t>(k) * sh.c + c) * sh.r + r) * sh.s + s]);
              }
          y[o++] = static_cast<float>(sum);
        }
  return y;
}

}  // namespace accsim

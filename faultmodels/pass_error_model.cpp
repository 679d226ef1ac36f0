#include "faultmodels/pass_error_model.h"

#include <algorithm>
#include <set>
#include <utility>

#include "arch/datapath.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "faultmodels/transient_mapper.h"

namespace accsim {

namespace {

// How the job's channel axes read in the layer's tensors (arch/pass_lowering.h).
struct PassVocabulary {
  const char* dim0;            // stationary tensor's first index
  const char* dim1;            // stationary tensor's second index
  bool dim0_is_job_out;        // forward: W[oc][ic], oc on the columns
  const char* stationary;      // "weights"
  const char* outputs;         // "output pixels"
  const char* outputs_1x1;     // the same when a channel has one element (fully-connected)
  const char* out_channels;    // what a column's channel is in the layer
};

PassVocabulary vocabulary(Pass p) {
  switch (p) {
    case Pass::forward: return {"oc", "ic", true, "weights", "output pixels", "outputs", "channels"};
    case Pass::backward_data: return {"oc", "ic", false, "weights", "input-gradient pixels", "input gradients", "input channels"};
    case Pass::backward_weight: return {"n", "oc", false, "output gradients", "weight gradients", "weight gradients", "output channels"};
  }
  return {"", "", true, "", "", "", ""};
}

using Pair = std::pair<int, int>;  // (job output channel, job input channel)

std::string bit_phrase(const HardwareFault& f) {
  const std::string bit = "bit " + std::to_string(f.bit);
  switch (f.kind) {
    case FaultKind::stuck_at_0: return bit + " forced 0";
    case FaultKind::stuck_at_1: return bit + " forced 1";
    case FaultKind::transient: return bit + " flipped at cycle " + std::to_string(f.cycle);
  }
  return bit;
}

std::string join_channels(const std::set<int>& channels) {
  std::vector<int> v(channels.begin(), channels.end());
  if (v.size() > 8) return std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", ..., " + std::to_string(v.back()) +
                           " (" + std::to_string(v.size()) + " in all)";
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i)
    s += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + std::to_string(v[i]);
  return s;
}

class PassMapper {
 public:
  PassMapper(const ConvJob& layer, Pass pass, const ArrayConfig& array, const std::vector<HardwareFault>& faults)
      : layer_(layer),
        pass_(pass),
        array_(array),
        job_(lowered_shape(layer, pass)),
        mapping_(job_, array, array.swizzle, layer.swizzle_seed),
        stuck_(array, permanent_only(faults)),
        words_(vocabulary(pass)),
        origin_(stationary_origin(layer, pass)),
        destination_(output_destination(layer, pass)) {
    for (int g = 0; g < mapping_.groups(); ++g) {
      cols_.emplace_back();
      mapping_.cols_to_channels(g, cols_.back());
      rows_.emplace_back();
      for (int b = 0; b < mapping_.blocks(); ++b) {
        rows_.back().emplace_back();
        mapping_.rows_to_channels(g, b, rows_.back().back());
      }
    }
  }

  PassErrorModel model(const std::vector<HardwareFault>& faults, long long start_cycle) {
    PassErrorModel m;
    m.layer = layer_.layer;
    m.pass = pass_;
    m.swizzle = array_.swizzle;
    m.stationary_shape = stationary_tensor_shape(layer_, pass_);
    m.output_shape = output_tensor_shape(layer_, pass_);
    m.stationary_mask.assign(element_count(m.stationary_shape), 0);
    m.stationary_and.assign(m.stationary_mask.size(), ~0u);
    m.stationary_or.assign(m.stationary_mask.size(), 0u);
    m.output_mask.assign(element_count(m.output_shape), 0);
    std::set<std::tuple<int, int, int>> pair_seen;
    for (const auto& f : faults) {
      if (!f.permanent() && start_cycle < 0) {
        m.unplaced.push_back(f);
        continue;
      }
      Footprint fp = f.permanent() ? stuck_footprint(f, m) : transient_footprint(f, start_cycle);
      if (fp.stationary.empty() && fp.outputs.empty()) continue;
      FaultEffect e;
      e.fault = f;
      for (long long job_index : fp.stationary) {
        const long long li = origin_[static_cast<std::size_t>(job_index)];
        if (li < 0) continue;
        ++e.stationary_affected;
        m.stationary_mask[static_cast<std::size_t>(li)] = 1;
        if (f.site == FaultSite::weight && f.permanent()) {
          const StuckMask& sm = stuck_.weight(f.row, f.col);
          m.stationary_and[static_cast<std::size_t>(li)] = sm.keep;
          m.stationary_or[static_cast<std::size_t>(li)] = sm.force;
        }
      }
      std::set<int> channels;
      for (const auto& [pixel, oc] : fp.outputs) {
        const long long li = destination_[static_cast<std::size_t>(output_index(pixel, oc))];
        if (li < 0) continue;
        ++e.outputs_affected;
        channels.insert(oc);
        m.output_mask[static_cast<std::size_t>(li)] = 1;
      }
      if (f.permanent() && (f.site == FaultSite::input || f.site == FaultSite::product))
        for (const Pair& p : fp.pairs)
          if (pair_seen.insert({static_cast<int>(f.site), p.first, p.second}).second) {
            const StuckMask& sm = f.site == FaultSite::input ? stuck_.input(f.row, f.col) : stuck_.product(f.row, f.col);
            m.pairs.push_back({f.site, p.first, p.second, sm.keep, sm.force});
          }
      if (e.stationary_affected == 0 && e.outputs_affected == 0) continue;
      e.summary = phrase(f, fp.pairs) + ": " + counts(e, m, channels);
      m.effects.push_back(std::move(e));
    }
    m.idle_products = idle_products(faults);
    channel_tables(m);
    if (start_cycle >= 0) m.transient_flips = placed_flips(faults, start_cycle);
    std::string line = layer_.layer + " " + to_string(pass_) + ": ";
    if (m.effects.empty()) line += "no configured fault reaches this pass";
    for (std::size_t i = 0; i < m.effects.size(); ++i) line += (i ? "; " : "") + m.effects[i].summary;
    if (!m.unplaced.empty()) line += " (" + std::to_string(m.unplaced.size()) + " transient(s) not placed)";
    m.summary = line;
    return m;
  }

 private:
  // Elements one fault touches, in job coordinates.
  struct Footprint {
    std::vector<long long> stationary;               // flat [k, c, r, s] indices of the job's stationary operand
    std::vector<std::pair<long long, int>> outputs;  // (flattened output position, output channel)
    std::set<Pair> pairs;                            // channel pairs meeting the faulty PE
  };

  static std::vector<HardwareFault> permanent_only(const std::vector<HardwareFault>& faults) {
    std::vector<HardwareFault> out;
    for (const auto& f : faults)
      if (f.permanent()) out.push_back(f);
    return out;
  }

  static std::size_t element_count(const std::vector<int>& shape) {
    std::size_t n = 1;
    for (int d : shape) n *= static_cast<std::size_t>(d);
    return n;
  }

  long long output_index(long long pixel, int oc) const {
    const long long pq = static_cast<long long>(job_.p()) * job_.q();
    return (pixel / pq * job_.k + oc) * pq + pixel % pq;
  }

  void add_kernel(Footprint& fp, int oc, int ic) const {
    const long long rs = static_cast<long long>(job_.r) * job_.s;
    const long long first = (static_cast<long long>(oc) * job_.c + ic) * rs;
    for (long long i = 0; i < rs; ++i) fp.stationary.push_back(first + i);
  }

  void add_channel(Footprint& fp, int oc) const {
    for (long long p = 0; p < job_.pixels(); ++p) fp.outputs.push_back({p, oc});
  }

  Footprint stuck_footprint(const HardwareFault& f, const PassErrorModel&) const {
    Footprint fp;
    for (int g = 0; g < mapping_.groups(); ++g) {
      const int oc = cols_[g][f.col];
      if (oc < 0) continue;
      switch (f.site) {
        case FaultSite::weight:
        case FaultSite::input:
        case FaultSite::product: {
          bool used = false;
          for (int b = 0; b < mapping_.blocks(); ++b) {
            const int ic = rows_[g][b][f.row];
            if (ic < 0) continue;
            used = true;
            fp.pairs.insert({oc, ic});
            add_kernel(fp, oc, ic);
          }
          // An idle PE's forced product still enters the column sum.
          if (used || f.site == FaultSite::product) add_channel(fp, oc);
          break;
        }
        case FaultSite::psum:
          add_channel(fp, oc);
          break;
        case FaultSite::accumulator:
          for (long long p = f.row; p < job_.pixels(); p += array_.stripe_length) fp.outputs.push_back({p, oc});
          break;
      }
    }
    return fp;
  }

  Footprint transient_footprint(const HardwareFault& f, long long start_cycle) const {
    Footprint fp;
    const PeFaults one(array_, {f});
    const ErrorPattern pattern = map_transients(layer_with_job_shape(), array_, one, start_cycle);
    const int rs = job_.r * job_.s;
    for (const auto& ps : pattern.psums) {
      const int oc = cols_[ps.at.group][ps.at.col];
      if (oc < 0) continue;
      fp.outputs.push_back({ps.at.pixel, oc});
      const int b = ps.at.step / rs, pos = ps.at.step % rs;
      for (const auto& wf : ps.weight) {
        const int ic = rows_[ps.at.group][b][wf.row];
        if (ic < 0) continue;
        fp.pairs.insert({oc, ic});
        fp.stationary.push_back((static_cast<long long>(oc) * job_.c + ic) * rs + pos);
      }
    }
    for (const auto& a : pattern.accumulator) {
      const int oc = cols_[a.at.group][a.at.col];
      if (oc >= 0) fp.outputs.push_back({a.at.pixel, oc});
    }
    std::sort(fp.stationary.begin(), fp.stationary.end());
    fp.stationary.erase(std::unique(fp.stationary.begin(), fp.stationary.end()), fp.stationary.end());
    std::sort(fp.outputs.begin(), fp.outputs.end());
    fp.outputs.erase(std::unique(fp.outputs.begin(), fp.outputs.end()), fp.outputs.end());
    return fp;
  }

  ConvJob layer_with_job_shape() const {
    ConvJob j = layer_;
    j.shape = job_;
    if (pass_ != Pass::forward) j.pool = {};  // PDP pools forward outputs only
    return j;
  }

  std::vector<IdleProductRule> idle_products(const std::vector<HardwareFault>& faults) const {
    std::vector<IdleProductRule> rules;
    std::set<std::pair<int, int>> seen;
    for (const auto& f : faults) {
      if (!f.permanent() || f.site != FaultSite::product || !seen.insert({f.row, f.col}).second) continue;
      // What the idle PE adds: its (stuck) weight register times its (stuck) input, forced,
      // as the adder tree reads it (fp32 bits; int8: the int32 value).
      const std::uint32_t w = stuck_.weight(f.row, f.col).apply(0u), x = stuck_.input(f.row, f.col).apply(0u);
      const std::uint32_t v = with_datapath(array_.datatype, [&](auto d) {
        using D = decltype(d);
        return D::tree_input(stuck_.product(f.row, f.col).apply(D::multiply(w, x)));
      });
      if ((is_integer(array_.datatype) ? v : v & 0x7fffffffu) == 0) continue;  // +-0 leaves every sum unchanged
      for (int g = 0; g < mapping_.groups(); ++g) {
        const int oc = cols_[g][f.col];
        if (oc < 0) continue;
        int idle = 0;
        for (int b = 0; b < mapping_.blocks(); ++b) idle += rows_[g][b][f.row] < 0;
        if (idle) rules.push_back({oc, idle * job_.r * job_.s, v});
      }
    }
    return rules;
  }

  void channel_tables(PassErrorModel& m) const {
    const int groups = mapping_.groups(), blocks = mapping_.blocks();
    m.row_channels_shape = {groups, blocks, array_.atomic_c};
    m.col_channels_shape = {groups, array_.atomic_k};
    for (int g = 0; g < groups; ++g) {
      m.col_channels.insert(m.col_channels.end(), cols_[g].begin(), cols_[g].end());
      for (int b = 0; b < blocks; ++b) m.row_channels.insert(m.row_channels.end(), rows_[g][b].begin(), rows_[g][b].end());
    }
  }

  // Every transient of the pass at once, on the sums of live columns (an idle column's
  // sums never leave the array).
  std::vector<PlacedFlip> placed_flips(const std::vector<HardwareFault>& faults, long long start_cycle) const {
    std::vector<HardwareFault> transients;
    for (const auto& f : faults)
      if (!f.permanent()) transients.push_back(f);
    std::vector<PlacedFlip> flips;
    if (transients.empty()) return flips;
    const ErrorPattern pattern = map_transients(layer_with_job_shape(), array_, PeFaults(array_, transients), start_cycle);
    auto place = [&](const ElementKey& at, FaultSite site, int row, std::uint32_t mask) {
      const int oc = cols_[at.group][at.col];
      if (oc >= 0 && mask != 0) flips.push_back({site, oc, at.step, at.pixel, row, mask});
    };
    for (const auto& ps : pattern.psums) {
      for (const auto& w : ps.weight) place(ps.at, FaultSite::weight, w.row, w.mask);
      for (const auto& x : ps.input) place(ps.at, FaultSite::input, x.row, x.mask);
      for (const auto& p : ps.product) place(ps.at, FaultSite::product, p.row, p.mask);
      place(ps.at, FaultSite::psum, -1, ps.psum);
    }
    for (const auto& a : pattern.accumulator) place(a.at, FaultSite::accumulator, -1, a.mask);
    return flips;
  }

  // "[oc%8==3][ic%8==5]" when the pairs are exactly the unswizzled modular pattern,
  // otherwise the pairs themselves, in the stationary tensor's index order.
  std::string selector(const HardwareFault& f, const std::set<Pair>& pairs) const {
    std::set<Pair> modular;
    for (int oc = f.col; oc < job_.k; oc += array_.atomic_k)
      for (int ic = f.row; ic < job_.c; ic += array_.atomic_c) modular.insert({oc, ic});
    const std::string out_rule = "%" + std::to_string(array_.atomic_k) + "==" + std::to_string(f.col);
    const std::string in_rule = "%" + std::to_string(array_.atomic_c) + "==" + std::to_string(f.row);
    if (pairs == modular)
      return words_.dim0_is_job_out ? std::string("[") + words_.dim0 + out_rule + "][" + words_.dim1 + in_rule + "]"
                                    : std::string("[") + words_.dim0 + in_rule + "][" + words_.dim1 + out_rule + "]";
    std::string s = std::string("[(") + words_.dim0 + "," + words_.dim1 + ") in {";
    int shown = 0;
    for (const Pair& p : pairs) {
      if (shown == 4) {
        s += ", ... " + std::to_string(pairs.size()) + " pairs";
        break;
      }
      const int d0 = words_.dim0_is_job_out ? p.first : p.second, d1 = words_.dim0_is_job_out ? p.second : p.first;
      s += (shown++ ? ", (" : "(") + std::to_string(d0) + "," + std::to_string(d1) + ")";
    }
    return s + "}]";
  }

  std::string phrase(const HardwareFault& f, const std::set<Pair>& pairs) const {
    const std::string bits = bit_phrase(f);
    const std::string pe = "PE(" + std::to_string(f.row) + "," + std::to_string(f.col) + ") ";
    switch (f.site) {
      case FaultSite::weight:
        return f.permanent() ? words_.stationary + selector(f, pairs) + " " + bits : pe + "weight register " + bits;
      case FaultSite::input:
        return f.permanent() ? std::string("inputs meeting ") + words_.stationary + selector(f, pairs) + " " + bits
                             : pe + "input register " + bits;
      case FaultSite::product:
        return f.permanent() ? std::string("products with ") + words_.stationary + selector(f, pairs) + " " + bits
                             : pe + "product " + bits;
      case FaultSite::psum: return "partial sums of column " + std::to_string(f.col) + " " + bits;
      case FaultSite::accumulator:
        return "accumulator entry (slot " + std::to_string(f.row) + ", column " + std::to_string(f.col) + ") " + bits;
    }
    return bits;
  }

  std::string counts(const FaultEffect& e, const PassErrorModel& m, const std::set<int>& channels) const {
    std::string s;
    if (e.stationary_affected)
      s += std::to_string(e.stationary_affected) + " of " + std::to_string(m.stationary_mask.size()) + " " +
           words_.stationary + ", ";
    if (e.outputs_affected == 0) return s + "no output element";
    const long long per_channel = static_cast<long long>(m.output_mask.size()) / job_.k;
    std::string channel_words = words_.out_channels;
    if (channels.size() == 1) channel_words.pop_back();  // "channel 3"
    const std::string which = channel_words + " " + join_channels(channels);
    if (e.outputs_affected == per_channel * static_cast<long long>(channels.size()))
      return s + (per_channel == 1 ? std::string(words_.outputs_1x1) + " of " + which
                                   : "all " + std::to_string(per_channel) + " " + words_.outputs + " of " + which);
    return s + std::to_string(e.outputs_affected) + " of " + std::to_string(m.output_mask.size()) + " " +
           words_.outputs + " in " + which;
  }

  const ConvJob& layer_;
  Pass pass_;
  const ArrayConfig& array_;
  ConvShape job_;
  Mapping mapping_;
  PeFaults stuck_;
  PassVocabulary words_;
  std::vector<long long> origin_, destination_;
  std::vector<std::vector<int>> cols_;               // [group][column]
  std::vector<std::vector<std::vector<int>>> rows_;  // [group][block][row]
};

}  // namespace

PassErrorModel map_pass_faults(const ConvJob& layer, Pass pass, const ArrayConfig& array,
                               const std::vector<HardwareFault>& faults, long long start_cycle) {
  for (const auto& f : faults) validate(f, array);
  return PassMapper(layer, pass, array, faults).model(faults, start_cycle);
}

}  // namespace accsim

#pragma once
// Builds small ONNX models in tests, as an exporter would write them.
#include <onnx/onnx_pb.h>

#include <fstream>
#include <string>
#include <vector>

namespace accsim::testing {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 14) {
    model_.set_ir_version(7);
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }
  // A float input; a dim of 0 is the dynamic batch ("batch").
  OnnxBuilder& input(const std::string& name, const std::vector<int>& dims) {
    value(model_.mutable_graph()->add_input(), name, dims);
    return *this;
  }
  // An int64 input (Gather indices); a dim of 0 is "batch", of -1 the dynamic "bag".
  OnnxBuilder& int64_input(const std::string& name, const std::vector<int>& dims) {
    value(model_.mutable_graph()->add_input(), name, dims, onnx::TensorProto::INT64);
    return *this;
  }
  OnnxBuilder& output(const std::string& name) {
    auto* v = model_.mutable_graph()->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    return *this;
  }
  OnnxBuilder& floats(const std::string& name, const std::vector<int>& dims, const std::vector<float>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
    return *this;
  }
  OnnxBuilder& ints(const std::string& name, const std::vector<long long>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int>(values.size()));
    for (long long v : values) t->add_int64_data(v);
    return *this;
  }
  OnnxBuilder& int_scalar(const std::string& name, long long value) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_int64_data(value);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
                        const std::string& name = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return *n;
  }
  static void int_attribute(onnx::NodeProto& n, const std::string& name, long long v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void float_attribute(onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void ints_attribute(onnx::NodeProto& n, const std::string& name, const std::vector<long long>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (long long x : v) a->add_ints(x);
  }
  void save(const std::string& path) const {
    std::ofstream out(path, std::ios::binary);
    model_.SerializeToOstream(&out);
  }
  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  static void value(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int>& dims,
                    int type = onnx::TensorProto::FLOAT) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    for (int d : dims) {
      auto* dim = t->mutable_shape()->add_dim();
      if (d == 0) dim->set_dim_param("batch");
      else if (d < 0) dim->set_dim_param("bag");
      else dim->set_dim_value(d);
    }
  }
  onnx::ModelProto model_;
};

}  // namespace accsim::testing

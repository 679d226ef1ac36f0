"""What an exported ONNX model contains: op types with counts and the attributes each op
type uses (with their distinct values), for importer authors and the model cards."""
import collections

import onnx
from onnx import helper


def attribute_value(attr):
    value = helper.get_attribute_value(attr)
    if isinstance(value, onnx.TensorProto):
        return f"tensor{list(value.dims)}"
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return str(value)
    return repr(value)


def op_summary(proto):
    """{op_type: {"count": n, "attributes": {name: sorted distinct values}}}, sorted by op."""
    counts = collections.Counter(n.op_type for n in proto.graph.node)
    attrs = collections.defaultdict(lambda: collections.defaultdict(set))
    for node in proto.graph.node:
        for a in node.attribute:
            attrs[node.op_type][a.name].add(attribute_value(a))
    for node in proto.graph.node:  # a node without a used attribute takes ONNX's default
        present = {a.name for a in node.attribute}
        for name in attrs[node.op_type]:
            if name not in present:
                attrs[node.op_type][name].add("(default)")
    return {op: {"count": counts[op],
                 "attributes": {k: sorted(v) for k, v in sorted(attrs[op].items())}}
            for op in sorted(counts)}


def markdown(name, proto):
    """A markdown section: opset, inputs/outputs with shapes, one table row per op type."""
    def shape(vi):
        return "[" + ", ".join(d.dim_param or str(d.dim_value)
                               for d in vi.type.tensor_type.shape.dim) + "]"
    opset = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in proto.opset_import)
    lines = [f"## {name}", "",
             f"opset: {opset}; inputs: " + ", ".join(f"`{v.name}` {shape(v)}" for v in proto.graph.input)
             + "; outputs: " + ", ".join(f"`{v.name}` {shape(v)}" for v in proto.graph.output)
             + f"; {len(proto.graph.node)} nodes, {len(proto.graph.initializer)} initializers", "",
             "| op | count | attributes used (distinct values) |", "|---|---|---|"]
    for op, s in op_summary(proto).items():
        used = "; ".join(f"{k}: {', '.join(v)}" for k, v in s["attributes"].items()) or "-"
        lines.append(f"| {op} | {s['count']} | {used} |")
    return "\n".join(lines) + "\n"

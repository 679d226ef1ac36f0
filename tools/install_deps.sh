#!/usr/bin/env bash
# Installs the Debian packages accsim needs, only those that are missing.
set -euo pipefail
packages=(cmake g++ make pkg-config libsystemc-dev libeigen3-dev libboost-program-options-dev libhdf5-dev
  nlohmann-json3-dev libfmt-dev libonnx-dev libprotobuf-dev libgtest-dev googletest libbenchmark-dev zlib1g-dev dataset-fashion-mnist
  libopenmpi-dev openmpi-bin
  python3 python3-numpy python3-h5py python3-torch python3-torchvision python3-onnx python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "accsim: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

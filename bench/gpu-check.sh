#!/usr/bin/env bash
# On a GPU training machine: installs the GPU backend (infra/tensorflow.sh install --gpu, idempotent;
# needs the package registries) and prints the backend, the device, samples/s and a short training
# run's held-out accuracy (bench/gpu-check.ts). With no NVIDIA GPU visible it says so and runs the same
# check on the CPU build, so the script itself can be tried anywhere.
# Use: bench/gpu-check.sh        (after npm ci)
set -euo pipefail
cd "$(dirname "$0")/.."
variant=--gpu
if ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU visible (nvidia-smi -L failed): checking the CPU build instead"
  variant=""
fi
infra/tensorflow.sh install $variant
# The CUDA libraries sit beside libtensorflow and are found without it; the path is set all the same.
eval "$(infra/tensorflow.sh env $variant)"
[[ -n $variant ]] && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
WARMSTART_BACKEND=tensorflow exec npx tsx bench/gpu-check.ts

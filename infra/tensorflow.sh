#!/usr/bin/env bash
# The native TensorFlow training backend, from the package registries only. tfjs-node's own install
# step downloads libtensorflow from a Google bucket (unreachable here, and answering 403 anyway), so
# this script takes the TensorFlow C library from the pinned PyPI wheel instead, installs the pinned
# npm bindings with their scripts ignored, and compiles the binding against that library.
#
#   infra/tensorflow.sh install [--gpu]   idempotent; a second run only checks (seconds)
#   infra/tensorflow.sh check [--gpu]     loads the binding; prints the TensorFlow version and device
#   infra/tensorflow.sh env [--gpu]       prints the LD_LIBRARY_PATH line (needed for --gpu only)
#
# Everything goes into .tools/tensorflow/<cpu|gpu>/ (lib/, include/, node_modules/); `npm ci` does not
# touch it, and src/training/backend.ts finds it there. CPU: tensorflow-cpu's libtensorflow_cc.so.2,
# which exports the TF C API with no Python symbols (docs/native-backend.md compares it with the
# 2.9.1 route). --gpu: the `tensorflow` wheel of the same version plus NVIDIA's CUDA 12 / cuDNN 9
# runtime wheels at the versions its [and-cuda] extra pins, for @tensorflow/tfjs-node-gpu. Needs
# python3 with pip, g++, make and Node's headers (node_api.h; Debian's nodejs ships them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

TF_VERSION=2.21.0
TFJS_NODE_VERSION=4.22.0
WHEEL_PYTHON=311
WHEEL_PLATFORM=manylinux_2_27_x86_64
CPU_WHEEL="tensorflow-cpu==$TF_VERSION --hash=sha256:2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c"
GPU_WHEEL="tensorflow==$TF_VERSION --hash=sha256:9056fbc9ba04235810b71ae6cbd958a196e8804fb53bbcffbf3e23b56155f124"
# tensorflow[and-cuda]==2.21.0's runtime wheels as pip resolves that extra (name==version --hash); left
# out: nvcc (ptxas, for XLA's JIT) and NCCL (multi-GPU collectives), which eager training does not load.
GPU_CUDA_WHEELS=(
  "nvidia-cublas-cu12==12.9.3.13 --hash=sha256:d7d51055f161b317c7105ddaae90e71eda059026074ffef93cf7cde2886bfe72"
  "nvidia-cuda-cupti-cu12==12.8.90 --hash=sha256:ea0cb07ebda26bb9b29ba82cda34849e73c166c18162d3913575b0c9db9a6182"
  "nvidia-cuda-nvrtc-cu12==12.9.86 --hash=sha256:210cf05005a447e29214e9ce50851e83fc5f4358df8b453155d5e1918094dcb4"
  "nvidia-cuda-runtime-cu12==12.9.79 --hash=sha256:25bba2dfb01d48a9b59ca474a1ac43c6ebf7011f1b0b8cc44f54eb6ac48a96c3"
  "nvidia-cudnn-cu12==9.28.0.42 --hash=sha256:9ff58b7f36dacd0a93e89f8f2957b52466889217963701daa15e577317cfa375"
  "nvidia-cufft-cu12==11.4.1.4 --hash=sha256:c67884f2a7d276b4b80eb56a79322a95df592ae5e765cf1243693365ccab4e28"
  "nvidia-curand-cu12==10.3.10.19 --hash=sha256:49b274db4780d421bd2ccd362e1415c13887c53c214f0d4b761752b8f9f6aa1e"
  "nvidia-cusolver-cu12==11.7.5.82 --hash=sha256:15da72d1340d29b5b3cf3fd100e3cd53421dde36002eda6ed93811af63c40d88"
  "nvidia-cusparse-cu12==12.5.10.65 --hash=sha256:73060ce019ac064a057267c585bf1fd5a353734151f87472ff02b2c5c9984e78"
  "nvidia-nvjitlink-cu12==12.9.86 --hash=sha256:e3f1171dbdc83c5932a45f0f4c99180a70de9bd2718c1ab77d14104f6d7147f9"
)

die() { echo "tensorflow.sh: $*" >&2; exit 2; }

command=${1:-}
variant=cpu
for arg in "${@:2}"; do
  case "$arg" in
    --gpu) variant=gpu ;;
    *) die "unknown option $arg; use: infra/tensorflow.sh install|check|env [--gpu]" ;;
  esac
done
case "$command" in install | check | env) ;; *) die "use: infra/tensorflow.sh install|check|env [--gpu]" ;; esac

dir="$root/.tools/tensorflow/$variant"
pkg_name=@tensorflow/tfjs-node
[[ $variant == gpu ]] && pkg_name=@tensorflow/tfjs-node-gpu
pkg="$dir/node_modules/$pkg_name"
napi=$(node -p 'Math.min(8, Number(process.versions.napi))')
addon="$pkg/lib/napi-v$napi/tfjs_binding.node"
wheel_line=$CPU_WHEEL
[[ $variant == gpu ]] && wheel_line=$GPU_WHEEL
stamp_text="tensorflow $wheel_line; tfjs-node $TFJS_NODE_VERSION; node $(node -p process.versions.modules) napi $napi"

library_path() {
  local paths=("$dir/lib")
  if [[ -d $dir/cuda ]]; then
    local d
    for d in "$dir"/cuda/nvidia/*/lib; do paths+=("$d"); done
  fi
  (IFS=:; echo "${paths[*]}")
}

# Loads the binding with the repo's @tensorflow/tfjs and runs one op on it.
check() {
  local flag=""
  [[ $variant == gpu ]] && flag=" --gpu"
  [[ -f $addon ]] || { echo "tensorflow.sh: the $variant backend is not installed; run infra/tensorflow.sh install$flag" >&2; return 1; }
  LD_LIBRARY_PATH="$(library_path)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}" \
    node -e '
      const tf = require(process.argv[1]);
      require(process.argv[2]);
      const b = tf.backend();
      const sum = tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).sum().dataSync()[0]);
      if (tf.getBackend() !== "tensorflow" || sum !== 262144) { console.error(`tensorflow.sh: the binding loaded but computed ${sum} on ${tf.getBackend()}`); process.exit(1); }
      console.log(`tensorflow ${b.binding.TF_Version} via ${process.argv[3]}, ${b.isUsingGpuDevice ? "GPU" : "CPU"}`);
    ' "$root/node_modules/@tensorflow/tfjs" "$pkg" "$pkg_name"
}

if [[ $command == env ]]; then echo "export LD_LIBRARY_PATH=\"$(library_path)\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""; exit 0; fi
if [[ $command == check ]]; then check; exit; fi

[[ -f $root/node_modules/@tensorflow/tfjs/package.json ]] || die "run npm ci first: the binding uses the repo's @tensorflow/tfjs"
if [[ -f $dir/.installed && "$(cat "$dir/.installed")" == "$stamp_text" ]] && check; then exit 0; fi

# Prerequisites, each named with its fix.
command -v g++ >/dev/null && command -v make >/dev/null || die "g++ and make are needed to build the binding (Debian: apt-get install g++ make)"
python3 -m pip --version >/dev/null 2>&1 || die "python3 with pip is needed to fetch the wheel (Debian: apt-get install python3-pip)"
nodedir=${NODEDIR:-}
if [[ -z $nodedir ]]; then
  for candidate in "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" /usr /usr/local; do
    [[ -f $candidate/include/node/node_api.h ]] && { nodedir=$candidate; break; }
  done
fi
[[ -n $nodedir && -f $nodedir/include/node/node_api.h ]] || die "Node's headers (include/node/node_api.h) were not found; install them (Debian: apt-get install libnode-dev) or set NODEDIR"
npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/.."
node_gyp="$npm_cli/node_modules/node-gyp/bin/node-gyp.js"
[[ -f $node_gyp ]] || die "npm's bundled node-gyp was not found at $node_gyp; reinstall npm"
[[ "$(node -p "require('$root/node_modules/@tensorflow/tfjs/package.json').version")" == "$TFJS_NODE_VERSION" ]] ||
  die "the repo's @tensorflow/tfjs is not $TFJS_NODE_VERSION, the version tfjs-node $TFJS_NODE_VERSION binds to; run npm ci"

mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
rm -f "$dir/.installed"

# 1. The wheels, hash-checked by pip, unpacked to the C library and headers (the wheel is then dropped).
wheels="$dir/wheels"
rm -rf "$wheels" "$dir/lib" "$dir/include" "$dir/cuda"
mkdir -p "$wheels" "$dir/lib"
download() { # requirement lines on stdin
  python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    --python-version "$WHEEL_PYTHON" --platform "$WHEEL_PLATFORM" --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --dest "$wheels" -r /dev/stdin >&2 || die "pip could not fetch the pinned wheels (PyPI reachable? hashes changed?)"
}
echo "$wheel_line" | download
python3 - "$wheels" "$dir" <<'EOF'
import pathlib, shutil, sys, zipfile
wheels, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(w for w in wheels.glob("tensorflow*.whl"))
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
# The headers tfjs-node's binding includes: the C and eager C API and the few they pull in.
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/ctstring",
           "tensorflow/include/tsl/platform/ctstring", "tensorflow/include/xla/tsl/c/")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in libs:
            out = target / "lib" / pathlib.Path(name).name
        elif name.startswith(headers) and name.endswith(".h"):
            out = target / "include" / name[len("tensorflow/include/"):]
        else:
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        with z.open(name) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
missing = [n for n in libs if not (target / "lib" / pathlib.Path(n).name).exists()]
if missing:
    sys.exit(f"tensorflow.sh: {wheel.name} has no {', '.join(missing)}")
EOF
if [[ $variant == gpu ]]; then
  printf '%s\n' "${GPU_CUDA_WHEELS[@]}" | download
  python3 - "$wheels" "$dir/cuda" <<'EOF'
import pathlib, sys, zipfile
wheels, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for wheel in wheels.glob("nvidia_*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith("nvidia/") and "/lib/" in name and ".so" in name:
                z.extract(name, target)
EOF
  # TensorFlow dlopens the CUDA libraries by soname; beside it they are found with no environment.
  for so in "$dir"/cuda/nvidia/*/lib/*.so*; do ln -sfn "$so" "$dir/lib/$(basename "$so")"; done
fi
rm -rf "$wheels"
ln -sfn libtensorflow_cc.so.2 "$dir/lib/libtensorflow.so"
ln -sfn libtensorflow_framework.so.2 "$dir/lib/libtensorflow_framework.so"

# 2. The pinned npm bindings, scripts ignored (no download), sharing the repo's @tensorflow/tfjs: the
#    nested copies are removed so that require() walks up to the one the app's backend registry is in.
cp "$root/infra/tensorflow-npm/package.json" "$root/infra/tensorflow-npm/package-lock.json" "$dir/"
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) || die "npm ci of the bindings failed (npm registry reachable?)"
for nested in "$dir"/node_modules/@tensorflow/*; do
  case "$(basename "$nested")" in tfjs-node | tfjs-node-gpu) ;; *) rm -rf "$nested" ;; esac
done

# 3. The binding, compiled against the wheel's headers and linked to its library.
mkdir -p "$pkg/deps"
ln -sfn ../../../../lib "$pkg/deps/lib"
ln -sfn ../../../../include "$pkg/deps/include"
(cd "$pkg" && node "$node_gyp" rebuild --nodedir="$nodedir" --napi_build_version="$napi" \
  --module_name=tfjs_binding --module_path="lib/napi-v$napi" >"$dir/build.log" 2>&1) ||
  { tail -n 20 "$dir/build.log" >&2; die "building the binding failed; the log is $dir/build.log"; }
mkdir -p "$(dirname "$addon")"
cp "$pkg/build/Release/tfjs_binding.node" "$addon"
rm -rf "$pkg/build"

check || die "the binding was built but does not load; see the line above"
echo "$stamp_text" >"$dir/.installed"

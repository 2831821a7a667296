#!/usr/bin/env bash
# Installs pinned Python tools into .tools/, one folder per set, from PyPI only. Idempotent and quick
# when already installed: it checks the versions first.
#   interop (default): pyarrow + numpy, for the interop tests and the data benchmark  -> .tools/py
#   temporal: the Temporal Python SDK, for the polyglot contract test                 -> .tools/py-temporal
# Use: infra/python-tools.sh [set]            then  PYTHONPATH=$(infra/python-tools.sh [set] --path) python3 ...
#      infra/python-tools.sh [set] --path     prints the directory to put on PYTHONPATH
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYARROW_VERSION=21.0.0
NUMPY_VERSION=2.2.6
TEMPORALIO_VERSION=1.35.0

set_name=interop
if [[ "${1:-}" == "interop" || "${1:-}" == "temporal" ]]; then set_name="$1"; shift; fi
case "$set_name" in
  interop)
    target="$root/.tools/py"
    packages=("pyarrow==$PYARROW_VERSION" "numpy==$NUMPY_VERSION")
    check="import pyarrow, numpy, sys; sys.exit(0 if (pyarrow.__version__, numpy.__version__) == ('$PYARROW_VERSION', '$NUMPY_VERSION') else 1)"
    ;;
  temporal)
    target="$root/.tools/py-temporal"
    packages=("temporalio==$TEMPORALIO_VERSION")
    check="from importlib.metadata import version; import temporalio.client, sys; sys.exit(0 if version('temporalio') == '$TEMPORALIO_VERSION' else 1)"
    ;;
esac

if [[ "${1:-}" == "--path" ]]; then echo "$target"; exit 0; fi

have() { PYTHONPATH="$target" python3 -c "$check" 2>/dev/null; }

if have; then exit 0; fi
mkdir -p "$target"
# A lock, so that parallel test files do not install into the same directory at once.
exec 9>"$target.lock"
flock 9
if have; then exit 0; fi
PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-input --upgrade \
  --target "$target" "${packages[@]}" >&2
have || { echo "python-tools: ${packages[*]} did not import from $target" >&2; exit 1; }

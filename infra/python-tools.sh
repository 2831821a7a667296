#!/usr/bin/env bash
# Installs the pinned Python tools the interop tests and the data benchmark use (pyarrow, numpy)
# into .tools/py. Idempotent and quick when already installed: it checks the versions first.
# Use: infra/python-tools.sh            then  PYTHONPATH=.tools/py python3 -c 'import pyarrow'
#      infra/python-tools.sh --path     prints the directory to put on PYTHONPATH
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/.tools/py"
PYARROW_VERSION=21.0.0
NUMPY_VERSION=2.2.6

if [[ "${1:-}" == "--path" ]]; then echo "$target"; exit 0; fi

have() {
  PYTHONPATH="$target" python3 -c "import pyarrow, numpy, sys; sys.exit(0 if (pyarrow.__version__, numpy.__version__) == ('$PYARROW_VERSION', '$NUMPY_VERSION') else 1)" 2>/dev/null
}

if have; then exit 0; fi
mkdir -p "$target"
# A lock, so that parallel test files do not install into the same directory at once.
exec 9>"$target.lock"
flock 9
if have; then exit 0; fi
python3 -m pip install --quiet --disable-pip-version-check --no-input --upgrade \
  --target "$target" "pyarrow==$PYARROW_VERSION" "numpy==$NUMPY_VERSION" >&2
have || { echo "python-tools: pyarrow $PYARROW_VERSION / numpy $NUMPY_VERSION did not import from $target" >&2; exit 1; }

#!/usr/bin/env bash
# Installs the pinned Temporal Python SDK into .tools/py-temporal for the polyglot contract test
# (a Python client driving warmstart's TypeScript workflows by name). Idempotent; PyPI only.
# Use: infra/python-temporal.sh          then  PYTHONPATH=.tools/py-temporal python3 ...
#      infra/python-temporal.sh --path   prints the directory to put on PYTHONPATH
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/.tools/py-temporal"
TEMPORALIO_VERSION=1.35.0

if [[ "${1:-}" == "--path" ]]; then echo "$target"; exit 0; fi

have() {
  PYTHONPATH="$target" python3 -c "from importlib.metadata import version; import temporalio.client, sys; sys.exit(0 if version('temporalio') == '$TEMPORALIO_VERSION' else 1)" 2>/dev/null
}

if have; then exit 0; fi
mkdir -p "$target"
exec 9>"$target.lock"
flock 9
if have; then exit 0; fi
PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-input --upgrade \
  --target "$target" "temporalio==$TEMPORALIO_VERSION" >&2
have || { echo "python-temporal: temporalio $TEMPORALIO_VERSION did not import from $target" >&2; exit 1; }

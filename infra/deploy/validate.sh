#!/usr/bin/env bash
# Validates the deployment offline, as CI does (test/unit/deploy-manifests.test.ts), with
# check_manifests.py:
#  1. every Kubernetes manifest (each *.yaml but values*.yaml) against the Kubernetes OpenAPI schemas
#     of the oldest and newest versions we target, strictly (an unknown field is an error), with
#     PyPI's kubernetes-validate, whose package bundles the schemas (nothing is downloaded at run time);
#  2. what warmstart relies on beyond the schemas: worker roles, GPUs, grace period, resources, no
#     invented probes, ConfigMap keys, search attributes equal to infra/services.sh, the Temporal
#     chart values against temporal/values.schema.json, and the S3 IAM policy and lifecycle rules.
#
#   infra/deploy/validate.sh [DIR]     DIR defaults to infra/deploy; exit 0 valid, 1 invalid, 2 no validator
#   infra/deploy/validate.sh --install installs the pinned validator into .tools/kubernetes-validate only
#
# The validator and its dependencies are pinned and installed once (a second run only checks).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="$root/.tools/kubernetes-validate"
KUBERNETES_VERSIONS=(1.30.0 1.37.0)
VALIDATOR_VERSION=1.37.0
# What pip resolved for kubernetes-validate 1.37.0 on Python 3.11, pinned and installed without resolution.
REQUIREMENTS=(
  "kubernetes-validate==$VALIDATOR_VERSION"
  jsonschema==4.26.0
  jsonschema-specifications==2025.9.1
  referencing==0.37.0
  rpds-py==2026.9.1
  attrs==26.1.0
  PyYAML==6.0.4
  packaging==26.4
  importlib-resources==7.1.0
  typing-extensions==4.16.0
)

have() {
  PYTHONPATH="$target" python3 -c "
import sys
from importlib.metadata import version
import kubernetes_validate, jsonschema, yaml
sys.exit(0 if version('kubernetes-validate') == '$VALIDATOR_VERSION' else 1)" 2>/dev/null
}

install() {
  if have; then return 0; fi
  python3 -m pip --version >/dev/null 2>&1 || { echo "validate: python3 with pip is needed to install kubernetes-validate (Debian: apt-get install python3-pip)" >&2; exit 2; }
  mkdir -p "$target"
  # A lock, so that parallel runs do not install into the same directory at once.
  exec 9>"$target.lock"
  flock 9
  if have; then return 0; fi
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
    --only-binary=:all: --upgrade --target "$target" "${REQUIREMENTS[@]}" >&2 ||
    { echo "validate: pip could not install kubernetes-validate $VALIDATOR_VERSION (PyPI reachable?)" >&2; exit 2; }
  have || { echo "validate: kubernetes-validate $VALIDATOR_VERSION does not import from $target" >&2; exit 2; }
}

if [[ "${1:-}" == "--install" ]]; then install; exit 0; fi
dir="${1:-$here}"
[[ -d "$dir" ]] || { echo "validate: $dir is not a directory; pass the deployment directory (default infra/deploy)" >&2; exit 2; }
install

versions=()
for version in "${KUBERNETES_VERSIONS[@]}"; do versions+=(--kubernetes "$version"); done
PYTHONPATH="$target" exec python3 "$here/check_manifests.py" --services "$root/infra/services.sh" "${versions[@]}" "$dir"

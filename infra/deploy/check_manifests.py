"""Offline validation of warmstart's deployment (run by validate.sh, which installs the validator).

1. Every Kubernetes object against the OpenAPI schemas bundled in PyPI's kubernetes-validate, strictly
   (an unknown field is an error), for each --kubernetes version; a kind with no schema is an error too.
2. What warmstart relies on beyond the schemas: worker roles, GPUs, grace period, resources, no probes
   of endpoints that do not exist, ConfigMap keys, search attributes equal to infra/services.sh, and
   the Temporal chart values against temporal/values.schema.json, and the S3 IAM policy and lifecycle
   rules (s3/*.json) against the bucket and prefix of WARMSTART_STORE.

  python3 check_manifests.py --services infra/services.sh --kubernetes 1.30.0 [--kubernetes ...] DIR
  python3 check_manifests.py --services infra/services.sh --print-config DIR   (the worker ConfigMap as JSON)
Prints one line per problem, naming the file, the object and the fix; exits 1 if there is any.
"""
import argparse
import json
import pathlib
import re
import sys

import jsonschema
import kubernetes_validate
import yaml

# SIGTERM to SIGKILL for a training worker: one optimizer step, a checkpoint upload and the report.
MIN_TRAINING_GRACE_SECONDS = 120
REQUIRED_CONFIG = ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "WARMSTART_STORE")
GPU = "nvidia.com/gpu"
UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}

problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def quantity(value):
    """A Kubernetes quantity as a number (bytes or cores), or None if it is not one."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?", str(value))
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return number / 1000 if unit == "m" else number * UNITS.get(unit, 1)


def load(directory):
    """(file, object) for every Kubernetes object; values files apart (they are Helm input)."""
    objects, values = [], []
    for path in sorted(directory.rglob("*.yaml")):
        with path.open() as handle:
            documents = [d for d in yaml.safe_load_all(handle) if d is not None]
        for document in documents:
            if not isinstance(document, dict):
                problem(path.name, f"a YAML document that is not a mapping ({str(document)[:40]!r})")
            elif path.name.startswith("values"):
                values.append((path, document))
            else:
                objects.append((path, document))
    return objects, values


def name_of(path, obj):
    meta = obj.get("metadata", {})
    return f"{path.name} {obj.get('kind')}/{meta.get('name')}"


def check_schemas(objects, versions):
    for path, obj in objects:
        for version in versions:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(p) for p in error.path) or "(top)"
                problem(f"{name_of(path, obj)} (Kubernetes {version}) {where}", error.message)
            except kubernetes_validate.SchemaNotFoundError as error:
                problem(f"{name_of(path, obj)} (Kubernetes {version})", f"{error.message}; a misspelled kind or apiVersion?")
            except KeyError as error:
                problem(name_of(path, obj), f"has no {error}; every object needs apiVersion, kind and metadata")


def worker_role(container):
    args = [*container.get("command", []), *container.get("args", [])]
    if "worker" not in args:
        return None
    if "--role" not in args or args.index("--role") + 1 >= len(args):
        return "all"
    return args[args.index("--role") + 1]


def check_container(where, container, role, grace):
    resources = container.get("resources", {})
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    for kind in ("cpu", "memory"):
        for label, table in (("requests", requests), ("limits", limits)):
            if kind not in table:
                problem(where, f"resources.{label}.{kind} is missing; every worker states what it needs and may use")
            elif quantity(table[kind]) is None:
                problem(where, f"resources.{label}.{kind} '{table[kind]}' is not a Kubernetes quantity")
    memory_limit = quantity(limits.get("memory", ""))
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if probe in container:
            problem(where, f"{probe}: the worker serves no health endpoint; remove it (a failed worker exits and is restarted)")
    for entry in container.get("env", []):
        heap = re.search(r"--max-old-space-size=([0-9]+)", str(entry.get("value", ""))) if entry.get("name") == "NODE_OPTIONS" else None
        if heap and memory_limit and int(heap.group(1)) * 2**20 >= memory_limit:
            problem(where, f"NODE_OPTIONS heap {heap.group(1)} MiB is not below the memory limit {limits['memory']}; lower it")
    gpus = limits.get(GPU)
    if role == "training":
        if gpus is None or quantity(gpus) is None or quantity(gpus) < 1 or quantity(gpus) != int(quantity(gpus)):
            problem(where, f"a training worker needs resources.limits.{GPU} of a whole number >= 1 (got {gpus!r})")
        elif GPU in requests and quantity(requests[GPU]) != quantity(gpus):
            problem(where, f"resources.requests.{GPU} must equal the limit (extended resources are not overcommitted)")
        if not isinstance(grace, int) or grace < MIN_TRAINING_GRACE_SECONDS:
            problem(where, f"terminationGracePeriodSeconds {grace} is too short to checkpoint; use >= {MIN_TRAINING_GRACE_SECONDS} (docs/cluster.md)")
    elif role == "control":
        if gpus is not None or GPU in requests:
            problem(where, f"a control worker must not hold a GPU ({GPU}); training runs on the training queue")
    else:
        problem(where, f"worker role '{role}': deploy --role control and --role training separately, so that training lands on GPU nodes only")


def check_workers(objects):
    config_maps = {(o["metadata"].get("namespace"), o["metadata"]["name"]) for _, o in objects if o.get("kind") == "ConfigMap"}
    secrets = {(o["metadata"].get("namespace"), o["metadata"]["name"]) for _, o in objects if o.get("kind") == "Secret"}
    roles = {}
    for path, obj in objects:
        if obj.get("kind") != "Deployment":
            continue
        namespace = obj["metadata"].get("namespace")
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            role = worker_role(container)
            if role is None:
                continue
            where = f"{name_of(path, obj)} container {container.get('name')}"
            roles.setdefault(role, []).append(where)
            check_container(where, container, role, pod.get("terminationGracePeriodSeconds"))
            for source in container.get("envFrom", []):
                for key, known, kind in (("configMapRef", config_maps, "ConfigMap"), ("secretRef", secrets, "Secret")):
                    ref = source.get(key)
                    if ref and not ref.get("optional") and (namespace, ref.get("name")) not in known:
                        problem(where, f"envFrom {kind} '{ref.get('name')}' is not defined in namespace {namespace}; define it or mark it optional")
    for role in ("control", "training"):
        if role not in roles:
            problem("deployment", f"no Deployment runs `warmstart worker --role {role}`")


def worker_config(objects):
    """The data of the ConfigMap the worker Deployments read (the first with TEMPORAL_ADDRESS)."""
    for path, obj in objects:
        if obj.get("kind") == "ConfigMap" and "TEMPORAL_ADDRESS" in obj.get("data", {}):
            return path, obj
    return None, None


def check_config(objects):
    path, obj = worker_config(objects)
    if obj is None:
        problem("deployment", "no ConfigMap carries TEMPORAL_ADDRESS; the workers would use 127.0.0.1:7233")
        return
    data = obj.get("data", {})
    for key in REQUIRED_CONFIG:
        if not str(data.get(key, "")).strip():
            problem(name_of(path, obj), f"{key} is missing or empty (README 'Configuration')")
    if str(data.get("WARMSTART_STORE", "")).startswith("file://"):
        problem(name_of(path, obj), "WARMSTART_STORE is a file:// store; workers on several machines need an s3:// bucket")
    if data.get("WARMSTART_STORE", "").startswith("s3://") and not (data.get("AWS_REGION") or data.get("AWS_ENDPOINT_URL_S3") or data.get("AWS_ENDPOINT_URL")):
        problem(name_of(path, obj), "an s3:// store needs AWS_REGION (or AWS_ENDPOINT_URL_S3 for an S3-compatible server)")


def services_search_attributes(services):
    text = services.read_text()
    match = re.search(r"^SEARCH_ATTRIBUTES=\((.*?)^\)", text, re.S | re.M)
    return sorted(match.group(1).split()) if match else None


def check_search_attributes(objects, services):
    expected = services_search_attributes(services)
    if expected is None:
        problem(services.name, "no SEARCH_ATTRIBUTES=( ... ) list found")
        return
    jobs = []
    for path, obj in objects:
        if obj.get("kind") != "Job":
            continue
        for container in obj["spec"]["template"]["spec"].get("containers", []):
            env = {e.get("name"): e.get("value") for e in container.get("env", [])}
            if "WARMSTART_SEARCH_ATTRIBUTES" in env:
                jobs.append((name_of(path, obj), env))
    if not jobs:
        problem("deployment", "no Job registers WARMSTART_SEARCH_ATTRIBUTES")
    _, config = worker_config(objects)
    namespace = (config or {}).get("data", {}).get("TEMPORAL_NAMESPACE")
    for where, env in jobs:
        listed = sorted(str(env["WARMSTART_SEARCH_ATTRIBUTES"]).split())
        missing, extra = sorted(set(expected) - set(listed)), sorted(set(listed) - set(expected))
        if missing or extra:
            problem(where, f"WARMSTART_SEARCH_ATTRIBUTES lacks [{' '.join(missing)}] and has extra [{' '.join(extra)}] against infra/services.sh; keep them equal")
        if namespace and env.get("TEMPORAL_NAMESPACE") != namespace:
            problem(where, f"registers in namespace {env.get('TEMPORAL_NAMESPACE')} but the workers use {namespace}")


def check_values(values, objects, schema_path):
    schema = json.loads(schema_path.read_text())
    _, config = worker_config(objects)
    namespace = (config or {}).get("data", {}).get("TEMPORAL_NAMESPACE")
    for path, document in values:
        for error in jsonschema.Draft202012Validator(schema).iter_errors(document):
            where = ".".join(str(p) for p in error.absolute_path) or "(top)"
            problem(f"{path.name} {where}", error.message)
        persistence = document.get("server", {}).get("config", {}).get("persistence", {})
        for store in ("defaultStore", "visibilityStore"):
            if persistence.get(store) not in persistence.get("datastores", {}):
                problem(f"{path.name} server.config.persistence.{store}", f"names '{persistence.get(store)}', which is not under datastores")
        created = [n.get("name") for n in document.get("server", {}).get("config", {}).get("namespaces", {}).get("namespace", []) or []]
        if namespace and namespace not in created:
            problem(f"{path.name} server.config.namespaces", f"does not create '{namespace}', the TEMPORAL_NAMESPACE of the workers")


# What the S3 store calls: HeadBucket (at start) and ListObjectsV2 need ListBucket on the bucket;
# Get/Head, Put (and multipart), Delete and AbortMultipartUpload on the store's keys.
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")


def as_list(value):
    return value if isinstance(value, list) else [value]


def check_s3(directory, objects):
    _, config = worker_config(objects)
    store = (config or {}).get("data", {}).get("WARMSTART_STORE", "")
    match = re.fullmatch(r"s3://([^/]+)/?(.*)", store)
    if not match:
        return
    bucket, prefix = match.group(1), match.group(2).strip("/")
    keys = f"arn:aws:s3:::{bucket}/{prefix + '/' if prefix else ''}*"
    policy_path = directory / "s3" / "iam-policy.json"
    if policy_path.exists():
        statements = [st for st in as_list(json.loads(policy_path.read_text()).get("Statement", [])) if st.get("Effect") == "Allow"]
        granted = {}
        for statement in statements:
            for resource in as_list(statement.get("Resource", [])):
                granted.setdefault(resource, set()).update(as_list(statement.get("Action", [])))
                if resource == f"arn:aws:s3:::{bucket}" and "s3:prefix" in json.dumps(statement.get("Condition", {})) and "IfExists" not in json.dumps(statement.get("Condition", {})):
                    problem(f"s3/iam-policy.json {statement.get('Sid')}", "a plain s3:prefix condition denies HeadBucket, which every worker calls at start; use StringLikeIfExists")
        if "s3:ListBucket" not in granted.get(f"arn:aws:s3:::{bucket}", set()):
            problem("s3/iam-policy.json", f"does not allow s3:ListBucket on arn:aws:s3:::{bucket} (WARMSTART_STORE {store})")
        missing = [a for a in OBJECT_ACTIONS if a not in granted.get(keys, set())]
        if missing:
            problem("s3/iam-policy.json", f"does not allow {', '.join(missing)} on {keys} (WARMSTART_STORE {store})")
    lifecycle_path = directory / "s3" / "lifecycle.json"
    if lifecycle_path.exists():
        rules = json.loads(lifecycle_path.read_text()).get("Rules", [])
        for rule in rules:
            rule_prefix = rule.get("Filter", {}).get("Prefix", "")
            if "Expiration" in rule and (prefix + "/").startswith(rule_prefix):
                problem(f"s3/lifecycle.json {rule.get('ID')}", "expires objects of the store: the audit ledger's hash chain and the production model must stay")
        if not any("AbortIncompleteMultipartUpload" in rule and rule.get("Filter", {}).get("Prefix", "") in ("", f"{prefix}/") for rule in rules):
            problem("s3/lifecycle.json", f"no rule aborts incomplete multipart uploads under {prefix}/ (a killed upload leaves its parts billed)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=pathlib.Path)
    parser.add_argument("--services", type=pathlib.Path, required=True)
    parser.add_argument("--kubernetes", action="append", default=[], help="a Kubernetes version to validate against")
    parser.add_argument("--print-config", action="store_true")
    args = parser.parse_args()
    try:
        objects, values = load(args.directory)
    except yaml.YAMLError as error:
        print(f"validate: {error}".replace("\n", " "), file=sys.stderr)
        return 1
    if args.print_config:
        _, config = worker_config(objects)
        print(json.dumps((config or {}).get("data", {})))
        return 0
    if not objects:
        print(f"ERROR {args.directory}: no Kubernetes manifests (*.yaml) found", file=sys.stderr)
        return 1
    check_schemas(objects, args.kubernetes)
    schema = pathlib.Path(__file__).parent / "temporal" / "values.schema.json"
    for check in (lambda: check_workers(objects), lambda: check_config(objects), lambda: check_search_attributes(objects, args.services), lambda: check_values(values, objects, schema), lambda: check_s3(args.directory, objects)):
        try:
            check()
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            # A shape the schemas already reject (or should): say so instead of a stack trace.
            problem("deployment", f"warmstart's checks stopped at an unexpected shape ({type(error).__name__}: {error}); fix the errors above")
    for line in problems:
        print(f"ERROR {line}", file=sys.stderr)
    if problems:
        return 1
    files = len({path for path, _ in objects})
    print(f"validate: {len(objects)} objects in {files} files valid against Kubernetes {' '.join(args.kubernetes)} (strict); warmstart's checks, the Temporal values and the S3 settings passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

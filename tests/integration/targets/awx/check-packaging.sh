#!/usr/bin/env bash
# What AWX users install: the collection tarball ships the EE metadata and docs/awx/; the sample execution
# environment builds a context, and its introspection lists the collection's Python and system requirements; the
# job-templates-as-code playbook parses and uses only options the awx.awx modules document. No AWX, no container.
set -euo pipefail
# The whole collection, from the collections path (ansible-test copies only parts of it next to this target).
ROOT="$(python -c 'import awx_jobs; print(awx_jobs.collection_root())')"
WORK="${OUTPUT_DIR:-$(mktemp -d)}/awx-packaging"
rm -rf "$WORK" && mkdir -p "$WORK"

# Slice-safe playbooks: a slice sees only its own clusters, so nothing may reach across hosts.
if grep -rnE "run_once|hostvars|delegate_to|ansible_play_hosts|play_hosts|groups\[" "$ROOT/playbooks" "$ROOT/roles"; then
    echo "a playbook or role reaches across clusters; it breaks AWX job slicing"; exit 1
fi
echo "playbooks and roles: no run_once, hostvars, delegate_to or cross-host groups (slice-safe)"

# The built collection ships what an execution environment build and an AWX admin need (galaxy.yml build_ignore).
ansible-galaxy collection build "$ROOT" --output-path "$WORK/dist" --force
tarball="$(ls "$WORK"/dist/ack_edge-cloud_nodes-*.tar.gz)"
tar -tzf "$tarball" > "$WORK/contents"
for f in meta/execution-environment.yml bindep.txt requirements.txt docs/awx/README.md docs/awx/credential_type.yml \
         docs/awx/credential_type_node_login.yml docs/awx/execution-environment.yml docs/awx/job_templates.yml \
         docs/awx/project/provision.yml docs/awx/project/collections/requirements.yml \
         docs/awx/project/inventories/fleet.clusters.yml; do
    grep -qx "$f" "$WORK/contents" || { echo "$f is not in the collection tarball"; exit 1; }
done
echo "the collection tarball ships the EE metadata and docs/awx/"

# ansible-builder create on the sample v3 definition, with the tarball where its additional_build_files expects it.
mkdir "$WORK/ee"
cp "$ROOT/docs/awx/execution-environment.yml" "$WORK/ee/"
cp "$tarball" "$WORK/ee/ack_edge-cloud_nodes.tar.gz"
(cd "$WORK/ee" && python -m ansible_builder create -f execution-environment.yml -c context -v 1)
[ -f "$WORK/ee/context/Containerfile" ] || [ -f "$WORK/ee/context/Dockerfile" ]
test -f "$WORK/ee/context/_build/collections/ack_edge-cloud_nodes.tar.gz"
grep -q "ack_edge-cloud_nodes.tar.gz" "$WORK/ee/context/_build/requirements.yml"
grep -q "introspect" "$WORK"/ee/context/*file
echo "ansible-builder create: build context in $WORK/ee/context"

# Introspection, as the builder stage runs it once the galaxy stage installed the collection.
ANSIBLE_COLLECTIONS_PATH="$WORK/installed" ansible-galaxy collection install "$tarball" -p "$WORK/installed" --no-deps --force
user=()
for kind in pip bindep; do
    file="$WORK/ee/context/_build/$( [ $kind = pip ] && echo requirements.txt || echo bindep.txt )"
    [ -f "$file" ] && user+=("--user-$kind=$file")
done
python -m ansible_builder introspect --sanitize "${user[@]}" "$WORK/installed" | tee "$WORK/introspect.yml"
python - "$ROOT" "$WORK/introspect.yml" <<'PY'
import re, sys, yaml
root, found = sys.argv[1], yaml.safe_load(open(sys.argv[2]))
def entries(path):
    return [line.split("#")[0].strip() for line in open(path) if line.split("#")[0].strip()]
for kind, path in (("python", "requirements.txt"), ("system", "bindep.txt")):
    listed = [re.sub(r"\s*#.*", "", e) for e in found.get(kind) or [] if e.endswith("from collection ack_edge.cloud_nodes")]
    expected = entries(f"{root}/{path}")
    missing = [e for e in expected if re.sub(r"\s+", " ", e) not in [re.sub(r"\s+", " ", x) for x in listed]]
    assert not missing, f"introspection misses {kind} requirements {missing}: {found}"
    print(f"introspection: {len(listed)} {kind} requirements from the collection")
PY

# Job templates as code: it parses, and every option it gives an awx.awx module exists in that module's docs.
ansible-playbook --syntax-check "$ROOT/docs/awx/job_templates.yml"
python - "$ROOT/docs/awx/job_templates.yml" <<'PY'
import json, subprocess, sys, yaml
tasks = [t for play in yaml.safe_load(open(sys.argv[1])) for t in play["tasks"]]
used = {}
for task in tasks:
    for key, value in task.items():
        if key.startswith("awx.awx."):
            used.setdefault(key, set()).update(value)
docs = json.loads(subprocess.run(["ansible-doc", "-j", *sorted(used)], check=True, capture_output=True, text=True).stdout)
for module, options in sorted(used.items()):
    documented = docs[module]["doc"]["options"]
    known = set(documented) | {a for o in documented.values() for a in o.get("aliases", [])}
    assert not options - known, f"{module}: undocumented options {sorted(options - known)}"
    for option in options:
        choices = (documented.get(option) or {}).get("choices")
        values = [t[module][option] for t in tasks if module in t and option in t[module]]
        assert not choices or all(v in choices or "{{" in str(v) for v in values), f"{module}.{option}: {values}"
    print(f"{module}: {len(options)} options, all documented")
PY

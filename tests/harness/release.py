#!/usr/bin/env python3
"""The release tarball, built and then checked as a user receives it.

  release.py build [--output-path DIR]   build the tarball (make release; dist/ by default)
  release.py check                       build it in a temporary directory and check it (a step of make test)

The build runs on a copy of the checkout: `antsibull-changelog release` writes CHANGELOG.rst and
changelogs/changelog.yaml there and removes the fragments it used, so the checkout keeps its fragments until a
maintainer cuts the release (`make changelog`). antsibull-changelog gets ansible-doc from the venv by path, so
nothing has to be on PATH.

The check installs the tarball with --no-deps into an empty path and, from that copy alone, documents every
module, filter, inventory plugin and role with ansible-doc and syntax-checks the playbooks. It also asserts what the
tarball holds: LICENSE and the generated changelog in, every developer-only path out (each is planted in the copy
first, so build_ignore has to catch it), and no relative README link to a file that is not shipped.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import yaml

from suite import COLLECTIONS, ROOT, bin_path, ensure_kubernetes_core, run, say

# Never copied into the build: version control, the venv and caches, which can be large.
NOT_COPIED = {".git", ".venv", ".cache", ".sandbox", ".ansible", ".pytest_cache", "__pycache__", "output", "dist",
              "build"}
# What a developer's checkout holds and the tarball must not: the copy has the tracked ones; the check plants the
# others, so build_ignore is tested for each.
DEV_ONLY = ("sandbox", "bench", ".ci", "Makefile", "tests/harness", "tests/lifecycle", "changelogs/fragments",
            "changelogs/.plugin-cache.yaml", ".venv", ".sandbox", ".ansible", ".cache", ".pytest_cache",
            "tests/output", "ansible.cfg", "dist")
PLANTED = (".venv/pyvenv.cfg", ".sandbox/env", ".ansible/collections/x", ".cache/test-logs/a.log",
           ".pytest_cache/README.md", "tests/output/junit/x.xml", "ansible.cfg", "dist/old.tar.gz")
SHIPPED = ("LICENSE", "README.md", "CHANGELOG.rst", "changelogs/changelog.yaml", "changelogs/config.yaml",
           "meta/runtime.yml", "requirements.txt")
LINK = re.compile(r"\]\(([^)#\s]+)")


def galaxy():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)


def stage(workdir, plant=False):
    """A copy of the checkout to build from, with the changelog generated from its fragments."""
    source = os.path.join(workdir, "source")
    shutil.copytree(ROOT, source, symlinks=True,
                    ignore=lambda directory, names: [n for n in names if n in NOT_COPIED or n.endswith(".tar.gz")])
    if plant:
        for path in PLANTED:  # ansible.cfg is read by the tools run here, so it has to parse
            os.makedirs(os.path.dirname(os.path.join(source, path)), exist_ok=True)
            with open(os.path.join(source, path), "w") as handle:
                handle.write("# planted by release.py\n" + ("[defaults]\n" if path.endswith(".cfg") else ""))
    say("antsibull-changelog release")
    run([bin_path("antsibull-changelog"), "release", "--ansible-doc-bin", bin_path("ansible-doc")], cwd=source,
        env=clean_env())
    return source


def build(output, plant=False):
    os.makedirs(output, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ack-release-") as workdir:
        source = stage(workdir, plant=plant)
        say("ansible-galaxy collection build")
        run([bin_path("ansible-galaxy"), "collection", "build", source, "--output-path", output, "--force"],
            cwd=workdir, env=clean_env())
    meta = galaxy()
    return os.path.join(output, "{namespace}-{name}-{version}.tar.gz".format(**meta))


def clean_env(collections_path=None):
    """No ansible.cfg, collection path or installed collection but the ones named: the installed copy is tested."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="false")
    if collections_path:
        env["ANSIBLE_COLLECTIONS_PATH"] = collections_path
    return env


def check_contents(tarball):
    meta = galaxy()
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        readme = archive.extractfile("README.md").read().decode()
        changelog = yaml.safe_load(archive.extractfile("changelogs/changelog.yaml"))
    problems = [f"{path} is not in the tarball" for path in SHIPPED if path not in names]
    problems += [f"{name} is in the tarball (developer-only; add it to build_ignore)" for name in sorted(names)
                 if any(name == d or name.startswith(d + "/") for d in DEV_ONLY)]
    problems += [f"README.md links to {target}, which the tarball does not hold" for target in LINK.findall(readme)
                 if "://" not in target and os.path.normpath(target).rstrip("/") not in names]
    if meta["repository"] not in readme:
        problems.append(f"README.md does not name the source repository {meta['repository']}")
    release = (changelog or {}).get("releases", {}).get(meta["version"], {})
    if not release.get("changes"):
        problems.append(f"changelogs/changelog.yaml has no changes for {meta['version']}: {release}")
    return problems


def documented(kind, names, install, collections_path):
    """ansible-doc on each plugin from the installed copy; the names of those it could not document there."""
    fqcns = [f"ack_edge.cloud_nodes.{name}" for name in names]
    result = subprocess.run([bin_path("ansible-doc"), "-t", kind, "--json", *fqcns], capture_output=True, text=True,
                            env=clean_env(collections_path), cwd=install)
    docs = json.loads(result.stdout or "{}")
    missing = []
    for fqcn in fqcns:
        doc = (docs.get(fqcn) or {}).get("doc") or {}
        where = doc.get("filename", "")
        if not doc.get("short_description") or not where.startswith(install):
            missing.append(f"{kind} {fqcn}: {where or 'no documentation'}")
    if missing:
        sys.stderr.write(result.stderr)
    return missing


def plugin_names(directory, suffix):
    path = os.path.join(ROOT, "plugins", directory)
    return sorted(n[:-len(suffix)] for n in os.listdir(path) if n.endswith(suffix) and not n.startswith("_"))


def check_installed(tarball, workdir):
    install = os.path.join(workdir, "installed")
    say("ansible-galaxy collection install --no-deps into an empty path")
    run([bin_path("ansible-galaxy"), "collection", "install", tarball, "--no-deps", "-p", install], cwd=workdir,
        env=clean_env(install))
    say("ansible-doc on every plugin and role of the installed copy")
    problems = []
    for kind, names in (("module", plugin_names("modules", ".py")), ("filter", plugin_names("filter", ".yml")),
                        ("inventory", plugin_names("inventory", ".py")), ("callback", plugin_names("callback", ".py")),
                        ("role", sorted(os.listdir(os.path.join(ROOT, "roles"))))):
        print(f"{kind}: {' '.join(names)}", flush=True)
        if kind == "role":  # a role's doc is its argument spec; ansible-doc reports it per entry point
            result = subprocess.run([bin_path("ansible-doc"), "-t", "role", "--json", "-l", "ack_edge.cloud_nodes"],
                                    capture_output=True, text=True, env=clean_env(install), cwd=install)
            listed = json.loads(result.stdout or "{}")
            problems += [f"role {n}: not listed by ansible-doc" for n in names
                         if f"ack_edge.cloud_nodes.{n}" not in listed]
        else:
            problems += documented(kind, names, install, install)
    # The playbooks need kubernetes.core, the declared dependency --no-deps left out: it comes from the cache.
    say("ansible-playbook --syntax-check on the installed playbooks")
    playbooks = [f"ack_edge.cloud_nodes.{n[:-4]}" for n in sorted(os.listdir(os.path.join(ROOT, "playbooks")))
                 if n.endswith(".yml")]
    ensure_kubernetes_core()
    result = subprocess.run([bin_path("ansible-playbook"), "--syntax-check", "-i", "localhost,", *playbooks],
                            capture_output=True, text=True, cwd=install,
                            env=clean_env(os.pathsep.join([install, COLLECTIONS])))
    print(result.stdout.strip(), flush=True)
    if result.returncode:
        problems.append(f"syntax check of {' '.join(playbooks)} failed: {result.stderr.strip()}")
    return problems


def check():
    begun = time.time()
    with tempfile.TemporaryDirectory(prefix="ack-release-check-") as workdir:
        tarball = build(os.path.join(workdir, "dist"), plant=True)
        say(f"what {os.path.basename(tarball)} holds")
        problems = check_contents(tarball)
        problems += check_installed(tarball, workdir)
    for problem in problems:
        print(f"FAIL: {problem}", flush=True)
    if problems:
        raise SystemExit(f"the release tarball has {len(problems)} problem(s); see above")
    print(f"release check passed in {time.time() - begun:.0f}s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("build", "check"))
    parser.add_argument("--output-path", default=os.path.join(ROOT, "dist"))
    args = parser.parse_args()
    if args.command == "build":
        print(build(os.path.abspath(args.output_path)))
    else:
        check()


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manifest_documents filter: the Kubernetes documents of the addons role's manifests, in order (docs:
manifest_documents.yml)."""

from __future__ import annotations

import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.cloud_placement import list_items

SOURCES = ("file", "template", "definition")


def _parse(text, where):
    try:
        return list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise AnsibleFilterError(f"addons_manifests: {where} is not valid YAML: {exc}")


def manifest_documents(manifests, files=None, templates=None):
    """Every document of every manifest item, in the items' order; empty documents (a trailing ---) are skipped and
    the items of a List take its place.

    `files` and `templates` map each item's `file` or `template` to its text, as the file and template lookups
    read and render them; a `definition` is used as it is (a document or a list of them).
    """
    documents = []
    for index, item in enumerate(manifests or []):
        named = [key for key in SOURCES if key in (item or {})]
        if len(named) != 1:
            raise AnsibleFilterError(f"addons_manifests: item {index + 1} needs exactly one of file, template or "
                                     f"definition; it has {', '.join(named) or 'none'}")
        key = named[0]
        if key == "definition":
            found = item[key] if isinstance(item[key], list) else [item[key]]
        else:
            texts = (files if key == "file" else templates) or {}
            if item[key] not in texts:
                raise AnsibleFilterError(f"addons_manifests: the {key} {item[key]} was not read")
            found = _parse(texts[item[key]], f"{key} {item[key]}")
        for document in _flattened(found, f"item {index + 1} ({key})"):
            documents.append(document)
    return documents


def _flattened(found, where):
    """The documents, with empty ones skipped and each List replaced by its items, so that every document is
    applied, waited for and checked on its own."""
    for document in found:
        if document is None:
            continue
        if not isinstance(document, dict) or not document.get("kind"):
            raise AnsibleFilterError(f"addons_manifests: {where} holds a document without a kind")
        try:
            items = list_items(document)
        except AnsibleFilterError as exc:
            raise AnsibleFilterError(f"addons_manifests: {where}: {exc.message}")
        if items is None:
            yield document
        else:
            yield from _flattened(items, f"{where}, in its {document['kind']},")


class FilterModule:
    def filters(self):
        return {"manifest_documents": manifest_documents}

"""Unit tests import the collection as ansible_collections.ack_edge.cloud_nodes; `make units` builds that tree."""

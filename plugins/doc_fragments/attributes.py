# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """What every module declares about check mode, diff mode and the action group; modules add the support level."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the predicted result without changing anything.
  diff_mode:
    description: Returns the managed fields before and after the change, with secrets hidden.
  idempotent:
    description: Running the task twice with the same options gives C(changed=false) the second time.
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module only reads; it returns the same result in check mode.
  diff_mode:
    support: N/A
    details: This module only reads.
  idempotent:
    support: full
"""

    ACTIONGROUP_ALICLOUD = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/ack_edge.cloud_nodes.alicloud) in C(module_defaults) to set the credentials once.
    support: full
    membership:
      - ack_edge.cloud_nodes.alicloud
"""

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Twin of WAIT_ARGUMENT_SPEC in plugins/module_utils/_module.py."""

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the change has settled before returning.
      - Check mode never waits.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds the whole task may take at most. It is one deadline, started when the task starts, that
        every wait and every retry of the task draws on, not a limit per wait.
      - A timeout fails the task within about one poll of the deadline, naming what is still pending, with what
        was done so far (for example the instances bought or attached). Nothing is undone and a rerun picks up
        where it stopped.
    type: int
    default: 600
"""

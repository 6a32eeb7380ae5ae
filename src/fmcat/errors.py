"""The error tree.

Library code raises these; only ``fmcat.cli`` turns them into messages and exit codes.
"""

from __future__ import annotations


class FmcatError(Exception):
    """A problem the user can fix: bad configuration, a missing folder, a bad argument.

    The message is shown as-is, so it must name the data at fault and, where possible, the fix.
    """


class ConfigError(FmcatError):
    """``[tool.fmcat]`` or a command-line option is wrong."""


class UsageError(FmcatError):
    """The command was asked for something it cannot do (unknown rule code, missing path...)."""

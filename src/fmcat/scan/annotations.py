"""Where a file's annotations are, read from its tokens (tokens.py feeds each token here), so
the rounds can tell a name that only annotates (`def __init__(self, version: Version)`) from one
the analysis can reach a client through (prefilter.inert).

An annotation runs from a parameter's `:` to the `,`, `=` or `)` at its level, from a
statement's `name :` to its `=` or end, and from `->` to the `:` of its def. A lambda's `:`, a
dict's, a slice's and a block's start none.
"""

from __future__ import annotations

import keyword


class Annotations:
    def __init__(self) -> None:
        #: The annotation being read: its target (a plain name, or "" for a return or a
        #: target that is no plain name, `self.v: T`) and the bracket level it is read at.
        self.current: tuple[str, int] | None = None
        #: The levels of the open brackets of a `def`'s parameters, and of each `lambda`
        #: whose `:` is still to come.
        self.def_levels: list[int] = []
        self.lambda_levels: list[int] = []
        #: The name just read is a `def`'s; the first tokens of the statement.
        self.defining = False
        self.line: list[str] = []

    @property
    def target(self) -> str | None:
        """The target of the annotation being read, or None outside one."""
        return self.current[0] if self.current is not None else None

    def name(self, name: str, after_def: bool, level: int) -> None:
        self.defining = after_def
        if name == "lambda":
            self.lambda_levels.append(level)
        if len(self.line) < 3:
            self.line.append(name)

    def op(self, string: str, level: int, previous: str, last_name: str) -> None:
        """An operator at bracket ``level`` (after it, for a bracket); ``previous`` is the
        kind or text of the token before it, ``last_name`` the last name read."""
        self._op(string, level, previous, last_name)
        if len(self.line) < 3:
            self.line.append(string)

    def _op(self, string: str, level: int, previous: str, last_name: str) -> None:
        if string == "(" and self.defining:
            self.def_levels.append(level)
        self.defining = False
        if string == ")":
            while self.def_levels and self.def_levels[-1] > level:
                self.def_levels.pop()
        if self.current is not None:
            at = self.current[1]
            if level < at or (level == at and string in (",", "=", ";", ":")):
                self.current = None
            return
        if string == "->":
            self.current = ("", level)
        elif string != ":":
            return
        elif self.lambda_levels and self.lambda_levels[-1] == level:
            self.lambda_levels.pop()
        elif self.def_levels and self.def_levels[-1] == level and previous == "NAME":
            self.current = (last_name, level)
        elif level == 0 and self.line and _variable(self.line[0]):
            plain = len(self.line) == 1
            self.current = (self.line[0] if plain else "", level)

    def end_line(self) -> None:
        self.current = None
        self.def_levels, self.lambda_levels, self.line = [], [], []


def _variable(word: str) -> bool:
    """Can a statement that starts with ``word`` be an annotated assignment? Not one that
    starts with a keyword (`else:`, `if x:`) or a soft one (`match x:`, `case _:`)."""
    return word.isidentifier() and not keyword.iskeyword(word) and not keyword.issoftkeyword(word)

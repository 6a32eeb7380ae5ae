"""One pass of Python's tokenizer over a file: what it imports, the names it uses, and whether
libcst can parse it safely.

The prefilter and the parse guard both read this, so they see the code as the parser will:
a BOM, an import inside `try:` or after `;`, a `\\` continuation and CR-only line endings are
all just tokens here, and names are NFKC-normalised as Python normalises identifiers
(`requests.\\uff47et` is `requests.get`). Python 3.11's tokenizer reads newer syntax well enough for
this (PEP 758's `except A, B:` is plain tokens; a PEP 701 f-string comes out as several string
and error tokens), and fmcat never asks it whether the code is valid: libcst decides that.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
import unicodedata
from dataclasses import dataclass, field

from fmcat.scan import c_tokens
from fmcat.scan.annotations import Annotations
from fmcat.scan.facts import ParseError, Span

#: Python's own limits (its tokenizer's MAXLEVEL and MAXINDENT): deeper code is not valid
#: Python, and libcst's native parser overflows its stack well before 3,000 nested brackets.
MAX_BRACKETS = 200
MAX_INDENT = 100
#: How deep the syntax tree can get, estimated from tokens: each open bracket counts one, and
#: each operator, attribute, call or implicit concatenation chained at a level counts one,
#: because libcst nests a chain (`a and b and ...`, `a.b.c`, `f()()`) one tree level per link.
#: Seen on libcst 1.9: an 8,000-term `and` chain and 3,000 nested brackets segfault, and a
#: 3,000-term `+` chain takes seconds; at this bound every such shape parses and is analysed
#: in about a second. Real code stays far below (CPython's compiler refuses some of these
#: shapes at about 3,000 levels).
MAX_DEPTH = 500
#: Arguments of one call: flat in libcst, but nothing real comes near.
MAX_ARGUMENTS = 5_000

_CHAIN_OPS = frozenset(
    {"+", "-", "*", "/", "//", "%", "@", "**", "<<", ">>", "&", "|", "^", "~"}
    | {"<", ">", "==", "!=", "<=", ">=", ".", ":=", "->"}
)
_CHAIN_WORDS = frozenset({"and", "or", "not", "in", "is", "if", "else", "lambda", "await"})
#: Tokens that neither continue nor end a chain of attributes (`requests\\n    .get` in brackets).
_TRANSPARENT = frozenset({tokenize.NL, tokenize.COMMENT})
#: Strings this short are read for the names they hold, as the annotations they may be.
_MAX_ANNOTATION = 300
_LITERAL = re.compile(r"([A-Za-z]*)(\'\'\'|\"\"\"|\'|\")(.*)\2", re.S)
#: What an annotation holds (`Optional[Customer]`, `requests.Session | None`), and prose's
#: mark: two words with only spaces between them.
_TYPE_LIKE = re.compile(r"[\w.\[\]|, \t]*")
_WORDS = re.compile(r"\w[ \t]+\w")
_DOTTED = re.compile(r"[^\W\d]\w*(?:[ \t]*\.[ \t]*[^\W\d]\w*)*")
#: Tokens after which a name is not a value the analysis binds (an annotation, an exception).
_NO_FLOW = frozenset({":", "->", "except", "raise", "is", "|"})
_OPEN = frozenset("([{")
#: The C tokenizer's message (Python 3.12+) for brackets past its 200 levels.
_TOO_NESTED = "too many nested parentheses"
_CLOSE = frozenset(")]}")


@dataclass
class TokenFacts:
    #: Dotted names a file imports: `import a.b` gives a.b; `from a.b import c` gives a.b and
    #: a.b.c (c may be a module); NFKC-normalised.
    imports: set[str] = field(default_factory=set)
    #: It has a relative import (`from . import x`, `from .m import y`).
    relative: bool = False
    #: Every identifier used, NFKC-normalised.
    names: set[str] = field(default_factory=set)
    #: What each import binds: (the dotted name imported, the local name bound; "*" for a
    #: star import). `import a.b` binds a; `import a.b as c` and `from a import b as c`, c.
    bindings: set[tuple[str, str]] = field(default_factory=set)
    #: Names used outside import statements (not as an attribute), each with the attributes
    #: chained after it (`requests.adapters.HTTPAdapter`: requests -> {adapters, HTTPAdapter}).
    uses: dict[str, set[str]] = field(default_factory=dict)
    #: The same, of dotted names inside short strings (`"requests.Session"`), which may be
    #: annotations that the analysis reads as code.
    quoted: dict[str, set[str]] = field(default_factory=dict)
    #: Of those outside strings, the names used at least once with neither an attribute nor
    #: a call after them where the value may be bound to a variable (`client = requests`,
    #: `@retry`): such a use may be anything. Not in a call's arguments, a class's bases,
    #: a subscript or an annotation (_may_flow).
    bare: set[str] = field(default_factory=set)
    #: And those called at least once (`get(url)`, `StripeError(...)`).
    called: set[str] = field(default_factory=set)
    #: Every name called, as a name or an attribute (`get` of `cls.get(...)`); not the name
    #: of a definition (`def get(...)`).
    calls: set[str] = field(default_factory=set)
    #: Names read in annotations (of a parameter, a variable, a return), each with the plain
    #: names whose annotation it is in: `def __init__(self, version: Version)` gives Version
    #: -> {version}; "" stands for a return (`-> Version`) or a target that is no plain name
    #: (`self.v: Version`), which this does not follow.
    annotating: dict[str, set[str]] = field(default_factory=dict)
    #: The names of ``uses`` and ``quoted`` read at least once outside an annotation (all of
    #: them, once the file has a ``problem``: its brackets are no longer followed).
    unannotated: set[str] = field(default_factory=set)
    #: Why libcst must not be given this file, or None.
    problem: ParseError | None = None
    #: The tokenizer stopped early (a syntax error): the sets above are incomplete.
    incomplete: bool = False


def decode(source: bytes) -> tuple[str, ParseError | None]:
    """The text as Python would decode it (PEP 263 cookie, BOM), and the error if it cannot.

    On an error the text is still returned, with replacement characters, so the prefilter can
    look at it; the file is then FM100 if it matters."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError as error:
        return source.decode("latin-1"), ParseError(Span(1, 1, 1, 1), f"cannot parse: {error}")
    try:
        return source.decode(encoding), None
    except UnicodeError as error:
        text = source.decode(encoding, errors="replace")
        where = _position(source, getattr(error, "start", 0))
        if encoding in ("utf-8", "utf-8-sig"):
            message = "cannot parse: not valid UTF-8 and no encoding declaration (PEP 263)"
        else:
            message = f"cannot parse: not valid {encoding}, the encoding the file declares"
        return text, ParseError(where, message)


def _position(source: bytes, offset: int) -> Span:
    line = source.count(b"\n", 0, offset) + 1
    start = source.rfind(b"\n", 0, offset) + 1
    # Columns count characters, not bytes (a BOM is not a column).
    prefix = source[start:offset].removeprefix(codecs.BOM_UTF8)
    column = len(prefix.decode("utf-8", errors="replace")) + 1
    return Span(line, column, line, column)


def scan_tokens(source: bytes) -> TokenFacts:
    null = source.find(b"\x00")
    text, problem = decode(source)
    if null < 0 and problem is None and c_tokens.READER is not None:
        facts = _fast(text)
        if facts is not None:
            return facts
    facts = TokenFacts()
    if null >= 0:
        facts.problem = ParseError(_position(source, null), "cannot parse: null byte")
    facts.problem = facts.problem or problem
    # newline=None reads "\r" and "\r\n" as line ends, as Python does.
    readline = io.StringIO(text, newline=None).readline
    walker = _Walker(facts)
    try:
        for token in tokenize.generate_tokens(readline):
            walker.step(token.type, token.string, token)
    except tokenize.TokenError as error:
        facts.incomplete = True
        if facts.problem is None and error.args[0] == _TOO_NESTED:
            # Python 3.12+'s tokenizer stops where 3.11's let the walker count past MAX_BRACKETS.
            line, column = error.args[1]
            facts.problem = ParseError(
                Span(line, column, line, column),
                f"not scanned: brackets nested over {MAX_BRACKETS} deep, past what libcst parses"
                " safely; generated code? exclude it",
            )
    except (SyntaxError, ValueError):
        facts.incomplete = True  # libcst will say what is wrong, if the file matters
    return facts


def _fast(text: str) -> TokenFacts | None:
    """The facts from the C tokenizer (c_tokens.py), or None where ``tokenize`` must read the
    file: where its tokens could differ, and on a problem, whose column comes from
    ``tokenize`` (its columns count characters; the C tokenizer's count bytes)."""
    facts = TokenFacts()
    if c_tokens.feed(text, _Walker(facts).step) and facts.problem is None:
        return facts
    return None


def _normal(name: str) -> str:
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


class _Walker:
    """Follows the token stream: import statements, and the shape of each expression."""

    def __init__(self, facts: TokenFacts) -> None:
        self.facts = facts
        #: Per open bracket: (links chained at the level outside it, is a call, arguments).
        self.stack: list[tuple[int, bool, int]] = []
        self.depth = 0  # tree depth outside the current level: brackets and their chains
        self.chain = 0  # links chained at the current level
        self.indent = 0
        self.previous = ""  # the previous significant token's text, or its kind
        #: Inside an import statement: the words of the dotted name being read.
        self.importing: str | None = None  # "import" or "from"
        self.dotted: list[str] = []
        self.base = ""  # the module of a `from` import
        self.after_import = False  # past the `import` of a `from ... import`
        self.alias = False  # the next name is an `as` alias
        self.aliased = ""  # the dotted name the alias is for
        #: The name a chain of attributes starts from, outside imports, and whether a `.`
        #: was just read after it (so the next name is one of its attributes).
        self.head: str | None = None
        self.dot = False
        self.head_attributes = False
        self.head_flows = True
        self.last_name = ""
        self.annotations = Annotations()
        self.defined = False  # the name just read is a def's or a class's

    def step(self, kind: int, string: str, token: tokenize.TokenInfo | None) -> None:
        """One token; ``token`` for its position (None: a problem gets none, see _fast)."""
        if kind not in _TRANSPARENT:
            self._follow_chain(kind, string)
        if kind == tokenize.NAME:
            name = _normal(string)
            self.facts.names.add(name)
            # The name of a definition (`def create(`) is no call; a def's opens parameters.
            self.defined = self.last_name in ("def", "class") and self.importing is None
            after_def = self.defined and self.last_name == "def"
            self.annotations.name(name, after_def, len(self.stack))
            outside = self.importing is None
            self._import_name(name)
            if outside and self.importing is None:
                self._chain_name(name)
            self.last_name = name
            self.previous = "NAME"
            if name in _CHAIN_WORDS:
                self.chain += 1
                self.previous = name
        elif kind == tokenize.OP:
            self._import_op(string)
            called = self.previous == "NAME" and not self.defined and self.importing is None
            if string == "(" and called:
                self.facts.calls.add(self.last_name)
            if self.facts.problem is not None:
                pass  # known to be refused: only the imports and names are still wanted
            elif string in _OPEN:
                call = self.previous in ("NAME", ")", "]", "STRING")
                self.chain += call  # a call or subscript is one more link of the chain
                self.stack.append((self.chain, call, 0))
                self.depth += self.chain + 1
                self.chain = 0
                if len(self.stack) > MAX_BRACKETS:
                    self._too_deep(token, f"brackets nested {len(self.stack)} deep")
            elif string in _CLOSE and self.stack:
                outer, _, _ = self.stack.pop()
                self.depth -= outer + 1
                self.chain = outer
            elif string == "," and self.stack:
                outer, call, arguments = self.stack[-1]
                self.stack[-1] = (outer, call, arguments + 1)
                self.chain = 0
                if call and arguments + 1 > MAX_ARGUMENTS:
                    self._too_deep(token, f"a call with over {MAX_ARGUMENTS:,} arguments")
            elif string in _CHAIN_OPS:
                self.chain += 1
            elif string in ("=", ";") and not self.stack:
                self.chain = 0
            if self.facts.problem is None:  # the brackets are followed
                self.annotations.op(string, len(self.stack), self.previous, self.last_name)
            self.previous = string
        elif kind == tokenize.STRING:
            if self.importing is None and len(string) <= _MAX_ANNOTATION:
                self._string_uses(string)
            self.chain += self.previous == "STRING"  # implicit concatenation nests in libcst
            self.previous = "STRING"
        elif kind == tokenize.NUMBER:
            self.previous = "NAME"
        elif kind == tokenize.NEWLINE:
            self._end_statement()
            self.chain = 0
            self.previous = ""
            self.annotations.end_line()
        elif kind == tokenize.INDENT:
            self.indent += 1
            if self.indent > MAX_INDENT:
                self._too_deep(token, f"blocks nested {self.indent} deep")
        elif kind == tokenize.DEDENT:
            self.indent -= 1
        elif kind == tokenize.ERRORTOKEN and not string.isspace():
            self.previous = "NAME"  # a PEP 701 f-string's inside, as 3.11 sees it
        if self.facts.problem is None and self.depth + self.chain > MAX_DEPTH:
            what = f"an expression over {MAX_DEPTH} levels deep (each link of a chain is a level)"
            self._too_deep(token, what)

    # --- uses of names, for the prefilter -------------------------------------------------

    def _follow_chain(self, kind: int, string: str) -> None:
        """Ends the chain of attributes being read at any token but `.` and a name after it."""
        if self.head is None:
            return
        if kind == tokenize.OP and string == "." and not self.dot:
            self.dot = True
            return
        if kind == tokenize.NAME and self.dot:
            return  # an attribute: _chain_name adds it
        self._end_chain(string if kind == tokenize.OP and not self.dot else "")

    def _chain_name(self, name: str) -> None:
        if self.head is not None and self.dot:
            self.facts.uses[self.head].add(name)
            self.head_attributes = True
            self.dot = False
            return
        if self.previous == "." or self.last_name in ("def", "class"):
            return  # an attribute of something else (`f().get`), or a definition
        self.head, self.dot, self.head_attributes = name, False, False
        self.head_flows = self._may_flow()
        self.facts.uses.setdefault(name, set())
        target = self.annotations.target
        if target is not None and self.facts.problem is None:
            self.facts.annotating.setdefault(name, set()).add(target)
        else:
            self.facts.unannotated.add(name)

    def _string_uses(self, string: str) -> None:
        """A string may be an annotation (`client: "WebClient"`), which the analysis reads
        as code: the dotted names in it are uses, though never bound to anything."""
        literal = _LITERAL.fullmatch(string)
        if literal is None or "f" in literal[1].lower():
            return
        content = literal[3]
        if _TYPE_LIKE.fullmatch(content) is None or _WORDS.search(content) is not None:
            return  # prose (a docstring), not a type
        target = self.annotations.target if self.facts.problem is None else None
        for match in _DOTTED.finditer(content):
            head, *attributes = (_normal(p.strip()) for p in match[0].split("."))
            self.facts.quoted.setdefault(head, set()).update(attributes)
            if target is not None:
                self.facts.annotating.setdefault(head, set()).add(target)
            else:
                self.facts.unannotated.add(head)

    def _may_flow(self) -> bool:
        """Can a name read here be bound to a variable the analysis follows? Not among a
        call's arguments, a class's bases or a subscript (`List[Person]`), nor after `:`,
        `->`, `except` or `raise`; the analysis binds names by assignment alone (`=`, `:=`,
        `with ... as`), and reads the values of dicts and tuples."""
        if self.facts.problem is not None:
            return True  # the brackets are no longer followed
        if self.previous == ":=":
            return True  # `f(x := name)` binds x, even among a call's arguments
        # A `:` that starts no annotation is a dict's (`{"client": name}`, which the analysis
        # reads), a slice's, a lambda's or a block's.
        annotation = self.previous != ":" or self.annotations.target is not None
        if self.previous in _NO_FLOW and annotation:
            return False
        return not (self.stack and self.stack[-1][1])

    def _end_chain(self, string: str = "") -> None:
        if self.head is not None and not self.head_attributes:
            if string == "(":
                self.facts.called.add(self.head)
            elif self.head_flows:
                self.facts.bare.add(self.head)
        self.head, self.dot = None, False

    def _too_deep(self, token: tokenize.TokenInfo | None, what: str) -> None:
        line, column = token.start if token is not None else (1, 0)
        self.facts.problem = ParseError(
            Span(line, column + 1, line, column + 1),
            f"not scanned: {what}, past what libcst parses safely; generated code? exclude it",
        )

    # --- import statements ----------------------------------------------------------------

    def _import_name(self, name: str) -> None:
        if self.importing is None:
            if name in ("import", "from") and self.previous in ("", ";", ":"):
                self.importing, self.dotted, self.base = name, [], ""
                self.after_import = self.alias = False
            return
        if name == "import" and self.importing == "from":
            self.base = "".join(self.dotted)
            self.facts.relative |= self.base.startswith(".")
            self._flush(self.base.lstrip("."))
            self.after_import = True
            self.dotted = []
        elif name == "as":
            self.alias = True
            self.aliased = self._flush_dotted()
        elif self.alias:
            self.alias = False
            if self.aliased:
                self.facts.bindings.add((self.aliased, name))
            self.aliased = ""
        else:
            self.dotted.append(name)

    def _import_op(self, string: str) -> None:
        if self.importing is None:
            return
        if string in (".", "..."):
            self.dotted.append(string)  # a dot of a dotted name, or of a relative import
        elif string == ",":
            self._flush_dotted()
        elif string == "*" and self.after_import:
            self.facts.bindings.add((self.base.lstrip("."), "*"))
        elif string == ";":
            self._end_statement()

    def _flush_dotted(self) -> str:
        """Records the dotted name read, bound as written; returns it for an `as` alias."""
        if not self.dotted:
            return ""
        name = "".join(self.dotted)
        self.dotted = []
        if self.importing == "from" and self.after_import:
            base = self.base.lstrip(".")
            imported, bound = (f"{base}.{name}" if base else name), name
        elif self.importing == "import":
            imported, bound = name, name.partition(".")[0]
        else:
            return ""
        self._flush(imported)
        if not self.alias:
            self.facts.bindings.add((imported, bound))
        return imported

    def _flush(self, dotted: str) -> None:
        # Joined from tokens, so `a . b` and `a.b` agree.
        if dotted and dotted != "*":
            self.facts.imports.add(dotted)

    def _end_statement(self) -> None:
        if self.importing is not None:
            if self.importing == "from" and not self.after_import:
                self.base = "".join(self.dotted)  # `from x` cut short: still an import of x
                self.facts.relative |= self.base.startswith(".")
                self._flush(self.base.lstrip("."))
            else:
                self._flush_dotted()
        self.importing = None
        self.dotted = []


def precheck(source: bytes) -> ParseError | None:
    """Why libcst must not be given ``source`` (FM100), or None: a null byte, bytes that do
    not decode, or nesting past the limits above. Syntax is libcst's to judge."""
    return scan_tokens(source).problem

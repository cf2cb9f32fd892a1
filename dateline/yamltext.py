"""YAML loading that keeps every scalar as text and remembers where each key was.

YAML 1.1 resolves plain scalars such as `NO`, `on` and `1.10` to booleans and
numbers, which silently turns the country code for Norway into `False` or a tag
`1.10` into `1.1`. Dateline's front matter and site.yaml are read with only the
null resolver kept: every other scalar stays the exact text the author typed,
and `schema`/`config` convert the few typed fields (`draft`, `per_page`) strictly.

Only safe loading is used (the libyaml C parser when present): tags that would
construct Python objects are refused by the safe constructor.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .errors import Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A YAML document with aliases can expand exponentially ("billion laughs"): the
# loaded value shares nodes, but anything that walks it would not. Refuse
# documents whose node graph, counted with repeats, is larger than this.
MAX_EXPANDED_NODES = 100_000


class TextLoader(_BaseLoader):
    """Safe loader whose only implicit type is null: everything else is a string."""


TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
TextLoader.yaml_implicit_resolvers = {k: v for k, v in TextLoader.yaml_implicit_resolvers.items() if v}


@dataclass(frozen=True)
class KeyProblem:
    """Something wrong with one key of a document that still loads: a key given
    twice, or a YAML type tag (`!!timestamp`, `!!int`) on a value."""
    line: int           # 1-based, relative to the text
    field: str          # the key, dotted below the top level: "extra.source"
    message: str
    hint: str = ""
    first_line: int = 0     # a key given twice: where it was given first (relative to the text)

    def problem(self, path: str, text_line: int = 1) -> Problem:
        """The Problem, with lines counted in the file whose line `text_line` is the text's first."""
        shift = text_line - 1
        message = self.message
        if self.first_line:
            message = f"is given twice, on lines {self.first_line + shift} and {self.line + shift}"
        return Problem(path, self.line + shift, self.field, message, self.hint)


@dataclass(frozen=True)
class LoadedYaml:
    value: object               # dict/list/str/None
    key_lines: dict[str, int]   # key -> 1-based line (relative to the text); keys below the top dotted: "languages.hi"
    # top-level key holding a list -> the line of each item, for errors about one item
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)
    problems: tuple[KeyProblem, ...] = ()


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_CONTAINER_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
# YAML's standard type tags. Dateline reads every value as the text typed
# (`published: 2025-10-25` is text that schema reads as a date), so a tag
# that would make a value some other type is refused by name.
_TYPE_TAGS = {f"tag:yaml.org,2002:{name}" for name in
              ("timestamp", "int", "float", "bool", "binary", "set", "omap", "pairs", "merge", "value", "yaml")}


def _expanded_size(node, limit: int) -> int:
    """Count nodes as a walk of the loaded value would meet them (aliases repeated)."""
    count = 0
    stack = [node]
    while stack:
        current = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append(key)
                stack.append(value)
    return count


def _nested_key_lines(prefix: str, node: yaml.MappingNode, key_lines: dict[str, int], depth: int) -> None:
    """Lines of the keys of a mapping below the top level, dotted ("languages.hi.prefix"),
    `depth` levels down, so that a problem deep in site.yaml names its own line."""
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            name = f"{prefix}.{key_node.value}"
            key_lines.setdefault(name, _line(key_node))
            if depth > 1 and isinstance(value_node, yaml.MappingNode):
                _nested_key_lines(name, value_node, key_lines, depth - 1)


def _line(node) -> int:
    return node.start_mark.line + 1


def key_problems(root) -> list[KeyProblem]:
    """Keys given twice in one mapping (YAML keeps the last one silently) and
    values carrying a type tag, anywhere in the document; each node is looked
    at once, however many aliases point at it."""
    problems: list[KeyProblem] = []
    seen: set[int] = set()
    stack = [(root, "")]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag in _TYPE_TAGS:
            name = node.tag.rsplit(":", 1)[1]
            written = f" {node.value}" if isinstance(node, yaml.ScalarNode) else ""
            problems.append(KeyProblem(
                _line(node), where or "value", f"the YAML tag !!{name} is not read here",
                f"write the value as plain text without the tag: `{(where.rsplit('.', 1)[-1] or 'key')}:{written}`"))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, where) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            first_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
                dotted = f"{where}.{key}" if where else key
                if isinstance(key_node, yaml.ScalarNode):
                    if key in first_lines:
                        problems.append(KeyProblem(_line(key_node), dotted, "is given twice",
                                                   "keep one: YAML would silently use the last",
                                                   first_line=first_lines[key]))
                    first_lines.setdefault(key, _line(key_node))
                stack.append((key_node, where))
                stack.append((value_node, dotted))
    return sorted(problems, key=lambda problem: (problem.line, problem.field))


def load_text_yaml(text: str) -> LoadedYaml:
    """Load one YAML document with scalars kept as text; raise YamlProblem on
    errors that stop it loading. Duplicate keys and type tags come back in
    `problems`, one per key."""
    loader = TextLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, {})
        # Only an alias (`*name`) can make the walk larger than the text.
        if "*" in text and _expanded_size(node, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
            raise YamlProblem(node.start_mark.line + 1, "too many nested aliases (refusing to expand)")
        problems = tuple(key_problems(node))
        value = None if problems else loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = error.problem or str(error)
        if error.context:
            message = f"{error.context}, {message}"
        raise YamlProblem(line, f"invalid YAML: {message}") from None
    except yaml.reader.ReaderError as error:
        # Its own text spans two lines and gives a character offset, not a line.
        line = text.count("\n", 0, error.position) + 1
        code = ord(error.character) if isinstance(error.character, str) else error.character
        raise YamlProblem(line, f"invalid YAML: unacceptable character #x{code:04x}: {error.reason}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"invalid YAML: {error}") from None
    except (ValueError, TypeError, RecursionError) as error:
        raise YamlProblem(1, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_lines.setdefault(key_node.value, _line(key_node))
                if isinstance(value_node, yaml.SequenceNode):
                    item_lines.setdefault(key_node.value, tuple(_line(item) for item in value_node.value))
                elif isinstance(value_node, yaml.MappingNode):
                    _nested_key_lines(key_node.value, value_node, key_lines, depth=2)
    return LoadedYaml(value, key_lines, item_lines, problems)

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

from dataclasses import dataclass

import yaml

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
class LoadedYaml:
    value: object               # dict/list/str/None
    key_lines: dict[str, int]   # top-level key -> 1-based line (relative to the text)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


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


def load_text_yaml(text: str) -> LoadedYaml:
    """Load one YAML document with scalars kept as text; raise YamlProblem on errors."""
    loader = TextLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, {})
        # Only an alias (`*name`) can make the walk larger than the text.
        if "*" in text and _expanded_size(node, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
            raise YamlProblem(node.start_mark.line + 1, "too many nested aliases (refusing to expand)")
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = error.problem or str(error)
        if error.context:
            message = f"{error.context}, {message}"
        raise YamlProblem(line, f"invalid YAML: {message}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"invalid YAML: {error}") from None
    except (ValueError, TypeError, RecursionError) as error:
        raise YamlProblem(1, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_lines.setdefault(key_node.value, key_node.start_mark.line + 1)
    return LoadedYaml(value, key_lines)

"""The repository's YAML reader: safe, bounded, and strict where DVC is (duplicate keys)."""

from __future__ import annotations

from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem, load_yaml


def test_a_key_written_twice_is_a_problem_at_its_second_occurrence() -> None:
    found = load_yaml("outs:\n- path: a.csv\n  md5: 1\n  path: b.csv\n")
    assert isinstance(found, YamlProblem)
    assert found.message.startswith("duplicate key 'path'") and (found.line, found.column) == (4, 3)


def test_keys_from_a_merge_may_be_overridden() -> None:
    found = load_yaml("base: &b {lr: 0.1, epochs: 3}\ntrain:\n  <<: *b\n  lr: 0.01\n")
    assert isinstance(found, YamlDoc)
    assert found.value["train"] == {"lr": 0.01, "epochs": 3}


def test_an_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for depth in range(1, 9):
        previous = chr(ord("a") + depth - 1)
        name = chr(ord("a") + depth)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    found = load_yaml("\n".join(lines) + "\n")
    assert isinstance(found, YamlProblem) and "alias bomb" in found.message


def test_a_complex_key_is_named_not_shown_as_a_node() -> None:
    found = load_yaml("? [a, b]\n: 1\n")
    assert isinstance(found, YamlDoc) and list(found.value) == ["(a list used as a key)"]


def test_python_tags_construct_nothing() -> None:
    on_a_list = load_yaml("x: !!python/object/apply:os.system ['echo hi']\n")
    assert isinstance(on_a_list, YamlDoc) and on_a_list.value == {"x": ["echo hi"]}  # plain data, tag ignored
    on_a_scalar = load_yaml("x: !!python/name:os.system\n")
    assert isinstance(on_a_scalar, YamlProblem)  # the safe constructor refuses it

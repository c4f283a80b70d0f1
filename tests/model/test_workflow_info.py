"""Workflow.set_info: name/description changes announce themselves; an empty name is refused."""

import pytest

from mediaflow_gui.model import Workflow, load_workflow, save_workflow


def _record(wf: Workflow) -> list[str]:
    seen: list[str] = []
    wf.info_changed.subscribe(lambda: seen.append("info"))
    wf.changed.subscribe(lambda: seen.append("changed"))
    return seen


def test_set_info_changes_and_emits_specific_then_general_event(tmp_path):
    wf = Workflow("Old", "old text")
    seen = _record(wf)
    wf.set_info(name="New")
    assert (wf.name, wf.description) == ("New", "old text")
    assert seen == ["info", "changed"]
    wf.set_info(description="two\nlines")
    assert (wf.name, wf.description) == ("New", "two\nlines")
    wf.set_info(name="Both", description="")
    assert (wf.name, wf.description) == ("Both", "")
    assert seen == ["info", "changed"] * 3
    path = tmp_path / "w.mfw.json"
    save_workflow(wf, path)
    wf.set_info(description="kept?")
    back = load_workflow(path)
    assert (back.name, back.description) == ("Both", "")


def test_set_info_without_a_change_is_silent():
    wf = Workflow("Same", "d")
    seen = _record(wf)
    wf.set_info(name="Same", description="d")
    wf.set_info()
    assert seen == []


@pytest.mark.parametrize("bad", ["", "   ", "\t\n"])
def test_empty_name_is_refused_and_nothing_changes(bad):
    wf = Workflow("Keep", "desc")
    seen = _record(wf)
    with pytest.raises(ValueError, match="name must not be empty"):
        wf.set_info(name=bad, description="other")
    assert (wf.name, wf.description) == ("Keep", "desc")
    assert seen == []

"""Import and export of the service's workflows: a CreateWorkflow request (or one DescribeWorkflows
entry, or a CreateSchedule request) ⇔ a drawn MediaFlow workflow plus a binding.

Import (`import_workflow`):
- every task-set entry becomes a task node; its Definition resolves against the presets and the
  TemplateStore (ValueError naming the entry when neither has it); Definition 0 + RawParameter
  uses the raw template. The drawing is start → task → end for one task, start → split → tasks →
  join → end for more, laid out in columns by topological rank (the editor's auto-layout needs Qt;
  the editor can re-layout).
- TranscodeTaskSet[].WatermarkSet ⇒ the transcode's watermarks; ExtTimeOffsetSet / TimeOffsetSet ⇒
  snapshot offsets; AnimatedGraphicTaskSet Start/EndTimeOffset ⇒ start/end; OutputObjectPath ⇒
  output_name; ObjectNumberFormat ⇒ number_format (absent: the service's default 0,1,1,"0").
- Trigger.CosFileUploadTrigger ⇒ a Binding: bucket, Dir (without its leading "/") as prefix,
  Formats as suffixes (none: every file). Every region maps to the embedded store (connection
  "embedded"); the region is kept in ImportedWorkflow.region for export. OutputStorage bucket ⇒
  output bucket; OutputDir ⇒ output prefix (absent: "results/", MediaFlow's default — the service's
  "next to the input" would make results start new runs).
- TaskNotifyConfig ⇒ `notify` (as given) and, for NotifyType URL, a webhook of the binding.
  NotifyKey/NotifyMode stay in `notify` only; other types are warnings.
Anything MediaFlow cannot do is a warning, never silently dropped.

Export (`export_workflow`): watermark nodes whose successors are all transcodes fold into those
transcodes' WatermarkSet (as the engine folds them); a watermark on its own becomes a transcode
(model.plan.watermark_as_transcode) with that WatermarkSet. When every task reads the source the
result is a CreateWorkflow request; when one reads another task's output it is a CreateSchedule
request (Activities: input first, output last, ReardriveIndex = successors). Templates are matched
to identical presets/custom ones or created in the store. Documented defaults of a round trip:
TimeOffsetSet is written as ExtTimeOffsetSet, Dir "/" is left out, an absent OutputDir comes back as
"/results/", the region is `region` (default ap-guangzhou) unless the import kept one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ..model.graph import topological_ranks
from ..model.kinds import TASK_KINDS, NodeKind
from ..model.params import (AnimatedImageParams, NumberFormat, SnapshotParams, TaskParams, TranscodeParams,
                            WatermarkParams)
from ..model.plan import resolved_workflow, watermark_as_transcode
from ..model.validation import validate
from ..model.values import parse_offset
from ..model.workflow import Node, Workflow, task_node
from ..notify.sinks import WebhookTarget
from ..storage.bindings import Binding
from .convert import TASK_KIND_OF, TEMPLATE_KIND_OF, params_from_template, template_from_params
from .templates import TemplateError, TemplateStore, content

DEFAULT_REGION = "ap-guangzhou"
DEFAULT_OUTPUT_PREFIX = "results/"
MPS_NUMBER_FORMAT = NumberFormat(initial_value=0, increment=1, min_length=1, place_holder="0")

# task set name ⇔ template kind ⇔ schedule activity
TASK_SETS = (("TranscodeTaskSet", "Transcode", "action-trans", "TranscodeTask"),
             ("SnapshotByTimeOffsetTaskSet", "SnapshotByTimeOffset", "action-snapshotByTimeOffset",
              "SnapshotByTimeOffsetTask"),
             ("SampleSnapshotTaskSet", "SampleSnapshot", "action-samplesnapshot", "SampleSnapshotTask"),
             ("AnimatedGraphicTaskSet", "AnimatedGraphics", "action-animated-graphics", "AnimatedGraphicTask"),
             ("ImageSpriteTaskSet", "ImageSprite", "action-image-sprite", "ImageSpriteTask"))
_SET_OF = {kind: set_name for set_name, kind, _, _ in TASK_SETS}
_ACTIVITY_OF = {kind: (atype, para) for _, kind, atype, para in TASK_SETS}
_KIND_OF_ACTIVITY = {atype: (kind, para) for _, kind, atype, para in TASK_SETS}
_MULTI_FILE = ("SnapshotByTimeOffset", "SampleSnapshot", "ImageSprite")


@dataclass
class ImportedWorkflow:
    workflow: Workflow
    binding: Binding | None
    notify: dict[str, Any] | None
    warnings: list[str]
    region: str = ""  # the trigger's (or output's) region, "" when none was given
    kind: str = "Workflow"  # "Workflow" or "Schedule": what was read


@dataclass
class ExportedWorkflow:
    kind: str  # "Workflow" (a CreateWorkflow request) or "Schedule" (a CreateSchedule request)
    request: dict[str, Any]
    created_templates: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _warn(warnings: list[str], text: str) -> None:
    if text not in warnings:
        warnings.append(text)


def _seconds(value: Any) -> str:
    return f"{float(value):g}s"


def _json_number(value: float) -> int | float:
    """3.0 → 3: whole seconds stay whole numbers in the request."""
    return int(value) if float(value).is_integer() else value


# -- import ----------------------------------------------------------------------------------------

def _unwrap(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("an MPS workflow must be a JSON object")
    if isinstance(data.get("Response"), dict):
        data = data["Response"]
    for key in ("WorkflowInfoSet", "ScheduleInfoSet"):
        if key in data:
            entries = data[key] or []
            if len(entries) != 1:
                raise ValueError(f"{key} holds {len(entries)} entries: give one (copy the entry you want)")
            data = entries[0]
    return data


def _template(kind: str, task: dict[str, Any], templates: TemplateStore, where: str) -> dict[str, Any]:
    definition = task.get("Definition")
    if kind == "Transcode" and not definition and isinstance(task.get("RawParameter"), dict):
        return {"Definition": 0, **task["RawParameter"]}
    if definition is None:
        raise ValueError(f"{where}: no Definition")
    try:
        return templates.get(kind, int(definition))
    except (TemplateError, ValueError) as exc:
        raise ValueError(f"{where}: {kind} template {definition} is neither a preset nor in the template store "
                         f"{templates.path} (create it there first)") from exc


def _watermark_from_input(item: dict[str, Any], templates: TemplateStore, where: str,
                          warnings: list[str]) -> WatermarkParams:
    if not item.get("Definition") and isinstance(item.get("RawParameter"), dict):
        tpl = item["RawParameter"]
    else:
        tpl = _template("Watermark", item, templates, where)
    mark = params_from_template("Watermark", tpl, warnings)
    assert isinstance(mark, WatermarkParams)
    if item.get("TextContent"):
        mark.text = str(item["TextContent"])
    if item.get("SvgContent"):
        _warn(warnings, f"{where}: SvgContent is not used (no SVG watermarks in MediaFlow)")
    if item.get("StartTimeOffset"):
        mark.start = _seconds(item["StartTimeOffset"])
    if item.get("EndTimeOffset"):
        mark.end = _seconds(item["EndTimeOffset"])
    return mark


def _number_format(raw: Any) -> NumberFormat:
    if not isinstance(raw, dict):
        return copy.deepcopy(MPS_NUMBER_FORMAT)
    return NumberFormat(initial_value=int(raw.get("InitialValue", 0)), increment=int(raw.get("Increment", 1)),
                        min_length=int(raw.get("MinLength", 1)), place_holder=str(raw.get("PlaceHolder", "0")))


_IGNORED_TASK_FIELDS = ("OverrideParameter", "BlindWatermark", "MosaicSet", "StartTimeOffset", "EndTimeOffset",
                        "OutputStorage", "SegmentObjectName", "HeadTailParameter", "WebVttObjectName", "ExtInfo")


def _task_params(kind: str, task: dict[str, Any], templates: TemplateStore, where: str,
                 warnings: list[str]) -> TaskParams:
    tpl = _template(kind, task, templates, where)
    local: list[str] = []
    params = params_from_template(kind, tpl, local)
    warnings.extend(f"{where}: {w}" for w in local if f"{where}: {w}" not in warnings)
    for key in _IGNORED_TASK_FIELDS:
        if kind == "AnimatedGraphics" and key in ("StartTimeOffset", "EndTimeOffset"):
            continue
        if task.get(key) not in (None, "", [], {}, 0):
            _warn(warnings, f"{where}: {key} is not used by MediaFlow")
    if task.get("OutputObjectPath"):
        params.output_name = str(task["OutputObjectPath"])  # type: ignore[union-attr]
    if kind in _MULTI_FILE:
        params.number_format = _number_format(task.get("ObjectNumberFormat"))  # type: ignore[union-attr]
    elif task.get("ObjectNumberFormat") and kind == "Transcode":
        _warn(warnings, f"{where}: ObjectNumberFormat of a transcode (segment names) is not used")
    if kind == "Transcode":
        assert isinstance(params, TranscodeParams)
        for i, item in enumerate(task.get("WatermarkSet") or []):
            params.watermarks.append(_watermark_from_input(item, templates, f"{where}.WatermarkSet[{i}]", warnings))
    elif task.get("WatermarkSet"):
        _warn(warnings, f"{where}: WatermarkSet is not used (MediaFlow watermarks only transcodes)")
    if kind == "SnapshotByTimeOffset":
        assert isinstance(params, SnapshotParams)
        ext, plain = task.get("ExtTimeOffsetSet"), task.get("TimeOffsetSet")
        if ext:
            params.offsets = [str(v) for v in ext]
        elif plain:
            params.offsets = [_seconds(v) for v in plain]
        else:
            raise ValueError(f"{where}: no ExtTimeOffsetSet or TimeOffsetSet: a time-point snapshot needs its times")
    if kind == "AnimatedGraphics":
        assert isinstance(params, AnimatedImageParams)
        params.start = _seconds(task.get("StartTimeOffset") or 0)
        if task.get("EndTimeOffset") is None:
            raise ValueError(f"{where}: no EndTimeOffset: an animated image needs its end")
        params.end = _seconds(task["EndTimeOffset"])
    return params


def _node_name(kind: str, task: dict[str, Any]) -> str:
    title = TASK_KINDS[TASK_KIND_OF[kind]].title
    return f"{title} {task.get('Definition') or 'raw'}"


def _layout(workflow: Workflow) -> None:
    """Columns by topological rank, 240 px apart; a column's nodes 110 px apart around y = 0."""
    ranks = topological_ranks(workflow)
    columns: dict[int, list[str]] = {}
    for nid in workflow.nodes:  # insertion order keeps the request's order inside a column
        columns.setdefault(ranks.get(nid, 0), []).append(nid)
    for rank, ids in columns.items():
        top = -(len(ids) - 1) * 110.0 / 2
        for i, nid in enumerate(ids):
            workflow.nodes[nid].position = (rank * 240.0, top + i * 110.0)


def _flat_workflow(name: str, tasks: list[Node]) -> Workflow:
    workflow = Workflow(name or "Imported MPS workflow")
    start, end = Node(NodeKind.START, name="Start"), Node(NodeKind.END, name="End")
    workflow.nodes[start.id] = start
    if len(tasks) == 1:
        workflow.nodes[tasks[0].id] = tasks[0]
        workflow.nodes[end.id] = end
        workflow.connect(start, tasks[0])
        workflow.connect(tasks[0], end)
        return workflow
    split, join = Node(NodeKind.SPLIT, name="Split"), Node(NodeKind.JOIN, name="Join")
    workflow.nodes[split.id] = split
    workflow.connect(start, split)
    for node in tasks:
        workflow.nodes[node.id] = node
        workflow.connect(split, node)
    workflow.nodes[join.id] = join
    workflow.nodes[end.id] = end
    for node in tasks:
        workflow.connect(node, join)
    workflow.connect(join, end)
    return workflow


def _schedule_workflow(name: str, activities: list[dict[str, Any]], templates: TemplateStore,
                       warnings: list[str]) -> Workflow:
    workflow = Workflow(name or "Imported MPS schedule")
    ids: dict[int, Node] = {}
    for i, act in enumerate(activities):
        atype = act.get("ActivityType")
        where = f"Activities[{i}]"
        if atype == "input":
            ids[i] = Node(NodeKind.START, name="Start")
        elif atype == "output":
            ids[i] = Node(NodeKind.END, name="End")
        elif atype in _KIND_OF_ACTIVITY:
            kind, para = _KIND_OF_ACTIVITY[atype]
            task = (act.get("ActivityPara") or {}).get(para)
            if not isinstance(task, dict):
                raise ValueError(f"{where}: ActivityPara.{para} is missing")
            ids[i] = task_node(TASK_KIND_OF[kind], _node_name(kind, task),
                               _task_params(kind, task, templates, where, warnings))
        else:
            raise ValueError(f"{where}: activity type {atype!r} is not available in MediaFlow")
        workflow.nodes[ids[i].id] = ids[i]
    succ = {i: [int(j) for j in (act.get("ReardriveIndex") or [])] for i, act in enumerate(activities)}
    for j in [j for js in succ.values() for j in js]:
        if j not in ids:
            raise ValueError(f"ReardriveIndex {j} points past the {len(activities)} activities")
    preds: dict[int, list[int]] = {i: [] for i in ids}
    for i, js in succ.items():
        for j in js:
            preds[j].append(i)
    # the engine's drawing rules: a fan-out from start goes through a split, a fan-in through a join
    for i, node in ids.items():
        targets = [ids[j] for j in succ[i]]
        if node.kind == NodeKind.START and len(targets) > 1:
            split = workflow.add_node(Node(NodeKind.SPLIT, name="Split"))
            workflow.connect(node, split)
            node = split
        for target in targets:
            if target.kind != NodeKind.END:
                workflow.connect(node, target)
    for i, node in ids.items():
        if node.kind != NodeKind.END:
            continue
        sources = [ids[p] for p in preds[i]]
        if len(sources) > 1:
            join = workflow.add_node(Node(NodeKind.JOIN, name="Join"))
            for source in sources:
                workflow.connect(source, join)
            workflow.connect(join, node)
        elif sources:
            workflow.connect(sources[0], node)
    return workflow


def _binding(data: dict[str, Any], name: str, warnings: list[str]) -> tuple[Binding | None, str]:
    trigger = data.get("Trigger") or {}
    region = ""
    cos = trigger.get("CosFileUploadTrigger")
    s3 = trigger.get("AwsS3FileUploadTrigger")
    if s3 and not cos:
        cos = {"Bucket": s3.get("S3Bucket"), "Region": s3.get("S3Region"), "Dir": s3.get("Dir"),
               "Formats": s3.get("Formats")}
        _warn(warnings, "Trigger.AwsS3FileUploadTrigger is read like a COS trigger on the embedded store "
                        "(its keys and SQS settings are not used)")
    out = data.get("OutputStorage") or {}
    out_cos = out.get("CosOutputStorage") or {}
    if out.get("S3OutputStorage") and not out_cos:
        s3out = out["S3OutputStorage"]
        out_cos = {"Bucket": s3out.get("S3Bucket"), "Region": s3out.get("S3Region")}
    if not cos:
        if out_cos or data.get("OutputDir"):
            _warn(warnings, "OutputStorage/OutputDir are not used: without a Trigger there is no binding "
                            "(runs started by hand choose their output)")
        return None, str(out_cos.get("Region") or "")
    region = str(cos.get("Region") or "")
    if out_cos.get("Region") and region and out_cos["Region"] != region:
        _warn(warnings, f"output region {out_cos['Region']} differs from the trigger's {region}: both are the "
                        "embedded store here")
    prefix = str(cos.get("Dir") or "").lstrip("/")
    out_dir = data.get("OutputDir")
    binding = Binding(
        name=name, workflow=f"{name}.mfw.json", input_bucket=str(cos.get("Bucket") or ""),
        input_connection="embedded", input_prefix=prefix,
        suffixes=["." + str(f).lower().lstrip(".") for f in (cos.get("Formats") or [])],
        output_bucket=str(out_cos.get("Bucket") or ""),
        output_prefix=str(out_dir).lstrip("/") if out_dir else DEFAULT_OUTPUT_PREFIX)
    return binding, region


def _notify(data: dict[str, Any], binding: Binding | None, warnings: list[str]) -> dict[str, Any] | None:
    config = data.get("TaskNotifyConfig")
    if not config:
        return None
    config = copy.deepcopy(config)
    ntype = config.get("NotifyType") or ("URL" if config.get("NotifyUrl") else "")
    if ntype == "URL" and config.get("NotifyUrl"):
        if binding is not None:
            binding.events.webhooks.append(WebhookTarget(url=str(config["NotifyUrl"])))
        else:
            _warn(warnings, "TaskNotifyConfig.NotifyUrl: without a Trigger there is no binding to send from; "
                            "add the URL to the app's global event targets")
        if config.get("NotifyKey") and binding is not None:
            binding.events.notify_key = str(config["NotifyKey"])  # events then carry the MPS Sign
        if config.get("NotifyMode") == "Change":
            _warn(warnings, "TaskNotifyConfig.NotifyMode Change: the binding's webhook hears when runs finish")
    elif ntype:
        _warn(warnings, f"TaskNotifyConfig.NotifyType {ntype} is not available in MediaFlow (URL is): "
                        "kept in `notify` only")
    return config


def import_workflow(data: dict[str, Any], templates: TemplateStore) -> ImportedWorkflow:
    """A drawn workflow (+ binding, notify config, warnings) from an MPS CreateWorkflow request, a
    DescribeWorkflows entry (or a response holding one) or a CreateSchedule request. ValueError names
    the entry that cannot be read."""
    data = _unwrap(data)
    warnings: list[str] = []
    name = str(data.get("WorkflowName") or data.get("ScheduleName") or "").strip()
    is_schedule = "Activities" in data
    if is_schedule:
        workflow = _schedule_workflow(name, list(data.get("Activities") or []), templates, warnings)
    else:
        mpt = data.get("MediaProcessTask") or {}
        tasks: list[Node] = []
        for set_name, kind, _, _ in TASK_SETS:
            for i, task in enumerate(mpt.get(set_name) or []):
                where = f"MediaProcessTask.{set_name}[{i}]"
                params = _task_params(kind, task, templates, where, warnings)
                tasks.append(task_node(TASK_KIND_OF[kind], _node_name(kind, task), params))
        for key in mpt:
            if key not in _SET_OF.values():
                _warn(warnings, f"MediaProcessTask.{key} is not available in MediaFlow")
        if not tasks:
            raise ValueError("MediaProcessTask has no task MediaFlow can run (transcode, snapshots, animated "
                             "image, image sprite)")
        workflow = _flat_workflow(name, tasks)
    for key in ("AiContentReviewTask", "AiAnalysisTask", "AiRecognitionTask"):
        if data.get(key):
            _warn(warnings, f"{key} is not available in MediaFlow")
    if data.get("TaskPriority"):
        _warn(warnings, "TaskPriority is not used (runs start in order)")
    if data.get("Status") == "Disabled":
        _warn(warnings, "the workflow was Disabled: the binding is saved disabled")
    _layout(workflow)
    binding, region = _binding(data, workflow.name, warnings)
    if binding is not None and data.get("Status") == "Disabled":
        binding.enabled = False
    notify = _notify(data, binding, warnings)
    return ImportedWorkflow(workflow, binding, notify, warnings, region, "Schedule" if is_schedule else "Workflow")


# -- export ----------------------------------------------------------------------------------------

@dataclass
class _Step:
    node: Node
    kind: str  # template kind
    params: TaskParams
    marks: list[WatermarkParams]
    input_from: str | None  # node id of the task whose output it reads


def _steps(workflow: Workflow) -> list[_Step]:
    import networkx as nx

    from ..model.graph import to_digraph

    order = [nid for nid in nx.topological_sort(to_digraph(workflow)) if workflow.nodes[nid].kind == NodeKind.TASK]
    folded: dict[str, list[WatermarkParams]] = {}
    reads: dict[str, str | None] = {}
    for nid in order:
        preds = workflow.predecessors(nid)
        pred = workflow.nodes[preds[0]] if len(preds) == 1 else None
        reads[nid] = pred.id if pred is not None and pred.kind == NodeKind.TASK else None
        if len(preds) > 1 and any(workflow.nodes[p].kind == NodeKind.TASK for p in preds):
            raise ValueError(f"{workflow.nodes[nid].label}: reads the outputs of several tasks, which neither an MPS "
                             "workflow nor a schedule can express")
    skip: set[str] = set()
    for nid in order:
        node = workflow.nodes[nid]
        succ = workflow.successors(nid)
        if node.task_kind == "watermark" and succ and all(workflow.nodes[s].task_kind == "transcode" for s in succ):
            skip.add(nid)
            for sid in succ:
                folded.setdefault(sid, []).append(copy.deepcopy(node.params))  # type: ignore[arg-type]
                reads[sid] = reads[nid]
    steps = []
    for nid in order:
        if nid in skip:
            continue
        node = workflow.nodes[nid]
        params = copy.deepcopy(node.params)
        marks = folded.get(nid, [])
        if isinstance(params, WatermarkParams):
            marks = [params]
            params = watermark_as_transcode(params)
        if isinstance(params, TranscodeParams):
            marks = list(params.watermarks) + marks
            params.watermarks = []
        steps.append(_Step(node, TEMPLATE_KIND_OF["transcode" if node.task_kind == "watermark"
                                                  else str(node.task_kind)], params, marks, reads[nid]))
    # a folded watermark's reader reads what the watermark read: follow such chains to a kept step
    kept = {s.node.id for s in steps}
    for step in steps:
        while step.input_from is not None and step.input_from not in kept:
            step.input_from = reads.get(step.input_from)
        if step.input_from is not None:
            source = workflow.nodes[step.input_from]
            if not TASK_KINDS[str(source.task_kind)].produces_video:
                raise ValueError(f"{step.node.label}: reads the output of {source.label}, which makes images; "
                                 "MPS chains only from transcodes")
    return steps


class _Exporter:
    def __init__(self, templates: TemplateStore, warnings: list[str]) -> None:
        self.templates = templates
        self.warnings = warnings
        self.created: list[tuple[str, int]] = []

    def definition(self, kind: str, fields: dict[str, Any]) -> int:
        definition, created = self.templates.ensure(kind, fields)
        if created:
            self.created.append((kind, definition))
        return definition

    def watermark(self, mark: WatermarkParams, where: str) -> dict[str, Any]:
        local: list[str] = []
        fields = template_from_params("Watermark", mark, local)
        fields["Name"] = where[:64]  # names are not compared: an identical template is reused whatever its name
        self.warnings.extend(f"{where}: {w}" for w in local)
        item: dict[str, Any] = {}
        found = self.templates.find_identical("Watermark", fields)
        if found is None and mark.type == "text":
            # a template that differs only in its text, with the text given per task (TextContent)
            wanted = content("Watermark", {**fields, "TextTemplate": {**fields["TextTemplate"], "TextContent": ""}})
            for tpl in self.templates.describe("Watermark"):
                text = dict(tpl.get("TextTemplate") or {})
                if content("Watermark", {**tpl, "TextTemplate": {**text, "TextContent": ""}}) == wanted:
                    found = int(tpl["Definition"])
                    item["TextContent"] = mark.text
                    break
        item = {"Definition": found if found is not None else self.definition("Watermark", fields), **item}
        for key, value in (("StartTimeOffset", mark.start), ("EndTimeOffset", mark.end)):
            if value:
                off = parse_offset(value)
                if off.percent:
                    _warn(self.warnings, f"{where}: {key} {value} in percent cannot be expressed (seconds only): "
                                         "left out")
                else:
                    item[key] = _json_number(off.value)
        return item

    def task(self, step: _Step) -> dict[str, Any]:
        where = step.node.label
        local: list[str] = []
        fields = template_from_params(step.kind, step.params, local)
        fields["Name"] = where[:64]
        self.warnings.extend(f"{where}: {w}" for w in local)
        task: dict[str, Any] = {"Definition": self.definition(step.kind, fields)}
        p: Any = step.params
        if step.kind == "Transcode":
            if step.marks:
                task["WatermarkSet"] = [self.watermark(m, f"{where} watermark {i + 1}")
                                        for i, m in enumerate(step.marks)]
            if p.definition and p.definition != str(task["Definition"]):
                _warn(self.warnings, f"{where}: the {{definition}} label {p.definition!r} becomes the template id "
                                     f"{task['Definition']} in MPS output names")
        elif step.kind == "SnapshotByTimeOffset":
            task["ExtTimeOffsetSet"] = [f"{parse_offset(o).value:g}{'%' if parse_offset(o).percent else 's'}"
                                        for o in p.offsets]
        elif step.kind == "AnimatedGraphics":
            for key, value in (("StartTimeOffset", p.start), ("EndTimeOffset", p.end)):
                off = parse_offset(value)
                if off.percent:
                    raise ValueError(f"{where}: {key} {value} is a percentage; MPS takes seconds only")
                task[key] = _json_number(off.value)
        if p.output_name:
            task["OutputObjectPath"] = p.output_name
        if step.kind in _MULTI_FILE and p.number_format != MPS_NUMBER_FORMAT:
            nf = p.number_format
            task["ObjectNumberFormat"] = {"InitialValue": nf.initial_value, "Increment": nf.increment,
                                          "MinLength": nf.min_length, "PlaceHolder": nf.place_holder}
        return task


def _storage_parts(binding: Binding | None, region: str, notify: dict[str, Any] | None,
                   warnings: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if binding is not None:
        conn = binding.input_connection
        if isinstance(conn, dict) and conn.get("region"):
            region = str(conn["region"])
        elif conn not in ("embedded", ""):
            _warn(warnings, f"the binding's connection {conn!r} is written as a COS bucket in region {region}")
        trigger: dict[str, Any] = {"Bucket": binding.input_bucket, "Region": region}
        if binding.in_prefix:
            trigger["Dir"] = "/" + binding.in_prefix
        if binding.suffixes:
            trigger["Formats"] = [s.lstrip(".") for s in binding.suffixes]
        out["Trigger"] = {"Type": "CosFileUpload", "CosFileUploadTrigger": trigger}
        if binding.output_bucket:
            out["OutputStorage"] = {"Type": "COS", "CosOutputStorage": {"Bucket": binding.output_bucket,
                                                                         "Region": region}}
        out["OutputDir"] = "/" + binding.out_prefix if binding.out_prefix else "/"
        if binding.events.sqs or binding.events.jsonl:
            _warn(warnings, "the binding's SQS and JSON-lines event targets have no MPS form: left out")
        if len(binding.events.webhooks) > 1:
            _warn(warnings, "MPS notifies one URL: only the binding's first webhook is written")
    config = copy.deepcopy(notify) if notify else {}
    if binding is not None and binding.events.webhooks:
        config.update(NotifyType="URL", NotifyUrl=binding.events.webhooks[0].url)
        config.setdefault("NotifyMode", "Finish")
        if binding.events.notify_key:
            config["NotifyKey"] = binding.events.notify_key
        elif binding.events.notify_key_env:
            _warn(warnings, f"the NotifyKey is read from ${binding.events.notify_key_env} when the app runs: "
                            "not written into the request")
    if config:
        out["TaskNotifyConfig"] = config
    return out


def export_workflow(workflow: Workflow, binding: Binding | None, templates: TemplateStore,
                    region: str = DEFAULT_REGION, notify: dict[str, Any] | None = None) -> ExportedWorkflow:
    """The MPS request for a drawn workflow: CreateWorkflow when every task reads the source,
    CreateSchedule when one reads another's output. `notify` (e.g. ImportedWorkflow.notify) adds
    TaskNotifyConfig fields such as NotifyKey. ValueError names the node MPS cannot express, or lists
    the workflow's problems when it is not valid."""
    problems = validate(workflow)
    if problems:
        raise ValueError("the workflow is not valid: " + " ".join(p.message for p in problems))
    workflow = resolved_workflow(workflow)  # watermark images relative to the workflow file become absolute
    warnings: list[str] = []
    steps = _steps(workflow)
    if not steps:
        raise ValueError("the workflow has no task to export")
    exporter = _Exporter(templates, warnings)
    tasks = {s.node.id: exporter.task(s) for s in steps}
    parts = _storage_parts(binding, region, notify, warnings)
    if all(s.input_from is None for s in steps):
        mpt: dict[str, list[dict[str, Any]]] = {}
        for step in steps:
            mpt.setdefault(_SET_OF[step.kind], []).append(tasks[step.node.id])
        request = {"WorkflowName": workflow.name, **{k: v for k, v in parts.items() if k == "Trigger"},
                   **{k: v for k, v in parts.items() if k in ("OutputStorage", "OutputDir")},
                   "MediaProcessTask": mpt, **{k: v for k, v in parts.items() if k == "TaskNotifyConfig"}}
        return ExportedWorkflow("Workflow", request, exporter.created, warnings)
    # a serial chain: a Schedule, activities in topological order between input (0) and output (last)
    index = {s.node.id: i + 1 for i, s in enumerate(steps)}
    output = len(steps) + 1
    readers: dict[str | None, list[int]] = {}
    for step in steps:
        readers.setdefault(step.input_from, []).append(index[step.node.id])
    activities: list[dict[str, Any]] = [{"ActivityType": "input", "ReardriveIndex": readers.get(None, [])}]
    for step in steps:
        atype, para = _ACTIVITY_OF[step.kind]
        activities.append({"ActivityType": atype, "ReardriveIndex": readers.get(step.node.id) or [output],
                           "ActivityPara": {para: tasks[step.node.id]}})
    activities.append({"ActivityType": "output"})
    if binding is None:
        _warn(warnings, "an MPS schedule starts from a Trigger: add one (Bucket, Region, Dir) before creating it")
    request = {"ScheduleName": workflow.name, **{k: v for k, v in parts.items() if k == "Trigger"},
               "Activities": activities,
               **{k: v for k, v in parts.items() if k in ("OutputStorage", "OutputDir", "TaskNotifyConfig")}}
    return ExportedWorkflow("Schedule", request, exporter.created, warnings)

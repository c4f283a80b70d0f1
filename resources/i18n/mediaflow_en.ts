<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<!-- English plural forms only. The source strings are English; what an English UI needs from a translation
     file is Qt's numerus forms of the messages that take a count (%n): "%n node(s)" → "1 node" / "11 nodes".
     Every other message is left out on purpose and shows its source text. Keep one entry here for each
     numerus="yes" message of mediaflow_zh_CN.ts (tests/ui/test_plurals.py checks it): singular form, then
     plural form. `pyside6-lupdate -pluralonly` lists the self.tr(…, n) ones, but it does not mark
     translate(context, …, "", n) calls as numerus (UndoCommands, UploadDialog): those are kept by hand. -->
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>InspectorPanel</name>
    <message numerus="yes">
        <source>%n node(s)</source>
        <translation><numerusform>%n node</numerusform><numerusform>%n nodes</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s).</source>
        <translation><numerusform>%n connection.</numerusform><numerusform>%n connections.</numerusform></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Problems (%n)</source>
        <translation><numerusform>Problems (%n)</numerusform><numerusform>Problems (%n)</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>The workflow has %n problem(s); fix them before running.</source>
        <translation><numerusform>The workflow has %n problem; fix it before running.</numerusform><numerusform>The workflow has %n problems; fix them before running.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Started %n run(s)</source>
        <translation><numerusform>Started %n run</numerusform><numerusform>Started %n runs</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) in progress</source>
        <translation><numerusform>%n run in progress</numerusform><numerusform>%n runs in progress</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) are still in progress. Cancel them and quit?</source>
        <translation><numerusform>%n run is still in progress. Cancel it and quit?</numerusform><numerusform>%n runs are still in progress. Cancel them and quit?</numerusform></translation>
    </message>
</context>
<context>
    <name>ProblemsPanel</name>
    <message numerus="yes">
        <source>%n problem(s): the workflow cannot run until they are fixed.</source>
        <translation><numerusform>%n problem: the workflow cannot run until it is fixed.</numerusform><numerusform>%n problems: the workflow cannot run until they are fixed.</numerusform></translation>
    </message>
</context>
<context>
    <name>ReplayDialog</name>
    <message numerus="yes">
        <source>{0} steps in %n fused FFmpeg process(es)</source>
        <translation><numerusform>{0} steps in %n fused FFmpeg process</numerusform><numerusform>{0} steps in %n fused FFmpeg processes</numerusform></translation>
    </message>
</context>
<context>
    <name>SubtaskCard</name>
    <message numerus="yes">
        <source>+ %n more image(s) in the output folder</source>
        <translation><numerusform>+ %n more image in the output folder</numerusform><numerusform>+ %n more images in the output folder</numerusform></translation>
    </message>
</context>
<context>
    <name>TaskPanel</name>
    <message numerus="yes">
        <source>%n running</source>
        <translation><numerusform>%n running</numerusform><numerusform>%n running</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n queued (paused)</source>
        <translation><numerusform>%n queued (paused)</numerusform><numerusform>%n queued (paused)</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation><numerusform>%n queued</numerusform><numerusform>%n queued</numerusform></translation>
    </message>
</context>
<context>
    <name>UndoCommands</name>
    <message numerus="yes">
        <source>Delete %n node(s)</source>
        <translation><numerusform>Delete %n node</numerusform><numerusform>Delete %n nodes</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n connection(s)</source>
        <translation><numerusform>Delete %n connection</numerusform><numerusform>Delete %n connections</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Move %n node(s)</source>
        <translation><numerusform>Move %n node</numerusform><numerusform>Move %n nodes</numerusform></translation>
    </message>
</context>
<context>
    <name>UploadDialog</name>
    <message numerus="yes">
        <source>%n file(s), {0} MB: {1}</source>
        <translation><numerusform>%n file, {0} MB: {1}</numerusform><numerusform>%n files, {0} MB: {1}</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Uploaded %n file(s):</source>
        <translation><numerusform>Uploaded %n file:</numerusform><numerusform>Uploaded %n files:</numerusform></translation>
    </message>
</context>
</TS>

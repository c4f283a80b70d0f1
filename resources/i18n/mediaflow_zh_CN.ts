<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AppContext</name>
    <message>
        <source>Run events are not sent: {0}</source>
        <translation>任务事件未发送：{0}</translation>
    </message>
    <message>
        <source>The MPS API stopped</source>
        <translation>MPS API 已停止</translation>
    </message>
    <message>
        <source>The MPS API could not listen on 127.0.0.1:{0}: {1}</source>
        <translation>MPS API 无法在 127.0.0.1:{0} 上监听：{1}</translation>
    </message>
    <message>
        <source>The MPS API answers on {0}</source>
        <translation>MPS API 在 {0} 上应答</translation>
    </message>
    <message>
        <source>Could not use the Dask cluster at {0}: {1}. Runs stay on this computer.</source>
        <translation>无法使用 {0} 上的 Dask 集群：{1}。任务仍在本机运行。</translation>
    </message>
    <message>
        <source>Runs now go to the Dask cluster at {0}</source>
        <translation>任务现在交给 {0} 上的 Dask 集群运行</translation>
    </message>
    <message>
        <source>Runs now go to this computer</source>
        <translation>任务现在在本机运行</translation>
    </message>
</context>
<context>
    <name>BindingDialog</name>
    <message>
        <source>Edit binding</source>
        <translation>编辑绑定</translation>
    </message>
    <message>
        <source>New binding</source>
        <translation>新建绑定</translation>
    </message>
    <message>
        <source>e.g. Clips to web formats</source>
        <translation>如：短片转网页格式</translation>
    </message>
    <message>
        <source>Workflow to run</source>
        <translation>要运行的工作流</translation>
    </message>
    <message>
        <source>MediaFlow workflows (*.mfw.json);;JSON (*.json);;All files (*)</source>
        <translation>MediaFlow 工作流 (*.mfw.json);;JSON (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>a *.mfw.json workflow file</source>
        <translation>一个 *.mfw.json 工作流文件</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation>工作流</translation>
    </message>
    <message>
        <source>optional, e.g. incoming/</source>
        <translation>可选，如 incoming/</translation>
    </message>
    <message>
        <source>  (empty: every object)</source>
        <translation>  （留空：所有对象）</translation>
    </message>
    <message>
        <source>Watch (input)</source>
        <translation>监听（输入）</translation>
    </message>
    <message>
        <source>Connection / bucket</source>
        <translation>连接 / 存储桶</translation>
    </message>
    <message>
        <source>Prefix</source>
        <translation>前缀</translation>
    </message>
    <message>
        <source>Suffixes</source>
        <translation>后缀</translation>
    </message>
    <message>
        <source>e.g. results/  (needed when the bucket is the input bucket)</source>
        <translation>如 results/ （输出存储桶与输入存储桶相同时必填）</translation>
    </message>
    <message>
        <source>Results (output)</source>
        <translation>结果（输出）</translation>
    </message>
    <message>
        <source>Events when a run ends (success or failure)</source>
        <translation>任务结束时的事件（成功或失败）</translation>
    </message>
    <message>
        <source>Watch whenever MediaFlow runs</source>
        <translation>MediaFlow 运行时始终监听</translation>
    </message>
    <message>
        <source>Also process objects already in the bucket</source>
        <translation>同时处理存储桶中已有的对象</translation>
    </message>
    <message>
        <source>Poll (stores without events) every</source>
        <translation>轮询间隔（用于不支持事件的存储）</translation>
    </message>
</context>
<context>
    <name>BindingsPage</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation>工作流</translation>
    </message>
    <message>
        <source>Watches</source>
        <translation>监听</translation>
    </message>
    <message>
        <source>Results to</source>
        <translation>结果存放到</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Detection</source>
        <translation>检测方式</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>最近活动</translation>
    </message>
    <message>
        <source>● watching</source>
        <translation>● 监听中</translation>
    </message>
    <message>
        <source>◌ starting…</source>
        <translation>◌ 启动中…</translation>
    </message>
    <message>
        <source>○ stopped</source>
        <translation>○ 已停止</translation>
    </message>
    <message>
        <source>▲ unreachable</source>
        <translation>▲ 无法连接</translation>
    </message>
    <message>
        <source>✖ error</source>
        <translation>✖ 出错</translation>
    </message>
    <message>
        <source>any file</source>
        <translation>任意文件</translation>
    </message>
    <message>
        <source>A binding runs a workflow on every new or replaced object in a watched bucket and uploads the results; its runs appear in the task list below.</source>
        <translation>绑定会对所监听存储桶中每个新增或被替换的对象运行工作流并上传结果；这些任务显示在下方的任务列表中。</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>新建…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Show last run</source>
        <translation>查看最近任务</translation>
    </message>
    <message>
        <source>cannot read the bindings: {0}</source>
        <translation>无法读取绑定：{0}</translation>
    </message>
    <message>
        <source>Delete binding</source>
        <translation>删除绑定</translation>
    </message>
    <message>
        <source>Delete the binding {0}? It stops watching; objects and results in the buckets stay where they are.</source>
        <translation>删除绑定 {0} 吗？它将停止监听；存储桶中的对象和结果保持不变。</translation>
    </message>
</context>
<context>
    <name>BucketPicker</name>
    <message>
        <source>(same as input)</source>
        <translation>（与输入相同）</translation>
    </message>
    <message>
        <source>{0} (from the binding file)</source>
        <translation>{0}（来自绑定文件）</translation>
    </message>
    <message>
        <source>List the buckets of this connection</source>
        <translation>列出此连接的存储桶</translation>
    </message>
    <message>
        <source>cannot list buckets: {0}</source>
        <translation>无法列出存储桶：{0}</translation>
    </message>
</context>
<context>
    <name>BucketsPage</name>
    <message>
        <source>Embedded bucket store (SeaweedFS on this computer)</source>
        <translation>内置存储桶服务（本机上的 SeaweedFS）</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <source>Access key</source>
        <translation>访问密钥</translation>
    </message>
    <message>
        <source>Secret key</source>
        <translation>私有密钥</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the example, with the real secret key</source>
        <translation>复制示例（含真实私有密钥）</translation>
    </message>
    <message>
        <source>Upload from any S3 client:</source>
        <translation>可用任意 S3 客户端上传：</translation>
    </message>
    <message>
        <source>Upload…</source>
        <translation>上传…</translation>
    </message>
    <message>
        <source>Upload files into a bucket (a watched bucket starts runs)</source>
        <translation>将文件上传到存储桶（被监听的存储桶会启动任务）</translation>
    </message>
    <message>
        <source>Start the embedded store when MediaFlow starts</source>
        <translation>MediaFlow 启动时启动内置存储</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>{0} (not running)</source>
        <translation>{0}（未运行）</translation>
    </message>
    <message>
        <source>S3-compatible connections</source>
        <translation>S3 兼容连接</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Addressing</source>
        <translation>寻址方式</translation>
    </message>
    <message>
        <source>Last test</source>
        <translation>最近测试</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>AWS S3, Tencent COS, MinIO, SeaweedFS elsewhere… Select a connection and press Test to check the endpoint, the keys and the access.</source>
        <translation>AWS S3、腾讯云 COS、MinIO、其他位置的 SeaweedFS……选择一个连接并点击“测试”，检查端点、密钥和访问权限。</translation>
    </message>
    <message>
        <source>cannot read the connections: {0}</source>
        <translation>无法读取连接：{0}</translation>
    </message>
    <message>
        <source> (built in)</source>
        <translation>（内置）</translation>
    </message>
    <message>
        <source>Remove the connection {0}?</source>
        <translation>移除连接 {0} 吗？</translation>
    </message>
    <message>
        <source>These bindings use it and will not start without it:</source>
        <translation>以下绑定使用此连接，没有它将无法启动：</translation>
    </message>
    <message>
        <source>Remove connection</source>
        <translation>移除连接</translation>
    </message>
    <message>
        <source>Testing {0}…</source>
        <translation>正在测试 {0}…</translation>
    </message>
</context>
<context>
    <name>CanvasContextMenu</name>
    <message>
        <source>Add &amp;Node</source>
        <translation>添加节点(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Paste Here</source>
        <translation>粘贴到此处(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation>重命名(&amp;R)…</translation>
    </message>
    <message>
        <source>Dis&amp;connect All</source>
        <translation>断开所有连线(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Delete Connection</source>
        <translation>删除连线(&amp;D)</translation>
    </message>
</context>
<context>
    <name>ChoiceField</name>
    <message>
        <source>keep source</source>
        <translation>保持源</translation>
    </message>
</context>
<context>
    <name>ConnectionDialog</name>
    <message>
        <source>Edit connection</source>
        <translation>编辑连接</translation>
    </message>
    <message>
        <source>Add S3 connection</source>
        <translation>添加 S3 连接</translation>
    </message>
    <message>
        <source>e.g. my-minio</source>
        <translation>如 my-minio</translation>
    </message>
    <message>
        <source>https://s3.example.com:9000  (empty = AWS S3)</source>
        <translation>https://s3.example.com:9000 （留空 = AWS S3）</translation>
    </message>
    <message>
        <source>Path style (https://host/bucket/key)</source>
        <translation>路径风格（https://host/bucket/key）</translation>
    </message>
    <message>
        <source>Virtual host (https://bucket.host/key)</source>
        <translation>虚拟主机风格（https://bucket.host/key）</translation>
    </message>
    <message>
        <source>Verify TLS certificates</source>
        <translation>验证 TLS 证书</translation>
    </message>
    <message>
        <source>optional: also check this bucket</source>
        <translation>可选：同时检查此存储桶</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Endpoint URL</source>
        <translation>端点 URL</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <source>Access key</source>
        <translation>访问密钥</translation>
    </message>
    <message>
        <source>Secret key</source>
        <translation>私有密钥</translation>
    </message>
    <message>
        <source>Addressing</source>
        <translation>寻址方式</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>测试中…</translation>
    </message>
</context>
<context>
    <name>CopyField</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>DesktopNotifier</name>
    <message>
        <source>Done: {0}</source>
        <translation>成功：{0}</translation>
    </message>
    <message>
        <source>Every subtask succeeded · {0}</source>
        <translation>所有子任务均已成功 · {0}</translation>
    </message>
    <message>
        <source>Canceled: {0}</source>
        <translation>已取消：{0}</translation>
    </message>
    <message>
        <source>The run was canceled · {0}</source>
        <translation>任务已取消 · {0}</translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation>失败：{0}</translation>
    </message>
    <message>
        <source>The run failed</source>
        <translation>任务失败</translation>
    </message>
    <message>
        <source>{0} done</source>
        <translation>{0} 个成功</translation>
    </message>
    <message>
        <source>{0} failed</source>
        <translation>{0} 个失败</translation>
    </message>
    <message>
        <source>{0} canceled</source>
        <translation>{0} 个已取消</translation>
    </message>
    <message>
        <source>{0} files: {1}</source>
        <translation>{0} 个文件：{1}</translation>
    </message>
    <message>
        <source>the run failed</source>
        <translation>任务失败</translation>
    </message>
    <message>
        <source> (and {0} more)</source>
        <translation>（另有 {0} 个）</translation>
    </message>
    <message>
        <source>{0} of {1} runs were canceled</source>
        <translation>{1} 个任务中有 {0} 个已取消</translation>
    </message>
    <message>
        <source>All {0} runs succeeded</source>
        <translation>全部 {0} 个任务均已成功</translation>
    </message>
</context>
<context>
    <name>Documents</name>
    <message>
        <source>{0} (unsaved)</source>
        <translation>{0}（未保存）</translation>
    </message>
    <message>
        <source>Cannot open the workflow</source>
        <translation>无法打开工作流</translation>
    </message>
    <message>
        <source>Cannot save the workflow</source>
        <translation>无法保存工作流</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>Save the changes to “{0}”?</source>
        <translation>保存对“{0}”的更改吗？</translation>
    </message>
    <message>
        <source>Your changes will be lost if you don't save them.</source>
        <translation>如果不保存，您的更改将会丢失。</translation>
    </message>
</context>
<context>
    <name>EditorController</name>
    <message>
        <source>Auto-layout</source>
        <translation>自动布局</translation>
    </message>
    <message>
        <source>The clipboard holds no MediaFlow nodes.</source>
        <translation>剪贴板中没有 MediaFlow 节点。</translation>
    </message>
    <message>
        <source>Not pasted: {0}</source>
        <translation>未粘贴：{0}</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Paste {0}</source>
        <translation>粘贴 {0}</translation>
    </message>
</context>
<context>
    <name>EditorRules</name>
    <message>
        <source>Both ends of a connection must be nodes of this workflow.</source>
        <translation>连线的两端必须是此工作流中的节点。</translation>
    </message>
    <message>
        <source>'{0}' cannot be connected to itself.</source>
        <translation>“{0}”不能连接到自身。</translation>
    </message>
    <message>
        <source>Nothing may come before the start node.</source>
        <translation>开始节点之前不能有任何节点。</translation>
    </message>
    <message>
        <source>Nothing may follow the end node.</source>
        <translation>结束节点之后不能有任何节点。</translation>
    </message>
    <message>
        <source>'{0}' is already connected to '{1}'.</source>
        <translation>“{0}”已连接到“{1}”。</translation>
    </message>
    <message>
        <source>Connecting '{0}' to '{1}' would make a cycle.</source>
        <translation>将“{0}”连接到“{1}”会形成环。</translation>
    </message>
    <message>
        <source>'{0}' already has an input; a task reads one input (put a join before it to wait for several branches).</source>
        <translation>“{0}”已有输入；一个任务只读取一个输入（要等待多个分支，请在它前面放一个汇合节点）。</translation>
    </message>
    <message>
        <source>The workflow already has a start node; a workflow has exactly one.</source>
        <translation>工作流已有开始节点；一个工作流只能有一个。</translation>
    </message>
    <message>
        <source>The workflow already has an end node; a workflow has exactly one.</source>
        <translation>工作流已有结束节点；一个工作流只能有一个。</translation>
    </message>
    <message>
        <source>A workflow has exactly one {0} node.</source>
        <translation>一个工作流只能有一个 {0} 节点。</translation>
    </message>
</context>
<context>
    <name>EmbeddedState</name>
    <message>
        <source>starting…</source>
        <translation>启动中…</translation>
    </message>
    <message>
        <source>running at {0}</source>
        <translation>运行于 {0}</translation>
    </message>
    <message>
        <source>stopping…</source>
        <translation>停止中…</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>could not start</source>
        <translation>无法启动</translation>
    </message>
    <message>
        <source>not started (turned off in the setting below)</source>
        <translation>未启动（已在下方设置中关闭）</translation>
    </message>
</context>
<context>
    <name>EngineAdapter</name>
    <message>
        <source>Could not read the task history: {0}</source>
        <translation>无法读取任务历史：{0}</translation>
    </message>
</context>
<context>
    <name>EventTargetsEditor</name>
    <message>
        <source>https://example.com/mediaflow-events  (HTTP POST, JSON)</source>
        <translation>https://example.com/mediaflow-events （HTTP POST，JSON）</translation>
    </message>
    <message>
        <source>optional HMAC-SHA256 secret ({0} header)</source>
        <translation>可选的 HMAC-SHA256 密钥（{0} 请求头）</translation>
    </message>
    <message>
        <source>region (empty: taken from the queue URL)</source>
        <translation>地域（留空：从队列 URL 中获取）</translation>
    </message>
    <message>
        <source>optional MPS NotifyKey (events carry Sign = md5(Timestamp + key))</source>
        <translation>可选的 MPS NotifyKey（事件携带 Sign = md5(Timestamp + key)）</translation>
    </message>
    <message>
        <source>Event log (JSON lines)</source>
        <translation>事件日志（JSON 行）</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl);;All files (*)</source>
        <translation>JSON 行文件 (*.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <source>a file that gets one JSON line per finished run</source>
        <translation>每个结束的任务写入一行 JSON 的文件</translation>
    </message>
    <message>
        <source>Webhook URL</source>
        <translation>Webhook URL</translation>
    </message>
    <message>
        <source>HMAC secret</source>
        <translation>HMAC 密钥</translation>
    </message>
    <message>
        <source>SQS queue URL</source>
        <translation>SQS 队列 URL</translation>
    </message>
    <message>
        <source>SQS region</source>
        <translation>SQS 地域</translation>
    </message>
    <message>
        <source>JSON-lines log</source>
        <translation>JSON 行日志</translation>
    </message>
    <message>
        <source>Notify key</source>
        <translation>通知密钥</translation>
    </message>
    <message>
        <source>from the environment variable {0}</source>
        <translation>来自环境变量 {0}</translation>
    </message>
</context>
<context>
    <name>Execution</name>
    <message>
        <source>{0} worker</source>
        <translation>{0} 个工作节点</translation>
    </message>
    <message>
        <source>{0} workers</source>
        <translation>{0} 个工作节点</translation>
    </message>
    <message>
        <source>{0} thread</source>
        <translation>{0} 个线程</translation>
    </message>
    <message>
        <source>{0} threads</source>
        <translation>{0} 个线程</translation>
    </message>
    <message>
        <source>no workers yet</source>
        <translation>尚无工作节点</translation>
    </message>
    <message>
        <source>no memory limit</source>
        <translation>内存不限</translation>
    </message>
    <message>
        <source>worker {0} ({1})</source>
        <translation>工作节点 {0}（{1}）</translation>
    </message>
    <message>
        <source>FFmpeg not checked</source>
        <translation>未检查 FFmpeg</translation>
    </message>
    <message>
        <source>Connected to {0}: {1}</source>
        <translation>已连接 {0}：{1}</translation>
    </message>
    <message>
        <source>Connecting to Dask cluster {0}…</source>
        <translation>正在连接 Dask 集群 {0}…</translation>
    </message>
    <message>
        <source>Runs on Dask cluster {0} · {1}</source>
        <translation>任务在 Dask 集群 {0} 上运行 · {1}</translation>
    </message>
    <message>
        <source>Dask cluster not used: runs on this computer</source>
        <translation>未使用 Dask 集群：任务在本机运行</translation>
    </message>
    <message>
        <source>Dask cluster {0} has no workers: runs wait</source>
        <translation>Dask 集群 {0} 没有工作节点：任务等待中</translation>
    </message>
    <message>
        <source>Start a worker with: mediaflow worker --scheduler {0}
A step that waits {1} s without any worker fails.</source>
        <translation>用此命令启动工作节点：mediaflow worker --scheduler {0}
没有任何工作节点时，等待 {1} 秒的步骤将失败。</translation>
    </message>
    <message>
        <source>Could not use the Dask cluster at {0}: {1}</source>
        <translation>无法使用 {0} 上的 Dask 集群：{1}</translation>
    </message>
</context>
<context>
    <name>ExecutionSettings</name>
    <message>
        <source>Execution</source>
        <translation>执行</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Dask cluster at</source>
        <translation>Dask 集群，地址</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Ask the scheduler for its workers, their threads, memory and FFmpeg</source>
        <translation>向调度器查询其工作节点及各节点的线程、内存和 FFmpeg</translation>
    </message>
    <message>
        <source>Run steps on</source>
        <translation>步骤运行于</translation>
    </message>
    <message>
        <source>Embedded store (this computer only)</source>
        <translation>内置存储（仅限本机）</translation>
    </message>
    <message>
        <source>{0} (missing)</source>
        <translation>{0}（已不存在）</translation>
    </message>
    <message>
        <source>Staging store</source>
        <translation>中转存储</translation>
    </message>
    <message>
        <source>Staging bucket</source>
        <translation>中转存储桶</translation>
    </message>
    <message>
        <source>Each worker needs MediaFlow and FFmpeg installed; start it with this command on its machine. Inputs and results travel through the staging store (a bucket run's input is read from its own bucket). The embedded store is only reachable by workers on this computer.</source>
        <translation>每个工作节点都需要安装 MediaFlow 和 FFmpeg；在其所在的机器上用这条命令启动它。输入和结果经由中转存储传递（存储桶任务的输入从其所在的存储桶读取）。内置存储只有本机上的工作节点才能访问。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the command to the clipboard</source>
        <translation>把命令复制到剪贴板</translation>
    </message>
    <message>
        <source>Start a worker</source>
        <translation>启动工作节点</translation>
    </message>
    <message>
        <source>Type the scheduler's address, such as {0}</source>
        <translation>请输入调度器的地址，例如 {0}</translation>
    </message>
    <message>
        <source>Asking {0} for its workers…</source>
        <translation>正在向 {0} 查询工作节点…</translation>
    </message>
</context>
<context>
    <name>FFmpegLogView</name>
    <message>
        <source>No FFmpeg process has started for this run.</source>
        <translation>此任务尚未启动任何 FFmpeg 进程。</translation>
    </message>
</context>
<context>
    <name>FFmpegStatusLabel</name>
    <message>
        <source>How: {0}.</source>
        <translation>选择方式：{0}。</translation>
    </message>
    <message>
        <source>FFmpeg: checking…</source>
        <translation>FFmpeg：检查中…</translation>
    </message>
    <message>
        <source>No usable FFmpeg: {0}</source>
        <translation>没有可用的 FFmpeg：{0}</translation>
    </message>
    <message>
        <source>FFmpeg {0} ({1})</source>
        <translation>FFmpeg {0}（{1}）</translation>
    </message>
    <message>
        <source>FFmpeg {0}</source>
        <translation>FFmpeg {0}</translation>
    </message>
    <message>
        <source>chosen in Settings</source>
        <translation>在设置中选择</translation>
    </message>
    <message>
        <source>from MEDIAFLOW_FFMPEG</source>
        <translation>来自 MEDIAFLOW_FFMPEG</translation>
    </message>
    <message>
        <source>on PATH</source>
        <translation>PATH 中</translation>
    </message>
    <message>
        <source>bundled</source>
        <translation>内置</translation>
    </message>
</context>
<context>
    <name>FileField</name>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
</context>
<context>
    <name>ImageField</name>
    <message>
        <source>Choose the watermark image</source>
        <translation>选择水印图片</translation>
    </message>
    <message>
        <source>Images (*.png *.webp *.jpg *.jpeg);;All files (*)</source>
        <translation>图片 (*.png *.webp *.jpg *.jpeg);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>InspectorChoices</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>tonemap</source>
        <translation>色调映射</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>drop</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>TopLeft</source>
        <translation>左上</translation>
    </message>
    <message>
        <source>TopRight</source>
        <translation>右上</translation>
    </message>
    <message>
        <source>BottomLeft</source>
        <translation>左下</translation>
    </message>
    <message>
        <source>BottomRight</source>
        <translation>右下</translation>
    </message>
    <message>
        <source>Center</source>
        <translation>居中</translation>
    </message>
    <message>
        <source>SD 540p</source>
        <translation>标清 540p</translation>
    </message>
    <message>
        <source>HD 720p</source>
        <translation>高清 720p</translation>
    </message>
    <message>
        <source>FHD 1080p</source>
        <translation>全高清 1080p</translation>
    </message>
    <message>
        <source>Audio only (m4a)</source>
        <translation>仅音频（m4a）</translation>
    </message>
</context>
<context>
    <name>InspectorPanel</name>
    <message>
        <source>The workflow needs a name: it names the file, the window and every run.</source>
        <translation>工作流需要一个名称：它用于文件名、窗口标题和每个任务。</translation>
    </message>
    <message>
        <source>The workflow's name, shown in the title bar and in every run</source>
        <translation>工作流名称，显示在标题栏和每个任务中</translation>
    </message>
    <message>
        <source>Node name</source>
        <translation>节点名称</translation>
    </message>
    <message>
        <source>Workflow name</source>
        <translation>工作流名称</translation>
    </message>
    <message>
        <source>What this workflow is for (optional)</source>
        <translation>此工作流的用途（可选）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Watermarks</source>
        <translation>水印</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation>工作流</translation>
    </message>
    <message numerus="yes">
        <source>%n node(s)</source>
        <translation><numerusform>%n 个节点</numerusform></translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s).</source>
        <translation><numerusform>%n 条连线。</numerusform></translation>
    </message>
    <message>
        <source>Select a node to edit its name and parameters.</source>
        <translation>选择一个节点以编辑其名称和参数。</translation>
    </message>
</context>
<context>
    <name>InspectorSpecs</name>
    <message>
        <source>0 keeps the proportion; otherwise 128–4096 px</source>
        <translation>0 表示保持比例；否则 128–4096 px</translation>
    </message>
    <message>
        <source>Definition label</source>
        <translation>清晰度标签</translation>
    </message>
    <message>
        <source>Used in output names as {definition}, e.g. HD</source>
        <translation>在输出文件名中作为 {definition}，如 HD</translation>
    </message>
    <message>
        <source>Container</source>
        <translation>封装格式</translation>
    </message>
    <message>
        <source>Video codec</source>
        <translation>视频编码</translation>
    </message>
    <message>
        <source>Short side</source>
        <translation>短边</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Scale the shorter side to this (beats width/height)</source>
        <translation>将短边缩放到此值（优先于宽/高）</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>0 follows the height (aspect kept)</source>
        <translation>0 表示随高度（保持宽高比）</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>0 follows the width (aspect kept)</source>
        <translation>0 表示随宽度（保持宽高比）</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>帧率</translation>
    </message>
    <message>
        <source>keep source</source>
        <translation>保持源</translation>
    </message>
    <message>
        <source>Quality (CRF)</source>
        <translation>质量（CRF）</translation>
    </message>
    <message>
        <source>Lower is better; 18–28 is usual. Ignored when a bitrate is set.</source>
        <translation>越低质量越好；常用 18–28。设置码率时忽略。</translation>
    </message>
    <message>
        <source>Video bitrate</source>
        <translation>视频码率</translation>
    </message>
    <message>
        <source>use CRF</source>
        <translation>使用 CRF</translation>
    </message>
    <message>
        <source>Encoder preset</source>
        <translation>编码预设</translation>
    </message>
    <message>
        <source>Audio codec</source>
        <translation>音频编码</translation>
    </message>
    <message>
        <source>Audio bitrate</source>
        <translation>音频码率</translation>
    </message>
    <message>
        <source>Sample rate</source>
        <translation>采样率</translation>
    </message>
    <message>
        <source>0 keeps the source rate</source>
        <translation>0 表示保持源采样率</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>声道数</translation>
    </message>
    <message>
        <source>keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Audio track</source>
        <translation>音轨</translation>
    </message>
    <message>
        <source>Empty: the input's default track; a number (2 = second track) or a language (eng)</source>
        <translation>留空：输入的默认音轨；也可填序号（2 = 第二条音轨）或语言（eng）</translation>
    </message>
    <message>
        <source>HDR source</source>
        <translation>HDR 源</translation>
    </message>
    <message>
        <source>auto: tone-map to SDR unless the codec is h265/av1; keep: 10-bit HDR; tonemap: always SDR</source>
        <translation>自动：除非编码为 h265/av1，否则色调映射为 SDR；保留：10 位 HDR；色调映射：始终为 SDR</translation>
    </message>
    <message>
        <source>Deinterlace</source>
        <translation>去隔行</translation>
    </message>
    <message>
        <source>auto: when the source is interlaced (broadcast, DV, camcorders)</source>
        <translation>自动：当源为隔行扫描时（广播、DV、摄像机）</translation>
    </message>
    <message>
        <source>Subtitles</source>
        <translation>字幕</translation>
    </message>
    <message>
        <source>keep: copy text subtitles into the output (mp4, mov, mkv, webm)</source>
        <translation>保留：将文本字幕复制到输出（mp4、mov、mkv、webm）</translation>
    </message>
    <message>
        <source>Output name</source>
        <translation>输出文件名</translation>
    </message>
    <message>
        <source>Template, e.g. {inputName}_{definition}.{ext}; empty = default</source>
        <translation>模板，如 {inputName}_{definition}.{ext}；留空 = 默认</translation>
    </message>
    <message>
        <source>Time points</source>
        <translation>时间点</translation>
    </message>
    <message>
        <source>Each as seconds (3.5s) or percent (25%)</source>
        <translation>每项为秒数（3.5s）或百分比（25%）</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>File numbers</source>
        <translation>文件编号</translation>
    </message>
    <message>
        <source>How {number} is written: first number, step, digits and the padding character</source>
        <translation>{number} 的写法：起始编号、步长、位数和填充字符</translation>
    </message>
    <message>
        <source>Template; empty = default</source>
        <translation>模板；留空 = 默认</translation>
    </message>
    <message>
        <source>Every</source>
        <translation>间隔</translation>
    </message>
    <message>
        <source>Seconds (5s) or percent of the duration (10%)</source>
        <translation>秒数（5s）或时长的百分比（10%）</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Seconds or percent; negative counts back from the end</source>
        <translation>秒数或百分比；负数表示从结尾倒数</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>One cell per interval: seconds (2s) or percent</source>
        <translation>每个间隔一个单元格：秒数（2s）或百分比</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>列数</translation>
    </message>
    <message>
        <source>Cell width</source>
        <translation>单元格宽度</translation>
    </message>
    <message>
        <source>0 follows the height; else 16–4096 px</source>
        <translation>0 表示随高度；否则 16–4096 px</translation>
    </message>
    <message>
        <source>Cell height</source>
        <translation>单元格高度</translation>
    </message>
    <message>
        <source>0 follows the width; else 16–4096 px</source>
        <translation>0 表示随宽度；否则 16–4096 px</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>A PNG with transparency; relative to the workflow file</source>
        <translation>带透明通道的 PNG；路径相对于工作流文件</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>The text to draw</source>
        <translation>要绘制的文字</translation>
    </message>
    <message>
        <source>Font size</source>
        <translation>字号</translation>
    </message>
    <message>
        <source>Text height in pixels of the video, as FFmpeg draws it</source>
        <translation>文字高度，以视频像素计（按 FFmpeg 的绘制方式）</translation>
    </message>
    <message>
        <source>Font colour</source>
        <translation>字体颜色</translation>
    </message>
    <message>
        <source>A colour name or #rrggbb</source>
        <translation>颜色名称或 #rrggbb</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Horizontal offset</source>
        <translation>水平偏移</translation>
    </message>
    <message>
        <source>From the chosen edge: 16px or 3%</source>
        <translation>距所选边缘：16px 或 3%</translation>
    </message>
    <message>
        <source>Vertical offset</source>
        <translation>垂直偏移</translation>
    </message>
    <message>
        <source>Of the video width (18%) or pixels; 0 keeps the image size</source>
        <translation>相对视频宽度（18%）或像素；0 表示保持图片原尺寸</translation>
    </message>
    <message>
        <source>From</source>
        <translation>起始</translation>
    </message>
    <message>
        <source>Empty: from the beginning; else 3s or 10%</source>
        <translation>留空：从开头开始；否则如 3s 或 10%</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>结束于</translation>
    </message>
    <message>
        <source>Empty: to the end; else 3s or 10%</source>
        <translation>留空：直到结尾；否则如 3s 或 10%</translation>
    </message>
    <message>
        <source>Used when the watermark runs on its own</source>
        <translation>水印单独运行时使用</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Zoom {0}%</source>
        <translation>缩放 {0}%</translation>
    </message>
    <message>
        <source>Canvas zoom (mouse wheel; Fit to View)</source>
        <translation>画布缩放（鼠标滚轮；适应视图）</translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation>工作流</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Run list</source>
        <translation>任务列表</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Import MPS workflow…</source>
        <translation>导入 MPS 工作流(&amp;I)…</translation>
    </message>
    <message>
        <source>Open an MPS CreateWorkflow request (or DescribeWorkflows entry) as a drawn workflow</source>
        <translation>将 MPS CreateWorkflow 请求（或 DescribeWorkflows 条目）打开为绘制的工作流</translation>
    </message>
    <message>
        <source>&amp;Export as MPS workflow…</source>
        <translation>导出为 MPS 工作流(&amp;E)…</translation>
    </message>
    <message>
        <source>Write this workflow as an MPS CreateWorkflow (or CreateSchedule) request</source>
        <translation>将此工作流写为 MPS CreateWorkflow（或 CreateSchedule）请求</translation>
    </message>
    <message>
        <source>&amp;Process files…</source>
        <translation>处理文件(&amp;P)…</translation>
    </message>
    <message>
        <source>Run the workflow on files (or drop files or folders on the window)</source>
        <translation>对文件运行工作流（也可以把文件或文件夹拖到窗口上）</translation>
    </message>
    <message>
        <source>Process &amp;folder…</source>
        <translation>处理文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Run the workflow on every media file in a folder and its subfolders</source>
        <translation>对文件夹及其子文件夹中的每个媒体文件运行工作流</translation>
    </message>
    <message>
        <source>Pre&amp;view…</source>
        <translation>预览(&amp;V)…</translation>
    </message>
    <message>
        <source>Run the workflow on the first seconds of a file into a temporary folder and show the outputs</source>
        <translation>对文件的开头几秒运行工作流，输出到临时文件夹并显示结果</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Undo {0}</source>
        <translation>撤销：{0}</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo {0}</source>
        <translation>重做：{0}</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Duplicate</source>
        <translation>创建副本(&amp;D)</translation>
    </message>
    <message>
        <source>De&amp;lete</source>
        <translation>删除(&amp;L)</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>Actual Size</source>
        <translation>实际大小</translation>
    </message>
    <message>
        <source>&amp;Fit to View</source>
        <translation>适应视图(&amp;F)</translation>
    </message>
    <message>
        <source>Auto-&amp;Layout</source>
        <translation>自动布局(&amp;L)</translation>
    </message>
    <message>
        <source>Arrange nodes left to right by their order</source>
        <translation>按顺序从左到右排列节点</translation>
    </message>
    <message>
        <source>&amp;Snap to Grid</source>
        <translation>对齐网格(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Cancel Run</source>
        <translation>取消任务(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Retry Run</source>
        <translation>重试任务(&amp;R)</translation>
    </message>
    <message>
        <source>Run &amp;Details…</source>
        <translation>任务详情(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Runs</source>
        <translation>任务(&amp;R)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Buckets</source>
        <translation>存储桶</translation>
    </message>
    <message>
        <source>Bindings</source>
        <translation>绑定</translation>
    </message>
    <message numerus="yes">
        <source>Problems (%n)</source>
        <translation><numerusform>问题（%n）</numerusform></translation>
    </message>
    <message>
        <source>Process files with this workflow</source>
        <translation>用此工作流处理文件</translation>
    </message>
    <message>
        <source>Media ({0});;All files (*)</source>
        <translation>媒体文件 ({0});;所有文件 (*)</translation>
    </message>
    <message numerus="yes">
        <source>The workflow has %n problem(s); fix them before running.</source>
        <translation><numerusform>工作流有 %n 个问题；请在运行前修复。</numerusform></translation>
    </message>
    <message>
        <source>Nothing to run: {0}.</source>
        <translation>没有可运行的内容：{0}。</translation>
    </message>
    <message>
        <source>no media files found</source>
        <translation>未找到媒体文件</translation>
    </message>
    <message numerus="yes">
        <source>Started %n run(s)</source>
        <translation><numerusform>已启动 %n 个任务</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) in progress</source>
        <translation><numerusform>%n 个任务运行中</numerusform></translation>
    </message>
    <message>
        <source>Runs in progress</source>
        <translation>任务运行中</translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) are still in progress. Cancel them and quit?</source>
        <translation><numerusform>仍有 %n 个任务在运行。取消它们并退出吗？</numerusform></translation>
    </message>
</context>
<context>
    <name>MpsMenu</name>
    <message>
        <source>MPS request (*.json);;All files (*)</source>
        <translation>MPS 请求 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>MediaFlow workflow (*.mfw.json)</source>
        <translation>MediaFlow 工作流 (*.mfw.json)</translation>
    </message>
    <message>
        <source>Import MPS workflow</source>
        <translation>导入 MPS 工作流</translation>
    </message>
    <message>
        <source>Export as MPS workflow</source>
        <translation>导出为 MPS 工作流</translation>
    </message>
    <message>
        <source>Cannot import the MPS workflow</source>
        <translation>无法导入 MPS 工作流</translation>
    </message>
    <message>
        <source>Imported {0} “{1}” from {2}.</source>
        <translation>已从 {2} 导入 {0}“{1}”。</translation>
    </message>
    <message>
        <source>Its trigger was not kept as a binding.</source>
        <translation>其触发器未保留为绑定。</translation>
    </message>
    <message>
        <source>Warnings:</source>
        <translation>警告：</translation>
    </message>
    <message>
        <source>MPS workflow imported</source>
        <translation>已导入 MPS 工作流</translation>
    </message>
    <message>
        <source>Its trigger is the binding “{0}” (bucket {1} on the embedded store), saved disabled: enable it in the Bindings page.</source>
        <translation>其触发器为绑定“{0}”（内置存储上的存储桶 {1}），已保存为停用状态：请在“绑定”页中启用。</translation>
    </message>
    <message>
        <source>Its trigger is saved as the binding file {0} (run it with `mediaflow watch`).</source>
        <translation>其触发器已保存为绑定文件 {0}（用 `mediaflow watch` 运行）。</translation>
    </message>
    <message>
        <source>Keep the trigger?</source>
        <translation>保留触发器吗？</translation>
    </message>
    <message>
        <source>This MPS workflow starts on uploads to a bucket. Keep that as a binding? The workflow is then saved to a file the binding runs.</source>
        <translation>此 MPS 工作流在文件上传到存储桶时启动。要将其保留为绑定吗？工作流随后会保存为由该绑定运行的文件。</translation>
    </message>
    <message>
        <source>Save the imported workflow</source>
        <translation>保存导入的工作流</translation>
    </message>
    <message>
        <source>Cannot export as an MPS workflow</source>
        <translation>无法导出为 MPS 工作流</translation>
    </message>
    <message>
        <source>Saved the {0} request to {1}.</source>
        <translation>已将 {0} 请求保存到 {1}。</translation>
    </message>
    <message>
        <source>A task reads another task's output, which an MPS workflow cannot do: it became an MPS schedule (Activities).</source>
        <translation>有任务读取另一个任务的输出，MPS 工作流无法做到这一点：已转为 MPS 编排（Activities）。</translation>
    </message>
    <message>
        <source>Trigger and output from the binding “{0}”.</source>
        <translation>触发器和输出来自绑定“{0}”。</translation>
    </message>
    <message>
        <source>Created the {0} template {1} in the local template store.</source>
        <translation>已在本地模板库中创建 {0} 模板 {1}。</translation>
    </message>
    <message>
        <source>Exported as MPS workflow</source>
        <translation>已导出为 MPS 工作流</translation>
    </message>
</context>
<context>
    <name>NodeDescriptions</name>
    <message>
        <source>Where the input file enters the workflow (one per workflow).</source>
        <translation>输入文件进入工作流的位置（每个工作流一个）。</translation>
    </message>
    <message>
        <source>Fans the input out to tasks that run in parallel.</source>
        <translation>将输入分发给并行运行的任务。</translation>
    </message>
    <message>
        <source>Waits for every branch before going on.</source>
        <translation>等待所有分支完成后再继续。</translation>
    </message>
    <message>
        <source>Where the workflow ends (one per workflow).</source>
        <translation>工作流结束的位置（每个工作流一个）。</translation>
    </message>
    <message>
        <source>Re-encode to another container, codec, size or quality (SD, HD, FHD, audio only).</source>
        <translation>转为其他封装格式、编码、尺寸或质量（标清、高清、全高清、仅音频）。</translation>
    </message>
    <message>
        <source>Screenshots at time points (seconds or percent).</source>
        <translation>在指定时间点截图（秒数或百分比）。</translation>
    </message>
    <message>
        <source>Screenshots every N seconds or N percent.</source>
        <translation>每隔 N 秒或 N% 截图。</translation>
    </message>
    <message>
        <source>A GIF or animated WebP cut from the video.</source>
        <translation>从视频中截取 GIF 或动态 WebP。</translation>
    </message>
    <message>
        <source>Thumbnail sheets plus a WebVTT index for scrubbing previews.</source>
        <translation>缩略图拼图及 WebVTT 索引，用于拖动进度条时预览。</translation>
    </message>
    <message>
        <source>An image or text over the video; before a transcode it is applied inside it.</source>
        <translation>叠加在视频上的图片或文字；位于转码之前时在转码中一并完成。</translation>
    </message>
</context>
<context>
    <name>NodePainter</name>
    <message>
        <source>Unknown kind '{0}'</source>
        <translation>未知类型“{0}”</translation>
    </message>
    <message>
        <source>Running · {0}</source>
        <translation>运行中 · {0}</translation>
    </message>
</context>
<context>
    <name>NodeTooltip</name>
    <message>
        <source>Running {0}</source>
        <translation>运行中 {0}</translation>
    </message>
    <message>
        <source>Run: {0}</source>
        <translation>任务：{0}</translation>
    </message>
</context>
<context>
    <name>NumberFormatField</name>
    <message>
        <source>From</source>
        <translation>起始</translation>
    </message>
    <message>
        <source>The first file's number</source>
        <translation>第一个文件的编号</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步长</translation>
    </message>
    <message>
        <source>Added for each next file</source>
        <translation>每个后续文件增加的值</translation>
    </message>
    <message>
        <source>digits</source>
        <translation>位数</translation>
    </message>
    <message>
        <source>Padded to at least this many characters</source>
        <translation>填充到至少这么多个字符</translation>
    </message>
    <message>
        <source>pad</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>The padding character: 0, _ or a letter</source>
        <translation>填充字符：0、_ 或一个字母</translation>
    </message>
    <message>
        <source>Files: {0}</source>
        <translation>文件：{0}</translation>
    </message>
</context>
<context>
    <name>OffsetListField</name>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Write a time point as 3.5s or 25% (0–100%)</source>
        <translation>时间点写作 3.5s 或 25%（0–100%）</translation>
    </message>
</context>
<context>
    <name>Palette</name>
    <message>
        <source>Search nodes…</source>
        <translation>搜索节点…</translation>
    </message>
</context>
<context>
    <name>PreviewController</name>
    <message>
        <source>Preview {0}: {1}</source>
        <translation>预览 {0}：{1}</translation>
    </message>
</context>
<context>
    <name>PreviewRangeDialog</name>
    <message>
        <source>Preview the workflow</source>
        <translation>预览工作流</translation>
    </message>
    <message>
        <source>Runs the workflow on a short excerpt into a temporary folder and shows the outputs.</source>
        <translation>对一小段片段运行工作流，输出到临时文件夹并显示结果。</translation>
    </message>
    <message>
        <source>Choose a media file…</source>
        <translation>选择媒体文件…</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Start at</source>
        <translation>起始时间</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Preview on which file?</source>
        <translation>在哪个文件上预览？</translation>
    </message>
    <message>
        <source>Media ({0});;All files (*)</source>
        <translation>媒体文件 ({0});;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose the file to preview on.</source>
        <translation>请选择用于预览的文件。</translation>
    </message>
    <message>
        <source>'{0}' is not a file.</source>
        <translation>“{0}”不是文件。</translation>
    </message>
</context>
<context>
    <name>ProblemsPanel</name>
    <message numerus="yes">
        <source>%n problem(s): the workflow cannot run until they are fixed.</source>
        <translation><numerusform>%n 个问题：修复之前工作流无法运行。</numerusform></translation>
    </message>
    <message>
        <source>No problems: the workflow is ready to run.</source>
        <translation>没有问题：工作流可以运行。</translation>
    </message>
</context>
<context>
    <name>ProcessEntry</name>
    <message>
        <source>FFmpeg wrote no warnings or errors (it logs at level "warning").</source>
        <translation>FFmpeg 没有输出警告或错误（日志级别为“warning”）。</translation>
    </message>
    <message>
        <source>one process for {0} steps (fused)</source>
        <translation>{0} 个步骤共用一个进程（融合）</translation>
    </message>
    <message>
        <source>one step</source>
        <translation>单个步骤</translation>
    </message>
    <message>
        <source>Process {0}</source>
        <translation>进程 {0}</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the command to the clipboard</source>
        <translation>将命令复制到剪贴板</translation>
    </message>
    <message>
        <source>Last lines FFmpeg wrote (stderr)</source>
        <translation>FFmpeg 最后输出的几行（stderr）</translation>
    </message>
    <message>
        <source>FFmpeg is running; its log shows when it ends.</source>
        <translation>FFmpeg 正在运行；结束后显示其日志。</translation>
    </message>
</context>
<context>
    <name>Replay</name>
    <message>
        <source>in {0}</source>
        <translation>在 {0} 中</translation>
    </message>
    <message>
        <source>Applied inside {0} (no FFmpeg process of its own)</source>
        <translation>在 {0} 中完成（没有独立的 FFmpeg 进程）</translation>
    </message>
    <message>
        <source>{0} · did not run</source>
        <translation>{0} · 未运行</translation>
    </message>
    <message>
        <source>Started +{0} s, ended +{1} s ({2} s)</source>
        <translation>开始于 +{0} 秒，结束于 +{1} 秒（{2} 秒）</translation>
    </message>
    <message>
        <source>One FFmpeg process with {0}</source>
        <translation>与 {0} 共用一个 FFmpeg 进程</translation>
    </message>
    <message>
        <source>Total {0}</source>
        <translation>总计 {0}</translation>
    </message>
</context>
<context>
    <name>ReplayDialog</name>
    <message>
        <source>Replay — {0}</source>
        <translation>回放 — {0}</translation>
    </message>
    <message>
        <source>Timeline — where the time went (hover a bar for its exact times)</source>
        <translation>时间线 — 时间花在了哪里（将鼠标悬停在条上查看准确时间）</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <source>Fit the workflow in the view (F)</source>
        <translation>使工作流适应视图（F）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close the replay (Esc)</source>
        <translation>关闭回放（Esc）</translation>
    </message>
    <message>
        <source>This run kept no workflow snapshot (it ran before snapshots were stored).</source>
        <translation>此任务没有保存工作流快照（它在开始保存快照之前运行）。</translation>
    </message>
    <message>
        <source>The workflow snapshot of run {0} cannot be read: {1}</source>
        <translation>无法读取任务 {0} 的工作流快照：{1}</translation>
    </message>
    <message>
        <source>started {0}</source>
        <translation>开始于 {0}</translation>
    </message>
    <message>
        <source>never started</source>
        <translation>从未开始</translation>
    </message>
    <message numerus="yes">
        <source>{0} steps in %n fused FFmpeg process(es)</source>
        <translation><numerusform>{0} 个步骤融合在 %n 个 FFmpeg 进程中</numerusform></translation>
    </message>
</context>
<context>
    <name>ResultsTarget</name>
    <message>
        <source>Results to:</source>
        <translation>结果存放到：</translation>
    </message>
    <message>
        <source>Where the results of the next files you process go</source>
        <translation>接下来处理的文件的结果存放位置</translation>
    </message>
    <message>
        <source>The default results folder: {0}</source>
        <translation>默认结果文件夹：{0}</translation>
    </message>
    <message>
        <source>Next to each input</source>
        <translation>各输入文件旁</translation>
    </message>
    <message>
        <source>In the folder of each input file</source>
        <translation>在每个输入文件所在的文件夹中</translation>
    </message>
    <message>
        <source>The folder chosen last: {0}</source>
        <translation>上次选择的文件夹：{0}</translation>
    </message>
    <message>
        <source>Choose folder…</source>
        <translation>选择文件夹…</translation>
    </message>
    <message>
        <source>results in {0}</source>
        <translation>结果存放在 {0}</translation>
    </message>
    <message>
        <source>results next to each input</source>
        <translation>结果存放在各输入文件旁</translation>
    </message>
</context>
<context>
    <name>RunDetailsDialog</name>
    <message>
        <source>Workflow</source>
        <translation>工作流</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Run {0}</source>
        <translation>任务 {0}</translation>
    </message>
    <message>
        <source>Subtasks</source>
        <translation>子任务</translation>
    </message>
    <message>
        <source>Open output folder</source>
        <translation>打开输出文件夹</translation>
    </message>
    <message>
        <source>Replay on canvas</source>
        <translation>在画布上回放</translation>
    </message>
    <message>
        <source>The workflow as this run ran it, each node's time and outputs, and a timeline</source>
        <translation>此任务运行时的工作流、每个节点的耗时和输出，以及时间线</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>Could not read run {0}: {1}</source>
        <translation>无法读取任务 {0}：{1}</translation>
    </message>
    <message>
        <source>No run with TaskId {0} in the task store.</source>
        <translation>任务库中没有 TaskId 为 {0} 的任务。</translation>
    </message>
</context>
<context>
    <name>RunFormatting</name>
    <message>
        <source>{0}s</source>
        <translation>{0}秒</translation>
    </message>
    <message>
        <source>{0}m {1}s</source>
        <translation>{0}分{1}秒</translation>
    </message>
    <message>
        <source>{0}h {1}m</source>
        <translation>{0}小时{1}分</translation>
    </message>
    <message>
        <source>bucket</source>
        <translation>存储桶</translation>
    </message>
</context>
<context>
    <name>SecretField</name>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Keep both (the new file gets “ (1)”)</source>
        <translation>保留两者（新文件名加“ (1)”）</translation>
    </message>
    <message>
        <source>Overwrite the existing file</source>
        <translation>覆盖已有文件</translation>
    </message>
    <message>
        <source>Skip (keep the existing file)</source>
        <translation>跳过（保留已有文件）</translation>
    </message>
    <message>
        <source>the input's name without its extension (“holiday clip”)</source>
        <translation>输入文件不含扩展名的名称（“holiday clip”）</translation>
    </message>
    <message>
        <source>the input's extension (“mov”)</source>
        <translation>输入文件的扩展名（“mov”）</translation>
    </message>
    <message>
        <source>the task node's name</source>
        <translation>任务节点的名称</translation>
    </message>
    <message>
        <source>a transcode's definition label (“HD”); for images their size (“320x180”)</source>
        <translation>转码的清晰度标签（“HD”）；图片则为其尺寸（“320x180”）</translation>
    </message>
    <message>
        <source>01, 02 … for tasks that write several files</source>
        <translation>输出多个文件的任务依次为 01、02 …</translation>
    </message>
    <message>
        <source>the image format (“jpg”, “gif”)</source>
        <translation>图片格式（“jpg”、“gif”）</translation>
    </message>
    <message>
        <source>the output's extension (“mp4”)</source>
        <translation>输出文件的扩展名（“mp4”）</translation>
    </message>
    <message>
        <source>An empty field uses the default shown in it. Placeholders:</source>
        <translation>留空则使用框中显示的默认值。占位符：</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show the output folder in the file manager</source>
        <translation>在文件管理器中显示输出文件夹</translation>
    </message>
    <message>
        <source>Write results next to each input instead (the tool bar's “Results to”)</source>
        <translation>改为把结果写在各输入文件旁（即工具栏的“结果存放到”）</translation>
    </message>
    <message>
        <source>A folder per input when a run writes several files (&lt;results&gt;/&lt;inputName&gt;/)</source>
        <translation>任务输出多个文件时为每个输入建一个文件夹（&lt;results&gt;/&lt;inputName&gt;/）</translation>
    </message>
    <message>
        <source>When a result's name is taken in the output folder. Input files are never overwritten.</source>
        <translation>当输出文件夹中已有同名结果时。输入文件永远不会被覆盖。</translation>
    </message>
    <message>
        <source>When a file exists</source>
        <translation>文件已存在时</translation>
    </message>
    <message>
        <source>Sprite index (VTT)</source>
        <translation>雪碧图索引（VTT）</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>处理</translation>
    </message>
    <message>
        <source> threads</source>
        <translation> 个线程</translation>
    </message>
    <message>
        <source>Concurrency limit</source>
        <translation>并发上限</translation>
    </message>
    <message>
        <source>CPU threads shared by every FFmpeg process of every run; applies to new tasks.</source>
        <translation>所有任务的所有 FFmpeg 进程共享的 CPU 线程数；对新任务生效。</translation>
    </message>
    <message>
        <source>Decode once for sibling tasks (one FFmpeg process per input)</source>
        <translation>同级任务只解码一次（每个输入一个 FFmpeg 进程）</translation>
    </message>
    <message>
        <source>Fusion</source>
        <translation>融合</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source> times</source>
        <translation> 次</translation>
    </message>
    <message>
        <source>A bucket run that failed because a store did not answer (download or upload) runs again after 2 s, 10 s, 30 s, 1 min … FFmpeg failures on bad media are never retried.</source>
        <translation>因存储无响应（下载或上传）而失败的存储桶任务，会在 2 秒、10 秒、30 秒、1 分钟……后重新运行。因媒体损坏导致的 FFmpeg 失败不会重试。</translation>
    </message>
    <message>
        <source>Retry on store errors</source>
        <translation>存储出错时重试</translation>
    </message>
    <message>
        <source>FFmpeg binary</source>
        <translation>FFmpeg 可执行文件</translation>
    </message>
    <message>
        <source>Automatic (PATH's if it can do the job, else the bundled one)</source>
        <translation>自动（PATH 中的可用则用它，否则用内置的）</translation>
    </message>
    <message>
        <source>Looking for FFmpeg…</source>
        <translation>正在查找 FFmpeg…</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>正在使用</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Applies at the next start of MediaFlow.</source>
        <translation>下次启动 MediaFlow 时生效。</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>Notify me when a run ends</source>
        <translation>任务结束时通知我</translation>
    </message>
    <message>
        <source>… when it succeeded</source>
        <translation>…… 成功时</translation>
    </message>
    <message>
        <source>… when it failed or was canceled</source>
        <translation>…… 失败或被取消时</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Every run — a dropped file, a command-line run, a bucket run — sends its run-finished event here, success and failure alike, besides a binding's own targets. Saved in {0} (mediaflow run and watch use it too).</source>
        <translation>每个任务（拖入的文件、命令行运行、存储桶触发）结束时，无论成功或失败，都会把任务结束事件发送到这里，绑定自己的目标另行发送。保存在 {0}（mediaflow run 和 watch 也会使用）。</translation>
    </message>
    <message>
        <source>{0}. Fix or remove the file to edit the targets here.</source>
        <translation>{0}。请修复或删除该文件后再在此编辑目标。</translation>
    </message>
    <message>
        <source>MPS API</source>
        <translation>MPS API</translation>
    </message>
    <message>
        <source>Serve the MPS API on 127.0.0.1:</source>
        <translation>在 127.0.0.1 上提供 MPS API，端口：</translation>
    </message>
    <message>
        <source>Local API</source>
        <translation>本地 API</translation>
    </message>
    <message>
        <source>Code written for the cloud service's SDK runs here: {0}. Only this computer can connect.</source>
        <translation>为云服务 SDK 编写的代码可在此运行：{0}。仅本机可以连接。</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>unavailable: {0}</source>
        <translation>不可用：{0}</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the {0} to the clipboard</source>
        <translation>将 {0} 复制到剪贴板</translation>
    </message>
    <message>
        <source>Could not save the event targets: {0}</source>
        <translation>无法保存事件目标：{0}</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Canceled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
</context>
<context>
    <name>StorageController</name>
    <message>
        <source>Could not create the default buckets: {0}</source>
        <translation>无法创建默认存储桶：{0}</translation>
    </message>
    <message>
        <source>starting the enabled bindings</source>
        <translation>启动已启用的绑定</translation>
    </message>
    <message>
        <source>Embedded bucket store running at {0}</source>
        <translation>内置存储桶服务运行于 {0}</translation>
    </message>
    <message>
        <source>The embedded bucket store could not start (see the Buckets page)</source>
        <translation>内置存储桶服务无法启动（见“存储桶”页）</translation>
    </message>
    <message>
        <source>Embedded bucket store {0}</source>
        <translation>内置存储桶服务{0}</translation>
    </message>
    <message>
        <source>{0} failed: {1}</source>
        <translation>{0}失败：{1}</translation>
    </message>
    <message>
        <source>starting the binding</source>
        <translation>启动绑定</translation>
    </message>
    <message>
        <source>stopping the binding</source>
        <translation>停止绑定</translation>
    </message>
    <message>
        <source>deleting the binding</source>
        <translation>删除绑定</translation>
    </message>
    <message>
        <source>restarting the binding</source>
        <translation>重启绑定</translation>
    </message>
</context>
<context>
    <name>SubtaskCard</name>
    <message>
        <source>FFmpeg command and log</source>
        <translation>FFmpeg 命令与日志</translation>
    </message>
    <message numerus="yes">
        <source>+ %n more image(s) in the output folder</source>
        <translation><numerusform>输出文件夹中还有 %n 张图片</numerusform></translation>
    </message>
</context>
<context>
    <name>TaskPanel</name>
    <message>
        <source>Search by TaskId or input…</source>
        <translation>按 TaskId 或输入搜索…</translation>
    </message>
    <message>
        <source>Cancel the selected runs</source>
        <translation>取消所选任务</translation>
    </message>
    <message>
        <source>Retry the selected run</source>
        <translation>重试所选任务</translation>
    </message>
    <message>
        <source>Details of the selected run</source>
        <translation>所选任务的详情</translation>
    </message>
    <message>
        <source>Pause the queue: start no further run (running ones finish)</source>
        <translation>暂停队列：不再启动新任务（运行中的任务会完成）</translation>
    </message>
    <message>
        <source>Pause queue</source>
        <translation>暂停队列</translation>
    </message>
    <message>
        <source>Clear finished runs from the list (they stay in the task history)</source>
        <translation>从列表中清除已结束的任务（仍保留在任务历史中）</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>清除已结束</translation>
    </message>
    <message numerus="yes">
        <source>%n running</source>
        <translation><numerusform>%n 个运行中</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n queued (paused)</source>
        <translation><numerusform>%n 个排队中（已暂停）</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation><numerusform>%n 个排队中</numerusform></translation>
    </message>
    <message>
        <source>about {0} left</source>
        <translation>约剩 {0}</translation>
    </message>
    <message>
        <source>estimating time left…</source>
        <translation>正在估算剩余时间…</translation>
    </message>
    <message>
        <source>Resume queue</source>
        <translation>恢复队列</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Replay on canvas</source>
        <translation>在画布上回放</translation>
    </message>
    <message>
        <source>The workflow as this run ran it, each node's time and outputs, and a timeline</source>
        <translation>此任务运行时的工作流、每个节点的耗时和输出，以及时间线</translation>
    </message>
    <message>
        <source>Open output folder</source>
        <translation>打开输出文件夹</translation>
    </message>
    <message>
        <source>Reveal file</source>
        <translation>显示文件位置</translation>
    </message>
    <message>
        <source>Retry with its own workflow</source>
        <translation>用它自己的工作流重试</translation>
    </message>
    <message>
        <source>The workflow exactly as this run used it (its snapshot)</source>
        <translation>与此任务所用完全相同的工作流（其快照）</translation>
    </message>
    <message>
        <source>Retry with the current workflow</source>
        <translation>用当前工作流重试</translation>
    </message>
    <message>
        <source>The workflow drawn in the editor now</source>
        <translation>编辑器中当前绘制的工作流</translation>
    </message>
    <message>
        <source>Cancel {0} runs</source>
        <translation>取消 {0} 个任务</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Move to top</source>
        <translation>移到顶部</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Move to bottom</source>
        <translation>移到底部</translation>
    </message>
    <message>
        <source>Copy TaskId</source>
        <translation>复制 TaskId</translation>
    </message>
</context>
<context>
    <name>TaskTableModel</name>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Queued (paused)</source>
        <translation>排队中（已暂停）</translation>
    </message>
    <message>
        <source>Queued (next)</source>
        <translation>排队中（下一个）</translation>
    </message>
    <message>
        <source>Queued ({0} ahead)</source>
        <translation>排队中（前面 {0} 个）</translation>
    </message>
    <message>
        <source>Delivered by the bucket binding (no local folder)</source>
        <translation>由存储桶绑定交付（无本地文件夹）</translation>
    </message>
    <message>
        <source>Estimated from FFmpeg's speed and the input's duration (or the run's pace so far)</source>
        <translation>根据 FFmpeg 的速度和输入时长（或任务目前的进度）估算</translation>
    </message>
</context>
<context>
    <name>TimelineChart</name>
    <message>
        <source>{0} min</source>
        <translation>{0} 分钟</translation>
    </message>
    <message>
        <source>1 FFmpeg process · {0} steps</source>
        <translation>1 个 FFmpeg 进程 · {0} 个步骤</translation>
    </message>
    <message>
        <source>Start: +{0} s  ({1})</source>
        <translation>开始：+{0} 秒  （{1}）</translation>
    </message>
    <message>
        <source>End: +{0} s  ({1})</source>
        <translation>结束：+{0} 秒  （{1}）</translation>
    </message>
    <message>
        <source>Duration: {0} s</source>
        <translation>时长：{0} 秒</translation>
    </message>
    <message>
        <source>Outputs: {0}</source>
        <translation>输出：{0}</translation>
    </message>
    <message>
        <source>One FFmpeg process with: {0}</source>
        <translation>共用一个 FFmpeg 进程：{0}</translation>
    </message>
    <message>
        <source>Applied inside: {0}</source>
        <translation>在以下节点中完成：{0}</translation>
    </message>
    <message>
        <source>This run has no steps to show.</source>
        <translation>此任务没有可显示的步骤。</translation>
    </message>
    <message>
        <source>{0} — did not run</source>
        <translation>{0} — 未运行</translation>
    </message>
    <message>
        <source>applied inside {0}</source>
        <translation>在 {0} 中完成</translation>
    </message>
</context>
<context>
    <name>Toast</name>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>UndoCommands</name>
    <message>
        <source>Add {0}</source>
        <translation>添加 {0}</translation>
    </message>
    <message>
        <source>Add {0} nodes</source>
        <translation>添加 {0} 个节点</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n node(s)</source>
        <translation><numerusform>删除 %n 个节点</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n connection(s)</source>
        <translation><numerusform>删除 %n 条连线</numerusform></translation>
    </message>
    <message>
        <source>Connect {0} → {1}</source>
        <translation>连接 {0} → {1}</translation>
    </message>
    <message numerus="yes">
        <source>Move %n node(s)</source>
        <translation><numerusform>移动 %n 个节点</numerusform></translation>
    </message>
    <message>
        <source>Change {0} of {1}</source>
        <translation>修改 {1} 的 {0}</translation>
    </message>
    <message>
        <source>parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Rename {0}</source>
        <translation>重命名 {0}</translation>
    </message>
    <message>
        <source>Rename workflow</source>
        <translation>重命名工作流</translation>
    </message>
    <message>
        <source>Change workflow description</source>
        <translation>修改工作流描述</translation>
    </message>
    <message>
        <source>Change workflow name and description</source>
        <translation>修改工作流名称和描述</translation>
    </message>
</context>
<context>
    <name>UploadDialog</name>
    <message>
        <source>Upload to a bucket</source>
        <translation>上传到存储桶</translation>
    </message>
    <message>
        <source>optional, e.g. incoming/</source>
        <translation>可选，如 incoming/</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s), {0} MB: {1}</source>
        <translation><numerusform>%n 个文件，{0} MB：{1}</numerusform></translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation>存储桶</translation>
    </message>
    <message>
        <source>Prefix</source>
        <translation>前缀</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>cannot list buckets: {0}</source>
        <translation>无法列出存储桶：{0}</translation>
    </message>
    <message>
        <source>choose a bucket</source>
        <translation>请选择存储桶</translation>
    </message>
    <message>
        <source>not a file: {0}</source>
        <translation>不是文件：{0}</translation>
    </message>
    <message>
        <source>Uploading…</source>
        <translation>上传中…</translation>
    </message>
    <message>
        <source>Uploading {0}…</source>
        <translation>正在上传 {0}…</translation>
    </message>
    <message numerus="yes">
        <source>Uploaded %n file(s):</source>
        <translation><numerusform>已上传 %n 个文件：</numerusform></translation>
    </message>
    <message>
        <source>upload failed: {0}</source>
        <translation>上传失败：{0}</translation>
    </message>
</context>
<context>
    <name>Vocabulary</name>
    <message>
        <source>Transcode</source>
        <translation>转码</translation>
    </message>
    <message>
        <source>Time-point snapshots</source>
        <translation>时间点截图</translation>
    </message>
    <message>
        <source>Sampled snapshots</source>
        <translation>采样截图</translation>
    </message>
    <message>
        <source>Animated image</source>
        <translation>转动图</translation>
    </message>
    <message>
        <source>Image sprite</source>
        <translation>雪碧图</translation>
    </message>
    <message>
        <source>Watermark</source>
        <translation>水印</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>汇合</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
</context>
<context>
    <name>WatermarkList</name>
    <message>
        <source>Text “{0}”</source>
        <translation>文字“{0}”</translation>
    </message>
    <message>
        <source>Text (empty)</source>
        <translation>文字（空）</translation>
    </message>
    <message>
        <source>Image {0}</source>
        <translation>图片 {0}</translation>
    </message>
    <message>
        <source>Image (none chosen)</source>
        <translation>图片（未选择）</translation>
    </message>
</context>
<context>
    <name>WatermarkListEditor</name>
    <message>
        <source>Add text</source>
        <translation>添加文字</translation>
    </message>
    <message>
        <source>Add image…</source>
        <translation>添加图片…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Watermark {0}</source>
        <translation>水印 {0}</translation>
    </message>
    <message>
        <source>Watermark {0}: {1}</source>
        <translation>水印 {0}：{1}</translation>
    </message>
    <message>
        <source>Add image watermark</source>
        <translation>添加图片水印</translation>
    </message>
    <message>
        <source>Add text watermark</source>
        <translation>添加文字水印</translation>
    </message>
    <message>
        <source>Remove watermark {0}</source>
        <translation>移除水印 {0}</translation>
    </message>
</context>
<context>
    <name>WatermarkPreview</name>
    <message>
        <source>Drop a file to preview on a real frame</source>
        <translation>拖入一个文件，在真实画面上预览</translation>
    </message>
    <message>
        <source>Taking a frame…</source>
        <translation>正在截取画面…</translation>
    </message>
    <message>
        <source>{0} has no picture to show; on a test card</source>
        <translation>{0} 没有可显示的画面；在测试卡上预览</translation>
    </message>
    <message>
        <source>On a frame of {0}</source>
        <translation>{0} 的一帧画面</translation>
    </message>
    <message>
        <source>, output {0}×{1}</source>
        <translation>，输出 {0}×{1}</translation>
    </message>
</context>
</TS>
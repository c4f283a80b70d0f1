"""A local server that answers the cloud media-processing service's API (MPS, version 2019-06-12) so
that code written against its official SDK runs on this machine: `mediaflow api serve`, or the switch
in the app's settings.

    tc3.py        TC3-HMAC-SHA256 request verification (the service's signature scheme)
    keys.py       the SecretId/SecretKey pair the app generates once (`<data dir>/api_keys.json`, 0600)
    errors.py     ApiError: the service's error code and message
    server.py     the asyncio HTTP/1.1 server on 127.0.0.1: parsing, auth, dispatch, the JSON envelope
    actions.py    the action table (ProcessMedia, DescribeTaskDetail, DescribeTasks, ManageTask,
                  ParseNotification) and how it is built from a Runtime
    task_input.py ProcessMedia's InputInfo/OutputStorage/MediaProcessTask → what the engine runs
    sessions.py   SQLite next to the task store: SessionId de-duplication and the API's workflows
    workflow_actions.py, template_actions.py  the workflow and template actions (over mediaflow_gui/mps)

No Qt: the GUI starts the same server on its own loop (ui/context.py).
"""

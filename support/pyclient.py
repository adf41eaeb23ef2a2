# The official Kubernetes Python client (python3-kubernetes 22, run with /usr/bin/python3), driven
# by the "clients" steps (steps/clients.steps.ts through support/clients.ts) as a user of that
# client would call it. One action per run; each prints JSON lines (one object per line) of what
# the client itself reported, so the steps compare the client's view with the API's.
# This client version patches as it chooses: a list body goes as a JSON patch, a dict as a
# strategic merge patch; it has no merge patch and no server-side apply.
#
# Usage: /usr/bin/python3 support/pyclient.py KUBECONFIG NAMESPACE
# then one request a line on stdin, {"id": n, "action": ..., "args": [...]}, each answered by one
# line {"id": n, "reply": {...}} or {"id": n, "error": "..."}; one process serves a whole
# scenario (importing the client takes about a second). Actions:
#   watch                           {"ready": rv} once listed; then the watch, in a thread, prints
#                                   {"event": {"type", "name"}} per event
#   create NAME KEY=VALUE           a config map; {"name", "data"}
#   list                            {"names"}
#   patch NAME json|strategic KEY=VALUE   {"data"}
#   delete NAME                     {"deleted"}
#   exec POD INPUT COMMAND...       {"stdout", "stderr", "exitCode"} (exitCode: the client's returncode)
#   portforward POD PORT PATH       an HTTP GET through the forwarded port; {"body"}
import json
import signal
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.stream import portforward, stream

# the kubeconfig's certificates and key are written to temp files that only a normal exit
# removes (atexit): the kit ends this process with SIGTERM, so SIGTERM exits normally
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

kubeconfig, ns = sys.argv[1], sys.argv[2]
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()


lock = threading.Lock()


def say(obj):
    with lock:
        print(json.dumps(obj), flush=True)


def pair(kv):
    key, value = kv.split("=", 1)
    return {key: value}


def watch_config_maps():
    # a watch from the list's resourceVersion misses nothing created after the list
    rv = core.list_namespaced_config_map(ns).metadata.resource_version

    def run():
        for e in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=60):
            say({"event": {"type": e["type"], "name": e["object"].metadata.name}})

    threading.Thread(target=run, daemon=True).start()
    return {"ready": rv}


def create(name, kv):
    made = core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data=pair(kv)))
    return {"name": made.metadata.name, "data": made.data}


def patch(name, kind, kv):
    key, value = kv.split("=", 1)
    # the client picks the patch type from the body: a list is a JSON patch, a dict a strategic merge patch
    body = [{"op": "add", "path": "/data/" + key, "value": value}] if kind == "json" else {"data": {key: value}}
    return {"data": core.patch_namespaced_config_map(name, ns, body).data}


def delete(name):
    core.delete_namespaced_config_map(name, ns)
    return {"deleted": name}


def exec_in(pod, data, *command):
    ws = stream(
        core.connect_get_namespaced_pod_exec, pod, ns, command=list(command), stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False
    )
    ws.write_stdin(data)
    ws.run_forever(timeout=20)
    return {"stdout": ws.read_stdout(), "stderr": ws.read_stderr(), "exitCode": ws.returncode}


def get_through_portforward(pod, port, path):
    pf = portforward(core.connect_get_namespaced_pod_portforward, pod, ns, ports=port)
    s = pf.socket(int(port))
    s.setblocking(True)
    s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, pod)).encode())
    answer = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        answer += chunk
    return {"body": answer.decode().split("\r\n\r\n", 1)[-1]}


ACTIONS = {
    "watch": watch_config_maps,
    "create": create,
    "list": lambda: {"names": [c.metadata.name for c in core.list_namespaced_config_map(ns).items]},
    "patch": patch,
    "delete": delete,
    "exec": exec_in,
    "portforward": get_through_portforward,
}

for line in sys.stdin:
    request = json.loads(line)
    try:
        say({"id": request["id"], "reply": ACTIONS[request["action"]](*request["args"])})
    except Exception as e:  # the client's own error, for the step to show
        say({"id": request["id"], "error": "%s: %s" % (type(e).__name__, e)})

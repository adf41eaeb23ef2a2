# The official Kubernetes Python client (python3-kubernetes 22, run with /usr/bin/python3), driven
# by the "clients" steps (steps/clients.steps.ts through support/clients.ts) as a user of that
# client would call it. One action per run; each prints JSON lines (one object per line) of what
# the client itself reported, so the steps compare the client's view with the API's.
# This client version patches as it chooses: a list body goes as a JSON patch, a dict as a
# strategic merge patch; it has no merge patch and no server-side apply.
#
# Usage: /usr/bin/python3 support/pyclient.py KUBECONFIG NAMESPACE ACTION ARGS...
#   watch                           a line {"ready": rv} once listed, then {"type", "name"} per event
#   create NAME KEY=VALUE           a config map; prints {"name", "data"}
#   list                            prints {"names"}
#   patch NAME json|strategic KEY=VALUE
#   delete NAME
#   exec POD INPUT COMMAND...       prints {"stdout", "stderr", "exitCode"} (exitCode: the client's returncode)
#   portforward POD PORT PATH       an HTTP GET through the forwarded port; prints {"body"}
import json
import sys

from kubernetes import client, config, watch
from kubernetes.stream import portforward, stream

kubeconfig, ns, action, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()


def say(obj):
    print(json.dumps(obj), flush=True)


def pair(kv):
    key, value = kv.split("=", 1)
    return {key: value}


if action == "watch":
    # a watch from the list's resourceVersion misses nothing created after the list
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    say({"ready": rv})
    for e in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=60):
        say({"type": e["type"], "name": e["object"].metadata.name})
elif action == "create":
    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=args[0]), data=pair(args[1]))
    made = core.create_namespaced_config_map(ns, cm)
    say({"name": made.metadata.name, "data": made.data})
elif action == "list":
    say({"names": [c.metadata.name for c in core.list_namespaced_config_map(ns).items]})
elif action == "patch":
    name, kind, kv = args
    key, value = kv.split("=", 1)
    body = [{"op": "add", "path": "/data/" + key, "value": value}] if kind == "json" else {"data": {key: value}}
    say({"data": core.patch_namespaced_config_map(name, ns, body).data})
elif action == "delete":
    core.delete_namespaced_config_map(args[0], ns)
    say({"deleted": args[0]})
elif action == "exec":
    pod, data, command = args[0], args[1], args[2:]
    ws = stream(core.connect_get_namespaced_pod_exec, pod, ns, command=command, stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
    ws.write_stdin(data)
    ws.run_forever(timeout=20)
    say({"stdout": ws.read_stdout(), "stderr": ws.read_stderr(), "exitCode": ws.returncode})
elif action == "portforward":
    pod, port, path = args[0], int(args[1]), args[2]
    pf = portforward(core.connect_get_namespaced_pod_portforward, pod, ns, ports=str(port))
    s = pf.socket(port)
    s.setblocking(True)
    s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, pod)).encode())
    answer = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        answer += chunk
    say({"body": answer.decode().split("\r\n\r\n", 1)[-1]})
else:
    sys.exit("unknown action " + action)

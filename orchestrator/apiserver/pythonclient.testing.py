# Drives an OCK API server with the official Kubernetes Python client (Debian's
# python3-kubernetes), as a user of that client would: list, create, get, patch (a dict goes as a
# strategic merge patch, a list as a JSON patch), replace, watch, scale, delete, and the errors it
# raises. (This client version, 22, has no server-side apply.) Prints one JSON object of
# what the client saw; pythonclient.test.ts compares it with what upstream's API server answers.
# Usage: /usr/bin/python3 pythonclient.testing.py KUBECONFIG NAMESPACE
import json
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

kubeconfig, ns = sys.argv[1], sys.argv[2]
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()
apps = client.AppsV1Api()
batch = client.BatchV1Api()
out = {}


def status_of(call):
    """The HTTP status, reason and message of a refused call, as the client raises them."""
    try:
        call()
        return None
    except ApiException as e:
        body = json.loads(e.body)
        return {"status": e.status, "kind": body.get("kind"), "reason": body.get("reason"), "message": body.get("message")}


out["version"] = client.VersionApi().get_code().git_version
out["namespace_listed"] = ns in [n.metadata.name for n in core.list_namespace().items]

cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py", labels={"app": "py"}), data={"a": "1"})
created = core.create_namespaced_config_map(ns, cm)
out["created"] = {"name": created.metadata.name, "uid": bool(created.metadata.uid), "rv": bool(created.metadata.resource_version)}
out["duplicate"] = status_of(lambda: core.create_namespaced_config_map(ns, cm))
out["get"] = core.read_namespaced_config_map("py", ns).data
out["patch"] = core.patch_namespaced_config_map("py", ns, {"data": {"b": "2"}}).data
current = core.read_namespaced_config_map("py", ns)
current.data = {"c": "3"}
out["replace"] = core.replace_namespaced_config_map("py", ns, current).data
out["list_by_label"] = [c.metadata.name for c in core.list_namespaced_config_map(ns, label_selector="app=py").items]

# a watch from the list's resourceVersion sees a create, a change and a delete, in order
rv = core.list_namespaced_config_map(ns).metadata.resource_version
core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="watched"), data={"x": "1"}))
core.patch_namespaced_config_map("watched", ns, {"data": {"x": "2"}})
core.delete_namespaced_config_map("watched", ns)
events = []
w = watch.Watch()
for e in w.stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=5, allow_watch_bookmarks=True):
    if e["object"].metadata.name == "watched":
        events.append([e["type"], (e["object"].data or {}).get("x")])
    if len(events) == 3:
        w.stop()
out["watch"] = events

deployment = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "registry.internal/ock/app:1"}]}},
    },
}
deployment["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "registry.internal/ock/tool:1"})
apps.create_namespaced_deployment(ns, deployment)
# a dict body goes as a strategic merge patch: containers merge by name, "side" stays
patched = apps.patch_namespaced_deployment("web", ns, {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "registry.internal/ock/app:2"}]}}}})
out["strategic_merge"] = [[c.name, c.image] for c in patched.spec.template.spec.containers]
# a list body goes as a JSON patch
out["json_patch"] = core.patch_namespaced_config_map("py", ns, [{"op": "add", "path": "/data/j", "value": "4"}]).data
out["deployment_defaults"] = apps.read_namespaced_deployment("web", ns).to_dict()["spec"]["strategy"]["type"]
out["scaled"] = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 3}}).spec.replicas
out["invalid"] = status_of(lambda: apps.patch_namespaced_deployment("web", ns, {"spec": {"replicas": -1}}))

# batch/v1: a Job gets its defaults and a generated selector; one without restartPolicy is refused
job = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "pi"},
    "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "registry.internal/ock/app:1"}]}}},
}
made = batch.create_namespaced_job(ns, job).spec
out["job"] = {
    "completions": made.completions,
    "parallelism": made.parallelism,
    "backoff_limit": made.backoff_limit,
    "selector_keys": sorted(made.selector.match_labels.keys()),
    "template_labels": sorted(made.template.metadata.labels.keys()),
}
del job["spec"]["template"]["spec"]["restartPolicy"]
job["metadata"]["name"] = "always"
out["job_invalid"] = status_of(lambda: batch.create_namespaced_job(ns, job))
out["cronjobs_listed"] = [c.metadata.name for c in batch.list_namespaced_cron_job(ns).items]

core.delete_namespaced_config_map("py", ns)
out["deleted"] = status_of(lambda: core.read_namespaced_config_map("py", ns))
print(json.dumps(out))

@etcd @faults
Feature: When etcd is down, the cluster is down
  "etcd must never be down: if it is, the cluster is down." The API server keeps no state of its
  own: with every etcd member gone it cannot accept a change, so it answers writes with a clear
  Status naming the operation (upstream: 500 ServerTimeout), and controllers, which act only
  through the API, make no progress. Nothing a refused request sent is left half-written, and once
  etcd is back the controllers pick up where they stopped. What already runs is not the API's
  business: kubelets keep their containers running and the ingress keeps sending traffic to them.
  The API server waits 4 s for etcd before it gives up (not the default 8 s, to keep the wait short).

  Background:
    Given the cluster's timings are:
      | storage timeout | 4s |

  @ETCD-01
  Scenario: A write while etcd is down is refused with a clear Status and leaves nothing behind
    When every etcd member is killed
    And I try to create a configmap from the body:
      """json
      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}, "data": {"k": "v"}}
      """
    Then the request is rejected with 500 ServerTimeout saying "The create operation against configmaps could not be completed at this time"
    When every killed etcd member is restarted
    Then writes through the API succeed
    And for 3s the configmap "late" does not exist

  @ETCD-01 @audit
  Scenario: Controllers make no progress while etcd is down, and finish their work after it returns
    Slow: etcd stays down for 6 s by design, then the members restart and the namespace
    controller finishes.
    Given the API server writes an audit log
    And the leader election lease duration is 4s, renew deadline 3s and retry period 1s
    And the controller manager is stopped
    And the namespace "doomed" with a configmap in it is being deleted
    When every etcd member is killed
    And the controller manager is started
    Then for 6s no write as "system:kube-controller-manager" succeeds, and its requests fail
    When every killed etcd member is restarted
    Then within 30s the namespace "doomed" no longer exists

  @ETCD-01 @docker
  Scenario: Pods keep running and serving while etcd is down
    Slow: two real containers start, then every etcd member stays down while the app is
    checked, and comes back.
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {name: web}
      spec:
        defaultBackend: {service: {name: web, port: {name: http}}}
      """
    And within 60s the deployment "web" has 2 ready replicas
    And within 20s the ingress "web" answers 200 at "/"
    And I note the containers the runtime runs for the pods labelled "app=web"
    When every etcd member is killed
    Then within 10s writes through the API fail with a storage error naming the operation
    And for 5s the container runtime keeps running those containers
    And for 3s the ingress "web" answers 200 at "/" every time

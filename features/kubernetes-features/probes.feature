@docker
Feature: Self-healing through readiness and liveness probes
  "Self-healing through the readiness probe: traffic only when the pod is ready." "Self-healing
  through the liveness probe, for the whole lifecycle." The kubelet probes every container. A
  failing readiness probe takes the pod out of its Services' endpoints, so no traffic reaches it,
  but leaves the container alone; when the probe passes again the pod is back. A liveness probe
  that fails failureThreshold times in a row gets the container killed and started anew. The
  test app answers /ready and /healthz while the files /tmp/ready and /tmp/healthy exist, so a
  scenario breaks and mends them with kubectl exec, and logs every request it answers, so the
  container runtime's log shows how many probes a container failed before it was killed.

  @HEAL-01
  Scenario: A pod that stops being ready gets no traffic and is not restarted, until it is ready again
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
      """
    And within 60s the endpoints of the service "web" list the ready pods labelled "app=web"
    When I run "rm /tmp/ready" in one of the pods labelled "app=web"
    Then within 10s that pod is not Ready, out of the endpoints of the service "web", and not restarted
    And for 3s requests to "http://web/" are all answered by other pods than that one
    When I run "touch /tmp/ready" in that pod
    Then within 10s that pod is Ready and back in the endpoints of the service "web", still not restarted

  @HEAL-02
  Scenario: A container whose liveness probe fails three times in a row is killed and restarted, not sooner
    Given I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            ports: [{name: http, containerPort: 8080}]
            livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1, failureThreshold: 3}
      """
    And within 30s the pod "web" is Running
    And within 10s the container of the pod "web" has answered a request for "/healthz" successfully
    When I run "rm /tmp/healthy" in the pod "web"
    Then within 8s the pod "web" has restarted 1 time, each time in a new container
    And the container the pod "web" was restarted from answered exactly its last 3 requests for "/healthz" with an error
    And the pod "web" has:
      | status.containerStatuses[0].lastState.terminated.reason | <non-empty> |
      | status.containerStatuses[0].state.running.startedAt     | <non-empty> |

  @HEAL-02
  Scenario: Liveness probes that fail, but never failureThreshold times in a row, leave the container alone
    # /healthz fails for 2.5 s in every 4.5 s: probed every second, it fails 2 or 3 times in a
    # row, never 4; a kubelet that counts failures that are not in a row restarts it within 8 s
    Given I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            command: ["/bin/sh", "-c", "(while sleep 2; do rm /tmp/healthy; sleep 2.5; echo ok > /tmp/healthy; done) & exec /bin/app"]
            ports: [{name: http, containerPort: 8080}]
            livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1, failureThreshold: 4}
      """
    And within 30s the pod "web" is Running
    Then for 9s the pod "web" keeps:
      | status.containerStatuses[0].restartCount | 0 |
    And the container of the pod "web" answered at least 4 requests for "/healthz" with an error, never 4 in a row

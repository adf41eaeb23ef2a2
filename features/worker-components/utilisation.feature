Feature: The kubelet reports what nodes and pods use
  "The kubelet reports readiness, liveness and utilisation to the API server." Every kubelet
  serves the CPU and memory its node and containers use (/metrics/resource); metrics-server
  scrapes every kubelet each metric resolution and serves the figures as the resource metrics
  API (metrics.k8s.io: NodeMetrics, PodMetrics) behind the API server, which is what
  `kubectl top` and the HorizontalPodAutoscaler read. Under load the figures go up; when the
  load ends they come back down. On real containers the figures are the Docker engine's
  container stats and the load is CPU-heavy requests through a Service; on the simulated
  runtime the load door states what a pod uses.

  @KUBELET-02
  Scenario: Every node's use is readable through the metrics API and kubectl top
    Given the metric resolution is 1s
    Then within the metric resolution plus 19s the metrics API reports every node's CPU and memory use
    And within the metric resolution plus 19s "kubectl top nodes" lists every Ready node with its CPU and memory use

  @KUBELET-02 @load @config
  Scenario: A pod's CPU use rises under load and falls when the load ends
    Given the metric resolution is 1s
    And I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: busy
      spec:
        replicas: 2
        selector:
          matchLabels: {app: busy}
        template:
          metadata:
            labels: {app: busy}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    And within 20s the deployment "busy" has 2 ready replicas
    And within 20s the metrics API reports each pod labelled "app=busy" using less than 50m CPU
    When the deployment "busy" takes a steady load of 800m CPU spread over its pods
    Then within 20s the metrics API reports each pod labelled "app=busy" using at least 350m CPU
    And within 10s the metrics API reports each node using at least the CPU its pods labelled "app=busy" use
    And within 20s "kubectl top pods -l app=busy" lists each pod labelled "app=busy" using at least 350m CPU
    When the load on the deployment "busy" stops
    Then within 20s the metrics API reports each pod labelled "app=busy" using less than 50m CPU

  @KUBELET-02 @docker
  Scenario: A real container's CPU use rises while it serves CPU-heavy requests
    Given the metric resolution is 2s
    And I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: burn}
      spec:
        replicas: 1
        selector: {matchLabels: {app: burn}}
        template:
          metadata: {labels: {app: burn}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: burn}
      spec:
        selector: {app: burn}
        ports: [{name: http, port: 80, targetPort: http}]
      """
    And within 60s the deployment "burn" has 1 ready replica
    And within twice the metric resolution plus 26s the metrics API reports each pod labelled "app=burn" using less than 50m CPU
    When 2 clients keep requesting "http://burn/cgi-bin/cpu?ms=1000" for 40s
    Then within twice the metric resolution plus 26s the metrics API reports each pod labelled "app=burn" using at least 200m CPU
    And within twice the metric resolution plus 16s "kubectl top pods -l app=burn" lists each pod labelled "app=burn" using at least 200m CPU

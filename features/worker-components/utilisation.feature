Feature: The kubelet reports what nodes and pods use
  "The kubelet reports readiness, liveness and utilisation to the API server." Every kubelet
  serves the CPU and memory its node and containers use (/metrics/resource); metrics-server
  scrapes every kubelet each metric resolution and serves the figures as the resource metrics
  API (metrics.k8s.io: NodeMetrics, PodMetrics) behind the API server, which is what
  `kubectl top` and the HorizontalPodAutoscaler read. Under load the figures go up; when the
  load ends they come back down. These scenarios run on the simulated runtime, whose load door
  states what a pod uses.

  Background:
    Given the metric resolution is 1s

  @KUBELET-02 @config
  Scenario: Every node's use is readable through the metrics API and kubectl top
    Then within 20s the metrics API reports every node's CPU and memory use
    And within 20s "kubectl top nodes" lists every Ready node with its CPU and memory use

  @KUBELET-02 @load @config
  Scenario: A pod's CPU use rises under load and falls when the load ends
    Given I apply the manifest:
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
    And within 20s "kubectl top pods -l app=busy" lists each pod labelled "app=busy" using at least 350m CPU
    When the load on the deployment "busy" stops
    Then within 20s the metrics API reports each pod labelled "app=busy" using less than 50m CPU

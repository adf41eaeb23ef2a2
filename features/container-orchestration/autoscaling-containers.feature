@docker
Feature: A HorizontalPodAutoscaler scales real containers under real load
  "Horizontal scaling is the orchestrator's job." The same autoscaler, on the Docker runtime:
  clients send CPU-heavy requests to a Service, the containers behind it burn CPU, the Docker
  engine's container stats show it, and the HorizontalPodAutoscaler adds pods up to
  maxReplicas; once the requests stop and the stabilization window has passed, it removes them.

  @ORCH-06
  Scenario: Real load grows the Deployment to maxReplicas, and it shrinks back after the window
    Slow: three real containers start under real load, and the 5 s stabilization window is
    waited out before they go.
    # real containers take their time: starting three, metrics every 2 s, a 5 s window (~30 s)
    Given the metric resolution is 2s
    And the horizontal pod autoscaler sync period is 2s
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
                resources:
                  requests: {cpu: 100m}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: burn}
      spec:
        selector: {app: burn}
        ports: [{name: http, port: 80, targetPort: http}]
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: burn}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
        minReplicas: 1
        maxReplicas: 3
        metrics:
          - type: Resource
            resource:
              name: cpu
              target: {type: Utilization, averageUtilization: 50}
        behavior:
          scaleDown:
            stabilizationWindowSeconds: 5
      """
    And within 60s the deployment "burn" has 1 ready replica
    When 2 clients keep requesting "http://burn/cgi-bin/cpu?ms=1000" for 60s
    Then within the horizontal pod autoscaler sync period plus twice the metric resolution plus 39s the deployment "burn" has 3 ready replicas
    And within 10s the hpa "burn" has a Normal event SuccessfulRescale saying "reason: cpu resource utilization (percentage of request) above target"
    When the clients stop requesting
    Then within the horizontal pod autoscaler sync period plus twice the metric resolution plus 24s the deployment "burn" has 1 ready replica
    And within 5s the hpa "burn" has a Normal event SuccessfulRescale saying "New size: 1; reason: All metrics below target"

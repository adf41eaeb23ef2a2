Feature: A HorizontalPodAutoscaler scales a Deployment on measured utilisation
  "Horizontal scaling is the orchestrator's job." With a HorizontalPodAutoscaler nobody has to
  run `kubectl scale`: every sync period the controller reads what the Deployment's pods use
  from the metrics API and asks for ceil(replicas x utilisation / target) replicas, leaves
  them alone within a tolerance of 10 %, never goes below minReplicas or above maxReplicas, and
  only scales down once the stabilization window has passed without a higher recommendation.
  Its status and Events say what it measured and why it rescaled. These scenarios put a stated
  load on the pods of the simulated runtime (the load door of the built-in cluster).

  Background:
    Given the metric resolution is 1s
    And the horizontal pod autoscaler sync period is 1s
    And I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 1
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                resources:
                  requests: {cpu: 200m}
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 1
        maxReplicas: 4
        metrics:
          - type: Resource
            resource:
              name: cpu
              target: {type: Utilization, averageUtilization: 50}
        behavior:
          scaleDown:
            stabilizationWindowSeconds: 10
      """
    And within 20s the deployment "web" has 1 ready replica

  @ORCH-06 @load @config
  Scenario: Under load the Deployment grows, but no further than maxReplicas
    When the deployment "web" takes a steady load of 600m CPU spread over its pods
    Then within 40s the deployment "web" has 4 ready replicas
    And within 20s the hpa "web" has:
      | status.currentReplicas                                        | 4               |
      | status.desiredReplicas                                        | 4               |
      | status.currentMetrics[0].resource.name                        | cpu             |
      | status.currentMetrics[0].resource.current.averageUtilization  | <present>       |
      | status.conditions[type=ScalingActive].reason                  | ValidMetricFound |
      | status.conditions[type=ScalingLimited].status                 | True            |
      | status.conditions[type=ScalingLimited].reason                 | TooManyReplicas |
    And within 5s the hpa "web" has a Normal event SuccessfulRescale saying "New size: 4; reason: cpu resource utilization (percentage of request) above target"

  @ORCH-06 @load @config
  Scenario: Between minReplicas and maxReplicas the Deployment gets ceil(replicas x utilisation / target) pods
    # 230m over pods requesting 200m with a 50 % target: 1 pod at 115 % asks for ceil(2.3) = 3,
    # and 3 pods at 38 % ask for ceil(2.3) = 3 again; neither bound nor tolerance decides it. A
    # 3 s scale-down window lets a recommendation below 3 show within the 5 s the count is held
    Given I apply the manifest:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 1
        maxReplicas: 4
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
        behavior: {scaleDown: {stabilizationWindowSeconds: 3}}
      """
    And I watch the pods
    When the deployment "web" takes a steady load of 230m CPU spread over its pods
    Then within 30s the deployment "web" has 3 ready replicas
    And within 10s the hpa "web" asks for ceil(replicas x utilisation / target) replicas, for the CPU use the metrics API reports
    And within 5s the hpa "web" has:
      | status.desiredReplicas                        | 3                  |
      | status.conditions[type=ScalingLimited].reason | DesiredWithinRange |
    And for 5s the deployment "web" keeps:
      | spec.replicas | 3 |
    And no more than 3 pods labelled "app=web" were ever created

  @ORCH-06 @load @config
  Scenario: When the load goes away the Deployment shrinks back after the stabilization window
    Slow: the Deployment grows to 4 under load, then the stabilization window is waited out
    before it shrinks.
    Given the deployment "web" takes a steady load of 600m CPU spread over its pods
    And within 40s the deployment "web" has 4 ready replicas
    When the load on the deployment "web" stops
    Then for 5s the deployment "web" keeps:
      | spec.replicas | 4 |
    And within 40s the deployment "web" has 1 ready replica
    And within 5s the hpa "web" has a Normal event SuccessfulRescale saying "New size: 1; reason: All metrics below target"
    And within 10s the hpa "web" has:
      | status.currentReplicas | 1 |
      | status.desiredReplicas | 1 |

  @ORCH-06 @load @config
  Scenario: A load within the tolerance of the target changes nothing
    When the deployment "web" takes a steady load of 108m CPU spread over its pods
    Then within 20s the hpa "web" has:
      | status.desiredReplicas                         | 1                  |
      | status.conditions[type=ScalingLimited].reason  | DesiredWithinRange |
    And for 5s the deployment "web" keeps:
      | spec.replicas | 1 |

  @ORCH-06
  Scenario: Pods without a CPU request cannot be measured against a utilisation target
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: plain
      spec:
        replicas: 1
        selector:
          matchLabels: {app: plain}
        template:
          metadata:
            labels: {app: plain}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: plain
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: plain}
        maxReplicas: 3
        metrics:
          - type: Resource
            resource:
              name: cpu
              target: {type: Utilization, averageUtilization: 50}
      """
    Then within the horizontal pod autoscaler sync period plus the metric resolution plus 18s the hpa "plain" has:
      | status.conditions[type=AbleToScale].status    | True                    |
      | status.conditions[type=ScalingActive].status  | False                   |
      | status.conditions[type=ScalingActive].reason  | FailedGetResourceMetric |
    # the missing request shows once the pod has metrics: within two scrapes of its start
    And within the horizontal pod autoscaler sync period plus twice the metric resolution plus 4s the hpa "plain" has a Warning event FailedGetResourceMetric saying "missing request for cpu in container app of Pod plain-"

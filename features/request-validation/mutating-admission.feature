Feature: Mutating admission fills in what a request left out
  "Mutating admission, e.g. the LimitRange admission controller, so a buggy spec cannot eat all
  cluster resources." After authorization, mutating admission plugins may change the object
  before it is validated and stored: a pod runs as its namespace's `default` service account
  unless it names another, a LimitRange writes default requests and limits into containers
  that have none, and every pod tolerates unreachable or not-ready nodes for five minutes. A
  LimitRange also bounds what a pod may ask for, and a ResourceQuota bounds what a namespace may
  use in total: both refuse with 403 Forbidden, naming the rule.

  @API-04
  Scenario: A pod without requests or limits gets the LimitRange's defaults written into it
    Given I apply the manifest with kubectl:
      """yaml
      apiVersion: v1
      kind: LimitRange
      metadata:
        name: container-limits
      spec:
        limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m, memory: 64Mi}
            max: {cpu: "1", memory: 1Gi}
      """
    When I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: plain
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the pod "plain" has:
      | spec.containers[0].resources.requests.cpu            | 100m  |
      | spec.containers[0].resources.requests.memory         | 64Mi  |
      | spec.containers[0].resources.limits.cpu              | 500m  |
      | spec.containers[0].resources.limits.memory           | 256Mi |
      | metadata.annotations['kubernetes.io/limit-ranger']   | "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app" |
      | status.qosClass                                      | Burstable |

  @API-04
  Scenario: A pod that may use more than the LimitRange's maximum is refused, naming the LimitRange, even if it asks for less
    Given I apply the manifest with kubectl:
      """yaml
      apiVersion: v1
      kind: LimitRange
      metadata:
        name: container-limits
      spec:
        limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m, memory: 64Mi}
            max: {cpu: "1", memory: 1Gi}
      """
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: greedy
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources:
              requests: {cpu: 500m, memory: 256Mi}
              limits: {cpu: "2", memory: 512Mi}
      """
    Then the request is rejected with 403 Forbidden and the message:
      """
      pods "greedy" is forbidden: maximum cpu usage per Container is 1, but limit is 2 (LimitRange "container-limits")
      """
    And the pod "greedy" does not exist

  @API-04
  Scenario: A new pod runs as the default service account and tolerates unreachable nodes for five minutes
    Given the default not-ready toleration is upstream's default, 5m
    And the default unreachable toleration is upstream's default, 5m
    When I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: plain
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the pod "plain" has:
      | spec.serviceAccountName                                              | default  |
      | spec.tolerations[key=node.kubernetes.io/not-ready].tolerationSeconds   | 300      |
      | spec.tolerations[key=node.kubernetes.io/unreachable].tolerationSeconds | 300      |
      | spec.tolerations[key=node.kubernetes.io/unreachable].effect            | NoExecute |

  @API-04 @config
  Scenario: The default toleration time is the cluster's to choose
    Given the cluster's admission configuration is:
      """yaml
      apiVersion: apiserver.config.k8s.io/v1
      kind: AdmissionConfiguration
      plugins:
        - name: DefaultTolerationSeconds
          configuration:
            defaultNotReadyTolerationSeconds: 60
            defaultUnreachableTolerationSeconds: 30
      """
    When I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: quick-to-move
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the pod "quick-to-move" has:
      | spec.tolerations[key=node.kubernetes.io/not-ready].tolerationSeconds   | 60 |
      | spec.tolerations[key=node.kubernetes.io/unreachable].tolerationSeconds | 30 |

  @API-04
  Scenario: A ResourceQuota refuses the pod that would exceed it, saying what was used and what is allowed
    Given I apply the manifest with kubectl:
      """yaml
      apiVersion: v1
      kind: LimitRange
      metadata:
        name: container-limits
      spec:
        limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m, memory: 64Mi}
            max: {cpu: "1", memory: 1Gi}
      """
    And I apply the manifest:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: compute
      spec:
        hard:
          limits.cpu: "1"
          pods: "5"
      """
    And I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: first
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources:
              limits: {cpu: 700m}
      """
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: second
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the request is rejected with 403 Forbidden and the message:
      """
      pods "second" is forbidden: exceeded quota: compute, requested: limits.cpu=500m, used: limits.cpu=700m, limited: limits.cpu=1
      """
    And within 10s the resource quota "compute" has:
      | status.used['limits.cpu'] | 700m |
      | status.used.pods          | 1    |

Feature: A pod takes what it asks for, and the scheduler places it where that fits
  "A container reserves no resources up front; to the kernel it is a process that takes what it
  needs." In Kubernetes a pod's resource requests are what the scheduler counts against a node's
  allocatable capacity: a pod without requests is BestEffort and reserves nothing, a pod with
  requests takes them off the node. "If a machine is fully utilised, a tool must schedule onto
  another machine": a pod goes to a node that still has room, and when no node has room it
  waits, Pending, with the reason.

  @ORCH-02
  Scenario Outline: The QoS class follows requests and limits (<class>)
    When I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: app
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources: <resources>
      """
    Then within 20s the pod "app" is Running
    And the pod "app" has:
      | status.qosClass | <class> |

    Examples:
      | class      | resources                                                                         |
      | BestEffort | {}                                                                                |
      | Burstable  | {requests: {cpu: 250m}}                                                           |
      | Guaranteed | {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: 250m, memory: 64Mi}}         |

  @ORCH-02 @config
  Scenario: Only requests reserve capacity on a node
    Given a cluster of 1 node with 2 CPUs and 4Gi of memory each
    When I create a pod "best-effort" without resource requests
    Then within 20s the pod "best-effort" is Running
    And the node "node-1" has 2 CPUs and 4Gi of memory unreserved
    When I create a pod "sized" requesting 500m CPU and 1Gi of memory
    Then within 20s the pod "sized" is Running
    And the node "node-1" has 1500m CPU and 3Gi of memory unreserved

  @ORCH-05 @CP-03 @config
  Scenario Outline: When a node is full, the next pod lands on a node that still has room, even one it likes less (<resource>)
    The new pod prefers node-1, so only the resource check can send it elsewhere: a scheduler
    that forgot what node-1's pods already take would put it there.
    Given a cluster of 2 nodes with 1 CPU and 2Gi of memory each
    And a pod "first" requesting <taken> is bound to the node "node-1"
    And within 20s the pod "first" is Running
    When I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: second
      spec:
        affinity:
          nodeAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 100
                preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-1]}]}
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources: {requests: <requests>}
      """
    Then within 20s the pod "second" is Running
    And the pod "second" runs on the node "node-2"

    Examples:
      | resource | taken                             | requests       |
      | cpu      | 800m CPU and 100Mi of memory      | {cpu: 800m}    |
      | memory   | 100m CPU and 1536Mi of memory     | {memory: 1Gi}  |

  @ORCH-05 @config
  Scenario: When no node has room left, the pod stays Pending and says why
    Each node is only partly used, and empty it would take the pod: what its pods already
    take leaves too little. A pod that needs exactly what is left still fits.
    Given a cluster of 3 nodes with 1 CPU each
    And a pod "a" requesting 600m CPU is bound to the node "node-1"
    And a pod "b" requesting 600m CPU is bound to the node "node-2"
    And a pod "c" requesting 600m CPU is bound to the node "node-3"
    And within 20s 3 pods labelled "app in (a, b, c)" are Running
    When I create a pod "late" requesting 500m CPU
    Then within 20s the pod "late" is Pending with the reason "0/3 nodes are available: 3 Insufficient cpu."
    And for 2s the pod "late" keeps:
      | spec.nodeName | <absent> |
    When I create a pod "exact" requesting 400m CPU
    Then within 20s the pod "exact" is Running

  @ORCH-05 @config
  Scenario: When no node is big enough, the pod stays Pending and says why
    Given a cluster of 3 nodes with 1 CPU each
    When I create a pod "huge" requesting 2 CPUs
    Then within 20s the pod "huge" is Pending with the reason "0/3 nodes are available: 3 Insufficient cpu."
    And for 2s the pod "huge" keeps:
      | spec.nodeName | <absent> |

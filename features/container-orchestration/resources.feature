Feature: A pod takes what it asks for, and the scheduler places it where that fits
  "A container reserves no resources up front; to the kernel it is a process that takes what it
  needs." In Kubernetes a pod's resource requests are what the scheduler counts against a node's
  allocatable capacity: a pod without requests is BestEffort and reserves nothing, a pod with
  requests takes them off the node. "If a machine is fully utilised, a tool must schedule onto
  another machine": a pod goes to a node that still has room, and when no node has room it
  waits, Pending, with the reason.

  @ORCH-02
  Scenario Outline: The QoS class follows requests and limits (<class>: <case>)
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
      | class      | case                             | resources                                                                 |
      | BestEffort | no requests, no limits           | {}                                                                        |
      | Burstable  | requests only                    | {requests: {cpu: 250m}}                                                   |
      | Burstable  | CPU limited, memory not          | {requests: {cpu: 250m}, limits: {cpu: 250m}}                              |
      | Burstable  | requests below limits            | {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 250m, memory: 64Mi}}  |
      | Guaranteed | requests equal to limits         | {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: 250m, memory: 64Mi}}  |
      | Guaranteed | limits only (requests from them) | {limits: {cpu: 250m, memory: 64Mi}}                                       |

  @ORCH-02
  Scenario Outline: Only requests take capacity off a node, as the scheduler counts it (<case>)
    What the node reports as allocatable, less what the pods with requests asked for, is what
    the scheduler still gives out there: a pod asking for exactly that fits beside a pod without
    requests, and then not even a millicore more does.
    Given a cluster of 1 node with 2 CPUs and 4Gi of memory each
    Then the node "node-1" has:
      | status.allocatable.cpu    | 2   |
      | status.allocatable.memory | 4Gi |
    When I create a pod "best-effort" without resource requests
    And I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: sized
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources: <resources>
      """
    Then within 20s the pod "best-effort" is Running
    And within 20s the pod "sized" is Running
    And the pod "best-effort" has:
      | status.qosClass | BestEffort |
    When I create a pod "rest" requesting 1500m CPU and 3Gi of memory
    Then within 20s the pod "rest" is Running
    When I create a pod "one-more" requesting 1m CPU and 1Mi of memory
    Then within 20s the pod "one-more" is Pending with the reason "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."

    Examples:
      | case                          | resources                               |
      | requests                      | {requests: {cpu: 500m, memory: 1Gi}}    |
      | limits, which are its requests | {limits: {cpu: 500m, memory: 1Gi}}      |

  @ORCH-05 @CP-03
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

  @ORCH-05
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

  @ORCH-05
  Scenario: When no node is big enough, the pod stays Pending and says why
    Given a cluster of 3 nodes with 1 CPU each
    When I create a pod "huge" requesting 2 CPUs
    Then within 20s the pod "huge" is Pending with the reason "0/3 nodes are available: 3 Insufficient cpu."
    And for 2s the pod "huge" keeps:
      | spec.nodeName | <absent> |

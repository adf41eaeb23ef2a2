Feature: The control plane: everyone talks to the API server, controllers reconcile, the scheduler places
  "Distributed platform: master as server, workers as clients; the API server is the gateway for
  every request." The controller manager, the scheduler and every kubelet act only through API
  requests, each with its own identity, and only the API server writes to the store. "The
  controller manager keeps comparing current and desired state and makes them match": drift is
  undone. "The scheduler assigns each pod to a suitable node using several factors": it filters
  nodes (resources, node selectors and affinity, taints, cordoned nodes), scores the rest, and
  only records its decision, as a binding. "Affinity / anti-affinity: must a group of pods run
  together on one node, or apart on different nodes?"

  @CP-01 @audit
  Scenario: Every component acts through API requests made with its own identity
    Who made which request is read from the API server's audit log.
    Given the API server writes an audit log
    And I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    When within 20s 2 pods labelled "app=web" are Running
    Then the audit log shows these requests:
      | user                           | verb   | resource          |
      | kubernetes-admin               | patch  | deployments.apps  |
      | system:kube-controller-manager | create | replicasets.apps  |
      | system:kube-controller-manager | create | pods              |
      | system:kube-scheduler          | create | pods/binding      |
      | system:node:*                  | patch  | pods/status       |
      | system:node:*                  | create | events            |

  @CP-01 @trace @store
  Scenario: Only the API server writes to the store, and only for requests of authenticated components
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    When within 20s 2 pods labelled "app=web" are Running
    Then every write to the store was made by the API server for an authenticated request from one of:
      | kubernetes-admin               |
      | system:kube-controller-manager |
      | system:kube-scheduler          |
      | system:node:*                  |

  @CP-02
  Scenario: A manual edit to a ReplicaSet a Deployment owns is undone
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    And within 20s the deployment "web" has 2 ready replicas
    When I scale the replica set of the deployment "web" to 5 replicas
    Then within 20s the replica set of the deployment "web" has:
      | spec.replicas | 2 |
    And within 20s 2 pods labelled "app=web" are Running

  @CP-02
  Scenario: A deleted ReplicaSet of a Deployment is created again, with its pods
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    And within 20s the deployment "web" has 2 ready replicas
    When I delete the replica set of the deployment "web"
    Then within 20s the deployment "web" has a new replica set in place of the deleted one
    And within 20s the deployment "web" has 2 ready replicas

  @CP-02
  Scenario: A changed pod template is rolled out to every pod
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    And within 20s the deployment "web" has 2 ready replicas
    When I run "kubectl set image deployment/web app=registry.internal/ock/app:2"
    Then the command succeeds
    And within 30s the deployment "web" has 2 ready replicas
    And within 30s the replica set of the deployment "web" has:
      | spec.template.spec.containers[0].image | registry.internal/ock/app:2 |
      | status.readyReplicas                   | 2                           |

  @CP-03
  Scenario Outline: The scheduler only considers nodes that pass every filter (<filter>)
    node-2 is the busiest node, so the scores alone would send the pod elsewhere: only the
    filter can bring it there.
    Given a cluster of 3 nodes
    And a pod "busy" requesting 2 CPUs and 4Gi of memory is bound to the node "node-2"
    And the node "node-2" is labelled "<label>"
    And within 20s the pod "busy" is Running
    When I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: picky
      spec:
        <placement>
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then within 20s the pod "picky" is Running
    And the pod "picky" runs on the node "node-2"

    Examples:
      | filter        | label    | placement                                                                                                                                         |
      | node selector | disk=ssd | nodeSelector: {disk: ssd}                                                                                                                         |
      | node affinity | zone=b   | affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [b]}]}]}}} |

  @CP-03
  Scenario: Taints keep away the pods that do not tolerate them
    Given a cluster of 3 nodes
    And a pod "busy" requesting 2 CPUs and 4Gi of memory is bound to the node "node-2"
    And the node "node-1" is tainted "dedicated=infra:NoSchedule"
    And the node "node-3" is tainted "dedicated=infra:NoSchedule"
    And within 20s the pod "busy" is Running
    When I create a pod "plain" without resource requests
    Then within 20s the pod "plain" is Running
    And the pod "plain" runs on the node "node-2"

  @CP-03
  Scenario Outline: A pod that tolerates a taint may use the tainted node (<toleration>)
    Given a cluster of 2 nodes
    And the node "node-1" is tainted "dedicated=infra:NoSchedule"
    When I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: infra
      spec:
        nodeSelector: {kubernetes.io/hostname: node-1}
        tolerations: [<toleration>]
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then within 20s the pod "infra" is Running
    And the pod "infra" runs on the node "node-1"

    Examples:
      | toleration                                                 |
      | {key: dedicated, operator: Equal, value: infra, effect: NoSchedule} |
      | {key: dedicated, operator: Exists}                         |

  @CP-03
  Scenario: Cordoned nodes take no new pods
    Given a cluster of 3 nodes
    And a pod "busy" requesting 2 CPUs and 4Gi of memory is bound to the node "node-2"
    And within 20s the pod "busy" is Running
    When I run "kubectl cordon node-1 node-3"
    Then the command succeeds
    When I create a pod "p" without resource requests
    Then within 20s the pod "p" is Running
    And the pod "p" runs on the node "node-2"
    When I run "kubectl cordon node-2"
    Then the command succeeds
    When I create a pod "q" without resource requests
    Then within 20s the pod "q" is Pending with the reason "0/3 nodes are available: 3 node(s) were unschedulable."

  @CP-03
  Scenario: Among the nodes that fit, the least allocated one wins
    node-1 has more room left; node-2 is fuller but its CPU and memory are in balance, which
    the balanced-allocation score likes: only the least-allocated score makes node-1 the winner.
    Given a cluster of 2 nodes with 2 CPUs and 4Gi of memory each
    And a pod "light" requesting 600m CPU is bound to the node "node-1"
    And a pod "heavy" requesting 1200m CPU and 2400Mi of memory is bound to the node "node-2"
    And within 20s 2 pods labelled "app in (light, heavy)" are Running
    When I create a pod "p" without resource requests
    Then within 20s the pod "p" is Running
    And the pod "p" runs on the node "node-1"

  @CP-03 @audit
  Scenario: The scheduler only records a binding; the kubelet of that node runs the pod
    Who wrote what is read from the API server's audit log.
    Given the API server writes an audit log
    When I create a pod "p" without resource requests
    Then within 20s the pod "p" is Running
    And the audit log shows each pod labelled "app=p" bound once through pods/binding by "system:kube-scheduler", after its creation, and its spec written by no one
    And the audit log shows no write by "system:kube-scheduler" other than bindings, events and its leader-election lease
    And the audit log shows the status of each pod labelled "app=p" written only by the kubelet of its node

  @CP-04
  Scenario: Required pod affinity puts pods in the same topology domain
    The cache runs on the busiest node, where the scores alone would never send a pod.
    Given a cluster of 3 nodes
    And a pod "cache" requesting 2 CPUs and 4Gi of memory is bound to the node "node-2"
    And within 20s the pod "cache" is Running
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: cache}}
                    topologyKey: kubernetes.io/hostname
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    Then within 20s 2 pods labelled "app=web" are Running
    And the pods labelled "app=web" run on the node of the pod labelled "app=cache"

  @CP-04
  Scenario: Required pod affinity to a zone accepts any node of that zone, and only those
    The cache's own node is cordoned and the other node of its zone is busy: the pods must
    go there all the same, not to the idle node of the other zone.
    Given a cluster of 3 nodes
    And the node "node-1" is labelled "topology.kubernetes.io/zone=a"
    And the node "node-2" is labelled "topology.kubernetes.io/zone=a"
    And the node "node-3" is labelled "topology.kubernetes.io/zone=b"
    And a pod "cache" without resource requests is bound to the node "node-1"
    And a pod "busy" requesting 2 CPUs and 4Gi of memory is bound to the node "node-2"
    And within 20s 2 pods labelled "app in (cache, busy)" are Running
    And I run "kubectl cordon node-1"
    And the command succeeds
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: cache}}
                    topologyKey: topology.kubernetes.io/zone
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    Then within 20s 2 pods labelled "app=web" are Running
    And 2 of the pods labelled "app=web" run on the node "node-2"

  @CP-04
  Scenario Outline: Required anti-affinity puts the pods in different domains and leaves the surplus Pending with the reason (<domain>)
    Given a cluster of 3 nodes
    And the node "node-1" is labelled "topology.kubernetes.io/zone=a"
    And the node "node-2" is labelled "topology.kubernetes.io/zone=a"
    And the node "node-3" is labelled "topology.kubernetes.io/zone=b"
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 4
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAntiAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: web}}
                    topologyKey: <topology key>
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    Then within 20s <pending> pods labelled "app=web" are Pending with the reason "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
    And within 20s the pods labelled "app=web" run on <running> different nodes

    Examples:
      | domain | topology key                | running | pending |
      | node   | kubernetes.io/hostname      | 3       | 1       |
      | zone   | topology.kubernetes.io/zone | 2       | 2       |

  @CP-04
  Scenario: Preferred anti-affinity steers pods apart without blocking them
    node-2 is busy, so the scores alone would put every pod on node-1; the third pod has no
    node left without a replica and runs all the same.
    Given a cluster of 2 nodes
    And a pod "busy" requesting 2 CPUs and 4Gi of memory is bound to the node "node-2"
    And within 20s the pod "busy" is Running
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAntiAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    podAffinityTerm:
                      labelSelector: {matchLabels: {app: web}}
                      topologyKey: kubernetes.io/hostname
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    Then within 20s 3 pods labelled "app=web" are Running
    And the pods labelled "app=web" are spread over 2 nodes, at most 2 on one node

  @CP-04
  Scenario: Preferred affinity draws pods to a busy node without blocking them
    The cache's node is the busier one and has room for two of the pods: they go there, and the
    third runs on the other node rather than wait.
    Given a cluster of 2 nodes
    And a pod "cache" requesting 2 CPUs and 4Gi of memory is bound to the node "node-2"
    And within 20s the pod "cache" is Running
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    podAffinityTerm:
                      labelSelector: {matchLabels: {app: cache}}
                      topologyKey: kubernetes.io/hostname
            containers:
              - name: app
                image: registry.internal/ock/app:1
                resources: {requests: {cpu: "1"}}
      """
    Then within 20s 3 pods labelled "app=web" are Running
    And 2 of the pods labelled "app=web" run on the node "node-2"

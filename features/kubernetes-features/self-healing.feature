Feature: The desired number of pods holds
  "The controller manager keeps the desired number of pods." A pod deleted by hand is not
  brought back: it is replaced by a new pod, with a new name and a new uid, so that the number
  of replicas matches the Deployment again. The same holds for pods lost with their node: once
  the node lifecycle controller has found the node unreachable and the pods' toleration of that
  (300 s upstream, 2 s here) has run out, they are evicted and replaced on the other nodes. The
  evicted pods stay Terminating, as upstream: no kubelet is left to confirm they stopped. A
  StatefulSet's pod keeps its identity: its replacement has the same name and hostname, and is
  made only once the old pod is gone (here: force-deleted, as an operator does once the node is
  known to be down), so two pods of one identity never run at once. On another cluster its own
  grace period and toleration stand in for the short ones stated here (its target
  configuration names them), and the bounds that depend on them are stated in their terms.

  @HEAL-03
  Scenario: A pod deleted by hand is replaced by a new one
    Given I run "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    And the command succeeds
    And within 20s 3 pods labelled "app=web" are Running
    When I delete one of the pods labelled "app=web"
    Then within 20s 3 pods labelled "app=web" are Running
    And the deleted pod was replaced by a pod with a new name and uid

  @HEAL-03
  Scenario: A ReplicationController replaces a pod deleted by hand
    Given I apply the manifest with kubectl:
      """yaml
      apiVersion: v1
      kind: ReplicationController
      metadata:
        name: legacy
      spec:
        replicas: 2
        template:
          metadata:
            labels: {app: legacy}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    And within 20s 2 pods labelled "app=legacy" are Running
    When I delete one of the pods labelled "app=legacy"
    Then within 20s 2 pods labelled "app=legacy" are Running
    And the deleted pod was replaced by a pod with a new name and uid

  @HEAL-03 @faults
  Scenario: Pods lost with their node are replaced on the other nodes
    Given the cluster's timings are:
      | node lease duration            | 1s    |
      | node monitor period            | 500ms |
      | node monitor grace period      | 2s    |
      | default unreachable toleration | 2s    |
    And I run "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    And within 20s 3 pods labelled "app=web" are Running
    And the pods labelled "app=web" run on 3 different nodes
    When the kubelet of the node "node-2" stops
    Then within the node monitor grace period plus the default unreachable toleration plus 11s 3 pods labelled "app=web" are Running on nodes other than "node-2"
    And the pods labelled "app=web" on the node "node-2" are being deleted

  @HEAL-03 @faults
  Scenario: A StatefulSet's pod lost with its node comes back under its own name, never twice at once
    Given the cluster's timings are:
      | node lease duration            | 1s    |
      | node monitor period            | 500ms |
      | node monitor grace period      | 2s    |
      | default unreachable toleration | 2s    |
    And I apply the manifest with kubectl:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: db
      spec:
        clusterIP: None
        selector: {app: db}
        ports:
          - port: 8080
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        serviceName: db
        replicas: 1
        selector:
          matchLabels: {app: db}
        template:
          metadata:
            labels: {app: db}
          spec:
            affinity:
              nodeAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    preference:
                      matchFields:
                        - {key: metadata.name, operator: In, values: [node-2]}
            containers:
              - name: db
                image: registry.internal/ock/app:1
                ports:
                  - containerPort: 8080
      """
    And within 20s the pod "db-0" is Running
    And the pod "db-0" runs on the node "node-2"
    When the kubelet of the node "node-2" stops
    Then within the node monitor grace period plus the default unreachable toleration plus 11s the pod "db-0" has:
      | metadata.deletionTimestamp | <present> |
    And for 3s the pod "db-0" keeps:
      | metadata.deletionTimestamp | <present> |
      | spec.nodeName              | node-2    |
    When I run "kubectl delete pod db-0 --grace-period=0 --force"
    Then within 20s 1 pod labelled "app=db" is Running
    And the pod "db-0" has:
      | metadata.deletionTimestamp                             | <absent> |
      | metadata.labels['statefulset.kubernetes.io/pod-name'] | db-0     |
      | spec.hostname                                          | db-0     |
      | spec.subdomain                                         | db       |
    And 0 of the pods labelled "app=db" run on the node "node-2"
    And within 5s the endpoints "db" has:
      | subsets[0].addresses[0].hostname       | db-0 |
      | subsets[0].addresses[0].targetRef.name | db-0 |

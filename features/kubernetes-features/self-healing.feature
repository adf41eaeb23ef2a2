Feature: The desired number of pods holds
  "The controller manager keeps the desired number of pods." A pod deleted by hand is not
  brought back: it is replaced by a new pod, with a new name and a new uid, so that the number
  of replicas matches the Deployment again. The same holds for pods lost with their node: once
  the node lifecycle controller has found the node unreachable and the pods' toleration of that
  (300 s upstream, 2 s here) has run out, they are evicted and replaced on the other nodes. The
  evicted pods stay Terminating, as upstream: no kubelet is left to confirm they stopped.

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

  @HEAL-03 @faults @config
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
    Then within 15s 3 pods labelled "app=web" are Running on nodes other than "node-2"
    And the pods labelled "app=web" on the node "node-2" are being deleted

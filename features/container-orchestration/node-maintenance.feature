Feature: A node is taken out by draining it, within the disruption budgets
  "Kubernetes also manages nodes: to take a node out, move its running pods to another node."
  Draining a node first cordons it (spec.unschedulable, which the node lifecycle controller
  turns into the node.kubernetes.io/unschedulable:NoSchedule taint), then evicts its pods
  through the Eviction API (POST pods/<name>/eviction): their controllers recreate them on
  other nodes. An eviction that would leave fewer healthy pods than a PodDisruptionBudget
  demands is refused with 429 TooManyRequests ("Cannot evict pod as it would violate the pod's
  disruption budget."), and the drain retries until the budget permits. Uncordoning lets the
  node receive pods again. A DaemonSet's pod is not evicted: `kubectl drain` stops at it unless
  told --ignore-daemonsets, and it stays, since every daemon pod tolerates the unschedulable
  taint. Draining runs on real containers too (@docker).

  Background:
    Given I run "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    And within 60s 3 pods labelled "app=web" are Running
    And the pods labelled "app=web" run on 3 different nodes

  @ORCH-07
  Scenario: kubectl drain moves a node's pods elsewhere and kubectl uncordon takes the node back
    When I run "kubectl drain node-2 --ignore-daemonsets"
    Then the command succeeds
    And the output contains "node/node-2 drained"
    And within 20s 3 pods labelled "app=web" are Running on nodes other than "node-2"
    And within 5s the node "node-2" is tainted "node.kubernetes.io/unschedulable:NoSchedule"
    When I run "kubectl uncordon node-2"
    Then within 5s the node "node-2" is Ready and untainted

  @ORCH-07 @docker
  Scenario: On real containers, kubectl drain stops a node's containers and their replacements run elsewhere
    Given the container runtime runs 1 container on the node "node-2"
    When I run "kubectl drain node-2 --ignore-daemonsets"
    Then the command succeeds
    And within 60s 3 pods labelled "app=web" are Running on nodes other than "node-2"
    And every container ID of the pods labelled "app=web" starts with "docker://"
    And within 30s the container runtime holds no container on the node "node-2"

  @ORCH-07
  Scenario: An eviction that would break a disruption budget is refused with 429
    Given I run "kubectl create poddisruptionbudget web --selector=app=web --min-available=3"
    And within 10s the pod disruption budget "web" has:
      | status.expectedPods       | 3 |
      | status.currentHealthy     | 3 |
      | status.desiredHealthy     | 3 |
      | status.disruptionsAllowed | 0 |
    When I try to evict one of the pods labelled "app=web"
    Then the request is rejected with 429 TooManyRequests and the message:
      """
      Cannot evict pod as it would violate the pod's disruption budget.
      """
    And the rejection gives the cause DisruptionBudget: "The disruption budget web needs 3 healthy pods and has 3 currently"

  @ORCH-07
  Scenario: An eviction the budget permits deletes the pod, and its controller replaces it
    Given I run "kubectl create poddisruptionbudget web --selector=app=web --max-unavailable=1"
    And within 10s the pod disruption budget "web" has:
      | status.desiredHealthy     | 2 |
      | status.disruptionsAllowed | 1 |
    When I evict one of the pods labelled "app=web"
    Then within 20s 3 pods labelled "app=web" are Running
    And the deleted pod was replaced by a pod with a new name and uid

  @ORCH-07
  Scenario: kubectl drain is held back by a disruption budget, then finishes once it permits
    Given I run "kubectl create poddisruptionbudget web --selector=app=web --min-available=3"
    And within 10s the pod disruption budget "web" has:
      | status.disruptionsAllowed | 0 |
    When I run "kubectl drain node-2 --ignore-daemonsets --timeout=3s"
    Then the command fails saying "Cannot evict pod as it would violate the pod's disruption budget."
    When I run "kubectl scale deployment web --replicas=4"
    And within 20s the pod disruption budget "web" has:
      | status.currentHealthy     | 4 |
      | status.disruptionsAllowed | 1 |
    And I run "kubectl drain node-2 --ignore-daemonsets"
    Then the command succeeds
    And within 20s 4 pods labelled "app=web" are Running on nodes other than "node-2"

  @ORCH-07
  Scenario: A drain waits while the budget allows no disruption and goes on as soon as it does
    Given I run "kubectl create poddisruptionbudget web --selector=app=web --min-available=3"
    And within 10s the pod disruption budget "web" has:
      | status.disruptionsAllowed | 0 |
    When I start draining the node "node-2", retrying refused evictions every 500ms
    Then for 2s the drain of the node "node-2" is held back by the disruption budget "web"
    When I run "kubectl scale deployment web --replicas=4"
    Then within 20s the node "node-2" is drained
    And within 20s 4 pods labelled "app=web" are Running on nodes other than "node-2"

  @ORCH-07
  Scenario: kubectl drain leaves a DaemonSet's pod only with --ignore-daemonsets, and the drained node keeps it
    Given I apply the manifest with kubectl:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels: {app: agent}
          spec:
            containers:
              - name: agent
                image: registry.internal/ock/app:1
      """
    And within 15s 3 pods labelled "app=agent" are Running
    And the pods labelled "app=agent" run on 3 different nodes
    When I run "kubectl drain node-2"
    Then the command fails saying "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
    When I run "kubectl drain node-2 --ignore-daemonsets"
    Then the command succeeds
    And the output contains "node/node-2 drained"
    And within 20s 3 pods labelled "app=web" are Running on nodes other than "node-2"
    And for 2s the daemon set "agent" keeps:
      | status.desiredNumberScheduled | 3 |
      | status.currentNumberScheduled | 3 |
      | status.numberReady            | 3 |
      | status.numberMisscheduled     | 0 |
    And 1 of the pods labelled "app=agent" run on the node "node-2"

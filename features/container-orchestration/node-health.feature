Feature: The kubelet keeps reporting its node's health
  "The kubelet keeps reporting node health/status to the API server." Every kubelet renews its
  node's Lease in kube-node-lease (every quarter of the Lease's 40 s upstream) and posts the
  node's status. When the heartbeats stop, the node lifecycle controller marks the node
  Ready=Unknown ("Kubelet stopped posting node status.") once node-monitor-grace-period has
  passed (50 s upstream, checked every node-monitor-period, 5 s) and taints it
  node.kubernetes.io/unreachable; every pod tolerates that taint for a while (300 s by
  default), then it is evicted and its controller replaces it on a healthy node. Here the
  times are short, so the story fits in seconds: a 1 s Lease renewed every 250 ms, a 2 s grace
  period checked every 500 ms, pods that tolerate an unreachable node for 2 s. On another
  cluster its own settings stand in for these (its target configuration names them), and every
  bound below that depends on one is stated in its terms.

  Background:
    Given the cluster's timings are:
      | node lease duration            | 1s    |
      | node monitor period            | 500ms |
      | node monitor grace period      | 2s    |
      | default unreachable toleration | 2s    |

  @ORCH-08
  Scenario: Every kubelet keeps renewing its node's Lease
    Then every node holds its Lease in kube-node-lease, renewed within the node lease duration

  @ORCH-08 @faults
  Scenario: A node whose heartbeats stop becomes Unknown and is tainted unreachable
    When the node "node-2" stops sending heartbeats
    Then for the node lease duration the Lease of the node "node-2" is not renewed
    And within the node monitor grace period plus 3s the node "node-2" has:
      | status.conditions[type=Ready].status  | Unknown                              |
      | status.conditions[type=Ready].reason  | NodeStatusUnknown                    |
      | status.conditions[type=Ready].message | Kubelet stopped posting node status. |
    And within the node monitor period plus 1500ms the node "node-2" is tainted "node.kubernetes.io/unreachable:NoExecute"
    And within the node monitor period plus 1500ms the node "node-2" is tainted "node.kubernetes.io/unreachable:NoSchedule"

  @ORCH-08 @faults @trace
  Scenario: A lost node's story, in order and on time: Unknown, tainted, pods evicted, replaced
    Given I run "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    And within 20s 3 pods labelled "app=web" are Running
    And the pods labelled "app=web" run on 3 different nodes
    When the node "node-2" stops sending heartbeats
    Then within the node monitor grace period plus the default unreachable toleration plus 11s 3 pods labelled "app=web" are Running on nodes other than "node-2"
    And the trace shows, in this order, for the node "node-2":
      | its kubelet renews its Lease for the last time         |                     |
      | it is marked Ready=Unknown                             | after 2s, within 3s |
      | it is tainted node.kubernetes.io/unreachable:NoExecute | within 1s           |
      | its pods are evicted                                   | after 2s, within 3s |
      | their replacements are Running on other nodes          | within 5s           |

  @ORCH-08 @faults
  Scenario: A node that sends heartbeats again turns Ready and loses its taints
    When the node "node-2" stops sending heartbeats
    And within the node monitor grace period plus 3s the node "node-2" is tainted "node.kubernetes.io/unreachable:NoExecute"
    And the node "node-2" sends heartbeats again
    Then within the node lease duration plus 1s the Lease of the node "node-2" is renewed again
    And within the node monitor grace period plus 3s the node "node-2" is Ready and untainted

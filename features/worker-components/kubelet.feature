Feature: The kubelet registers its node
  "The kubelet is the agent on every worker; it registers the node with the API server." Each
  node appears in the API as a Node object the kubelet created and keeps current: what the
  machine has (capacity, and what pods may use of it), its labels and addresses, the kubelet
  and runtime versions, and whether it is Ready. A kubelet that restarts finds its Node again
  instead of adding a second one.

  @KUBELET-01
  Scenario: Every node is registered with its capacity, labels and addresses
    Given a cluster with at least 1 node
    Then every node is Ready and has:
      | metadata.labels['kubernetes.io/hostname'] | <its name>  |
      | metadata.labels['kubernetes.io/os']       | linux       |
      | status.capacity.cpu                       | <non-empty> |
      | status.capacity.memory                    | <non-empty> |
      | status.capacity.pods                      | <non-empty> |
      | status.allocatable.cpu                    | <non-empty> |
      | status.addresses[type=InternalIP].address | <non-empty> |
      | status.nodeInfo.kubeletVersion            | <non-empty> |
      | status.nodeInfo.containerRuntimeVersion   | <non-empty> |

  @KUBELET-01 @faults
  Scenario: A restarted kubelet does not register its node twice
    Given a cluster with at least 1 node
    When the kubelet of the node "node-1" restarts
    Then within 10s there is exactly one node named "node-1", the same one as before
    And there is exactly one Lease for the node "node-1"

@etcd @faults
Feature: Stacked or external etcd
  "Stacked etcd (one member per master, API server talks to its local member) or an external
  etcd cluster." In the stacked topology (kubeadm's default) every control-plane node runs an
  etcd member that only its own API server uses; in the external one the API servers use every
  member of a separate etcd cluster. Both serve the cluster through one load-balanced address
  and survive the loss of one etcd member. Which member an API server uses shows when one dies:
  stacked, only the API server on that member's master stops accepting writes (the load balancer
  sends clients to the others); external, every API server carries on. The members themselves,
  asked one by one, say they form one cluster.

  @ETCD-03
  Scenario Outline: The cluster works on <topology> etcd and survives the loss of one member
    Slow: three masters and three real etcd members boot, one member is killed, and the
    survivors must answer.
    Given a control plane of 3 masters with <topology> etcd
    Then etcd's own member list names 3 members of one cluster, and every API server uses some of them
    And writes through the API succeed
    When <one member> is killed
    Then <which API servers write>
    And 30 requests in a row through the cluster address succeed
    And writes through the API succeed
    And every write the API acknowledged is still readable

    Examples:
      | topology | one member                    | which API servers write                                                                        |
      | stacked  | the etcd member on "master-0" | within 10s the API server of "master-0" refuses writes, and every other API server accepts them |
      | external | the etcd member "etcd-0"      | every API server accepts writes                                                                |

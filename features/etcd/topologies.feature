@etcd @faults @config
Feature: Stacked or external etcd
  "Stacked etcd (one member per master, API server talks to its local member) or an external
  etcd cluster." In the stacked topology (kubeadm's default) every control-plane node runs an
  etcd member that only its own API server uses; in the external one the API servers use every
  member of a separate etcd cluster. Both serve the cluster through one load-balanced address
  and survive the loss of one etcd member.

  @ETCD-03
  Scenario Outline: The cluster works on <topology> etcd and survives the loss of one member
    Given a control plane of 3 masters with <topology> etcd
    Then <which endpoints>
    And writes through the API succeed
    When the etcd member "etcd-0" is killed
    Then within 20s writes through the API succeed
    And every write the API acknowledged is still readable

    Examples:
      | topology | which endpoints                                              |
      | stacked  | each API server uses only the etcd member on its own master |
      | external | every API server uses every member of the separate etcd cluster |

@etcd
Feature: Only the etcd leader writes
  "Only the leader writes; followers replicate; so more members do not make writes faster."
  Exactly one member leads at a time; when it dies the others elect a new one and writes go on.
  Because every write goes through the leader and waits for a quorum, adding members adds
  replication work: write latency on 1, 3 and 5 members, measured side by side on this machine,
  is attached to the report.

  @ETCD-05 @faults
  Scenario: When the leader dies, a new leader is elected and writes continue
    Then the etcd cluster has exactly one leader
    When the etcd leader is killed
    Then within 10s the etcd cluster has a new leader
    And writes through the API succeed
    And every write the API acknowledged is still readable

  @ETCD-05
  Scenario: More members do not make writes faster
    When I measure the write latency of etcd clusters of 1, 3 and 5 members
    Then writes on 3 and 5 members are not faster than on 1 member

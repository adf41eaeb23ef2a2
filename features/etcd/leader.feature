@etcd
Feature: Only the etcd leader writes
  "Only the leader writes; followers replicate; so more members do not make writes faster."
  Exactly one member leads at a time; when it dies the others elect a new one and writes go on.
  Because every write goes through the leader and waits for a quorum, adding members adds
  replication work. Three clusters that differ only in their number of etcd members take the
  same writes through the API, interleaved so a busy machine slows them alike; the API server
  times each one in its audit log (request received to response sent) and the table is attached
  to the report. On stacked masters each API server uses its own master's member, so the one
  whose member was the leader refuses writes until the load balancer drops it (its readiness
  check fails): writes go on within seconds, not at once.

  @ETCD-05 @faults
  Scenario: When the leader dies, a new leader is elected and writes continue
    Then the etcd cluster has exactly one leader
    When the etcd leader is killed
    Then within 10s the etcd cluster has a new leader
    And within 10s writes through the API succeed
    And every write the API acknowledged is still readable

  @ETCD-05 @config
  Scenario: More members do not make writes through the API faster
    Slow: it starts clusters of 1, 3 and 5 real etcd members one after the other and times
    writes on each.
    When I measure the write latency through the API of clusters with 1, 3 and 5 etcd members
    Then as the API servers time them, writes on 3 and 5 members are not faster than on 1 member, and on 5 members slower

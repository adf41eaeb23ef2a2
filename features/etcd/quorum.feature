@etcd @faults
Feature: Three etcd members tolerate the loss of one
  "At least 3 etcd members." A write is acknowledged only once a majority (a quorum) of members
  has persisted it: three members keep serving with one down, stop accepting writes with two
  down, and serve again as soon as a second member is back. Nothing that was acknowledged is
  lost on the way. The second member to die is the leader, so the one left is a follower that
  cannot commit anything on its own; the first to die comes back, behind on every write made
  while it was away, and must not cost any of them. The API server waits 4 s for etcd (a write
  with no quorum is refused after that), so the scenario does not wait out the default 8 s.
  Where each master's API server uses only the etcd member on its own machine (stacked), the one
  whose member died refuses writes until the load balancer takes it out of rotation (its
  readiness check fails), so the writes after the first loss are given 10 s to go on.

  @ETCD-04
  Scenario: Writes go on with 2 of 3 members, stop with 1 of 3, and resume with 2 of 3
    Given the cluster's timings are:
      | storage timeout | 4s |
    And writes through the API succeed
    When the etcd member "etcd-0" is killed
    Then within 10s writes through the API succeed
    When the etcd leader is killed
    Then within the storage timeout plus 16s writes through the API are refused for lack of quorum, and none is acknowledged
    When the etcd member "etcd-0" is restarted
    Then within 30s writes through the API succeed
    And every write the API acknowledged is still readable

@etcd @faults @config
Feature: Three etcd members tolerate the loss of one
  "At least 3 etcd members." A write is acknowledged only once a majority (a quorum) of members
  has persisted it: three members keep serving with one down, stop accepting writes with two
  down, and serve again as soon as a second member is back. Nothing that was acknowledged is
  lost on the way. The second member to die is the leader, so the one left is a follower that
  cannot commit anything on its own; the first to die comes back, behind on every write made
  while it was away, and must not cost any of them. The API server waits 4 s for etcd (a write
  with no quorum is refused after that), so the scenario does not wait out the default 8 s.

  @ETCD-04
  Scenario: Writes go on with 2 of 3 members, stop with 1 of 3, and resume with 2 of 3
    Given the cluster's timings are:
      | storage timeout | 4s |
    And writes through the API succeed
    When the etcd member "etcd-0" is killed
    Then writes through the API succeed
    When the etcd leader is killed
    Then within 20s writes through the API are refused for lack of quorum, and none is acknowledged
    When the etcd member "etcd-0" is restarted
    Then within 30s writes through the API succeed
    And every write the API acknowledged is still readable

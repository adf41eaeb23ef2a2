@etcd @faults
Feature: Three etcd members tolerate the loss of one
  "At least 3 etcd members." A write is acknowledged only once a majority (a quorum) of members
  has persisted it: three members keep serving with one down, stop accepting writes with two
  down, and serve again as soon as a second member is back. Nothing that was acknowledged is
  lost on the way.

  @ETCD-04
  Scenario: Writes go on with 2 of 3 members, stop with 1 of 3, and resume with 2 of 3
    Given writes through the API succeed
    When the etcd member "etcd-0" is killed
    Then writes through the API succeed
    When the etcd member "etcd-1" is killed
    Then within 20s writes through the API fail with a storage error naming the operation
    When the etcd member "etcd-1" is restarted
    Then within 30s writes through the API succeed
    And every write the API acknowledged is still readable

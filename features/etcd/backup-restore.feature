@etcd @faults
Feature: A snapshot of etcd restores the cluster
  "Back up etcd continuously so the cluster state can be restored." A snapshot is the whole
  cluster state at one revision. After a disaster that takes every member and its data, the
  snapshot is restored into fresh members (API servers stopped first, as upstream's procedure
  says): what existed at the snapshot is back, what came later is not, and controllers carry on
  from the restored state. Revisions never go backwards, so every client relists.

  @ETCD-02
  Scenario: Objects from before the snapshot come back, later ones do not, and controllers reconcile
    Given the controller manager is stopped
    And the namespace "old-team" with a configmap in it is being deleted
    And I apply the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: before
      """
    When I take a snapshot of etcd
    And I apply the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: after
      """
    And every etcd member is lost with its data, and etcd is restored from the snapshot
    And the controller manager is started
    Then the configmap "before" exists
    And the configmap "after" does not exist
    And within 30s the namespace "old-team" no longer exists

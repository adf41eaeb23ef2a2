@etcd @faults
Feature: A snapshot of etcd restores the cluster
  "Back up etcd continuously so the cluster state can be restored." A snapshot is the whole
  cluster state at one revision. After a disaster that takes every member and its data, the
  snapshot is restored into fresh members (API servers stopped first, as upstream's procedure
  says): what existed at the snapshot is back, what came later is not, and controllers carry on
  from the restored state. Revisions never go backwards, so every client relists: the scheduler and
  the kubelets, which ran on through the restore, place and start a pod created after it.

  @ETCD-02
  Scenario: Objects from before the snapshot come back, later ones do not, and controllers reconcile
    Slow: three real etcd members boot, are all lost with their data, and are restored from the
    snapshot with the API servers stopped and started again around the restore.
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
    Then the configmap "before" exists
    And the namespace "old-team" exists
    And the configmap "after" does not exist
    When the controller manager is started
    Then within 30s the namespace "old-team" no longer exists
    When I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: after-restore
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then within 10s the pod "after-restore" has:
      | spec.nodeName | <present> |
      | status.phase  | Running   |

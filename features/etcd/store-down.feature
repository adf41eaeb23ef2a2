@etcd @faults
Feature: When etcd is down, the cluster is down
  "etcd must never be down: if it is, the cluster is down." The API server keeps no state of its
  own: with every etcd member gone it cannot accept a change, so it answers writes with a clear
  Status naming the operation (upstream: 500 ServerTimeout), and controllers, which act only
  through the API, make no progress. Nothing a refused request sent is left half-written, and once
  etcd is back the controllers pick up where they stopped. (That pods already running keep
  running is shown once the kit has kubelets.)

  @ETCD-01
  Scenario: A write while etcd is down is refused with a clear Status and leaves nothing behind
    When every etcd member is killed
    And I try to create a configmap from the body:
      """json
      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}, "data": {"k": "v"}}
      """
    Then the request is rejected with 500 ServerTimeout saying "The create operation against configmaps could not be completed at this time"
    When every killed etcd member is restarted
    Then the configmap "late" does not exist
    And writes through the API succeed

  @ETCD-01 @trace
  Scenario: Controllers make no progress while etcd is down, and finish their work after it returns
    Given the controller manager is stopped
    And the namespace "doomed" with a configmap in it is being deleted
    When every etcd member is killed
    And the controller manager is started
    Then for 12s the store acknowledges no write by "system:kube-controller-manager", whose requests fail
    When every killed etcd member is restarted
    Then within 30s the namespace "doomed" no longer exists

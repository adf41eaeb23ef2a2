@etcd @faults @audit
Feature: Several masters serve one cluster
  "The number of masters depends on API traffic." Several API servers serve the same cluster
  behind one load-balanced address, so losing one keeps the API available. Controllers and the
  scheduler must not act twice, so on every master a controller manager and a scheduler each
  campaign for a Lease and only the holder acts; when it dies, a standby takes the Lease once it
  expires and carries on. Each master's API server writes its own audit log, and each master's
  components talk to their own API server (as kubeadm sets them up), so the log a request is in
  says which API server answered it, and the log a component's write is in says which master's
  component wrote.

  @CP-06
  Scenario: Losing one API server keeps the API available through the load balancer
    Given a control plane of 3 masters with stacked etcd
    And the API server writes an audit log
    Then 30 requests in a row through the cluster address succeed, answered by 3 API servers
    When the API server of "master-0" is killed
    Then 30 requests in a row through the cluster address succeed, answered by 2 API servers
    And writes through the API succeed

  @CP-06
  Scenario: A standby controller manager takes over through the Lease, and only the holder acts
    Slow: three masters with stacked etcd boot, and the standby waits out the Lease (4 s) of
    the controller manager it replaces.
    Given a control plane of 3 masters with stacked etcd
    And the API server writes an audit log
    And the leader election lease duration is 4s, renew deadline 3s and retry period 1s
    Then the Lease "kube-controller-manager" in "kube-system" names the active controller manager
    When the active controller manager is killed
    Then within the leader election lease duration plus 6s the Lease "kube-controller-manager" in "kube-system" names another holder
    When I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: scratch
      """
    And I delete the namespace "scratch"
    Then within 10s the namespace "scratch" no longer exists
    And only the master holding the Lease "kube-controller-manager" in "kube-system" has written as "system:kube-controller-manager" since the Lease was read

  @CP-06
  Scenario: A standby scheduler takes over through the Lease, new pods still get a node, and only the holder binds them
    Slow: three masters with stacked etcd boot, and the standby waits out the Lease (4 s) of
    the scheduler it replaces.
    Given a control plane of 3 masters with stacked etcd
    And the API server writes an audit log
    And the leader election lease duration is 4s, renew deadline 3s and retry period 1s
    Then the Lease "kube-scheduler" in "kube-system" names the active scheduler
    When the active scheduler is killed
    Then within the leader election lease duration plus 6s the Lease "kube-scheduler" in "kube-system" names another holder
    When I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: after-failover
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then within 15s the pod "after-failover" has:
      | spec.nodeName | <present> |
      | status.phase  | Running   |
    And only the master holding the Lease "kube-scheduler" in "kube-system" has written as "system:kube-scheduler" since the Lease was read

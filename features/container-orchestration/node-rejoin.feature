@faults
Feature: A node that comes back gets pods only once its checks pass
  "When a node comes back it is monitored and checked; only when the checks pass does it start
  receiving pods." A node is checked all the time, and a failing check shows on the Node with
  its reason: its kubelet must be heartbeating (else Ready=Unknown and the
  node.kubernetes.io/unreachable taint), its container runtime must answer (else Ready=False,
  "container runtime is down", and node.kubernetes.io/not-ready), it must not be short of
  memory, disk or PIDs (the pressure condition and its taint), and its kubelet must be a
  version the control plane supports (the version skew policy: no newer than kube-apiserver,
  at most three minor versions older; OCK's KubeletVersionSkew condition and
  ock.dev/kubelet-version-skew taint). While a check fails the scheduler gives the node no
  pods; when every check passes the taints go and the node receives pods again. Here a pod
  that may only run on node-2 shows it, and so does a DaemonSet, whose pod comes to the node
  once it is back, not before. Timings are short: a 1 s Lease, status posted every
  500 ms, a 2 s grace period checked every 500 ms; on another cluster its own settings stand in
  for these (its target configuration names them), and the bounds on the node's conditions and
  taints are stated in their terms.

  Background:
    Given the cluster's timings are:
      | node lease duration          | 1s    |
      | node status update frequency | 500ms |
      | node monitor period          | 500ms |
      | node monitor grace period    | 2s    |

  @ORCH-09
  Scenario: A node whose kubelet comes back is given pods only once it is Ready again
    Given the kubelet of the node "node-2" stops
    And within the node monitor grace period plus 3s the node "node-2" is tainted "node.kubernetes.io/unreachable:NoSchedule"
    When I create a pod "pinned" that may only run on the node "node-2"
    Then within 5s the pod "pinned" is Pending with the reason "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) didn't match Pod's node affinity/selector."
    When the kubelet of the node "node-2" starts again
    Then within the node monitor grace period plus 3s the node "node-2" is Ready and untainted
    And within 15s the pod "pinned" is Running

  @ORCH-09
  Scenario: A node whose container runtime does not answer is NotReady and says why
    When the container runtime of the node "node-2" stops answering
    Then within the node monitor grace period plus 3s the node "node-2" has:
      | status.conditions[type=Ready].status  | False                                                                                                                              |
      | status.conditions[type=Ready].reason  | KubeletNotReady                                                                                                                    |
      | status.conditions[type=Ready].message | container runtime is down: rpc error: code = Unavailable desc = connection error: the container runtime endpoint does not answer |
    And within the node monitor period plus 1500ms the node "node-2" is tainted "node.kubernetes.io/not-ready:NoSchedule"
    When I create a pod "pinned" that may only run on the node "node-2"
    Then within 5s the pod "pinned" is Pending with the reason "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) didn't match Pod's node affinity/selector."
    When the container runtime of the node "node-2" answers again
    Then within the node monitor grace period plus 3s the node "node-2" is Ready and untainted
    And within 15s the pod "pinned" is Running

  @ORCH-09
  Scenario: A node under disk pressure gets no new pods until the pressure ends
    When the node "node-2" comes under disk pressure
    Then within the node monitor grace period plus 3s the node "node-2" has:
      | status.conditions[type=DiskPressure].status | True                   |
      | status.conditions[type=DiskPressure].reason | KubeletHasDiskPressure |
    And within the node monitor period plus 1500ms the node "node-2" is tainted "node.kubernetes.io/disk-pressure:NoSchedule"
    When I create a pod "pinned" that may only run on the node "node-2"
    Then within 5s the pod "pinned" is Pending with the reason "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 2 node(s) didn't match Pod's node affinity/selector."
    When the disk pressure on the node "node-2" ends
    Then within the node monitor grace period plus 3s the node "node-2" is Ready and untainted
    And within 15s the pod "pinned" is Running

  @ORCH-09
  Scenario Outline: A kubelet outside the version skew policy gets no pods until it runs a supported version (<why>)
    The control plane is v1.32: a kubelet may be v1.29 to v1.32.
    When the kubelet of the node "node-2" restarts as version "<version>"
    Then within the node monitor grace period plus 3s the node "node-2" has:
      | status.nodeInfo.kubeletVersion                     | <version> |
      | status.conditions[type=KubeletVersionSkew].status  | True      |
      | status.conditions[type=KubeletVersionSkew].reason  | <reason>  |
    And within the node monitor period plus 1500ms the node "node-2" is tainted "ock.dev/kubelet-version-skew=<version>:NoSchedule"
    When I create a pod "pinned" that may only run on the node "node-2"
    Then within 5s the pod "pinned" is Pending with the reason "0/3 nodes are available: 1 node(s) had untolerated taint {ock.dev/kubelet-version-skew: <version>}, 2 node(s) didn't match Pod's node affinity/selector."
    When the kubelet of the node "node-2" restarts as its own version
    Then within the node monitor grace period plus 3s the node "node-2" is Ready and untainted
    And within 15s the pod "pinned" is Running

    Examples:
      | why                         | version | reason         |
      | four minor versions older   | v1.28.9 | KubeletTooOld  |
      | newer than the API server   | v1.33.0 | KubeletTooNew  |

  @ORCH-09
  Scenario: A kubelet three minor versions older than the control plane is supported and gets pods
    When the kubelet of the node "node-2" restarts as version "v1.29.0"
    Then within the node monitor grace period plus 3s the node "node-2" has:
      | status.nodeInfo.kubeletVersion | v1.29.0 |
    And for 2s the node "node-2" keeps:
      | status.conditions[type=KubeletVersionSkew] | <absent> |
      | spec.taints                                | <absent> |
    When I create a pod "pinned" that may only run on the node "node-2"
    Then within 15s the pod "pinned" is Running

  @ORCH-09 @docker
  Scenario: On real containers, a node whose runtime does not answer gets no pods until it answers again
    When the container runtime of the node "node-2" stops answering
    Then within the node monitor grace period plus 3s the node "node-2" is tainted "node.kubernetes.io/not-ready:NoSchedule"
    When I create a pod "pinned" that may only run on the node "node-2"
    Then within 5s the pod "pinned" is Pending with the reason "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) didn't match Pod's node affinity/selector."
    When the container runtime of the node "node-2" answers again
    Then within the node monitor grace period plus 8s the node "node-2" is Ready and untainted
    And within 60s the pod "pinned" is Running
    And every container ID of the pods labelled "app=pinned" starts with "docker://"

  @ORCH-09
  Scenario: A DaemonSet has a pod on every node, and a node that comes back gets its pod once it is Ready
    Given the kubelet of the node "node-2" stops
    And within the node monitor grace period plus 3s the node "node-2" is tainted "node.kubernetes.io/unreachable:NoSchedule"
    When I apply the manifest with kubectl:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels: {app: agent}
          spec:
            containers:
              - name: agent
                image: registry.internal/ock/app:1
      """
    Then within 10s 2 pods labelled "app=agent" are Running on nodes other than "node-2"
    And for 2s the daemon set "agent" keeps:
      | status.desiredNumberScheduled | 2 |
      | status.currentNumberScheduled | 2 |
    When the kubelet of the node "node-2" starts again
    Then within the node monitor grace period plus 3s the node "node-2" is Ready and untainted
    And within 15s 3 pods labelled "app=agent" are Running
    And the pods labelled "app=agent" run on 3 different nodes
    And within 5s the daemon set "agent" has:
      | status.desiredNumberScheduled | 3 |
      | status.numberAvailable        | 3 |

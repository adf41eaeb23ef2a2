Feature: Creating an object: the cluster's half
  After the API server has stored the Deployment (steps 1-5), the rest of the course's nine
  steps happen in the cluster, each component reacting to what it sees through the API server:
  the controller manager creates a ReplicaSet and, through it, the pods, which start Pending
  with no node (6); the scheduler picks a node for each pod and records only a binding (7);
  the kubelet of each node runs the pods bound to its node, and only those (8). Who wrote what,
  and which requests each component made, is read from the API server's audit log, so these
  scenarios run on any cluster whose audit log the kit can read; what each node's container
  runtime was asked to create is a door of the reference cluster only.

  Background:
    Given the API server writes an audit log
    And I watch the pods
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """

  @FLOW-05 @audit
  Scenario: 6. The controller manager creates a ReplicaSet and its pods; they start Pending, with no node
    Then within 20s the deployment "web" owns a replica set that owns 3 pods
    And the audit log shows each pod labelled "app=web" created by "system:kube-controller-manager"
    And every pod labelled "app=web" was first seen Pending without a node, already owned by its replica set

  @FLOW-06 @audit
  Scenario: 7. The scheduler records a node for each pod as a binding through the API server, and writes nothing else about them
    Then within 20s 3 pods labelled "app=web" are Running
    And the audit log shows each pod labelled "app=web" bound once through pods/binding by "system:kube-scheduler", after its creation, and its spec written by no one
    And the audit log shows no write by "system:kube-scheduler" other than bindings, events and its leader-election lease

  @FLOW-07 @audit
  Scenario: 8. Each kubelet runs the pods bound to its node, and only those
    Then within 20s 3 pods labelled "app=web" are Running
    And the audit log shows each kubelet acted only on its own node and the pods bound to it
    And the audit log shows the status of each pod labelled "app=web" written only by the kubelet of its node

  @FLOW-07 @audit @runtime
  Scenario: 8. Each node's container runtime creates containers only for the pods bound to that node
    Then within 20s 3 pods labelled "app=web" are Running
    And each node's container runtime created containers only for the pods bound to that node, and for every pod labelled "app=web"

@docker
Feature: Creating an object: the container runtime, and the whole process
  "9. The container runtime receives the kubelet's request and creates the container; the
  Deployment is running." The last of the course's nine steps happens on the machine: real
  containers appear, labelled with the pod they belong to, and answer on the pod's IP; then the
  Deployment reports all its replicas available. "The whole process, end to end": the trace of
  one Deployment's creation shows the nine steps, from the user's request to the runtime, in
  order; the report draws them as one sequence diagram. Steps 4 and 5 are also checked where
  they happen, etcd's confirmation at the store and the answer at the user; the store commits
  every write 300 ms late (a slow disk), so an API server that answers before etcd confirmed
  shows.

  @FLOW-08
  Scenario: 9. The container runtime creates and starts the containers; the Deployment is available
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
      """
    Then within 60s the deployment "web" has:
      | status.replicas          | 2 |
      | status.availableReplicas | 2 |
    And the container runtime runs a container for each pod labelled "app=web", carrying the pod's labels
    And each pod labelled "app=web" answers HTTP on its pod IP with its own name

  @FLOW-09 @trace @store @faults @diagram:create-object
  Scenario: The nine steps of creating a Deployment happen in order
    Given the store commits every write 300ms late
    When I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
      """
    Then within 60s the deployment "web" has 2 ready replicas
    And the trace shows the nine steps of creating the deployment "web", in order

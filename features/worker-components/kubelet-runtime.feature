Feature: The kubelet reports pod status and drives containers through the runtime interface
  "The kubelet reports readiness, liveness and utilisation to the API server." "Between kubelet
  and container runtime there is an interface: the CRI." The kubelet writes what its containers
  are doing into each pod's status: their state, how often they restarted, which container runs
  now, and whether the pod is Ready (its readiness probe). It talks to containers only through
  the runtime interface, so the same kubelet runs the same pods on real containers (the Docker
  engine) and on the kit's simulated runtime, and reports to the API what it had the runtime do
  (image pulled, container created, container started) as events on the pod.

  @KUBELET-02 @docker
  Scenario: Pod status carries container states, restart counts and the Ready condition
    Given I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web, labels: {app: web}}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            ports: [{name: http, containerPort: 8080}]
            readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
      """
    Then within 30s the pod "web" has:
      | status.phase                                        | Running     |
      | status.podIP                                        | <non-empty> |
      | status.conditions[type=Ready].status                | "True"      |
      | status.conditions[type=ContainersReady].status      | "True"      |
      | status.containerStatuses[0].ready                   | true        |
      | status.containerStatuses[0].started                 | true        |
      | status.containerStatuses[0].restartCount            | 0           |
      | status.containerStatuses[0].state.running.startedAt | <non-empty> |
    And every container ID of the pods labelled "app=web" starts with "docker://"
    When I run "rm /tmp/ready" in the pod "web"
    Then within 10s the pod "web" has:
      | status.phase                             | Running |
      | status.conditions[type=Ready].status     | "False" |
      | status.containerStatuses[0].ready        | false   |
      | status.containerStatuses[0].restartCount | 0       |
    When I request "/cgi-bin/exit?code=3" from the pod "web"
    Then within 10s the pod "web" has:
      | status.containerStatuses[0].restartCount                  | 1           |
      | status.containerStatuses[0].lastState.terminated.exitCode | 3           |
      | status.containerStatuses[0].lastState.terminated.reason   | Error       |
      | status.containerStatuses[0].state.running.startedAt       | <non-empty> |
      | status.conditions[type=Ready].status                      | "True"      |

  @KUBELET-03 @config
  Scenario Outline: The same kubelet runs a Deployment on the <runtime> runtime
    # one node, so one kubelet runs both pods through one runtime and must tell their containers apart
    Given a cluster of 1 node
    And the nodes run their containers on the <runtime> runtime
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
            containers: [{name: app, image: registry.internal/ock/app:1}]
      """
    Then within 60s the deployment "web" has 2 ready replicas
    And every container ID of the pods labelled "app=web" starts with "<scheme>://"
    And each pod labelled "app=web" reports containers of its own
    And within 10s the kubelet of each pod labelled "app=web" reported the runtime calls "Pulled, Created, Started", in order

    @docker
    Examples: real containers on the Docker engine
      | runtime | scheme |
      | docker  | docker |

    Examples: the simulated runtime
      | runtime   | scheme |
      | simulated | sim    |

@audit
Feature: Creating an object: the API server's half, as its audit log tells it
  The first five of the nine steps of creating an object, as far as any cluster shows them
  through its API and its audit log (audit.k8s.io/v1): the user sends the desired state in one
  request (1); the API server puts the request on record, knows who sent it and checks whether
  they may (2), even for a request it cannot authenticate; the store keeps the Deployment and
  acknowledges it with a revision of the whole cluster, which the answer carries (3-4); and the
  user is told the Deployment is created (5). When the store got the write and when it
  acknowledged it, and the order of the checks inside the API server, are read beside the API
  server on the reference cluster only (api-half.feature).

  Background:
    Given the API server writes an audit log
    And I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: {app: web}
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

  @FLOW-01
  Scenario: 1. The user sends the desired state to the API server in one request, as the audit log records it
    Then creating the deployment "web" took exactly one request, by "kubernetes-admin"
    And the audit log records the request that created the deployment "web", in order:
      | stage            | user             | verb  | resource    | name | code |
      | RequestReceived  | kubernetes-admin | patch | deployments | web  |      |
      | ResponseComplete | kubernetes-admin | patch | deployments | web  | 201  |

  @FLOW-02
  Scenario: 2. The API server puts the request on record, with who sent it and whether they may
    Then the audit log records the request that created the deployment "web", in order:
      | stage            | user             | resource    | name | code | decision |
      | RequestReceived  | kubernetes-admin | deployments |      |      |          |
      | ResponseComplete | kubernetes-admin | deployments | web  | 201  | allow    |

  @FLOW-02
  Scenario: 2. A request the API server cannot authenticate is on record all the same, and creates nothing
    When a client without credentials tries to create the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: stranger
      spec:
        selector:
          matchLabels: {app: stranger}
        template:
          metadata:
            labels: {app: stranger}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    Then the request is rejected with 401 Unauthorized
    And the audit log records the rejected request, in order:
      | stage            | verb   | resource    | code |
      | RequestReceived  | create | deployments |      |
      | ResponseComplete | create | deployments | 401  |
    And the deployment "stranger" does not exist

  @FLOW-03
  Scenario: 3-4. The Deployment is kept, and the answer carries the revision the store acknowledged it with
    Then the deployment "web" was answered with a revision of the whole cluster: an object written after it gets a later resourceVersion

  @FLOW-04
  Scenario: 5. The user is told the Deployment is created, as the audit log records the answer
    Then the deployment "web" exists
    And the audit log records the request that created the deployment "web", in order:
      | stage            | code |
      | RequestReceived  |      |
      | ResponseComplete | 201  |

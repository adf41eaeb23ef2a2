@trace @store @config @faults
Feature: Creating an object: the API server's half
  The course walks through nine steps of creating an object. The first five happen at the API
  server: the user sends the desired state (a Deployment), the API server logs the request and
  checks who sent it and whether they may, writes it to etcd, etcd confirms with a revision, and
  only then is the user told it is created. Each step is checked where it happens: the audit
  log for what the API server put on record, the store itself for what was written and when it
  was acknowledged, the user's side for when the answer arrived. So that the order can be seen,
  the store in these scenarios acknowledges every write 300 ms late.

  Background:
    Given the API server writes an audit log
    And the store acknowledges every write 300ms late
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
  Scenario: 1. The user sends the desired state to the API server in one request
    Then creating the deployment "web" took exactly one request, by "kubernetes-admin"
    And the request that created the deployment "web" went through, in order:
      | the request is received   |
      | the user is authenticated |

  @FLOW-02
  Scenario: 2. The API server logs the request, then checks who sent it and whether they may, before anything else
    Then the audit log records the request that created the deployment "web", in order:
      | stage            | user             | resource    | name | code | decision |
      | RequestReceived  | kubernetes-admin | deployments |      |      |          |
      | ResponseComplete | kubernetes-admin | deployments | web  | 201  | allow    |
    And the audit log had the request that created the deployment "web" on record before the store got its write, and its answer after the store acknowledged it
    And the request that created the deployment "web" went through, in order:
      | the user is authenticated   |
      | the user is authorized      |
      | mutating admission passes   |
      | the object is validated     |

  @FLOW-02
  Scenario: 2. A request the API server cannot authenticate is on record all the same
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
    And the rejected request wrote nothing to the store

  @FLOW-03
  Scenario: 3-4. The API server writes the Deployment to the store, and the store acknowledges it with a revision
    Then the deployment "web" was returned with the acknowledged revision as its resourceVersion
    And the request that created the deployment "web" went through, in order:
      | the request is received                   |
      | the object is written to the store        |
      | the store acknowledges it with a revision |

  @FLOW-04
  Scenario: 5. The user is told the Deployment is created only after the store acknowledged it
    Then the user was told the deployment "web" was created only after the store acknowledged it
    And the audit log records the request that created the deployment "web", in order:
      | stage            | code |
      | RequestReceived  |      |
      | ResponseComplete | 201  |

@trace
Feature: Creating an object: the API server's half
  The course walks through nine steps of creating an object. The first five happen at the API
  server: the user sends the desired state (a Deployment), the API server writes it to etcd,
  etcd confirms with a revision, and only then is the user told it is created. The built-in
  API server traces every request, so each step can be checked, in order.

  Background:
    Given I apply the manifest:
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
    Then the request that created the deployment "web" went through, in order:
      | the request is logged       |
      | the user is authenticated   |
      | the user is authorized      |
      | mutating admission passes   |
      | the object is validated     |

  @FLOW-03
  Scenario: 3-4. The API server writes the Deployment to the store, and the store acknowledges it with a revision
    Then the request that created the deployment "web" went through, in order:
      | the request is received                   |
      | the object is written to the store        |
      | the store acknowledges it with a revision |
    And the deployment "web" was returned with the acknowledged revision as its resourceVersion

  @FLOW-04
  Scenario: 5. The user is told the Deployment is created only after the store acknowledged it
    Then the request that created the deployment "web" went through, in order:
      | the request is received                   |
      | the user is authenticated                 |
      | the store acknowledges it with a revision |
      | the user is told it was created           |

@trace
Feature: Only what passes every check reaches the store
  "When all of this passes, the object is put in etcd." A request that is refused, at any
  phase, leaves nothing behind in the store; a request that is accepted is stored exactly once,
  with a resourceVersion. A bad request gets a Status that says what is wrong, and the API
  server goes on serving. A request lands only on the object its path names: the API server
  reads the path as kube-apiserver does, where "." and ".." are invalid names rather than steps
  up the path, so no spelling of a path reaches another object or a whole collection.

  @API-07
  Scenario: An accepted request is stored exactly once, with a resourceVersion
    Given I create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        mode: production
      """
    Then the config map "settings" has:
      | metadata.resourceVersion | <present>  |
      | data.mode                | production |
    And the config map "settings" was written to the store exactly once

  @API-07
  Scenario Outline: A malformed request is refused with a Status, nothing is stored, and the server keeps serving (<case>)
    When I try to create a config map from the body:
      """
      <body>
      """
    Then the request is rejected with <code> <reason>
    And the rejected request wrote nothing to the store
    And the API server still answers

    Examples:
      | case                  | body                                                    | code | reason     |
      | not JSON at all       | this is { not json                                      | 400  | BadRequest |
      | a number for a name   | {"metadata": {"name": 7}}                               | 400  | BadRequest |
      | a list for the data   | {"metadata": {"name": "cfg"}, "data": ["a", "b"]}       | 400  | BadRequest |
      | no name               | {"metadata": {}}                                        | 422  | Invalid    |
      | a name with capitals  | {"metadata": {"name": "Not_A_Name"}}                    | 422  | Invalid    |
      | the wrong kind        | {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}} | 400 | BadRequest |

  @API-07
  Scenario: A request refused by authentication writes nothing to the store
    When a client without credentials tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    Then the request is rejected with 401 Unauthorized
    And the rejected request wrote nothing to the store

  @API-07
  Scenario: A request refused by mutating admission writes nothing to the store
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: ghostly
      spec:
        serviceAccountName: ghost
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the request is rejected with 403 Forbidden saying 'error looking up service account {namespace}/ghost: serviceaccount "ghost" not found'
    And the rejected request wrote nothing to the store

  @API-07
  Scenario: A request refused by validating admission writes nothing to the store
    Given I apply the manifest:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: no-config
      spec:
        hard:
          count/configmaps: "0"
      """
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    Then the request is rejected with 403 Forbidden saying "exceeded quota: no-config, requested: count/configmaps=1, used: count/configmaps=0, limited: count/configmaps=0"
    And the rejected request wrote nothing to the store

  @API-07
  Scenario Outline: A path cannot reach another object: "." and ".." are names, not steps up the path (<case>)
    Given I create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        mode: production
      """
    When I send <method> "<path>" exactly as written
    Then the request is rejected with <code> <reason> saying "<message>"
    And the rejected request wrote nothing to the store
    And the config map "settings" has:
      | data.mode | production |

    Examples:
      | case                                              | method | path                                             | code | reason           | message                                                         |
      | a delete of the object named "%2e%2e"             | DELETE | /api/v1/namespaces/{namespace}/configmaps/%2e%2e | 400  | BadRequest       | Name parameter invalid: \"..\": may not be '..'                 |
      | a delete of the object named ".."                 | DELETE | /api/v1/namespaces/{namespace}/configmaps/..     | 400  | BadRequest       | Name parameter invalid: \"..\": may not be '..'                 |
      | a delete of the object named "."                  | DELETE | /api/v1/namespaces/{namespace}/configmaps/.      | 400  | BadRequest       | Name parameter invalid: \".\": may not be '.'                   |
      | a delete of every config map of namespace ".."    | DELETE | /api/v1/namespaces/%2e%2e/configmaps             | 400  | BadRequest       | Namespace parameter invalid: \"..\": may not be '..'            |
      | a delete of every config map of every namespace   | DELETE | /api/v1/configmaps                               | 405  | MethodNotAllowed | the server does not allow this method on the requested resource |

Feature: Every request passes the same checks, in the same order
  "Every request: logging, authentication, authorization, mutating admission, schema
  validation, validating admission, then etcd." The API server first puts the request on
  record, then asks who sent it, then whether they may do it; only then do admission plugins
  change and judge the object, and only an object that passed everything is written to the
  store. Each phase's verdict lands in the API server's trace and, when one is configured, in
  its audit log (audit.k8s.io/v1 events).

  @API-01 @trace
  Scenario: An accepted request passes every phase in order before it reaches the store
    Given I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the request that created the pod "web" went through, in order:
      | the request is logged                     |
      | the user is authenticated                 |
      | the user is authorized                    |
      | mutating admission passes                 |
      | the object is validated                   |
      | validating admission passes               |
      | the object is written to the store        |
      | the store acknowledges it with a revision |
      | the user is told it was created           |

  @API-01 @trace
  Scenario: A request refused by authorization never reaches admission or the store
    When alice tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    Then the rejected request went through, in order, and no further:
      | the request is logged          |
      | the user is authenticated      |
      | authorization refuses it       |
      | the user is told it was refused |

  @API-01 @trace
  Scenario: A request refused by validation never reaches validating admission or the store
    Given alice may create pods
    When alice tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: no-containers
      spec:
        containers: []
      """
    Then the rejected request went through, in order, and no further:
      | the request is logged           |
      | the user is authenticated       |
      | the user is authorized          |
      | mutating admission passes       |
      | validation refuses it           |
      | the user is told it was refused |

  @API-01 @config
  Scenario: The audit log records who asked for what, and what they were told
    Given the API server writes an audit log
    And alice may create config maps
    When alice creates the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    And alice tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: Secret
      metadata:
        name: password
      """
    Then the audit log records the rejected request, in order:
      | stage            | user  | verb   | resource | code | decision |
      | RequestReceived  | alice | create | secrets  |      |          |
      | ResponseComplete | alice | create | secrets  | 403  | forbid   |
    And the audit log records the request that created the config map "settings", in order:
      | stage            | user  | verb   | resource   | name     | code | decision |
      | RequestReceived  | alice | create | configmaps |          |      |          |
      | ResponseComplete | alice | create | configmaps | settings | 201  | allow    |
